import { compatReport, isCompatible, summaryMarkdown, type RunOutcome } from '../src/report.js'

const server = { owner: 'gotify', name: 'server', tag: 'v2.9.1', goVersion: '1.26.0', goVersionSource: 'GO_VERSION' as const, goMod: '' }
const alignment = {
  mode: 'full' as const,
  serverModules: [],
  shared: [{ path: 'example.com/dep', plugin: 'v1.0.0', server: 'v1.0.0' }],
  changes: [{ path: 'example.com/dep', from: 'v1.1.0', to: 'v1.0.0' }],
  conflicts: [],
  changed: true,
  diff: '-require example.com/dep v1.1.0\n+require example.com/dep v1.0.0\n',
  goModPath: '/ws/go.mod'
}
const base: RunOutcome = { server, alignment, builds: [], verification: [], artifacts: [] }

test('compatible only when everything shared is aligned and nothing failed to load or to run', () => {
  expect(isCompatible(base)).toBe(true)
  expect(isCompatible({ ...base, alignment: { ...alignment, shared: [{ path: 'x', plugin: 'v2', server: 'v1' }] } })).toBe(false)
  expect(isCompatible({ ...base, verification: [{ platform: 'linux-amd64', status: 'failed', method: 'native', detail: 'x' }] })).toBe(false)
  expect(isCompatible({ ...base, verification: [{ platform: 'linux-arm64', status: 'not-verified', method: 'none', detail: 'x' }] })).toBe(true)
  expect(isCompatible({ ...base, alignment: undefined, failure: 'go get failed' })).toBe(false)
})

test('a platform that failed to build is never compatible, in the verdict, the report or the summary', () => {
  const job = (id: string) => ({ platform: { id, os: 'linux', arch: id.split('-')[1] }, image: `gotify/build:1.26.0-${id}`, assetName: `p-${id}.so`, outputPath: `/ws/build/p-${id}.so`, goArgs: [], workdir: '/proj', env: {} })
  const o: RunOutcome = {
    ...base,
    builds: [
      { job: job('linux-amd64'), ok: true, seconds: 1, log: '', errors: [] },
      { job: job('linux-arm64'), ok: false, seconds: 1, log: 'syntax error', errors: [] }
    ],
    verification: [{ platform: 'linux-amd64', status: 'loaded', method: 'native', detail: '' }]
  }
  expect(isCompatible(o)).toBe(false)
  expect(compatReport(o)).toMatchObject({ compatible: false, platforms: [{ built: true }, { built: false }] })
  expect(summaryMarkdown(o)).not.toContain('**Compatible.**')
})

test('the summary shows the changes and the go.mod diff to commit; the report lists them', () => {
  const md = summaryMarkdown(base)
  expect(md).toContain('| <code>example.com/dep</code> | v1.1.0 | v1.0.0 |')
  expect(md).toContain('```diff\n-require example.com/dep v1.1.0')
  expect(compatReport(base)).toMatchObject({ goVersion: '1.26.0', changes: alignment.changes, compatible: true })
  expect(summaryMarkdown({ ...base, failure: 'boom' })).toContain('The run failed: boom')
})
