// The documentation's yaml blocks, read as a user copies them: each marked, each
// valid YAML, each step that uses the action given only inputs action.yml declares
// and every required one. (readme-workflows.int.test.ts runs the workflows under act.)
import { readFileSync, readdirSync } from 'node:fs'
import * as path from 'node:path'
import { parse } from 'yaml'
import { ROOT } from './support/action-harness.js'
import { actionInputs, actionStepProblems, inTestWorld, parseBlock, stepsOf, workflowsById, yamlBlocks } from './support/readme-workflows.js'
import { NOT_RUN, RUN_IDS } from './support/readme-cases.js'

const blocks = yamlBlocks()

test('every yaml block of the documentation is marked as a workflow or as steps, under an id of its own', () => {
  expect(blocks.length).toBeGreaterThan(0)
  expect(blocks.filter(b => !b.kind).map(b => `${b.file}:${b.line}`)).toEqual([])
  const ids = blocks.map(b => b.id)
  expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([])
})

test('every yaml block of README.md and of every page under docs/ is read', () => {
  const pages = ['README.md', ...readdirSync(path.join(ROOT, 'docs')).filter(f => f.endsWith('.md')).map(f => `docs/${f}`)]
  const fences = pages.flatMap(page => readFileSync(path.join(ROOT, page), 'utf8').split('\n').flatMap((line, i) => (/^```ya?ml\s*$/.test(line) ? [`${page}:${i + 1}`] : [])))
  expect(blocks.map(b => `${b.file}:${b.line}`).sort()).toEqual(fences.sort())
  expect(new Set(blocks.map(b => b.file.split('/')[0])).has('docs')).toBe(true)
})

test.each(blocks.map(b => [`${b.file}:${b.line} ${b.kind ?? 'unmarked'} ${b.id ?? ''}`, b] as const))('%s parses, and its action steps have the inputs action.yml asks for', (_name, block) => {
  const parsed = parseBlock(block)
  const kind = block.kind ?? 'workflow'
  if (kind === 'workflow') {
    const wf = parsed as { on?: unknown; jobs?: Record<string, { 'runs-on'?: unknown; steps?: unknown[] }> }
    expect(wf.on).toBeDefined()
    expect(Object.keys(wf.jobs ?? {}).length).toBeGreaterThan(0)
    for (const [job, j] of Object.entries(wf.jobs ?? {})) expect({ job, runsOn: j['runs-on'] !== undefined, steps: Array.isArray(j.steps) }).toEqual({ job, runsOn: true, steps: true })
  }
  const inputs = actionInputs()
  const steps = stepsOf(kind, parsed).filter(s => /^go-plugin-build\/action@/.test(s.step.uses ?? ''))
  expect(steps.length).toBeGreaterThan(0)
  const problems = steps.flatMap(s => actionStepProblems(s.step, inputs).map(p => `job ${s.job}: ${p}`))
  expect(problems).toEqual([])
})

test('every workflow is run under act by readme-workflows.int.test.ts or listed with the reason it cannot run here', () => {
  const workflows = [...workflowsById(blocks).keys()].sort()
  const covered = [...RUN_IDS, ...Object.keys(NOT_RUN)].sort()
  expect(covered).toEqual(workflows)
  for (const reason of Object.values(NOT_RUN)) expect(reason.length).toBeGreaterThan(20)
})


test.each([...workflowsById(blocks).values()].map(b => [b.id!, b] as const))("the test world changes in workflow %s only the module proxy, the steps' RUNNER_TEMP and the registry", (_id, block) => {
  const original = parseBlock(block)
  const changed = parse(inTestWorld(block, { goEnv: 'GOPROXY=http://127.0.0.1:1\nGOSUMDB=off', runnerTemp: '/runner/temp', registry: '127.0.0.1:5000' })) as typeof original
  // Undo the listed changes: what is left must be the documentation's workflow.
  for (const { step } of stepsOf('workflow', changed)) {
    if (/^go-plugin-build\/action@/.test(step.uses ?? '')) {
      const inputs = step.with!
      expect(String(inputs['go-env']).split('\n').slice(0, 2)).toEqual(['GOPROXY=http://127.0.0.1:1', 'GOSUMDB=off'])
      const own = String(inputs['go-env']).split('\n').slice(2).join('\n')
      if (own) inputs['go-env'] = own
      else delete inputs['go-env']
      for (const k of ['image-tags', 'server-image']) if (typeof inputs[k] === 'string') inputs[k] = (inputs[k] as string).replaceAll('127.0.0.1:5000/gotify/', 'gotify/').replaceAll('127.0.0.1:5000', 'ghcr.io')
      expect((step.env as Record<string, string>).RUNNER_TEMP).toBe('/runner/temp')
      delete (step.env as Record<string, string>).RUNNER_TEMP
      if (Object.keys(step.env as object).length === 0) delete step.env
    } else if (step.with?.registry === '127.0.0.1:5000') step.with.registry = 'ghcr.io'
  }
  expect(changed).toEqual(original)
})
