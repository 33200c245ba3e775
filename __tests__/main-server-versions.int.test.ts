// End to end (issue 10): several server versions in one run. The test GitHub's
// server has four releases (two sharing a go.mod), a pre-release and a draft;
// each release publishes the fixture server built from its go.mod (the
// binaries link example.com/dep and example.com/logs at that release's
// versions). The bundled action resolves ranges, lists and latest-N, builds a
// copy of the plugin per version, checks every .so against every version, and
// keeps a plugin release complete building only what is missing.
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { type ActionRun, type World, checkoutPlugin, fileTree, runAction, startWorld } from './support/action-harness.js'
import { runFixtureServer } from './support/fixture-binaries.js'
import { type ServerAsset, fixtureServerSource, serverReleaseAssets } from './support/fixture-server.js'

const REPO = 'gotify/server'
const PLUGIN_REPO = 'someone/plugin'
const PLUGIN_TAG = 'v1.0.0'
const goMod = (dep: string, logs: string): string => `module example.com/server/v2\n\ngo 1.21\n\nrequire (\n\texample.com/dep ${dep}\n\texample.com/logs ${logs}\n)\n`
// The servers link logs too, as gotify links logrus.
const LINKS_LOGS = { name: 'logs.go', text: 'package main\n\nimport "example.com/logs"\n\nvar _ = logs.Info("host")\n' }
// Module versions per kind of server: v2.7.0 and v2.8.0 share A.
const KINDS = { A: goMod('v1.0.0', 'v1.0.0'), B: goMod('v1.1.0', 'v1.0.0'), C: goMod('v1.1.0', 'v1.2.0') }
type Kind = keyof typeof KINDS

let world: World
// Shared by the runs: the builds of one run warm the next one's GOCACHE.
let runnerTemp: string
const binaries = new Map<Kind, ServerAsset[]>()
/** Server tag -> its linux-amd64 release binary, to run it on a .so. */
const serverBinary = new Map<string, string>()

function serverRelease(tag: string, kind: Kind, opts: { prerelease?: boolean; draft?: boolean } = {}): void {
  world.github.state.addTag(REPO, tag, { GO_VERSION: `${world.goVersion}\n`, 'go.mod': KINDS[kind] })
  const release = world.github.state.addRelease(REPO, tag, opts)
  for (const a of binaries.get(kind) ?? []) world.github.state.addAsset(release, a.name, a.zip)
  serverBinary.set(tag, binaries.get(kind)?.[0]?.binaryPath ?? '')
}

beforeAll(async () => {
  world = await startWorld({ tags: [], serverBinaries: false })
  runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-temp-'))
  for (const kind of Object.keys(KINDS) as Kind[]) {
    binaries.set(kind, await serverReleaseAssets(['linux-amd64'], { goVersion: world.goVersion, source: fixtureServerSource(KINDS[kind], LINKS_LOGS) }, world.proxy.url))
  }
  serverRelease('v2.7.0', 'A')
  serverRelease('v2.8.0', 'A')
  serverRelease('v2.9.0', 'B')
  serverRelease('v3.0.0', 'C')
  serverRelease('v3.1.0-rc.1', 'C', { prerelease: true })
  serverRelease('v3.1.0', 'C', { draft: true })
  world.github.state.addRelease(PLUGIN_REPO, PLUGIN_TAG)
}, 900_000)
afterAll(async () => {
  await world.close()
  fs.rmSync(runnerTemp, { recursive: true, force: true })
})

/** The basic plugin, also linking logs (at v1.0.0): versions need different go.mod files. */
function pluginWorkspace(): string {
  const workspace = checkoutPlugin('basic')
  const plugin = path.join(workspace, 'plugin')
  fs.writeFileSync(path.join(plugin, 'logs.go'), 'package main\n\nimport "example.com/logs"\n\nfunc Logged() string { return logs.Info("plugin") }\n')
  fs.appendFileSync(path.join(plugin, 'go.mod'), '\nrequire example.com/logs v1.0.0\n')
  return workspace
}

const inputs = (extra: Record<string, string>): Record<string, string> => ({
  'server-repository': REPO,
  'plugin-path': 'plugin',
  token: 't',
  'go-env': world.goEnv,
  platforms: 'linux-amd64',
  ...extra
})
const onRelease = (workspace: string, extra: Record<string, string>): Promise<ActionRun> =>
  runAction({ inputs: inputs(extra), workspace, runnerTemp, apiUrl: world.github.url, repository: PLUGIN_REPO, event: { name: 'release', payload: { release: { tag_name: PLUGIN_TAG } } } })
const json = <T>(text: string | undefined): T => JSON.parse(text ?? 'null') as T
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex')
const soOnRelease = (): string[] => [...world.github.state.assets(PLUGIN_REPO, PLUGIN_TAG).keys()].filter(n => n.endsWith('.so')).sort()

test('resolve-only: ranges, lists with latest, latest-N and pre-releases resolve without building or writing anything', async () => {
  const workspace = pluginWorkspace()
  const before = fileTree(workspace)
  const writes = world.github.writes().length
  const resolve = async (serverVersion: string, extra: Record<string, string> = {}): Promise<ActionRun> =>
    runAction({ inputs: inputs({ 'server-version': serverVersion, 'resolve-only': 'true', ...extra }), workspace, apiUrl: world.github.url })
  const cases: Array<[string, Record<string, string>, string[]]> = [
    ['>=2.8.0', {}, ['v3.0.0', 'v2.9.0', 'v2.8.0']],
    ['>=2.7.0 <3', {}, ['v2.9.0', 'v2.8.0', 'v2.7.0']],
    ['v2.8.0, latest\nv3.0.0', {}, ['v3.0.0', 'v2.8.0']],
    ['latest-2', {}, ['v3.0.0', 'v2.9.0']],
    ['>=3.0.0-0', {}, ['v3.0.0']],
    ['>=3.0.0-0', { 'include-prereleases': 'true' }, ['v3.1.0-rc.1', 'v3.0.0']],
    ['latest-1', { 'include-prereleases': 'true' }, ['v3.1.0-rc.1']]
  ]
  for (const [serverVersion, extra, tags] of cases) {
    const r = await resolve(serverVersion, extra)
    expect({ serverVersion, extra, code: r.code, errors: r.errors, tags: json(r.outputs['server-versions']) }).toEqual({ serverVersion, extra, code: 0, errors: [], tags })
    expect(r.outputs['server-version']).toBe(tags[0])
    expect(json(r.outputs['server-versions-to-build'])).toEqual(tags)
    expect(r.log).toContain(`Server versions of gotify/server (${tags.length}, newest first): ${tags.join(', ')}`)
  }
  const none = await resolve('>=4')
  expect(none.code).toBe(1)
  expect(none.errors).toEqual([
    '::error::Input \'server-version\': ">=4" selects no release of gotify/server (releases seen: v3.1.0 (draft), v3.1.0-rc.1 (pre-release), v3.0.0, v2.9.0, v2.8.0, v2.7.0); accepted: a range or latest-N that matches a published release (drafts never count; pre-releases only with include-prereleases: true), latest, or a tag'
  ])
  // Several versions need names that differ per version: refused before anything is written.
  const sameNames = await runAction({ inputs: inputs({ 'server-version': '~2.8, latest', 'asset-name': '{plugin}-{platform}.so' }), workspace, apiUrl: world.github.url })
  expect(sameNames.errors).toEqual([expect.stringMatching(/^::error::Input 'asset-name': "\{plugin\}-\{platform\}\.so" names the files of every server version alike, and server-version selects 2 \(v3\.0\.0, v2\.8\.0\); accepted: /)])
  expect(fileTree(workspace)).toEqual(before)
  expect(world.github.writes().length).toBe(writes)
})

test('a range builds a copy per version, uploads one SHA256SUMS, and a table of every .so against every version that matches plugin.Open in the servers', async () => {
  const workspace = pluginWorkspace()
  const run = await onRelease(workspace, { 'server-version': '>=2.7.0' })
  expect(run.errors).toEqual([])
  expect(run.code).toBe(0)
  const tags = ['v3.0.0', 'v2.9.0', 'v2.8.0', 'v2.7.0']
  expect(json(run.outputs['server-versions'])).toEqual(tags)
  expect(run.outputs['server-version']).toBe('v3.0.0')

  // One .so per version, grouped by version, all on the release with one SHA256SUMS.
  const artifacts = json<Array<{ serverVersion: string; name: string; path: string; upload: string }>>(run.outputs.artifacts)
  expect(artifacts.map(a => [a.serverVersion, a.name, a.upload])).toEqual(tags.map(t => [t, `basic-linux-amd64-for-gotify-${t}.so`, 'uploaded']))
  expect(soOnRelease()).toEqual(artifacts.map(a => a.name).sort())
  const assets = world.github.state.assets(PLUGIN_REPO, PLUGIN_TAG)
  expect(assets.get('SHA256SUMS')?.toString()).toBe(soOnRelease().map(n => `${sha256(assets.get(n) as Buffer)}  ${n}\n`).join(''))
  expect(Object.keys(json<object>(run.outputs['by-server-version']))).toEqual(tags)

  // The workspace's go.mod follows the newest version only; the summary's diff is that one.
  const pluginGoMod = fs.readFileSync(path.join(workspace, 'plugin', 'go.mod'), 'utf8')
  expect(pluginGoMod).toMatch(/example\.com\/dep v1\.1\.0/)
  expect(pluginGoMod).toMatch(/example\.com\/logs v1\.2\.0/)
  expect(run.summary.match(/```diff/g)).toHaveLength(1)
  expect(run.summary).toMatch(/```diff[^`]*\n\+require example\.com\/logs v1\.2\.0\n[^`]*```/)
  const report = json<{ versions: Array<{ server: { tag: string }; changes: unknown[]; goModAligned: string }>; compatibility: Array<{ file: string; builtFor: string; alsoLoadsInto: string[]; servers: Array<{ serverVersion: string; status: string; firstDifference?: string }> }> }>(
    fs.readFileSync(run.outputs['compat-report'], 'utf8')
  )
  expect(report.versions.map(v => [v.server.tag, v.goModAligned])).toEqual([['v3.0.0', 'workspace'], ['v2.9.0', 'copy'], ['v2.8.0', 'copy'], ['v2.7.0', 'copy']])
  expect(report.versions[3].changes).toEqual([{ path: 'example.com/dep', from: 'v1.1.0', to: 'v1.0.0' }])

  // The table: the pair sharing a go.mod loads both ways, every other pair is refused; exactly what the servers' own plugin.Open does.
  expect(report.compatibility).toHaveLength(4)
  const kindOf: Record<string, Kind> = { 'v2.7.0': 'A', 'v2.8.0': 'A', 'v2.9.0': 'B', 'v3.0.0': 'C' }
  for (const row of report.compatibility) {
    const so = artifacts.find(a => a.name === row.file)?.path ?? ''
    expect(row.servers.map(s => s.serverVersion)).toEqual(tags)
    for (const check of row.servers) {
      const host = await runFixtureServer(serverBinary.get(check.serverVersion) ?? '', 'linux-amd64', so)
      const pair = `${row.builtFor} in ${check.serverVersion}`
      const same = kindOf[row.builtFor] === kindOf[check.serverVersion]
      expect({ pair, status: check.status, host: host.outcome }).toEqual({ pair, status: same ? 'loads' : 'refused', host: same ? 'loaded' : 'refused' })
      if (same) continue
      // The first differing package: the one plugin.Open names when only one module differs.
      const named = /different version of package (\S+)/.exec(host.output)?.[1]
      const kinds = [kindOf[row.builtFor], kindOf[check.serverVersion]].sort().join('')
      const expected = kinds === 'BC' ? 'example.com/logs' : 'example.com/dep'
      expect({ pair, first: check.firstDifference }).toEqual({ pair, first: expected })
      if (kinds !== 'AC') expect({ pair, named }).toEqual({ pair, named: expected })
    }
  }
  const v28 = report.compatibility.find(r => r.builtFor === 'v2.8.0')
  expect(v28?.alsoLoadsInto).toEqual(['v2.7.0'])
  expect(run.summary).toContain('| <code>basic-linux-amd64-for-gotify-v2.8.0.so</code> | v2.8.0 | **refused**: example.com/dep | **refused**: example.com/dep | loads (own) | loads |')
  expect(run.summary).toContain('- basic-linux-amd64-for-gotify-v2.8.0.so (built for v2.8.0) also loads into v2.7.0.')

  // Again: every file is there, so nothing is built and nothing is written (a plan job says the same).
  const plan = await runAction({ inputs: inputs({ 'server-version': '>=2.7.0', 'resolve-only': 'true' }), workspace, apiUrl: world.github.url, repository: PLUGIN_REPO, event: { name: 'release', payload: { release: { tag_name: PLUGIN_TAG } } } })
  expect(json(plan.outputs['server-versions-to-build'])).toEqual([])
  const pluginBefore = fileTree(path.join(workspace, 'plugin'))
  const soBefore = artifacts.map(a => fs.statSync(a.path).mtimeMs)
  const writes = world.github.writes().length
  const again = await onRelease(workspace, { 'server-version': '>=2.7.0' })
  expect(again.errors).toEqual([])
  expect(again.code).toBe(0)
  expect(json(again.outputs['server-versions'])).toEqual(tags)
  expect(json(again.outputs['server-versions-to-build'])).toEqual([])
  expect(json(again.outputs.artifacts)).toEqual([])
  expect(again.log).not.toMatch(/build linux-amd64|go get|loader/)
  for (const t of tags) expect(again.log).toContain(`${t}: not built: release ${PLUGIN_TAG} has every file already`)
  expect(world.github.writes().length).toBe(writes)
  expect(fileTree(path.join(workspace, 'plugin'))).toEqual(pluginBefore)
  expect(artifacts.map(a => fs.statSync(a.path).mtimeMs)).toEqual(soBefore)
  expect(again.outputs.compatible).toBe('true')

  // A new server release: the next run builds that one only, and the release is complete again.
  serverRelease('v3.0.1', 'C')
  const plan2 = await runAction({ inputs: inputs({ 'server-version': '>=2.7.0', 'resolve-only': 'true' }), workspace, apiUrl: world.github.url, repository: PLUGIN_REPO, event: { name: 'release', payload: { release: { tag_name: PLUGIN_TAG } } } })
  expect(json(plan2.outputs['server-versions-to-build'])).toEqual(['v3.0.1'])
  const next = await onRelease(workspace, { 'server-version': '>=2.7.0' })
  expect(next.errors).toEqual([])
  expect(json<Array<{ name: string; upload: string }>>(next.outputs.artifacts).map(a => [a.name, a.upload])).toEqual([['basic-linux-amd64-for-gotify-v3.0.1.so', 'uploaded']])
  expect(next.log.match(/::group::build linux-amd64/g)).toHaveLength(1)
  expect(soOnRelease()).toHaveLength(5)
  const after = world.github.state.assets(PLUGIN_REPO, PLUGIN_TAG)
  expect(after.get('SHA256SUMS')?.toString()).toBe(soOnRelease().map(n => `${sha256(after.get(n) as Buffer)}  ${n}\n`).join(''))
})

test('releases without binaries: the stand-in loader of each version judges the other version\'s .so, as plugin.Open does', async () => {
  // No release binaries: each version's go.mod is the truth, and its loader stands for it.
  for (const [tag, kind] of [['v1.5.0', 'A'], ['v1.6.0', 'C']] as const) {
    world.github.state.addTag(REPO, tag, { GO_VERSION: `${world.goVersion}\n`, 'go.mod': KINDS[kind] })
    world.github.state.addRelease(REPO, tag)
  }
  const run = await runAction({ inputs: inputs({ 'server-version': 'v1.5.0, v1.6.0' }), workspace: pluginWorkspace(), runnerTemp, apiUrl: world.github.url })
  expect(run.errors).toEqual([])
  const report = json<{ compatibility: Array<{ builtFor: string; servers: Array<{ serverVersion: string; status: string; witness: string; firstDifference?: string }> }> }>(fs.readFileSync(run.outputs['compat-report'], 'utf8'))
  expect(report.compatibility.map(r => [r.builtFor, r.servers.map(s => [s.serverVersion, s.status, s.witness, s.firstDifference ?? '-'])])).toEqual([
    ['v1.6.0', [['v1.6.0', 'loads', 'stand-in loader', '-'], ['v1.5.0', 'refused', 'stand-in loader', expect.stringMatching(/^example\.com\/(dep|logs)$/)]]],
    ['v1.5.0', [['v1.6.0', 'refused', 'stand-in loader', expect.stringMatching(/^example\.com\/(dep|logs)$/)], ['v1.5.0', 'loads', 'stand-in loader', '-']]]
  ])
  expect(run.summary).toContain('No .so loads into another server version than its own: each server version needs its own build.')
})
