import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { FIXTURES, type World, checkoutPlugin, runAction, startWorld } from './support/action-harness.js'
import { runFixtureServer } from './support/fixture-binaries.js'
import { serverReleaseAssets } from './support/fixture-server.js'

// The server's maintainers, on their own pull requests (server-source): the server is the workspace's checkout
// (a fixture host, committed with git so it has a SHA), its binary built by the workflow (server-binary: a path).
// The plugin is proven statically against that binary, and the binary's own plugin.Open agrees.
// Then issue 21's maintainers' case: the server checked out at the workspace's root and two plugins beside it; the
// pull request moves example.com/dep to v1.0.0: basic follows it (a go.mod change), newpackage imports a package only
// dep v1.1.0 has, so it cannot follow. The table says which and why, and the proof agrees with the host's plugin.Open.
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

/** Commits the folder as a git repository (the server's checkout); its SHA. */
async function commitCheckout(dir: string, message: string): Promise<string> {
  const g = (...args: string[]) => git('git', ['-C', dir, '-c', 'user.name=t', '-c', 'user.email=t@example.com', ...args])
  await g('init', '-q')
  await g('add', '.')
  await g('commit', '-q', '-m', message)
  return (await g('rev-parse', 'HEAD')).stdout.trim()
}

/** The server binary "the workflow just built", at build/gotify. */
function putServerBinary(workspace: string): void {
  fs.mkdirSync(path.join(workspace, 'build'))
  fs.copyFileSync(serverBinary, path.join(workspace, 'build', 'gotify'))
  fs.chmodSync(path.join(workspace, 'build', 'gotify'), 0o755)
}

/** A workspace with the plugin, the server's checkout (a git commit) and the server binary at build/gotify. */
async function serverWorkspace(): Promise<{ workspace: string; sha: string }> {
  const workspace = checkoutPlugin('basic')
  const checkout = path.join(workspace, 'server')
  fs.cpSync(path.join(FIXTURES, 'server'), checkout, { recursive: true })
  fs.writeFileSync(path.join(checkout, 'GO_VERSION'), `${world.goVersion}\n`)
  const sha = await commitCheckout(checkout, 'server')
  putServerBinary(workspace)
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

test('a server binary for another platform than the run builds fails in one line before anything is built; a checkout with uncommitted changes is named <sha>-dirty', async () => {
  const { workspace, sha } = await serverWorkspace()
  // A change the checkout has not committed: its version says so.
  fs.appendFileSync(path.join(workspace, 'server', 'go.mod'), '// not committed\n')
  const run = await runAction({ inputs: inputs({ platforms: 'linux-arm64' }), workspace, apiUrl: world.github.url })
  expect(run.log).toContain(`Server version of ${SERVER}: ${sha.slice(0, 7)}-dirty, the checkout server at ${sha} with uncommitted changes (server-source: server)`)
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

/** The server checked out at the workspace's root, build/gotify built from it, plugins/basic and plugins/newpackage. */
async function serverPullRequest(): Promise<{ workspace: string; short: string }> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'workspace-'))
  fs.cpSync(path.join(FIXTURES, 'server'), workspace, { recursive: true })
  fs.writeFileSync(path.join(workspace, 'GO_VERSION'), `${world.goVersion}\n`)
  const short = (await commitCheckout(workspace, 'move example.com/dep to v1.0.0')).slice(0, 7)
  fs.cpSync(path.join(FIXTURES, 'plugins', 'basic'), path.join(workspace, 'plugins', 'basic'), { recursive: true })
  fs.cpSync(path.join(FIXTURES, 'plugins', 'new-package'), path.join(workspace, 'plugins', 'newpackage'), { recursive: true })
  putServerBinary(workspace)
  return { workspace, short }
}

const prInputs = (extra: Record<string, string>): Record<string, string> => ({
  'server-repository': SERVER,
  'server-source': 'local',
  'server-binary': './build/gotify',
  'plugin-path': 'plugins/basic\nplugins/newpackage',
  token: 't',
  'go-env': world.goEnv,
  platforms: 'linux-amd64',
  ...extra
})
const pullRequest = { name: 'pull_request', payload: { pull_request: { number: 12 } } }

interface Row {
  plugin: string
  serverVersion: string
  aligned: { status: string; obstacle?: string }
  built: { status: string; error?: string }
  proven: { status: string; witness?: string }
  goModChanges: Array<{ module: string; from: string; to: string }>
  passed: boolean
}

test('two plugins against the checkout: the one the pull request breaks is named with its obstacle, the other passes with its go.mod change; plugin.Open agrees', async () => {
  const { workspace, short } = await serverPullRequest()
  const goMods = ['basic', 'newpackage'].map(p => fs.readFileSync(path.join(workspace, 'plugins', p, 'go.mod'), 'utf8'))
  const run = await runAction({ inputs: prInputs({}), workspace, apiUrl: world.github.url, event: pullRequest })
  expect(run.code).toBe(1)
  expect(run.outputs.compatible).toBe('false')
  // No API call about the server, and nothing written anywhere.
  expect(world.github.log.filter(e => e.path.startsWith(`/repos/${SERVER}`))).toEqual([])
  expect(world.github.writes()).toEqual([])

  const report = JSON.parse(fs.readFileSync(run.outputs['compat-report'], 'utf8'))
  const [basic, newpackage] = report.pluginReport as Row[]
  expect(basic).toMatchObject({
    plugin: 'basic',
    serverVersion: short,
    aligned: { status: 'ok' },
    built: { status: 'ok' },
    proven: { status: 'ok', witness: 'server binary ./build/gotify' },
    goModChanges: [{ module: 'example.com/dep', from: 'v1.1.0', to: 'v1.0.0' }],
    passed: true
  })
  // dep v1.0.0 has no package extra: lowering the requirement would not build either, and the obstacle says so.
  expect(newpackage).toMatchObject({ plugin: 'newpackage', aligned: { status: 'failed' }, built: { status: 'not run' }, proven: { status: 'not run' }, goModChanges: [], passed: false })
  expect(newpackage.aligned.obstacle).toBe(
    "example.com/dep cannot be aligned: the plugin links v1.1.0, above the server's v1.0.0, because the plugin imports a package of example.com/dep that v1.0.0 does not have: " +
      "go get lowered it to v1.0.0, and go mod tidy raised it back to v1.1.0 to find that package; change the plugin's imports, or build for a server release with example.com/dep v1.1.0 or newer"
  )
  // A row per plugin, the checkout's version named once (in the header); each plugin's steps in its details.
  expect(run.summary).toContain(`| plugin | folder | plugin path | server ${short} |`)
  expect(run.summary).toMatch(/^\| \*\*basic\*\* \| <code>plugins\/basic<\/code> \| <code>example\.com\/plugins\/basic<\/code> \| passes \|$/m)
  expect(run.summary).toMatch(/^\| :x: \*\*newpackage\*\* \| <code>plugins\/newpackage<\/code> \| .* \| \*\*fails\*\*: cannot be aligned: example\.com\/dep cannot be aligned: .* \|$/m)
  expect(run.summary).toContain('Aligned: yes. Built: yes. Loads: yes (server binary ./build/gotify).')
  // The server binary the workflow built is never called a release binary.
  expect(run.log).toMatch(/proven against the server binary \.\/build\/gotify \(built by the workflow\)/)
  expect(run.log).not.toMatch(/proven against release binar/)
  expect(run.errors.join('\n')).toMatch(/a package of example\.com\/dep that v1\.0\.0 does not have/)
  // A failed run leaves every plugin's go.mod as it was checked out.
  expect(['basic', 'newpackage'].map(p => fs.readFileSync(path.join(workspace, 'plugins', p, 'go.mod'), 'utf8'))).toEqual(goMods)

  // The proof stands for the host: the pull request's binary loads basic's .so.
  const artifacts = JSON.parse(run.outputs.artifacts) as Array<{ plugin: string; path: string }>
  expect(artifacts.map(a => a.plugin)).toEqual(['basic'])
  expect(await runFixtureServer(path.join(workspace, 'build', 'gotify'), 'linux-amd64', artifacts[0].path)).toMatchObject({ outcome: 'loaded' })
}, 600_000)

test('newpackage as it is (align off) builds, and the proof refuses it for the package the pull request moved, as the host does', async () => {
  const { workspace } = await serverPullRequest()
  // Its go.sum, as the plugin's author committed it (for dep v1.1.0).
  const mod = fs.mkdtempSync(path.join(os.tmpdir(), 'mod-'))
  const goEnv = { ...process.env, GOPROXY: world.proxy.url, GOSUMDB: 'off', GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local', GOMODCACHE: mod }
  await promisify(execFile)('go', ['mod', 'tidy'], { cwd: path.join(workspace, 'plugins', 'newpackage'), env: goEnv })
  await promisify(execFile)('chmod', ['-R', 'u+w', mod])
  fs.rmSync(mod, { recursive: true })
  const run = await runAction({ inputs: prInputs({ 'plugin-path': 'plugins/newpackage', align: 'off' }), workspace, apiUrl: world.github.url, event: pullRequest })
  expect(run.code).toBe(1)
  const report = JSON.parse(fs.readFileSync(run.outputs['compat-report'], 'utf8'))
  expect(report.platforms[0].verification).toMatchObject({ status: 'failed', method: 'static', witness: 'server binary ./build/gotify' })
  expect(JSON.stringify(report.platforms[0].verification)).toContain('example.com/dep')
  const [so] = JSON.parse(run.outputs.artifacts) as Array<{ path: string }>
  const host = await runFixtureServer(path.join(workspace, 'build', 'gotify'), 'linux-amd64', so.path)
  expect(host.outcome).toBe('refused')
  expect(host.output).toMatch(/different version of package example\.com\/dep\b/)
}, 600_000)
