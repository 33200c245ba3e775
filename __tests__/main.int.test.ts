import * as fs from 'node:fs'
import * as path from 'node:path'
import { execFileSync } from 'node:child_process'
import { type World, checkoutPlugin, loadInFixtureHost, runAction, startWorld } from './support/action-harness.js'
import { elfMachine } from './support/elf.js'

// End to end: the bundled action, a real Docker engine with gotify-style build
// images, real go builds, real plugin.Open, a fake GitHub on 127.0.0.1.
let world: World
beforeAll(async () => {
  world = await startWorld()
})
afterAll(async () => world.close())

const base = (): Record<string, string> => ({ 'server-repository': 'gotify/server', 'plugin-path': 'plugin', token: 'test-token', 'go-env': world.goEnv })

test('builds four loadable plugins from one step, aligned with the latest server release', async () => {
  const workspace = checkoutPlugin('basic')
  const run = await runAction({ inputs: base(), workspace, apiUrl: world.github.url })
  expect(run.log).not.toMatch(/::error/)
  expect(run.code).toBe(0)
  expect(run.outputs['server-version']).toBe('v2.9.1')
  expect(run.outputs['go-version']).toBe(world.goVersion)
  // The plugin required dep v1.1.0; the server links v1.0.0.
  expect(run.outputs['go-mod-changed']).toBe('true')
  expect(fs.readFileSync(path.join(workspace, 'plugin', 'go.mod'), 'utf8')).toMatch(/example\.com\/dep v1\.0\.0/)

  const artifacts = JSON.parse(run.outputs.artifacts) as Array<{ platform: string; path: string; name: string; size: number; sha256: string }>
  expect(artifacts.map(a => a.platform)).toEqual(['linux-amd64', 'linux-arm-7', 'linux-arm64', 'linux-386'])
  const machine: Record<string, string> = { 'linux-amd64': 'amd64', 'linux-arm-7': 'arm', 'linux-arm64': 'arm64', 'linux-386': '386' }
  for (const a of artifacts) {
    expect(a.name).toBe(`basic-${a.platform}-for-gotify-v2.9.1.so`)
    expect(a.path).toBe(path.join(workspace, 'build', a.name))
    expect(fs.statSync(a.path).size).toBe(a.size)
    expect(elfMachine(a.path)).toMatchObject({ machine: machine[a.platform], shared: true })
    // Written as the runner's user, not root.
    expect(fs.statSync(a.path).uid).toBe(process.getuid?.())
  }

  // What a user of the server does: load it into the host.
  const amd64 = artifacts.find(a => a.platform === 'linux-amd64')!
  const host = await loadInFixtureHost(`gotify/build:${world.goVersion}-linux-amd64`, amd64.path, { GOPROXY: world.proxy.url, GOSUMDB: 'off' })
  expect(host.output).toContain('loaded: basic plugin, hello plugin from dep v1.0.0')
  expect(host.code).toBe(0)

  const report = JSON.parse(fs.readFileSync(run.outputs['compat-report'], 'utf8'))
  expect(report.compatible).toBe(true)
  expect(report.changes).toEqual([{ path: 'example.com/dep', from: 'v1.1.0', to: 'v1.0.0' }])
  expect(report.platforms.map((p: { verification: { status: string } }) => p.verification.status)).toEqual(['loaded', 'loaded', 'loaded', 'loaded'])
  expect(run.outputs.compatible).toBe('true')
  expect(run.summary).toContain('example.com/dep')
  expect(run.summary).toContain(amd64.sha256)
})

test('a compile error fails its platforms with an annotation on the source line, and the others are still reported', async () => {
  const workspace = checkoutPlugin('basic')
  fs.writeFileSync(path.join(workspace, 'plugin', 'broken_arm64.go'), 'package main\n\nfunc broken() { undefinedThing() }\n')
  const goMod = fs.readFileSync(path.join(workspace, 'plugin', 'go.mod'), 'utf8')
  // On a release event: a failed build must leave the release untouched.
  world.github.state.addRelease('someone/plugin', 'v0.1.0')
  const writes = world.github.writes().length
  const run = await runAction({
    inputs: { ...base(), platforms: 'linux-amd64,linux-arm64', verify: 'false' },
    workspace,
    apiUrl: world.github.url,
    repository: 'someone/plugin',
    event: { name: 'release', payload: { release: { tag_name: 'v0.1.0' } } }
  })
  expect(run.code).not.toBe(0)
  expect(world.github.writes().length).toBe(writes)
  expect(run.log).toContain('the release was left untouched')
  expect(run.errors.join('\n')).toMatch(/file=plugin\/broken_arm64\.go,line=3.*undefined: undefinedThing/)
  const artifacts = JSON.parse(run.outputs.artifacts) as Array<{ platform: string }>
  expect(artifacts.map(a => a.platform)).toEqual(['linux-amd64'])
  expect(run.log).toMatch(/::error::go build failed for linux-arm64/)
  // A platform that failed to build is never reported as compatible (issue 8, point 3).
  expect(run.outputs.compatible).toBe('false')
  expect(run.summary).not.toContain('**Compatible.**')
  const report = JSON.parse(fs.readFileSync(run.outputs['compat-report'], 'utf8'))
  expect(report).toMatchObject({ compatible: false, platforms: [{ platform: 'linux-amd64', built: true }, { platform: 'linux-arm64', built: false }] })
  // A failed run leaves the plugin's files as they were; the summary still shows the change alignment would make.
  expect(fs.readFileSync(path.join(workspace, 'plugin', 'go.mod'), 'utf8')).toBe(goMod)
  expect(fs.existsSync(path.join(workspace, 'plugin', 'go.sum'))).toBe(false)
  expect(run.outputs['go-mod-changed']).toBe('false')
  expect(run.summary).toContain('```diff')
})

test("runs as the runner's non-root user, and every file it writes belongs to that user", async () => {
  // GitHub runners are uid 1001 in the docker group; scripts/ci/setup-docker.sh makes gpb-runner.
  const asRoot = process.getuid?.() === 0
  const user = asRoot ? 'gpb-runner' : undefined
  const uid = asRoot ? Number(execFileSync('id', ['-u', 'gpb-runner'], { encoding: 'utf8' })) : process.getuid?.()
  const workspace = checkoutPlugin('basic')
  const cache = path.join(workspace, 'gomodcache')
  const run = await runAction({ inputs: { ...base(), platforms: 'linux-amd64,linux-arm64', 'go-mod-cache': cache }, workspace, apiUrl: world.github.url, user })
  expect(run.errors).toEqual([])
  expect(run.outputs.compatible).toBe('true')
  const written = [
    ...fs.readdirSync(path.join(workspace, 'build')).map(f => path.join(workspace, 'build', f)),
    path.join(workspace, 'plugin', 'go.mod'),
    path.join(workspace, 'plugin', 'go.sum')
  ]
  expect(written.length).toBeGreaterThanOrEqual(5)
  for (const f of written) expect({ file: f, uid: fs.statSync(f).uid }).toEqual({ file: f, uid })
  // The runner must be able to delete the module cache afterwards (go makes it read-only by default).
  const moduleDir = path.join(cache, 'example.com', 'dep@v1.0.0')
  expect(fs.statSync(moduleDir).uid).toBe(uid)
  expect(fs.statSync(moduleDir).mode & 0o200).toBe(0o200)
})

test('a main package in a subfolder, named files, and riscv64', async () => {
  const workspace = checkoutPlugin('basic')
  const plugin = path.join(workspace, 'plugin')
  fs.mkdirSync(path.join(plugin, 'cmd', 'hello'), { recursive: true })
  fs.renameSync(path.join(plugin, 'plugin.go'), path.join(plugin, 'cmd', 'hello', 'plugin.go'))
  const run = await runAction({
    inputs: { ...base(), package: './cmd/hello', 'plugin-name': 'hello', 'asset-name': '{plugin}-{os}-{arch}{variant}-go{go-version}.so', platforms: 'linux-riscv64,linux-arm-7', 'output-dir': 'dist-so' },
    workspace,
    apiUrl: world.github.url
  })
  expect(run.errors).toEqual([])
  const artifacts = JSON.parse(run.outputs.artifacts) as Array<{ name: string; path: string; platform: string }>
  expect(artifacts.map(a => a.name)).toEqual([`hello-linux-riscv64-go${world.goVersion}.so`, `hello-linux-arm7-go${world.goVersion}.so`])
  expect(elfMachine(artifacts[0].path).machine).toBe('riscv64')
  expect(path.dirname(artifacts[0].path)).toBe(path.join(workspace, 'dist-so'))
  const report = JSON.parse(fs.readFileSync(run.outputs['compat-report'], 'utf8'))
  expect(report.platforms.map((p: { verification: { status: string } }) => p.verification.status)).toEqual(['loaded', 'loaded'])
})

test('a step that fails after the server is known still reports: compatible=false and a summary', async () => {
  const workspace = checkoutPlugin('basic')
  // A version the module proxy does not have: go cannot even list the build list.
  fs.writeFileSync(path.join(workspace, 'plugin', 'go.mod'), 'module example.com/plugins/basic\n\ngo 1.21\n\nrequire example.com/dep v1.9.9\n')
  const run = await runAction({ inputs: { ...base(), platforms: 'linux-amd64' }, workspace, apiUrl: world.github.url })
  expect(run.code).toBe(1)
  expect(run.errors.join('\n')).toMatch(/example\.com\/dep@v1\.9\.9/)
  expect(run.outputs.compatible).toBe('false')
  expect(run.summary).toMatch(/The run failed: .*v1\.9\.9/)
  expect(run.outputs['server-version']).toBe('v2.9.1')
})
