// End to end, several plugins in one run: set-a and set-b link example.com/lib
// (and dep through it), which the server (fixtures/plugin-set-server, released
// with its linux-amd64 binary) does not link, at other versions. Each loads
// alone, not together (verify/plugin-set.int.test.ts). In one run the action
// gives both one version, and both .so load together in the server's real
// plugin.Open, in either file-name order; the static set proof says the same.
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { FIXTURES, type World, checkoutPlugin, fileTree, runAction, startWorld } from './support/action-harness.js'
import { type ServerAsset, serverReleaseAssets } from './support/fixture-server.js'

const REPO = 'gotify/server'
const TAG = 'v1.0.0'
let world: World
let assets: ServerAsset[]
beforeAll(async () => {
  const source = path.join(FIXTURES, 'plugin-set-server')
  world = await startWorld({ serverGoMod: fs.readFileSync(path.join(source, 'go.mod'), 'utf8'), serverBinaries: false, tags: [] })
  assets = await serverReleaseAssets(['linux-amd64'], { goVersion: world.goVersion, source }, world.proxy.url)
  world.github.state.addTag(REPO, TAG, { GO_VERSION: `${world.goVersion}\n`, 'go.mod': fs.readFileSync(path.join(source, 'go.mod'), 'utf8') })
  const release = world.github.state.addRelease(REPO, TAG)
  for (const a of assets) world.github.state.addAsset(release, a.name, a.zip)
}, 600_000)
afterAll(async () => world?.close())

const inputs = (pluginPath: string): Record<string, string> => ({ 'server-repository': REPO, 'server-version': TAG, 'plugin-path': pluginPath, platforms: 'linux-amd64', token: 't', 'go-env': world.goEnv })

/** The workspace: set-a in plugin/ (lib v1.0.0), set-b in b/ at lib and dep v1.1.0. */
function twoPlugins(): string {
  const workspace = checkoutPlugin('set-a')
  fs.cpSync(path.join(FIXTURES, 'plugins', 'set-b'), path.join(workspace, 'b'), { recursive: true })
  fs.writeFileSync(path.join(workspace, 'b', 'go.mod'), 'module example.com/plugins/setb\n\ngo 1.21\n\nrequire example.com/lib v1.1.0\n\nrequire example.com/dep v1.1.0 // indirect\n')
  return workspace
}

/** The server's own plugin.Open on a folder, file by file in os.ReadDir order. */
async function openFolder(files: Record<string, string>): Promise<Record<string, string>> {
  const dir = fs.mkdtempSync(path.join(path.dirname(assets[0].binaryPath), 'plugins-'))
  for (const [name, from] of Object.entries(files)) fs.copyFileSync(from, path.join(dir, name))
  const { stdout } = await promisify(execFile)(assets[0].binaryPath, [dir], { timeout: 120_000 })
  return Object.fromEntries([...stdout.matchAll(/^(loaded|load failed|missing symbol): ([^:\n]+)(?:: (.*))?$/gm)].map(m => [m[2], m[1] === 'loaded' ? 'loaded' : m[3]]))
}

test('two plugins linking a module the server does not, at other versions: one version in both, and they load together in either order', async () => {
  const workspace = twoPlugins()
  const run = await runAction({ inputs: inputs('plugin\nb'), workspace, apiUrl: world.github.url })
  expect(run.errors).toEqual([])
  expect(run.code).toBe(0)
  expect(run.outputs.compatible).toBe('true')
  // The one MVS would pick were they one module: the higher, in set-a too.
  expect(fs.readFileSync(path.join(workspace, 'plugin', 'go.mod'), 'utf8')).toMatch(/example\.com\/lib v1\.1\.0/)
  expect(run.log).toMatch(/\[align seta\] example\.com\/lib: v1\.0\.0 → v1\.1\.0 \(one version across plugins: seta v1\.0\.0, setb v1\.1\.0\)/)

  const artifacts = JSON.parse(run.outputs.artifacts) as Array<{ plugin: string; name: string; path: string }>
  expect(artifacts.map(a => [a.plugin, a.name])).toEqual([
    ['seta', `seta-linux-amd64-for-gotify-${TAG}.so`],
    ['setb', `setb-linux-amd64-for-gotify-${TAG}.so`]
  ])
  const report = JSON.parse(fs.readFileSync(run.outputs['compat-report'], 'utf8'))
  expect(report.plugins.map((p: { name: string }) => p.name)).toEqual(['seta', 'setb'])
  expect(report.sets).toEqual([expect.objectContaining({ serverVersion: TAG, platform: 'linux-amd64', status: 'loaded', files: artifacts.map(a => a.name), differing: [] })])
  expect(run.summary).toContain('The plugins together in one server')
  // The move and its reason are in the summary and compat-report.json, not only in the log.
  expect(run.summary).toContain('- **seta** <code>example.com/lib</code> v1.0.0 → v1.1.0 (one version across plugins: seta v1.0.0, setb v1.1.0: one server loads one version of a module its plugins share)')
  expect(report.versions.find((v: { plugin: string }) => v.plugin === 'seta').changes).toContainEqual({ path: 'example.com/lib', from: 'v1.0.0', to: 'v1.1.0', reason: 'one version across plugins: seta v1.0.0, setb v1.1.0' })

  // What the proof stands for: the server's plugin.Open loads both, in both orders.
  const [a, b] = artifacts.map(x => x.path)
  expect(await openFolder({ 'a.so': a, 'b.so': b })).toEqual({ 'a.so': 'loaded', 'b.so': 'loaded' })
  expect(await openFolder({ '1-b.so': b, '2-a.so': a })).toEqual({ '1-b.so': 'loaded', '2-a.so': 'loaded' })
}, 600_000)

test('two plugins with the same module path, rewrite-module-paths never: refused before building, in one line naming both folders', async () => {
  const workspace = checkoutPlugin('set-a')
  fs.cpSync(path.join(FIXTURES, 'plugins', 'set-a'), path.join(workspace, 'other'), { recursive: true })
  const before = fileTree(workspace)
  const run = await runAction({ inputs: { ...inputs('plugin\nother'), 'plugin-name': 'one,two', 'rewrite-module-paths': 'never' }, workspace, apiUrl: world.github.url })
  expect(run.code).toBe(1)
  expect(run.errors).toEqual([
    "::error::Input 'plugin-path': the plugins cannot share one server: plugin and other build the same plugin path example.com/plugins/seta (module example.com/plugins/seta): plugin.Open refuses all but the first (plugin already loaded); accepted: plugins whose main packages have import paths of their own: rewrite-module-paths auto (each built under a module path of its own) or a module path of its own in each go.mod"
  ])
  expect(fileTree(workspace)).toEqual(before)
}, 600_000)

test('a plugin whose go.mod refuses the version the other links: its own conflict, the run goes on to the report, nothing of it built', async () => {
  const workspace = twoPlugins()
  const goMod = path.join(workspace, 'plugin', 'go.mod')
  fs.appendFileSync(goMod, '\nexclude example.com/lib v1.1.0\n')
  const before = fs.readFileSync(goMod, 'utf8')
  const run = await runAction({ inputs: inputs('plugin\nb'), workspace, apiUrl: world.github.url })
  expect(run.code).toBe(1)
  expect(run.outputs.compatible).toBe('false')
  // Go refused the move in seta; its go.mod is as it was, and setb is not blamed for it.
  expect(fs.readFileSync(goMod, 'utf8')).toBe(before)
  const report = JSON.parse(fs.readFileSync(run.outputs['compat-report'], 'utf8'))
  const [seta, setb] = report.pluginReport
  expect(seta).toMatchObject({ plugin: 'seta', aligned: { status: 'failed', obstacle: expect.stringMatching(/^across plugins: example\.com\/lib: seta cannot move to .*example\.com\/lib@v1\.1\.0.*excluded by go\.mod$/) }, built: { status: 'not run' }, passed: false })
  // setb needed no move: aligned, built and proven on its own; nothing uploaded (the run is not compatible).
  expect(setb).toMatchObject({ plugin: 'setb', aligned: { status: 'ok' }, built: { status: 'ok' }, proven: { status: 'ok' }, passed: true })
  expect(run.errors).toEqual([expect.stringMatching(/^::error::go\.mod cannot be aligned with gotify\/server v1\.0\.0 \(plugin seta\): across plugins: example\.com\/lib: /)])
  expect(run.log).toMatch(/Plugin setb, server v1\.0\.0: passes/)
}, 600_000)

test('required-plugins across plugins: a plugin not required that pins the module the others link with a replace is left out; the required ones are aligned, built, proven together and uploaded', async () => {
  const workspace = twoPlugins()
  // setc links lib through a replace (a copy of v1.0.0 in its folder): no version change gives it one version with the others.
  const c = path.join(workspace, 'c')
  fs.cpSync(path.join(FIXTURES, 'plugins', 'set-b'), c, { recursive: true })
  fs.cpSync(path.join(FIXTURES, 'modules', 'example.com', 'lib@v1.0.0'), path.join(c, 'lib'), { recursive: true })
  fs.writeFileSync(path.join(c, 'go.mod'), 'module example.com/plugins/setc\n\ngo 1.21\n\nrequire example.com/lib v1.1.0\n\nrequire example.com/dep v1.0.0 // indirect\n\nreplace example.com/lib => ./lib\n')
  const pinned = fs.readFileSync(path.join(c, 'go.mod'), 'utf8')
  world.github.state.addRelease('someone/plugin', 'v0.5.0')
  const run = await runAction({
    inputs: { ...inputs('plugin\nb\nc'), 'required-plugins': 'seta, setb', upload: 'true', 'release-tag': 'v0.5.0' },
    workspace,
    apiUrl: world.github.url,
    repository: 'someone/plugin'
  })
  expect(run.errors).toEqual([])
  expect(run.code).toBe(0)
  expect(run.outputs.compatible).toBe('true')
  const report = JSON.parse(fs.readFileSync(run.outputs['compat-report'], 'utf8'))
  const [seta, setb, setc] = report.pluginReport
  expect(seta).toMatchObject({ plugin: 'seta', required: true, passed: true, goModChanges: expect.arrayContaining([expect.objectContaining({ module: 'example.com/lib', from: 'v1.0.0', to: 'v1.1.0' })]) })
  expect(setb).toMatchObject({ plugin: 'setb', required: true, passed: true })
  expect(setc).toMatchObject({ plugin: 'setc', required: false, passed: false, built: { status: 'not run' } })
  expect(setc.aligned.obstacle).toMatch(/^across plugins: example\.com\/lib: plugins seta v1\.0\.0, setb v1\.1\.0, setc v1\.1\.0 => \.\/lib link it with a replace directive.*; left out of the set: not in required-plugins, and the required seta, setb link example\.com\/lib too$/)
  expect(run.log).toMatch(/^::warning.*plugin setc is not in required-plugins/m)
  expect(fs.readFileSync(path.join(c, 'go.mod'), 'utf8')).toBe(pinned)
  // The set is the required ones, proven together; they are what was uploaded.
  const artifacts = JSON.parse(run.outputs.artifacts) as Array<{ plugin: string; name: string; path: string }>
  expect(artifacts.map(a => a.plugin)).toEqual(['seta', 'setb'])
  expect(report.sets).toEqual([expect.objectContaining({ status: 'loaded', files: artifacts.map(a => a.name) })])
  expect([...world.github.state.assets('someone/plugin', 'v0.5.0').keys()].sort()).toEqual(['SHA256SUMS', ...artifacts.map(a => a.name)].sort())
  const [a, b] = artifacts.map(x => x.path)
  expect(await openFolder({ 'a.so': a, 'b.so': b })).toEqual({ 'a.so': 'loaded', 'b.so': 'loaded' })
}, 600_000)
