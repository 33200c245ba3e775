import { compatReport } from '../../src/report/compat-report.js'
import { isCompatible, type RunOutcome, type VersionOutcome } from '../../src/report/outcome.js'
import { summaryMarkdown } from '../../src/report/summary.js'
import { REPORT_SERVER, alignedDep } from '../support/report-fixtures.js'

const server = REPORT_SERVER
const alignment = alignedDep('/ws/go.mod', '-require example.com/dep v1.1.0\n+require example.com/dep v1.0.0\n')
const baseVersion: VersionOutcome = { server, alignsWorkspace: true, alignment, builds: [], verification: [], artifacts: [] }
/** A one-version run. */
const one = (v: Partial<VersionOutcome> = {}, run: Partial<RunOutcome> = {}): RunOutcome => ({ request: server.tag, versions: [{ ...baseVersion, ...v }], compatibility: [], ...run })
const base = one()

test('compatible only when everything shared is aligned and nothing failed to load or to run', () => {
  expect(isCompatible(base)).toBe(true)
  expect(isCompatible(one({ alignment: { ...alignment, shared: [{ path: 'x', plugin: 'v2', server: 'v1', linked: true }] } }))).toBe(false)
  expect(isCompatible(one({ verification: [{ platform: 'linux-amd64', status: 'failed', witness: 'stand-in loader', method: 'native', detail: 'x', glibc: {}, warnings: [] }] }))).toBe(false)
  expect(isCompatible(one({ verification: [{ platform: 'linux-arm64', status: 'not-verified', witness: 'stand-in loader', method: 'none', detail: 'x', glibc: {}, warnings: [] }] }))).toBe(true)
  expect(isCompatible(one({ alignment: undefined }, { failure: 'go get failed' }))).toBe(false)
})

test('a platform that failed to build is never compatible, in the verdict, the report or the summary', () => {
  const job = (id: string) => ({ platform: { id, os: 'linux', arch: id.split('-')[1] }, serverVersion: 'v2.9.1', image: `gotify/build:1.26.0-${id}`, assetName: `p-${id}.so`, outputPath: `/ws/build/p-${id}.so`, goArgs: [], workdir: '/proj', env: {} })
  const o: RunOutcome = one({
    builds: [
      { job: job('linux-amd64'), ok: true, seconds: 1, log: '', errors: [] },
      { job: job('linux-arm64'), ok: false, seconds: 1, log: 'syntax error', errors: [] }
    ],
    verification: [{ platform: 'linux-amd64', status: 'loaded', witness: 'stand-in loader', method: 'native', detail: '', glibc: {}, warnings: [] }]
  })
  expect(isCompatible(o)).toBe(false)
  expect(compatReport(o)).toMatchObject({ compatible: false, platforms: [{ built: true }, { built: false }] })
  expect(summaryMarkdown(o)).not.toContain('**Compatible.**')
})

test('the summary shows the changes and the go.mod diff to commit; the report lists them', () => {
  const md = summaryMarkdown(base)
  expect(md).toContain('| <code>example.com/dep</code> | v1.1.0 | v1.0.0 |')
  expect(md).toContain('```diff\n-require example.com/dep v1.1.0')
  expect(compatReport(base)).toMatchObject({ goVersion: '1.26.0', changes: alignment.changes, compatible: true })
  expect(summaryMarkdown(one({}, { failure: 'boom' }))).toContain('The run failed: boom')
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
  expect(isCompatible(one({ alignment: notLinked }))).toBe(true)
  const replaced = { ...alignment, shared: [{ path: 'example.com/dep', plugin: 'v1.0.0', server: 'v1.0.0', replace: '../dep', linked: true }] }
  expect(isCompatible(one({ alignment: replaced }))).toBe(false)
})

test('modules shared but not linked are shown apart in the summary and in compat-report.json', () => {
  const md = summaryMarkdown(one({ alignment: notLinked }))
  expect(md).toContain('#### Shared, not linked: cannot affect loading')
  expect(md).toContain('| <code>golang.org/x/oauth2</code> | v0.11.0 | v0.36.0 |')
  expect(md).toContain('1 more at the server\'s version')
  expect(md).not.toContain(':warning:')
  expect(md).toContain('**Compatible.**')
  expect(compatReport(one({ alignment: notLinked }))).toMatchObject({
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
  const md = summaryMarkdown(one({ alignment: refused }))
  expect(md).toContain('- :x: example.com/dep cannot be aligned: ...')
  expect(md).toContain('- Also linked at other versions than the server\'s in this go.mod; alignment moves them once the conflicts above are solved: <code>example.com/gin</code>')
  expect(md).not.toContain(':warning:')
  expect(md).toContain('| <code>golang.org/x/oauth2</code> | v0.11.0 | v0.36.0 |')
})

test('several server versions: a section each, the go.mod diff for the workspace\'s only, the table across versions, the verdict per version', () => {
  const older = { ...server, tag: 'v2.8.0' }
  const job = (tag: string) => ({ platform: { id: 'linux-amd64', os: 'linux', arch: 'amd64' }, serverVersion: tag, image: 'gotify/build:1.26.0-linux-amd64', assetName: `p-${tag}.so`, outputPath: `/ws/build/p-${tag}.so`, goArgs: [], workdir: '/proj', env: {} })
  const artifact = (tag: string) => ({ platform: 'linux-amd64', path: `/ws/build/p-${tag}.so`, name: `p-${tag}.so`, size: 10, sha256: 'ab'.repeat(32) })
  const loads = { platform: 'linux-amd64', status: 'loaded' as const, witness: 'release binary gotify-linux-amd64.zip', method: 'static' as const, detail: 'proven', glibc: {}, warnings: [] }
  const o: RunOutcome = {
    request: '>=2.8.0',
    versions: [
      { ...baseVersion, builds: [{ job: job('v2.9.1'), ok: true, seconds: 1, log: '', errors: [], artifact: artifact('v2.9.1') }], verification: [loads], artifacts: [artifact('v2.9.1')] },
      { ...baseVersion, server: older, alignsWorkspace: false, alignment: { ...alignment, diff: '-copy\n+copy\n' }, builds: [{ job: job('v2.8.0'), ok: true, seconds: 1, log: '', errors: [], artifact: artifact('v2.8.0') }], verification: [loads], artifacts: [artifact('v2.8.0')] },
      { ...baseVersion, server: { ...server, tag: 'v2.7.0' }, alignsWorkspace: false, alignment: undefined, skipped: 'release v1.0.0 has every file already (p-v2.7.0.so); skip-existing' }
    ],
    compatibility: [
      { artifact: 'p-v2.9.1.so', platform: 'linux-amd64', builtFor: 'v2.9.1', alsoLoadsInto: [], checks: [{ serverVersion: 'v2.9.1', status: 'loads', witness: 'w', detail: '' }, { serverVersion: 'v2.8.0', status: 'refused', witness: 'w', firstDifference: 'example.com/dep', detail: '' }] },
      { artifact: 'p-v2.8.0.so', platform: 'linux-amd64', builtFor: 'v2.8.0', alsoLoadsInto: ['v2.9.1'], checks: [{ serverVersion: 'v2.9.1', status: 'loads', witness: 'w', detail: '' }, { serverVersion: 'v2.8.0', status: 'loads', witness: 'w', detail: '' }] }
    ]
  }
  const md = summaryMarkdown(o)
  expect(md).toContain('newest first: v2.9.1, v2.8.0, v2.7.0.')
  expect(md.indexOf('### v2.9.1')).toBeLessThan(md.indexOf('### v2.8.0'))
  expect(md).toContain("#### go.mod alignment (full)")
  expect(md).toContain('```diff\n-require example.com/dep v1.1.0')
  expect(md).not.toContain('-copy')
  expect(md).toContain('Server **gotify/server v2.7.0**: not built: release v1.0.0 has every file already')
  expect(md).toContain('| file | built for | v2.9.1 | v2.8.0 |')
  expect(md).toContain('| <code>p-v2.9.1.so</code> | v2.9.1 | loads (own) | **refused**: example.com/dep |')
  expect(md).toContain('- p-v2.8.0.so (built for v2.8.0) also loads into v2.9.1.')
  expect(md).toContain('**Compatible.**')

  const report = compatReport(o) as Record<string, unknown>
  expect(report).toMatchObject({ server: { tag: 'v2.9.1' }, goModAligned: 'workspace', serverVersions: ['v2.9.1', 'v2.8.0', 'v2.7.0'], compatible: true })
  expect(report.versions).toMatchObject([{ status: 'built', goModAligned: 'workspace' }, { status: 'built', goModAligned: 'copy', platforms: [{ file: 'p-v2.8.0.so' }] }, { status: 'skipped', goModAligned: 'none' }])
  expect(report.compatibility).toEqual([
    expect.objectContaining({ file: 'p-v2.9.1.so', builtFor: 'v2.9.1', servers: [expect.objectContaining({ serverVersion: 'v2.9.1', status: 'loads' }), expect.objectContaining({ serverVersion: 'v2.8.0', status: 'refused', firstDifference: 'example.com/dep' })] }),
    expect.objectContaining({ file: 'p-v2.8.0.so', alsoLoadsInto: ['v2.9.1'] })
  ])

  // One version failing makes the run incompatible, and the verdict names it.
  const failing = { ...o, versions: [o.versions[0], { ...o.versions[1], verification: [{ ...loads, status: 'failed' as const }] }, o.versions[2]] }
  expect(isCompatible(failing)).toBe(false)
  expect(summaryMarkdown(failing)).toContain('**Not compatible** (or not proven so): server v2.8.0.')
})

test('a version the action cannot build for is refused with why, per tag: the verdict, the summary\'s table and section, compat-report.json', () => {
  const ok = { ...baseVersion, verification: [{ platform: 'linux-amd64', status: 'loaded' as const, witness: 'w', method: 'static' as const, detail: '', glibc: {}, warnings: [] }] }
  const refused: VersionOutcome = { ...baseVersion, server: { ...server, tag: 'v2.0.0', goVersion: '' }, alignsWorkspace: false, alignment: undefined, refused: 'gotify/server has no go.mod at v2.0.0; server-repository must be a Go module' }
  const goLine: VersionOutcome = {
    ...baseVersion, server: { ...server, tag: 'v2.4.0', goVersion: '1.21.1' }, alignsWorkspace: false,
    alignment: { ...alignment, conflicts: [{ path: 'go', server: '1.21.1', plugin: '1.26', chain: [], message: "The plugin's go.mod says go 1.26 ...; lowering the go line to 1.21.1 ships: tried" }] }
  }
  const o: RunOutcome = { request: '>=2.0.0', versions: [ok, goLine, refused], compatibility: [] }
  expect(isCompatible(o)).toBe(false)
  const md = summaryMarkdown(o)
  expect(md).toContain('| server version | Go | verdict |')
  expect(md).toContain(`| ${server.tag} | ${server.goVersion} | built, loads |`)
  expect(md).toContain("| v2.4.0 | 1.21.1 | **refused**: go.mod cannot be aligned with gotify/server v2.4.0: The plugin's go.mod says go 1.26 ...; lowering the go line to 1.21.1 ships: tried |")
  expect(md).toContain('| v2.0.0 | - | **refused**: cannot build for gotify/server v2.0.0: gotify/server has no go.mod at v2.0.0; server-repository must be a Go module |')
  expect(md).toContain('Server **gotify/server v2.0.0**: :x: not built: gotify/server has no go.mod at v2.0.0')
  expect(md).toContain('**Not compatible** (or not proven so): server v2.4.0; server v2.0.0.')
  const report = compatReport(o) as { versions: Array<Record<string, unknown>> }
  expect(report.versions.map(v => [v.status, v.compatible, v.refusal])).toEqual([
    ['built', true, undefined],
    ['built', false, expect.stringContaining('lowering the go line to 1.21.1 ships: tried')],
    ['refused', false, 'cannot build for gotify/server v2.0.0: gotify/server has no go.mod at v2.0.0; server-repository must be a Go module']
  ])
  expect(report.versions[2]).toMatchObject({ refused: 'gotify/server has no go.mod at v2.0.0; server-repository must be a Go module', goModAligned: 'none' })
})
