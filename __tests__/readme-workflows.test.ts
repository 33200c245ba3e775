// The documentation's yaml blocks, read as a user copies them: each marked, each
// valid YAML, each step that uses the action given only inputs action.yml declares
// and every required one. (readme-workflows.int.test.ts runs the workflows under act.)
import { actionInputs, actionStepProblems, parseBlock, stepsOf, workflowsById, yamlBlocks } from './support/readme-workflows.js'
import { NOT_RUN, RUN_IDS } from './support/readme-cases.js'

const blocks = yamlBlocks()

test('every yaml block of the documentation is marked as a workflow or as steps, under an id of its own', () => {
  expect(blocks.length).toBeGreaterThan(0)
  expect(blocks.filter(b => !b.kind).map(b => `${b.file}:${b.line}`)).toEqual([])
  const ids = blocks.map(b => b.id)
  expect(ids.filter((id, i) => ids.indexOf(id) !== i)).toEqual([])
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

