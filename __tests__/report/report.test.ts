import { compatReport } from '../../src/report/compat-report.js'
import { isCompatible, type RunOutcome } from '../../src/report/outcome.js'
import { summaryMarkdown } from '../../src/report/summary.js'

const server = { owner: 'gotify', name: 'server', tag: 'v2.9.1', goVersion: '1.26.0', goVersionSource: 'GO_VERSION' as const, goMod: '' }
const alignment = {
  mode: 'full' as const,
  serverModules: [],
  shared: [{ path: 'example.com/dep', plugin: 'v1.0.0', server: 'v1.0.0', linked: true }],
  changes: [{ path: 'example.com/dep', from: 'v1.1.0', to: 'v1.0.0' }],
  conflicts: [],
  changed: true,
  diff: '-require example.com/dep v1.1.0\n+require example.com/dep v1.0.0\n',
  goModPath: '/ws/go.mod'
}
const base: RunOutcome = { server, alignment, builds: [], verification: [], artifacts: [] }

test('compatible only when everything shared is aligned and nothing failed to load or to run', () => {
  expect(isCompatible(base)).toBe(true)
  expect(isCompatible({ ...base, alignment: { ...alignment, shared: [{ path: 'x', plugin: 'v2', server: 'v1', linked: true }] } })).toBe(false)
  expect(isCompatible({ ...base, verification: [{ platform: 'linux-amd64', status: 'failed', witness: 'stand-in loader', method: 'native', detail: 'x', glibc: {}, warnings: [] }] })).toBe(false)
  expect(isCompatible({ ...base, verification: [{ platform: 'linux-arm64', status: 'not-verified', witness: 'stand-in loader', method: 'none', detail: 'x', glibc: {}, warnings: [] }] })).toBe(true)
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
    verification: [{ platform: 'linux-amd64', status: 'loaded', witness: 'stand-in loader', method: 'native', detail: '', glibc: {}, warnings: [] }]
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

// Like a plugin whose tests use testcontainers: containerd's go.mod pins an old oauth2 the plugin never links.
const notLinked = {
  ...alignment,
  shared: [
    { path: 'example.com/dep', plugin: 'v1.0.0', server: 'v1.0.0', linked: true },
    { path: 'golang.org/x/oauth2', plugin: 'v0.11.0', server: 'v0.36.0', linked: false },
    { path: 'golang.org/x/sys', plugin: 'v0.30.0', server: 'v0.30.0', linked: false }
  ]
}

test('a shared module the plugin does not link never makes it incompatible; a linked replaced one does', () => {
  expect(isCompatible({ ...base, alignment: notLinked })).toBe(true)
  const replaced = { ...alignment, shared: [{ path: 'example.com/dep', plugin: 'v1.0.0', server: 'v1.0.0', replace: '../dep', linked: true }] }
  expect(isCompatible({ ...base, alignment: replaced })).toBe(false)
})

test('modules shared but not linked are shown apart in the summary and in compat-report.json', () => {
  const md = summaryMarkdown({ ...base, alignment: notLinked })
  expect(md).toContain('#### Shared, not linked: cannot affect loading')
  expect(md).toContain('| <code>golang.org/x/oauth2</code> | v0.11.0 | v0.36.0 |')
  expect(md).toContain('1 more at the server\'s version')
  expect(md).not.toContain(':warning:')
  expect(md).toContain('**Compatible.**')
  expect(compatReport({ ...base, alignment: notLinked })).toMatchObject({
    shared: [{ path: 'example.com/dep', plugin: 'v1.0.0', server: 'v1.0.0' }],
    sharedNotLinked: [{ path: 'golang.org/x/oauth2', plugin: 'v0.11.0', server: 'v0.36.0' }, { path: 'golang.org/x/sys', plugin: 'v0.30.0', server: 'v0.30.0' }],
    compatible: true
  })
})

test('with a conflict, the summary names it and lists the other linked mismatches on one line, not as warnings', () => {
  const conflict = { path: 'example.com/dep', server: 'v1.0.0', plugin: 'v1.1.0', chain: [], message: 'example.com/dep cannot be aligned: ...' }
  const refused = {
    ...alignment,
    conflicts: [conflict],
    shared: [
      { path: 'example.com/dep', plugin: 'v1.1.0', server: 'v1.0.0', linked: true },
      { path: 'example.com/gin', plugin: 'v1.10.0', server: 'v1.9.0', linked: true },
      { path: 'golang.org/x/oauth2', plugin: 'v0.11.0', server: 'v0.36.0', linked: false }
    ]
  }
  const md = summaryMarkdown({ ...base, alignment: refused })
  expect(md).toContain('- :x: example.com/dep cannot be aligned: ...')
  expect(md).toContain('- Also linked at other versions than the server\'s in this go.mod; alignment moves them once the conflicts above are solved: <code>example.com/gin</code>')
  expect(md).not.toContain(':warning:')
  expect(md).toContain('| <code>golang.org/x/oauth2</code> | v0.11.0 | v0.36.0 |')
})
