// End to end without Docker (builder: native): the bundled action installs the
// server's exact Go from a Go download site on 127.0.0.1 through the tool
// cache, builds with this machine's cross C compilers and the module cache at
// /go/pkg/mod, and its plugins are proven against (and load into) the fixture
// server's release binaries, which the Docker pipeline built (cross-builder
// compatibility). No Docker engine is reachable from the action.
//
// Like on a fresh GitHub runner, the first test makes /go/pkg/mod as the
// runner's non-root user through passwordless sudo: the action's processes see
// a /go of these tests' own (a private mount namespace, support/private-go.ts),
// so the machine's /go (left by an earlier native run of the action, say) is
// neither needed gone nor changed. These tests run as root (CI does).
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { FIXTURES, type World, checkoutPlugin, fileTree, runAction, startWorld } from './support/action-harness.js'
import { runFixtureServer } from './support/fixture-binaries.js'
import { type GoReleaseSite, serveGoRelease } from './support/go-release.js'
import { chmodWritable } from './support/host-go-runner.js'
import { elfMachine } from './support/elf.js'
import { type PrivateGo, privateGo } from './support/private-go.js'
import { leaksIn, wrapPath } from './support/env-wrappers.js'
import { TEMPLATE, linkSharedFolder, templateForks } from './support/template-forks.js'

const REPO = 'gotify/server'
// /go/pkg/mod as the action sees it, and where that is on the machine (in the tests' own /go).
const MOD = '/go/pkg/mod'
let go: PrivateGo
const onMachine = (p: string): string => path.join(go.dir, path.relative('/go', p))
const RUNNER = 'gpb-runner'

let world: World
let site: GoReleaseSite
let toolCache: string
let runnerTemp: string
let files: { env: string; path: string }
const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const uid = (user: string): number => Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }))

beforeAll(async () => {
  if (process.getuid?.() !== 0) throw new Error('these tests run the action as other users (runuser): run them as root, as CI does')
  world = await startWorld()
  // A mirror that publishes .sha256 files beside the archives (go-install.int.test.ts covers the JSON list).
  site = await serveGoRelease({ checksums: ['file'] })
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'native-'))
  toolCache = path.join(root, 'tool-cache')
  runnerTemp = path.join(root, 'runner-temp')
  files = { env: path.join(root, 'github-env'), path: path.join(root, 'github-path') }
  for (const d of [toolCache, runnerTemp]) fs.mkdirSync(d)
  for (const f of Object.values(files)) fs.writeFileSync(f, '')
  execFileSync('chown', ['-R', `${RUNNER}:`, root])
  // Made after the chown: root's, as / is.
  go = privateGo(root)
}, 600_000)

afterAll(async () => {
  await world?.close()
  await site?.close()
  go?.close()
  const root = toolCache && path.dirname(toolCache)
  if (root && fs.existsSync(root)) {
    chmodWritable(root)
    fs.rmSync(root, { recursive: true, force: true })
  }
})

const base = (): Record<string, string> => ({
  'server-repository': REPO,
  'plugin-path': 'plugin',
  token: 't',
  'go-env': world.goEnv,
  builder: 'native',
  'go-download-base-url': site.url
})
// Any Docker call would fail: the native builder must make none.
const noDocker = (): Record<string, string> => ({ DOCKER_HOST: 'unix:///nonexistent/docker.sock', GITHUB_ENV: files.env, GITHUB_PATH: files.path })
/** Where every run of the action here runs: with the tests' own /go. */
const runNative = (o: Parameters<typeof runAction>[0]): ReturnType<typeof runAction> => runAction({ ...o, privateGo: go.dir })
const report = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as { compatible: boolean; platforms: Array<{ platform: string; builtIn: string; glibc?: string; image?: string; verification: Record<string, unknown> }> }
const artifactsOf = (run: { outputs: Record<string, string> }) => JSON.parse(run.outputs.artifacts) as Array<{ platform: string; path: string }>
const serverBinary = (platform: string): string => world.serverAssets.find(a => a.platform.id === platform)?.binaryPath ?? ''

test("as a GitHub runner's user with passwordless sudo: Go downloaded and checked, /go/pkg/mod made, four platforms proven against the Docker-built server, and loaded by it", async () => {
  const workspace = checkoutPlugin('basic')
  const t0 = Date.now()
  const run = await runNative({ inputs: base(), workspace, apiUrl: world.github.url, toolCache, runnerTemp, user: RUNNER, env: noDocker() })
  const seconds = (Date.now() - t0) / 1000
  expect(run.errors).toEqual([])
  expect(run.code).toBe(0)
  expect(run.outputs.compatible).toBe('true')

  // The server's Go, from the mirror, checked against the .sha256 beside it; never the go on PATH.
  expect(run.log).toContain(`go${world.goVersion}: downloading ${site.url}/${site.archive.name} (sha256 ${site.archive.sha256} from ${site.url}/${site.archive.name}.sha256)`)
  expect(site.log).toContain(`/dl/${site.archive.name}`)
  expect(run.log).toContain(`go${world.goVersion}: checked, extracted and cached in the tool cache: ${path.join(toolCache, 'go', world.goVersion, os.arch())}`)

  // /go/pkg/mod: made through sudo (/go/pkg belongs to root), a link to the module cache in RUNNER_TEMP, which the runner's user owns.
  const cache = path.join(runnerTemp, 'go-plugin-build', 'gomodcache')
  expect(run.log).toContain(`Module cache: ${MOD} now links to go-mod-cache ${cache}`)
  expect(fs.readlinkSync(onMachine(MOD))).toBe(cache)
  expect(fs.statSync(onMachine('/go/pkg')).uid).toBe(0)
  expect(fs.statSync(path.join(cache, 'example.com', 'dep@v1.0.0')).uid).toBe(uid(RUNNER))
  // Nothing handed to later steps: no variable, no PATH entry; the runner's own go keeps its module cache.
  expect(fs.readFileSync(files.env, 'utf8') + fs.readFileSync(files.path, 'utf8')).toBe('')
  expect(execFileSync('runuser', ['-u', RUNNER, '--', 'go', 'env', 'GOMODCACHE'], { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: `/home/${RUNNER}` } }).trim()).toBe(`/home/${RUNNER}/go/pkg/mod`)

  // Built natively with the compilers the images name, the right ELF machine each, as the runner's user.
  const machine: Record<string, string> = { 'linux-amd64': 'amd64', 'linux-arm-7': 'arm', 'linux-arm64': 'arm64', 'linux-386': '386' }
  const compiler: Record<string, string> = { 'linux-amd64': 'gcc', 'linux-arm-7': 'arm-linux-gnueabihf-gcc', 'linux-arm64': 'aarch64-linux-gnu-gcc', 'linux-386': 'i686-linux-gnu-gcc' }
  const artifacts = artifactsOf(run)
  expect(artifacts.map(a => a.platform)).toEqual(['linux-amd64', 'linux-arm-7', 'linux-arm64', 'linux-386'])
  for (const a of artifacts) {
    expect(elfMachine(a.path)).toMatchObject({ machine: machine[a.platform], shared: true })
    expect(fs.statSync(a.path).uid).toBe(uid(RUNNER))
  }

  // Proven against the release binaries the Docker pipeline built: every shared package has the server's fingerprint.
  const r = report(run.outputs['compat-report'])
  for (const p of r.platforms) {
    expect(p).toMatchObject({
      builtIn: `native go${world.goVersion} with ${compiler[p.platform]}`,
      glibc: expect.stringMatching(/^GLIBC_2\.\d+$/),
      verification: {
        status: 'loaded',
        witness: `release binary gotify-${p.platform}.zip`,
        detail: expect.stringMatching(new RegExp(`^proven against gotify-${p.platform}\\.zip: \\d+ shared packages, 0 different$`))
      }
    })
    expect(p.image).toBeUndefined()
  }
  // The C library each .so needs, in the log and the summary next to the server binary's.
  expect(run.log).toMatch(/linux-arm64: the \.so needs C library GLIBC_2\.\d+ \(built in native go\S+ with aarch64-linux-gnu-gcc\)/)
  expect(run.summary).toMatch(/\| linux-arm64 \| <code>native go\S+ with aarch64-linux-gnu-gcc<\/code> \| ok \| [\d.]+ \| yes: proven against gotify-linux-arm64\.zip: \d+ shared packages, 0 different \| GLIBC_2\.\d+ \(server GLIBC_2\.\d+\) \|/)

  // And the server's own binary loads them: amd64 natively, arm64 through qemu.
  for (const id of ['linux-amd64', 'linux-arm64']) {
    const so = artifacts.find(a => a.platform === id)?.path ?? ''
    expect({ id, ...(await runFixtureServer(serverBinary(id), id, so)) }).toMatchObject({ id, outcome: 'loaded' })
  }
  console.log(`native build of 4 platforms with Go download and cold caches: ${seconds.toFixed(1)} s`)
})

test('a release without binaries: the stand-in loader is built natively and loads amd64 and 386 (through the i686 sysroot); go-mod-cache elsewhere re-points /go/pkg/mod', async () => {
  world.github.state.addTag(REPO, 'v2.8.0', { GO_VERSION: `${world.goVersion}\n`, 'go.mod': fs.readFileSync(path.join(FIXTURES, 'server', 'go.mod'), 'utf8') })
  world.github.state.addRelease(REPO, 'v2.8.0')
  const workspace = checkoutPlugin('basic')
  const cache = path.join(workspace, 'gomodcache')
  const before = site.log.length
  // The C compilers go starts (and what they start) are fronted by wrappers that write down their environment.
  const wrappers = fs.mkdtempSync(path.join(os.tmpdir(), 'native-env-'))
  const envLog = path.join(wrappers, 'env.log')
  const secrets = { INPUT_TOKEN: 'secret-native-input-6a1f', ACTIONS_RUNTIME_TOKEN: 'secret-native-runtime-2c9d', ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'secret-native-oidc-4e7b' }
  const PATH = wrapPath(path.join(wrappers, 'bin'), envLog, ['gcc', 'cc', 'i686-linux-gnu-gcc', 'as', 'i686-linux-gnu-as', 'ld', 'collect2', 'tar', 'git', 'sudo'])
  const run = await runNative({
    inputs: { ...base(), 'server-version': 'v2.8.0', platforms: 'linux-amd64,linux-386', 'go-mod-cache': cache, token: secrets.INPUT_TOKEN },
    workspace,
    apiUrl: world.github.url,
    toolCache,
    runnerTemp,
    env: { ...noDocker(), ...secrets, PATH }
  })
  expect(run.errors).toEqual([])
  const { programs, leaks } = leaksIn(envLog, Object.values(secrets), [run.pid])
  expect(programs).toContain('gcc')
  expect(programs).toContain('i686-linux-gnu-gcc')
  expect(leaks).toEqual([])
  fs.rmSync(wrappers, { recursive: true, force: true })
  expect(run.log).toContain(`go${world.goVersion} found in the tool cache: ${path.join(toolCache, 'go', world.goVersion, os.arch())}`)
  expect(site.log.length).toBe(before)
  expect(run.log).toContain(`Module cache: ${MOD} re-pointed from ${path.join(runnerTemp, 'go-plugin-build', 'gomodcache')} to go-mod-cache ${cache}`)
  expect(fs.existsSync(path.join(cache, 'example.com', 'dep@v1.0.0', 'dep.go'))).toBe(true)
  const r = report(run.outputs['compat-report'])
  expect(r.platforms.map(p => p.verification)).toEqual([
    expect.objectContaining({ status: 'loaded', witness: 'stand-in loader', method: 'native' }),
    expect.objectContaining({ status: 'loaded', witness: 'stand-in loader', method: 'native' })
  ])
  // Built through the link, they load into the server binaries the Docker pipeline built.
  for (const a of artifactsOf(run)) expect({ a: a.platform, ...(await runFixtureServer(serverBinary(a.platform), a.platform, a.path)) }).toMatchObject({ outcome: 'loaded' })
})

test('natively, two template forks are built under module paths of their own from copies outside the workspace: a replace by a folder beside one still resolves, for the newest and an older version', async () => {
  const workspace = templateForks(['webhook', 'ntfy'])
  linkSharedFolder(workspace, 'ntfy')
  const run = await runAction({ inputs: { ...base(), 'plugin-path': 'webhook\nntfy', 'server-version': 'v2.9.0, v2.9.1', platforms: 'linux-amd64' }, workspace, apiUrl: world.github.url, toolCache, runnerTemp, env: noDocker() })
  expect(run.errors).toEqual([])
  expect(run.outputs.compatible).toBe('true')
  expect(JSON.parse(fs.readFileSync(run.outputs['compat-report'], 'utf8')).builtAs.map((b: { pluginPath: string }) => b.pluginPath)).toEqual([`${TEMPLATE}~webhook`, `${TEMPLATE}~ntfy`])
  // The user's go.mod keeps its relative replace (the copy's absolute one is not written back).
  const goMod = fs.readFileSync(path.join(workspace, 'ntfy', 'go.mod'), 'utf8')
  expect(goMod).toMatch(/^module github\.com\/gotify\/plugin-template$/m)
  expect(goMod).toMatch(/^replace example\.com\/shared => \.\.\/shared$/m)
  expect(goMod).not.toContain(workspace)
  for (const tag of ['v2.9.0', 'v2.9.1']) {
    const files = artifactsOf(run).filter(a => a.path.includes(tag)).map(a => a.path)
    expect(files).toHaveLength(2)
    expect(await runFixtureServer(serverBinary('linux-amd64'), 'linux-amd64', files)).toMatchObject({ outcome: 'loaded' })
  }
})

test("a .so that needs a newer C library than the server binary's is said so in the summary", async () => {
  const workspace = checkoutPlugin('newer-glibc')
  const run = await runNative({ inputs: { ...base(), 'server-version': 'v2.9.1', platforms: 'linux-amd64' }, workspace, apiUrl: world.github.url, toolCache, runnerTemp, env: noDocker() })
  expect(run.errors).toEqual([])
  const [p] = report(run.outputs['compat-report']).platforms
  expect(p.verification).toMatchObject({ status: 'loaded', glibc: { plugin: 'GLIBC_2.36', server: expect.stringMatching(/^GLIBC_2\.\d+$/) } })
  expect(run.summary).toMatch(/:warning: linux-amd64: the plugin needs GLIBC_2\.36, the server binary only GLIBC_2\.\d+: it may not dlopen on the server's system/)
  expect(run.log).toMatch(/^::warning title=plugin loads with a warning \(linux-amd64\)::linux-amd64: the plugin needs GLIBC_2\.36, the server binary only GLIBC_2\.\d+/m)
})

test('a missing cross compiler fails before anything is written, naming its package; nothing is downloaded', async () => {
  const workspace = checkoutPlugin('basic')
  const before = fileTree(workspace)
  const link = fs.readlinkSync(onMachine(MOD))
  const requests = site.log.length
  const run = await runNative({ inputs: { ...base(), platforms: 'linux-amd64,linux-ppc64le' }, workspace, apiUrl: world.github.url, toolCache, env: noDocker() })
  expect(run.code).toBe(1)
  expect(run.errors).toEqual([
    '::error::builder native: linux-ppc64le needs powerpc64le-linux-gnu-gcc, which is not on PATH (Debian/Ubuntu package gcc-powerpc64le-linux-gnu); install them before this step (sudo apt-get install -y gcc-powerpc64le-linux-gnu libc6-dev-ppc64el-cross), or use builder: docker. Nothing was installed or written'
  ])
  expect(fileTree(workspace)).toEqual(before)
  expect(fs.readlinkSync(onMachine(MOD))).toBe(link)
  expect(site.log.length).toBe(requests)
})

test('a self-hosted runner without passwordless sudo: one line saying what to create, and nothing written', async () => {
  const workspace = checkoutPlugin('basic')
  const before = fileTree(workspace)
  const link = fs.readlinkSync(onMachine(MOD))
  const run = await runNative({ inputs: { ...base(), platforms: 'linux-amd64' }, workspace, apiUrl: world.github.url, toolCache, user: 'nobody', env: noDocker() })
  expect(run.code).toBe(1)
  const id = `${uid('nobody')}`
  expect(run.errors).toEqual([
    expect.stringMatching(
      new RegExp(
        `^::error::builder native: the module cache must be at /go/pkg/mod \\(the server's build has it there, and the path is part of every package's fingerprint\\), but this runner cannot re-point /go/pkg/mod \\(a link to ${escape(link)}\\) \\(not allowed for ${id}:\\d+, and no passwordless sudo: sudo: .*\\); create /go/pkg once for the runner's user \\(sudo install -d -o ${id} -g \\d+ /go/pkg\\); the action links /go/pkg/mod by itself, or use builder: docker$`
      )
    )
  ])
  expect(fs.readlinkSync(onMachine(MOD))).toBe(link)
  expect(fileTree(workspace)).toEqual(before)
})
