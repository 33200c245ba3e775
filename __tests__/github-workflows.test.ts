// This repository's own workflows (.github/workflows/*.yml) are valid workflows,
// and the release workflow runs scripts/release.sh with the version it is given,
// passed through the environment (never pasted into a script's text).
import * as fs from 'node:fs'
import * as path from 'node:path'
import { parseDocument } from 'yaml'
import { ROOT } from './support/action-harness.js'

interface Step {
  uses?: string
  run?: string
  env?: Record<string, string>
}
interface Workflow {
  on?: unknown
  permissions?: Record<string, string>
  jobs?: Record<string, { 'runs-on'?: unknown; steps?: Step[] }>
}

const DIR = path.join(ROOT, '.github', 'workflows')
const files = fs.readdirSync(DIR).filter(f => /\.ya?ml$/.test(f))

function read(file: string): Workflow {
  const doc = parseDocument(fs.readFileSync(path.join(DIR, file), 'utf8'), { uniqueKeys: true })
  const problems = [...doc.errors, ...doc.warnings].map(p => p.message)
  expect(problems).toEqual([])
  return doc.toJS() as Workflow
}

test.each(files)('%s parses as a workflow: a trigger, and jobs that each run somewhere with steps that use or run something', file => {
  const wf = read(file)
  expect(wf.on).toBeDefined()
  expect(Object.keys(wf.jobs ?? {}).length).toBeGreaterThan(0)
  for (const [job, j] of Object.entries(wf.jobs ?? {})) {
    expect({ job, runsOn: j['runs-on'] !== undefined, steps: Array.isArray(j.steps) && j.steps.length > 0 }).toEqual({ job, runsOn: true, steps: true })
    for (const step of j.steps ?? []) expect({ job, step, ok: typeof step.uses === 'string' || typeof step.run === 'string' }).toEqual({ job, step, ok: true })
    // What a user types or an event carries reaches a script through env:, not as script text.
    const injected = (j.steps ?? []).filter(s => /\$\{\{\s*(inputs\.|github\.event\.)/.test(s.run ?? ''))
    expect(injected).toEqual([])
  }
})

test('the release workflow is started by hand with a version and runs scripts/release.sh on it, with the rights to push tags', () => {
  const wf = read('release.yml')
  const on = wf.on as { workflow_dispatch?: { inputs?: Record<string, { required?: boolean }> } }
  expect(Object.keys(on)).toEqual(['workflow_dispatch'])
  expect(on.workflow_dispatch?.inputs?.version?.required).toBe(true)
  expect(wf.permissions).toEqual({ contents: 'write' })
  const steps = Object.values(wf.jobs ?? {}).flatMap(j => j.steps ?? [])
  const checkout = steps.find(s => /^actions\/checkout@/.test(s.uses ?? '')) as Step & { with?: Record<string, unknown> }
  expect(checkout.with?.['fetch-depth']).toBe(0)
  const runs = steps.map(s => s.run ?? '')
  const release = steps.find(s => /scripts\/release\.sh "\$VERSION" --push/.test(s.run ?? ''))
  expect(release?.env).toEqual({ VERSION: '${{ inputs.version }}' })
  // The checks come before the tags.
  const checks = runs.findIndex(r => r.includes('npm run -s test:unit'))
  expect(checks).toBeGreaterThan(-1)
  expect(checks).toBeLessThan(steps.indexOf(release!))
})
