import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { FIXTURES, type World, checkoutPlugin, runAction, startWorld } from './support/action-harness.js'
import { runFixtureServer } from './support/fixture-binaries.js'
import { serverReleaseAssets } from './support/fixture-server.js'

// The server's maintainers, on their own pull requests (server-source): the server is the workspace's checkout
// (a fixture host, committed with git so it has a SHA), its binary built by the workflow (server-binary: a path).
// The plugin is proven statically against that binary, and the binary's own plugin.Open agrees.
const SERVER = 'gotify/server'
const git = promisify(execFile)
let world: World
let serverBinary: string
beforeAll(async () => {
  world = await startWorld({ serverBinaries: false, tags: [] })
  // The fixture host built like a release (cached by content): the "binary the workflow just built".
  ;[{ binaryPath: serverBinary }] = await serverReleaseAssets(['linux-amd64'], { goVersion: world.goVersion }, world.proxy.url)
}, 600_000)
afterAll(async () => world.close())

/** A workspace with the plugin, the server's checkout (a git commit) and the server binary at build/gotify. */
async function serverWorkspace(): Promise<{ workspace: string; sha: string }> {
  const workspace = checkoutPlugin('basic')
  const checkout = path.join(workspace, 'server')
  fs.cpSync(path.join(FIXTURES, 'server'), checkout, { recursive: true })
  fs.writeFileSync(path.join(checkout, 'GO_VERSION'), `${world.goVersion}\n`)
  const g = (...args: string[]) => git('git', ['-C', checkout, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args])
  await g('init', '-q')
  await g('add', '.')
  await g('commit', '-q', '-m', 'server')
  const sha = (await g('rev-parse', 'HEAD')).stdout.trim()
  fs.mkdirSync(path.join(workspace, 'build'))
  fs.copyFileSync(serverBinary, path.join(workspace, 'build', 'gotify'))
  fs.chmodSync(path.join(workspace, 'build', 'gotify'), 0o755)
  return { workspace, sha }
}

const inputs = (extra: Record<string, string>): Record<string, string> => ({
  'server-repository': SERVER,
  'server-source': 'server',
  'server-binary': './build/gotify',
  'plugin-path': 'plugin',
  token: 't',
  'go-env': world.goEnv,
  platforms: 'linux-amd64',
  ...extra
})

test('server-source: the checkout from disk, no API call for the server; the built binary is the static proof, and its plugin.Open agrees', async () => {
  const { workspace, sha } = await serverWorkspace()
  const short = sha.slice(0, 7)
  const run = await runAction({ inputs: inputs({}), workspace, apiUrl: world.github.url, event: { name: 'pull_request', payload: { pull_request: { number: 7 } } } })
  expect(run.errors).toEqual([])
  expect(run.code).toBe(0)
  expect(run.outputs.compatible).toBe('true')
  expect(run.log).toContain(`Server version of ${SERVER}: ${short}, the checkout server at ${sha} (server-source: server)`)
  expect(run.log).toContain("server-binary ./build/gotify is the server's binary for linux-amd64")
  // GO_VERSION and go.mod came from disk: the test GitHub was never asked about the server.
  expect(world.github.log.filter(e => e.path.startsWith(`/repos/${SERVER}`))).toEqual([])

  const artifacts = JSON.parse(run.outputs.artifacts) as Array<{ name: string; path: string; serverVersion: string }>
  expect(artifacts.map(a => [a.serverVersion, a.name])).toEqual([[short, `basic-linux-amd64-for-gotify-${short}.so`]])
  const report = JSON.parse(fs.readFileSync(run.outputs['compat-report'], 'utf8'))
  expect(report.server).toEqual({ repository: SERVER, tag: short, origin: { kind: 'local', dir: 'server', sha } })
  expect(report.platforms[0].verification).toMatchObject({ status: 'loaded', method: 'static', detail: expect.stringMatching(/^proven against \.\/build\/gotify: \d+ shared packages, 0 different$/) })
  // The plugin's go.mod was aligned with the checkout's (dep v1.1.0 -> v1.0.0).
  expect(report.changes).toEqual(expect.arrayContaining([{ path: 'example.com/dep', from: 'v1.1.0', to: 'v1.0.0' }]))
  // What the proof stands for: the server binary itself loads the .so.
  expect(await runFixtureServer(path.join(workspace, 'build', 'gotify'), 'linux-amd64', artifacts[0].path)).toMatchObject({ outcome: 'loaded' })
})

test('a server binary for another platform than the run builds fails in one line before anything is built', async () => {
  const { workspace } = await serverWorkspace()
  const run = await runAction({ inputs: inputs({ platforms: 'linux-arm64' }), workspace, apiUrl: world.github.url })
  expect(run.code).toBe(1)
  expect(run.errors).toEqual([
    '::error::server-binary: ./build/gotify is a linux-amd64 program, and platforms is linux-arm64; build the server for one of them, add linux-amd64 to platforms, or set server-binary: none'
  ])
  expect(fs.existsSync(path.join(workspace, 'build', 'basic-linux-arm64-for-gotify.so'))).toBe(false)
})

test('server-version beside a local server-source is refused in one line', async () => {
  const { workspace } = await serverWorkspace()
  const run = await runAction({ inputs: inputs({ 'server-version': 'v2.9.1' }), workspace, apiUrl: world.github.url })
  expect(run.code).toBe(1)
  expect(run.errors).toEqual([
    "::error::Input 'server-version': \"v2.9.1\" with server-source server: the checkout is the only server version; accepted: server-version left unset (latest) with a local server-source, or server-source: github"
  ])
})
