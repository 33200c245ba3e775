import { type RunOutcome, type VersionOutcome, isCompatible, notRequiredFailures, verdictOf } from '../../src/report/outcome.js'
import { compatReport } from '../../src/report/compat-report.js'
import { summaryMarkdown } from '../../src/report/summary.js'
import { firstBuildError, goModChangesText, pluginRow, pluginRowLine, pluginRows } from '../../src/report/plugin-report.js'
import type { BuildOutcome } from '../../src/compile/build.js'
import type { VerifyResult } from '../../src/verify/witness.js'
import { REPORT_SERVER, alignedDep } from '../support/report-fixtures.js'

const server = REPORT_SERVER
const alignment = alignedDep('/ws/a/go.mod')
const job = (plugin: string) => ({ platform: { id: 'linux-amd64', os: 'linux', arch: 'amd64' }, serverVersion: 'v2.9.1', image: 'gotify/build:1.26.0-linux-amd64', assetName: `${plugin}-linux-amd64.so`, outputPath: `/ws/build/${plugin}.so`, goArgs: [], workdir: '/proj', env: {} })
const built = (plugin: string, ok = true, extra: Partial<BuildOutcome> = {}): BuildOutcome => ({ job: job(plugin), ok, seconds: 1, log: '', errors: [], ...extra })
const verified = (status: VerifyResult['status'], extra: Partial<VerifyResult> = {}): VerifyResult => ({ platform: 'linux-amd64', status, witness: 'release binary gotify-linux-amd64.zip', method: 'static', detail: 'proven', glibc: {}, warnings: [], ...extra })
const artifact = (plugin: string) => ({ platform: 'linux-amd64', path: `/ws/build/${plugin}.so`, name: `${plugin}-linux-amd64.so`, size: 1, sha256: 'x' })

/** a: passes; b: cannot be aligned; c: does not build; d: built, refused. */
const good: VersionOutcome & { plugin: string } = { server, plugin: 'a', alignsWorkspace: true, alignment, builds: [built('a')], verification: [verified('loaded')], artifacts: [artifact('a')] }
const conflict = { path: 'example.com/dep', server: 'v1.0.0', plugin: 'v1.1.0', chain: [], message: "example.com/dep cannot be aligned: the plugin links v1.1.0, above the server's v1.0.0, because example.com/newlib@v1.0.0 requires it" }
const unaligned: VersionOutcome & { plugin: string } = { server, plugin: 'b', alignsWorkspace: true, alignment: { ...alignment, changes: [], conflicts: [conflict, { ...conflict, path: 'x' }] }, builds: [], verification: [], artifacts: [] }
const broken: VersionOutcome & { plugin: string } = {
  ...good,
  plugin: 'c',
  builds: [built('c', false, { log: '# example.com/c\n./main.go:3:2: undefined: foo\n', errors: [{ file: 'c/main.go', line: 3, column: 2, message: 'undefined: foo' }, { message: 'second' }] })],
  verification: [],
  artifacts: []
}
const refused: VersionOutcome & { plugin: string } = {
  ...good,
  plugin: 'd',
  builds: [built('d')],
  verification: [verified('failed', { detail: 'refused', differing: [{ package: 'example.com/dep', module: 'example.com/dep' }, { package: 'example.com/dep/sub', module: 'example.com/dep' }] })],
  artifacts: [artifact('d')]
}
const run = (required?: string[]): RunOutcome => ({
  request: 'v2.9.1',
  versions: [good, unaligned, broken, refused],
  compatibility: [],
  plugins: ['a', 'b', 'c', 'd'].map(name => ({ name, path: name, modulePath: `example.com/${name}`, pluginPath: `example.com/${name}` })),
  ...(required ? { required } : {})
})

test('each step in one line: the obstacle, the first compiler error, the differing packages; go.mod changes only for an aligned plugin', () => {
  expect(pluginRow(good, true)).toEqual({
    plugin: 'a', serverVersion: 'v2.9.1', required: true,
    aligned: { status: 'ok' }, built: { status: 'ok' }, proven: { status: 'ok', witness: 'release binary gotify-linux-amd64.zip' },
    goModChanges: [{ module: 'example.com/dep', from: 'v1.1.0', to: 'v1.0.0' }], passed: true
  })
  const b = pluginRow(unaligned, false)
  expect(b).toMatchObject({ aligned: { status: 'failed', obstacle: `${conflict.message} (and 1 more)` }, built: { status: 'not run' }, proven: { status: 'not run' }, goModChanges: [], passed: false })
  expect(b.failure).toBe(`cannot be aligned: ${conflict.message} (and 1 more)`)
  expect(pluginRow(broken, true)).toMatchObject({ built: { status: 'failed', error: 'linux-amd64: c/main.go:3: undefined: foo' }, proven: { status: 'not run' }, failure: 'does not build: linux-amd64: c/main.go:3: undefined: foo' })
  expect(pluginRow(refused, true)).toMatchObject({
    proven: { status: 'failed', differing: ['example.com/dep', 'example.com/dep/sub'] },
    failure: 'does not load (release binary gotify-linux-amd64.zip): packages differ: example.com/dep, example.com/dep/sub'
  })
  // Aligned, then the run stopped before any build (a later step threw): not a pass.
  expect(pluginRow({ ...good, builds: [], verification: [], artifacts: [] }, true)).toMatchObject({ aligned: { status: 'ok' }, built: { status: 'not run' }, passed: false, failure: 'was not built (the run stopped before its build)' })
  // align: cap can leave a linked module at another version: that is an obstacle too.
  const capped = pluginRow({ ...good, alignment: { ...alignment, mode: 'cap', shared: [{ path: 'example.com/dep', plugin: 'v1.1.0', server: 'v1.0.0', linked: true }] } }, true)
  expect(capped).toMatchObject({ aligned: { status: 'failed', obstacle: 'example.com/dep is v1.1.0 in the plugin, v1.0.0 in the server (align: cap)' }, goModChanges: [], passed: false })
})

test('a failed build without a parsed error shows the last line of its log', () => {
  expect(firstBuildError(built('x', false, { log: 'go: something\nlinker failed: boom\n\n' }))).toBe('linux-amd64: linker failed: boom')
})

test('the go.mod changes and the log line', () => {
  expect(goModChangesText(pluginRow(good, true))).toBe('example.com/dep v1.1.0 -> v1.0.0')
  expect(goModChangesText(pluginRow({ ...good, alignment: { ...alignment, changes: [] } }, true))).toBe('none')
  expect(goModChangesText(pluginRow(unaligned, true))).toBe('-')
  expect(pluginRowLine(pluginRow(good, true))).toBe('Plugin a, server v2.9.1: passes; go.mod changes: example.com/dep v1.1.0 -> v1.0.0')
  expect(pluginRowLine(pluginRow(refused, false))).toMatch(/^Plugin d, server v2\.9\.1: fails \(not required\): does not load/)
})

test('rows only for several plugins and versions built', () => {
  expect(pluginRows([{ ...good, plugin: undefined }], () => true)).toEqual([])
  expect(pluginRows([good, { ...unaligned, skipped: 'already released' }], () => true).map(r => r.plugin)).toEqual(['a'])
})

test('required-plugins decides the verdict: every plugin when unset, else only those listed; the others are warnings', () => {
  expect(isCompatible(run())).toBe(false)
  expect(isCompatible(run(['a', 'b', 'c', 'd']))).toBe(false)
  expect(isCompatible(run(['b']))).toBe(false)
  expect(isCompatible(run(['a']))).toBe(true)
  expect(verdictOf(run(['a']))).toBeUndefined()
  expect(verdictOf(run(['c']))).toMatch(/^go build failed for linux-amd64 \(server v2\.9\.1, plugin c\)$/)
  expect(notRequiredFailures(run(['a']))).toHaveLength(3)
  expect(notRequiredFailures(run(['a']))[0]).toMatch(/^go\.mod cannot be aligned with gotify\/server v2\.9\.1 \(plugin b\): .*\(plugin b is not in required-plugins: the run does not fail for it; its files are not uploaded\)$/)
  expect(notRequiredFailures(run())).toEqual([])
})

test('a failed set counts only when it holds a required plugin\'s file', () => {
  const set = { serverVersion: 'v2.9.1', platform: 'linux-amd64', status: 'failed' as const, files: ['d-linux-amd64.so'], differing: [], detail: 'x', witness: 'w' }
  const o = (required: string[]): RunOutcome => ({ ...run(required), versions: [good, refused], sets: [set] as unknown as RunOutcome['sets'] })
  expect(isCompatible(o(['a']))).toBe(true)
  expect(isCompatible(o(['d']))).toBe(false)
  expect(isCompatible({ ...o(['a']), sets: [{ ...set, files: ['a-linux-amd64.so', 'd-linux-amd64.so'] }] as unknown as RunOutcome['sets'] })).toBe(false)
})

test('compat-report.json and the job summary carry a row per plugin', () => {
  const report = compatReport(run(['a'])) as { requiredPlugins: string[]; pluginReport: Array<{ plugin: string; required: boolean; passed: boolean }>; compatible: boolean }
  expect(report.requiredPlugins).toEqual(['a'])
  expect(report.pluginReport.map(r => [r.plugin, r.required, r.passed])).toEqual([['a', true, true], ['b', false, false], ['c', false, false], ['d', false, false]])
  expect(report.compatible).toBe(true)
  const md = summaryMarkdown(run(['a']))
  // One row per plugin first: its folder, its plugin path, its verdict against the one server version (named once, in the header).
  expect(md).toContain('| plugin | folder | plugin path | server v2.9.1 |')
  expect(md).toContain('| **a** | <code>a</code> | <code>example.com/a</code> | passes |')
  expect(md).toContain('| **c** (not required) | <code>c</code> | <code>example.com/c</code> | fails (not required): does not build: linux-amd64: c/main.go:3: undefined: foo |')
  // Each plugin's steps in its details.
  expect(md).toContain('<details><summary><b>d</b> (<code>d</code>): fails against server v2.9.1</summary>')
  expect(md).toContain('Aligned: yes. Built: yes. Loads: **no** (release binary gotify-linux-amd64.zip): packages differ: example.com/dep, example.com/dep/sub.')
  expect(md).toContain('Aligned: yes. Built: yes. Loads: yes (release binary gotify-linux-amd64.zip).')
  expect(md).toContain('**Compatible.**')
  expect(summaryMarkdown(run())).toContain('**Not compatible** (or not proven so): plugin **b** against server v2.9.1; plugin **c** against server v2.9.1; plugin **d** against server v2.9.1.')
  // Outside text stays text in the table.
  const hostile = summaryMarkdown({ ...run(), versions: [good, { ...unaligned, alignment: { ...unaligned.alignment!, conflicts: [{ ...conflict, message: 'x | <b>y</b>' }] } }] })
  expect(hostile).toContain('Aligned: **no**: x \\| &lt;b&gt;y&lt;/b&gt;.')
  expect(hostile).toContain('| :x: **b** | <code>b</code> | <code>example.com/b</code> | **fails**: cannot be aligned: x \\| &lt;b&gt;y&lt;/b&gt; |')
})
