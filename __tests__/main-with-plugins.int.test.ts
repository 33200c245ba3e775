// End to end: the plugins a server runs beside this one (with-plugins), taken
// from another repository's release on the test GitHub, proven together with
// the plugin in the server's load order against the server's release binary;
// the fixture server's real plugin.Open (it opens every file given, in order,
// and stops at the first failure, like gotify at start) must agree.
// The plugin and its neighbours link example.com/logs, which the server does not:
// the action moves the plugin to a neighbour's version where its go.mod allows,
// else tells the neighbour's owner to rebuild it.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { type World, checkoutPlugin, linkLogs, runAction, startWorld } from './support/action-harness.js'
import { runFixtureServer } from './support/fixture-binaries.js'

let world: World
beforeAll(async () => {
  world = await startWorld()
}, 600_000)
afterAll(async () => world.close())

const SERVER = 'gotify/server'
const OTHERS = 'acme/other-plugin'
const OTHER_FILE = 'other-linux-amd64-for-gotify-v2.9.1.so'
const base = (): Record<string, string> => ({ 'server-repository': SERVER, 'server-version': 'v2.9.1', 'plugin-path': 'plugin', platforms: 'linux-amd64', token: 't', 'go-env': world.goEnv })
const report = (file: string): { pluginPath?: string; sets?: Array<Record<string, unknown>> } => JSON.parse(fs.readFileSync(file, 'utf8'))
const serverBinary = (): string => world.serverAssets.find(a => a.platform.id === 'linux-amd64')?.binaryPath ?? ''

/** A set fixture plugin that also links example.com/logs at `logs`, with a module path of its own (and go.mod lines added). */
function pluginLinkingLogs(fixture: 'set-a' | 'set-b', module: string, logs: string, goMod = ''): string {
  const workspace = checkoutPlugin(fixture)
  linkLogs(path.join(workspace, 'plugin'), module, logs)
  fs.appendFileSync(path.join(workspace, 'plugin', 'go.mod'), goMod)
  return workspace
}

/** Its go.mod refuses the conflicting neighbour's version. */
const REFUSES_V12 = '\nexclude example.com/logs v1.2.0\n'

/** Builds a neighbour with the action itself (as its author's release job would) and publishes it on OTHERS at `tag`. */
async function publishNeighbour(tag: string, module: string, logs: string): Promise<string> {
  const run = await runAction({ inputs: { ...base(), 'plugin-name': 'other' }, workspace: pluginLinkingLogs('set-b', module, logs), apiUrl: world.github.url })
  expect(run.errors).toEqual([])
  const [so] = JSON.parse(run.outputs.artifacts) as Array<{ name: string; path: string }>
  world.github.state.addAsset(world.github.state.addRelease(OTHERS, tag), so.name, fs.readFileSync(so.path))
  return so.path
}

let conflicting: string
let aligned: string
beforeAll(async () => {
  conflicting = await publishNeighbour('v1.0.0', 'github.com/acme/other-plugin', 'v1.2.0')
  aligned = await publishNeighbour('v1.1.0', 'github.com/acme/other-plugin', 'v1.0.0')
}, 600_000)

test("a neighbour linking another version of a module the server does not link: the plugin moves to the neighbour's version, and the set loads, as the real server does", async () => {
  const workspace = pluginLinkingLogs('set-a', 'github.com/me/my-plugin', 'v1.0.0')
  const run = await runAction({ inputs: { ...base(), 'with-plugins': `${OTHERS}@v1.0.0:other-{platform}-*.so` }, workspace, apiUrl: world.github.url })
  expect(run.errors).toEqual([])
  expect(run.outputs.compatible).toBe('true')
  expect(run.log).toContain(`[align my-plugin] example.com/logs: v1.0.0 → v1.2.0 (the version of the neighbour ${OTHER_FILE}, which is not rebuilt)`)
  expect(fs.readFileSync(path.join(workspace, 'plugin', 'go.mod'), 'utf8')).toMatch(/example\.com\/logs v1\.2\.0/)
  expect(report(run.outputs['compat-report']).sets?.[0]).toMatchObject({ status: 'loaded' })
  const [mine] = JSON.parse(run.outputs.artifacts) as Array<{ path: string }>
  expect(await runFixtureServer(serverBinary(), 'linux-amd64', [mine.path, conflicting])).toMatchObject({ outcome: 'loaded' })
})

test("the plugin's go.mod does not allow the neighbour's version: the set is refused, naming both files, the package and both versions, and the neighbour's owner is told to rebuild it", async () => {
  const run = await runAction({
    inputs: { ...base(), 'with-plugins': `${OTHERS}@v1.0.0:other-{platform}-*.so` },
    workspace: pluginLinkingLogs('set-a', 'github.com/me/my-plugin', 'v1.0.0', REFUSES_V12),
    apiUrl: world.github.url
  })
  expect(run.code).toBe(1)
  expect(run.outputs.compatible).toBe('false')
  const [mine] = JSON.parse(run.outputs.artifacts) as Array<{ name: string; path: string }>
  const set = report(run.outputs['compat-report']).sets?.[0] as { status: string; members: Array<{ file: string; own: boolean; status: string; reason?: string }> }
  // Load order: my-plugin-... before other-... (file names, byte order).
  expect(set.members.map(f => [f.file, f.own, f.status])).toEqual([
    [mine.name, true, 'loads'],
    [OTHER_FILE, false, 'refused']
  ])
  expect(set.status).toBe('failed')
  const reason = set.members[1].reason ?? ''
  expect(reason).toContain(`1 package differs from ${mine.name} (example.com/logs): module versions differ: example.com/logs v1.2.0 in ${OTHER_FILE}, v1.0.0 in ${mine.name}; `)
  expect(reason).toMatch(new RegExp(`${OTHER_FILE.replace(/\./g, '\\.')} is a with-plugins neighbour, which this run does not rebuild, and this run could not move ${mine.name.replace(/\./g, '\\.')} to example\\.com/logs v1\\.2\\.0 \\(example\\.com/logs: my-plugin cannot move to example\\.com/logs@v1\\.2\\.0: .*excluded.*\\): ${OTHER_FILE.replace(/\./g, '\\.')}'s owner must rebuild it with example\\.com/logs v1\\.0\\.0 \\(the versions ${mine.name.replace(/\./g, '\\.')} links\\), or ${mine.name.replace(/\./g, '\\.')}'s go\\.mod must allow example\\.com/logs v1\\.2\\.0`))
  expect(run.errors.join('\n')).toMatch(/plugins do not load together into v2\.9\.1 \(linux-amd64\)/)

  // The real server agrees: each loads alone, not together (in this order).
  expect(await runFixtureServer(serverBinary(), 'linux-amd64', mine.path)).toMatchObject({ outcome: 'loaded' })
  expect(await runFixtureServer(serverBinary(), 'linux-amd64', conflicting)).toMatchObject({ outcome: 'loaded' })
  const together = await runFixtureServer(serverBinary(), 'linux-amd64', [mine.path, conflicting])
  expect(together.outcome).toBe('refused')
  expect(together.output).toContain('plugin was built with a different version of package example.com/logs')
})

test('the same neighbour marked (warn): a warning, compatible; an aligned neighbour loads beside it, as the real server does', async () => {
  const warned = await runAction({
    inputs: { ...base(), 'with-plugins': `${OTHERS}@v1.0.0:other-{platform}-*.so (warn)` },
    workspace: pluginLinkingLogs('set-a', 'github.com/me/my-plugin', 'v1.0.0', REFUSES_V12),
    apiUrl: world.github.url
  })
  expect(warned.errors).toEqual([])
  expect(warned.outputs.compatible).toBe('true')
  expect(report(warned.outputs['compat-report']).sets?.[0]).toMatchObject({ status: 'warned' })
  expect(warned.log).toMatch(/::warning::v2\.9\.1 \(linux-amd64\): .*example\.com\/logs/)

  const run = await runAction({
    inputs: { ...base(), 'with-plugins': `${OTHERS}@v1.1.0:other-{platform}-*.so` },
    workspace: pluginLinkingLogs('set-a', 'github.com/me/my-plugin', 'v1.0.0'),
    apiUrl: world.github.url
  })
  expect(run.errors).toEqual([])
  expect(run.outputs.compatible).toBe('true')
  const [mine] = JSON.parse(run.outputs.artifacts) as Array<{ path: string }>
  expect(report(run.outputs['compat-report']).sets?.[0]).toMatchObject({ status: 'loaded' })
  expect(await runFixtureServer(serverBinary(), 'linux-amd64', [mine.path, aligned])).toMatchObject({ outcome: 'loaded' })
  expect(await runFixtureServer(serverBinary(), 'linux-amd64', [aligned, mine.path])).toMatchObject({ outcome: 'loaded' })
})

test("a neighbour with the plugin's own path: built under a module path of its own, both load; with rewrite-module-paths never the set is refused as the real server refuses; the template's path warns", async () => {
  const run = await runAction({
    inputs: { ...base(), 'with-plugins': `${OTHERS}@v1.1.0:other-{platform}-*.so` },
    workspace: pluginLinkingLogs('set-a', 'github.com/acme/other-plugin', 'v1.0.0'),
    apiUrl: world.github.url
  })
  expect(run.errors).toEqual([])
  expect(run.outputs.compatible).toBe('true')
  const built = report(run.outputs['compat-report']) as { pluginPath?: string; builtAs?: unknown }
  expect(built.pluginPath).toBe('github.com/acme/other-plugin')
  expect(built.builtAs).toEqual([{ plugin: 'other-plugin', modulePath: 'github.com/acme/other-plugin~other-plugin', pluginPath: 'github.com/acme/other-plugin~other-plugin', why: 'a with-plugins neighbour has its plugin path github.com/acme/other-plugin too' }])
  const [renamed] = JSON.parse(run.outputs.artifacts) as Array<{ path: string }>
  expect(await runFixtureServer(serverBinary(), 'linux-amd64', [renamed.path, aligned])).toMatchObject({ outcome: 'loaded' })

  const never = await runAction({
    inputs: { ...base(), 'with-plugins': `${OTHERS}@v1.1.0:other-{platform}-*.so`, 'rewrite-module-paths': 'never' },
    workspace: pluginLinkingLogs('set-a', 'github.com/acme/other-plugin', 'v1.0.0'),
    apiUrl: world.github.url
  })
  expect(never.outputs.compatible).toBe('false')
  const set = report(never.outputs['compat-report']).sets?.[0] as { members: Array<{ status: string; reason?: string }> }
  expect(set.members.map(f => f.status)).toEqual(['loads', 'refused'])
  expect(set.members[1].reason).toMatch(/plugin already loaded/)
  const [mine] = JSON.parse(never.outputs.artifacts) as Array<{ path: string }>
  const real = await runFixtureServer(serverBinary(), 'linux-amd64', [mine.path, aligned])
  expect(real.output).toContain('plugin already loaded')

  const template = await runAction({ inputs: base(), workspace: pluginLinkingLogs('set-a', 'github.com/gotify/plugin-template', 'v1.0.0'), apiUrl: world.github.url })
  expect(template.log).toMatch(/::warning file=.*go\.mod,line=1::the plugin path "github\.com\/gotify\/plugin-template" is gotify\/plugin-template's own.*plugin already loaded/)
  expect(template.summary).toContain('<code>github.com/gotify/plugin-template</code>')
})

test('a plugin not in required-plugins that conflicts with a neighbour is left out of the set with a warning; the required one is proven with the neighbour', async () => {
  const workspace = checkoutPlugin('set-a')
  fs.cpSync(path.join(workspace, 'plugin'), path.join(workspace, 'theirs'), { recursive: true })
  linkLogs(path.join(workspace, 'theirs'), 'github.com/them/theirs', 'v1.0.0')
  fs.appendFileSync(path.join(workspace, 'theirs', 'go.mod'), REFUSES_V12)
  const run = await runAction({
    inputs: { ...base(), 'plugin-path': 'plugin\ntheirs', 'required-plugins': 'plugin', 'with-plugins': `${OTHERS}@v1.0.0:other-{platform}-*.so` },
    workspace,
    apiUrl: world.github.url
  })
  expect(run.errors).toEqual([])
  expect(run.outputs.compatible).toBe('true')
  const r = report(run.outputs['compat-report']) as { sets?: Array<{ status: string; files: string[] }>; pluginReport?: Array<{ plugin: string; passed: boolean; failure?: string }> }
  expect(r.sets).toEqual([expect.objectContaining({ status: 'loaded', files: [OTHER_FILE, 'seta-linux-amd64-for-gotify-v2.9.1.so'] })])
  expect(r.pluginReport?.map(p => [p.plugin, p.passed])).toEqual([
    ['seta', true],
    ['theirs', false]
  ])
  expect(r.pluginReport?.[1].failure).toMatch(/^is left out of the set of v2\.9\.1 \(linux-amd64\), not in required-plugins: plugin\.Open refuses it .*example\.com\/logs/)
  expect(run.log).toMatch(/^::warning::theirs-linux-amd64-for-gotify-v2\.9\.1\.so: left out of the set of v2\.9\.1 \(linux-amd64\)/m)
  const seta = (JSON.parse(run.outputs.artifacts) as Array<{ plugin: string; path: string }>).find(a => a.plugin === 'seta')?.path ?? ''
  expect(await runFixtureServer(serverBinary(), 'linux-amd64', [conflicting, seta])).toMatchObject({ outcome: 'loaded' })
})
