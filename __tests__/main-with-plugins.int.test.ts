// End to end: the plugins a server runs beside this one (with-plugins), taken
// from another repository's release on the test GitHub, proven together with
// the plugin in the server's load order against the server's release binary;
// the fixture server's real plugin.Open (it opens every file given, in order,
// and stops at the first failure, like gotify at start) must agree.
// The plugin and its neighbours link example.com/logs, which the server does not.
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
const base = (): Record<string, string> => ({ 'server-repository': SERVER, 'server-version': 'v2.9.1', 'plugin-path': 'plugin', platforms: 'linux-amd64', token: 't', 'go-env': world.goEnv })
const report = (file: string): { pluginPath?: string; sets?: Array<Record<string, unknown>> } => JSON.parse(fs.readFileSync(file, 'utf8'))
const serverBinary = (): string => world.serverAssets.find(a => a.platform.id === 'linux-amd64')?.binaryPath ?? ''

/** A set fixture plugin that also links example.com/logs at `logs`, with a module path of its own. */
function pluginLinkingLogs(fixture: 'set-a' | 'set-b', module: string, logs: string): string {
  const workspace = checkoutPlugin(fixture)
  linkLogs(path.join(workspace, 'plugin'), module, logs)
  return workspace
}

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

test('a neighbour linking another version of a module the server does not link: each loads alone, the set is refused, naming both files and the package', async () => {
  const run = await runAction({
    inputs: { ...base(), 'with-plugins': `${OTHERS}@v1.0.0:other-{platform}-*.so` },
    workspace: pluginLinkingLogs('set-a', 'github.com/me/my-plugin', 'v1.0.0'),
    apiUrl: world.github.url
  })
  expect(run.code).toBe(1)
  expect(run.outputs.compatible).toBe('false')
  const [mine] = JSON.parse(run.outputs.artifacts) as Array<{ name: string; path: string }>
  const set = report(run.outputs['compat-report']).sets?.[0] as { status: string; detail: string; members: Array<{ file: string; own: boolean; status: string; reason?: string }> }
  // Load order: my-plugin-... before other-... (file names, byte order).
  expect(set.members.map(f => [f.file, f.own, f.status])).toEqual([
    [mine.name, true, 'loads'],
    ['other-linux-amd64-for-gotify-v2.9.1.so', false, 'refused']
  ])
  expect(set.members[1].reason).toMatch(new RegExp(`differs? from ${mine.name.replace(/\./g, '\\.')} \\(.*example\\.com/logs`))
  expect(set.status).toBe('failed')
  expect(run.errors.join('\n')).toMatch(/plugins do not load together into v2\.9\.1 \(linux-amd64\)/)
  expect(run.summary).toContain('The plugins together in one server')

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
    workspace: pluginLinkingLogs('set-a', 'github.com/me/my-plugin', 'v1.0.0'),
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

test("the plugin path is reported; the template's own path warns, and a neighbour with the same path cannot share the server", async () => {
  const run = await runAction({
    inputs: { ...base(), 'with-plugins': `${OTHERS}@v1.1.0:other-{platform}-*.so` },
    workspace: pluginLinkingLogs('set-a', 'github.com/acme/other-plugin', 'v1.0.0'),
    apiUrl: world.github.url
  })
  expect(report(run.outputs['compat-report']).pluginPath).toBe('github.com/acme/other-plugin')
  expect(run.outputs.compatible).toBe('false')
  const set = report(run.outputs['compat-report']).sets?.[0] as { members: Array<{ status: string; reason?: string }> }
  expect(set.members.map(f => f.status)).toEqual(['loads', 'refused'])
  expect(set.members[1].reason).toMatch(/plugin already loaded/)
  const [mine] = JSON.parse(run.outputs.artifacts) as Array<{ path: string }>
  const real = await runFixtureServer(serverBinary(), 'linux-amd64', [mine.path, aligned])
  expect(real.output).toContain('plugin already loaded')

  const template = await runAction({ inputs: base(), workspace: pluginLinkingLogs('set-a', 'github.com/gotify/plugin-template', 'v1.0.0'), apiUrl: world.github.url })
  expect(template.log).toMatch(/::warning file=.*go\.mod,line=1::the plugin path "github\.com\/gotify\/plugin-template" is gotify\/plugin-template's own.*plugin already loaded/)
  expect(template.summary).toContain('<code>github.com/gotify/plugin-template</code>')
})
