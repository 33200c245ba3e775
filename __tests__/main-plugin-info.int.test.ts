// End to end, the server's start checks beyond plugin.Open (issue 28): two
// template forks with Go module paths of their own (plugin.Open takes both)
// whose GetGotifyPluginInfo returns one ModulePath. The action refuses the set
// in gotify's words, naming both files and plugins, and the fixture server
// (gotify's start checks, its release binary) refuses them too. With distinct
// ModulePaths both pass, the server starts, and each plugin's Info is in
// compat-report.json. Real Docker builds, the test GitHub, the sandboxed host.
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { FIXTURES, type World, checkoutPlugin, runAction, startWorld } from './support/action-harness.js'

const TAG = 'v2.9.1'
const SHARED = 'https://github.com/example/gotify-forwarder'
let world: World
beforeAll(async () => {
  world = await startWorld()
}, 600_000)
afterAll(async () => world?.close())

const inputs = (extra: Record<string, string> = {}): Record<string, string> => ({
  'server-repository': 'gotify/server',
  'server-version': TAG,
  'plugin-path': 'plugin\nb',
  platforms: 'linux-amd64',
  token: 't',
  'go-env': world.goEnv,
  ...extra
})

/** info-fork-a in plugin/, info-fork-b in b/; b's ModulePath as given. */
function forks(modulePathOfB: string): string {
  const workspace = checkoutPlugin('info-fork-a')
  fs.cpSync(path.join(FIXTURES, 'plugins', 'info-fork-b'), path.join(workspace, 'b'), { recursive: true })
  fs.writeFileSync(path.join(workspace, 'b', 'module_path.go'), `package main\n\nconst modulePath = ${JSON.stringify(modulePathOfB)}\n`)
  return workspace
}

/** The fixture server's release binary for linux-amd64 on these files, in the folder's (name) order: what the server does at start. */
async function startServer(files: string[]): Promise<{ code: number; output: string }> {
  const server = world.serverAssets.find(a => a.platform.id === 'linux-amd64')!.binaryPath
  const sorted = [...files].sort((a, b) => Buffer.compare(Buffer.from(path.basename(a)), Buffer.from(path.basename(b))))
  return promisify(execFile)(server, sorted, { timeout: 120_000 }).then(
    r => ({ code: 0, output: r.stdout + r.stderr }),
    (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` })
  )
}

interface Member {
  file: string
  plugin?: string
  status: string
  reason?: string
  duplicateOf?: string
  info?: { type: string; fields?: Array<{ name: string; value: string }> }
}

const field = (m: Member | { info?: Member['info'] }, name: string): string | undefined => m.info?.fields?.find(f => f.name === name)?.value

test('two forks whose GetGotifyPluginInfo returns one ModulePath: the action refuses the set naming both, and the server refuses them too', async () => {
  const workspace = forks(SHARED)
  const run = await runAction({ inputs: inputs({ platforms: 'linux-amd64,linux-arm64' }), workspace, apiUrl: world.github.url })
  expect(run.code).toBe(1)
  expect(run.outputs.compatible).toBe('false')
  const artifacts = (JSON.parse(run.outputs.artifacts) as Array<{ plugin: string; name: string; path: string; platform: string }>).filter(x => x.platform === 'linux-amd64')
  const [a, b] = [`infoforka-linux-amd64-for-gotify-${TAG}.so`, `infoforkb-linux-amd64-for-gotify-${TAG}.so`]
  expect(artifacts.map(x => x.name)).toEqual([a, b])

  // gotify's words, both files and both plugins, and where the fix is.
  const words = `plugin with module path ${SHARED} is present at least twice`
  const error = run.errors.find(e => e.includes(words)) ?? ''
  expect(error).toContain(`error while loading plugin ${b}`)
  expect(error).toContain(`${a} (plugin infoforka, example.com/plugins/infoforka) and ${b} (plugin infoforkb, example.com/plugins/infoforkb) both return it from GetGotifyPluginInfo`)
  expect(error).toContain("the ModulePath is a value in the plugin's source")

  const report = JSON.parse(fs.readFileSync(run.outputs['compat-report'], 'utf8'))
  const [set, arm64] = report.sets
  expect(set).toMatchObject({ serverVersion: TAG, platform: 'linux-amd64', status: 'failed', failure: { file: b, message: expect.stringContaining(words) } })
  // The check ran on the runner's own platform; the ModulePath is the source's, so arm64's set (fingerprints fine) fails too.
  expect(arm64).toMatchObject({ platform: 'linux-arm64', status: 'failed', detail: expect.stringContaining(`found ModulePath ${SHARED} returned by ${a} and ${b}`) })
  const [check] = report.infoChecks
  expect(check).toMatchObject({ serverVersion: TAG, platform: 'linux-amd64', method: 'native', function: 'GetGotifyPluginInfo', unique: 'ModulePath', status: 'failed' })
  expect(check.members.map((m: Member) => [m.file, m.plugin, m.status, m.duplicateOf])).toEqual([
    [a, 'infoforka', 'read', undefined],
    [b, 'infoforkb', 'refused', a]
  ])
  for (const m of check.members as Member[]) expect(field(m, 'ModulePath')).toBe(SHARED)
  expect(run.summary).toContain('Plugin Info')

  // The server itself: the same refusal at start.
  const started = await startServer(artifacts.map(x => x.path))
  expect(started.code).not.toBe(0)
  expect(started.output).toContain(`loaded: forwarder a`)
  expect(started.output).toContain(`error while loading plugin ${b}: ${words}`)
}, 600_000)

test('the same two with ModulePaths of their own: the action passes, the server starts with both, and each Info is in compat-report.json', async () => {
  const workspace = forks('https://github.com/example/gotify-forwarder-b')
  const run = await runAction({ inputs: inputs(), workspace, apiUrl: world.github.url })
  expect(run.errors).toEqual([])
  expect(run.code).toBe(0)
  expect(run.outputs.compatible).toBe('true')
  const artifacts = JSON.parse(run.outputs.artifacts) as Array<{ plugin: string; name: string; path: string }>

  const report = JSON.parse(fs.readFileSync(run.outputs['compat-report'], 'utf8'))
  expect(report.sets[0]).toMatchObject({ status: 'loaded', infoCheck: { status: 'passed', function: 'GetGotifyPluginInfo' } })
  expect(report.infoChecks[0].members.map((m: Member) => [m.plugin, field(m, 'ModulePath'), field(m, 'Name'), field(m, 'Version'), field(m, 'Author')])).toEqual([
    ['infoforka', SHARED, 'forwarder a', '1.0.0', 'fork a'],
    ['infoforkb', 'https://github.com/example/gotify-forwarder-b', 'forwarder b', '1.0.0', 'fork b']
  ])
  // Per plugin, in its version's entry too: the Go type it returned and every field.
  const entries = report.versions as Array<{ plugin: string; info: { status: string; platform: string; info: Member['info'] } }>
  expect(entries.map(v => [v.plugin, v.info.status, v.info.platform, v.info.info?.type, field(v.info, 'Description')])).toEqual([
    ['infoforka', 'read', 'linux-amd64', 'example.com/plugins/infoforka.Info', 'hello fork a from dep v1.0.0'],
    ['infoforkb', 'read', 'linux-amd64', 'example.com/plugins/infoforkb.Info', 'hello fork b from dep v1.0.0']
  ])
  expect(run.summary).toMatch(/Plugin Info.*forwarder a.*forwarder b/)

  const started = await startServer(artifacts.map(x => x.path))
  expect(started).toMatchObject({ code: 0 })
  expect(started.output).toContain('loaded: forwarder a')
  expect(started.output).toContain('loaded: forwarder b')
}, 600_000)

test('info-function empty switches the check off: the duplicate is not seen (as for a host that has none)', async () => {
  const workspace = forks(SHARED)
  const run = await runAction({ inputs: inputs({ 'info-function': '' }), workspace, apiUrl: world.github.url })
  expect(run.errors).toEqual([])
  const report = JSON.parse(fs.readFileSync(run.outputs['compat-report'], 'utf8'))
  expect(report.infoChecks).toBeUndefined()
  expect(report.sets[0]).toMatchObject({ status: 'loaded' })
  expect(report.sets[0].infoCheck).toBeUndefined()
}, 600_000)

test('without a release binary the host links the server\'s versions and proves the set: the same duplicate refused, by the stand-in host', async () => {
  const workspace = forks(SHARED)
  const run = await runAction({ inputs: inputs({ 'server-binary': 'none' }), workspace, apiUrl: world.github.url })
  expect(run.code).toBe(1)
  const report = JSON.parse(fs.readFileSync(run.outputs['compat-report'], 'utf8'))
  // Each plugin alone: loaded by the stand-in loader; together: refused by the host, which linked the server's dep.
  expect(report.versions.map((v: { platforms: Array<{ verification: { status: string; witness: string } }> }) => v.platforms[0].verification)).toEqual([
    expect.objectContaining({ status: 'loaded', witness: 'stand-in loader' }),
    expect.objectContaining({ status: 'loaded', witness: 'stand-in loader' })
  ])
  expect(report.sets[0]).toMatchObject({ status: 'failed', witness: 'stand-in host linux-amd64', failure: { message: expect.stringContaining(`plugin with module path ${SHARED} is present at least twice`) } })
  expect(run.log).toMatch(/\[info GetGotifyPluginInfo\] loader links the server's example\.com\/dep/)
}, 600_000)
