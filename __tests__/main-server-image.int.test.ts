// End to end (issue 11): a real registry on 127.0.0.1 holding a stand-in
// gotify/server image for linux-amd64 and linux-arm64 (the stand-in server
// loads every .so of its plugin folder, logs each, refuses to start when one
// fails, and lists them on GET /plugin). The bundled action adds the plugin to
// each platform's image, proves it against the binary inside, starts the amd64
// one, and pushes one index; it pushes nothing for a pull request or a plugin
// the image's server refuses.
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { FIXTURES, type World, checkoutPlugin, runAction, startWorld } from './support/action-harness.js'
import { type Registry, removeImagesFrom, startRegistry } from './support/registry.js'
import { pushStandInServerImage } from './support/server-images.js'

const run = promisify(execFile)
const docker = async (...args: string[]): Promise<string> => (await run('docker', args, { maxBuffer: 64 << 20 })).stdout

let world: World
let registry: Registry
let runnerTemp: string
beforeAll(async () => {
  world = await startWorld()
  registry = await startRegistry()
  await pushStandInServerImage({ name: `${registry.host}/gotify/server:2.9.1`, platforms: ['linux-amd64', 'linux-arm64'], goVersion: world.goVersion, goproxy: world.proxy.url })
  // An older server image offered for linux/amd64 only.
  await pushStandInServerImage({ name: `${registry.host}/gotify/server:2.9.0`, platforms: ['linux-amd64'], goVersion: world.goVersion, goproxy: world.proxy.url })
  // One GOCACHE for every run of this file.
  runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-temp-'))
}, 900_000)
afterAll(async () => {
  // The images this file's runs pulled from its registry (the action keeps the server images it pulled).
  if (registry) await removeImagesFrom(registry)
  await registry?.close()
  await world?.close()
  fs.rmSync(runnerTemp, { recursive: true, force: true })
})

const PLUGIN_REPO = 'someone/plugin'
const releaseEvent = (tag: string): { name: string; payload: object } => ({ name: 'release', payload: { action: 'published', release: { tag_name: tag } } })
const inputs = (extra: Record<string, string> = {}): Record<string, string> => ({
  'server-repository': 'gotify/server',
  'server-version': 'v2.9.1',
  'plugin-path': 'plugin',
  token: 'test-token',
  'go-env': world.goEnv,
  platforms: 'linux-amd64,linux-arm64',
  'server-image': `${registry.host}/gotify/server:{server-version-bare}`,
  'image-tags': `${registry.host}/someone/{plugin}-server:{server-version-bare}\n${registry.host}/someone/{plugin}-server:latest`,
  ...extra
})
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

/** Every repository and its tags: what "nothing was pushed" is checked against. */
async function registryState(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {}
  for (const repo of await registry.catalog()) out[repo] = (await registry.tags(repo)).sort()
  return out
}

async function waitForPluginApi(address: string): Promise<Array<{ modulePath: string }>> {
  for (let i = 0; i < 100; i++) {
    const r = await fetch(`http://${address}/plugin`, { headers: { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` } }).catch(() => undefined)
    if (r?.ok) return (await r.json()) as Array<{ modulePath: string }>
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  throw new Error(`nothing answered on ${address}`)
}

test('a release event pushes one index with both platforms; the amd64 image pulled from the registry starts with the plugin loaded', async () => {
  world.github.state.addRelease(PLUGIN_REPO, 'v1.0.0')
  const r = await runAction({ inputs: inputs(), workspace: checkoutPlugin('basic'), apiUrl: world.github.url, repository: PLUGIN_REPO, event: releaseEvent('v1.0.0'), runnerTemp })
  expect(r.errors).toEqual([])
  expect(r.code).toBe(0)
  const repo = 'someone/basic-server'
  expect(r.log).toMatch(/\[server image linux-arm64\] proven against \/app\/gotify-app of .*gotify\/server:2\.9\.1 \(linux\/arm64\): \d+ shared packages, 0 different/)
  expect(r.log).toMatch(/\[server image linux-amd64\] loaded: it answers on 80\/tcp and GET \/plugin lists example\.com\/plugins\/basic/)

  // One index per tag, both the same, with an entry per platform whose image really is of that platform.
  const images = JSON.parse(r.outputs.images) as Array<{ tag: string; digest: string }>
  expect(images.map(i => i.tag)).toEqual([`${registry.host}/${repo}:2.9.1`, `${registry.host}/${repo}:latest`])
  const index = await registry.manifest(repo, '2.9.1')
  expect(index.digest).toBe(images[0].digest)
  expect(images[1].digest).toBe(images[0].digest)
  const entries = index.body.manifests as Array<{ digest: string; platform: { os: string; architecture: string } }>
  expect(entries.map(e => `${e.platform.os}/${e.platform.architecture}`).sort()).toEqual(['linux/amd64', 'linux/arm64'])
  for (const e of entries) {
    const manifest = await registry.manifest(repo, e.digest)
    const config = JSON.parse((await registry.blob(repo, (manifest.body.config as { digest: string }).digest)).toString()) as { architecture: string; config: { Entrypoint: string[] } }
    expect(config.architecture).toBe(e.platform.architecture)
    expect(config.config.Entrypoint).toEqual(['./gotify-app'])
  }
  expect(r.summary).toContain('### Server image')
  for (const i of images) expect(r.summary).toContain(`| <code>${i.tag}</code> | <code>${i.digest}</code> |`)
  expect(r.summary).toMatch(/\| linux-arm64 \| <code>.*gotify\/server:2\.9\.1 \(linux\/arm64\)<\/code> \| <code>\/app\/gotify-app<\/code> \| yes: proven against .* \| no: proven only \(not the runner's platform\) \|/)
  expect(r.summary).toContain('Started linux-amd64 with 1 plugin file: the server runs and lists its plugins: it answers on 80/tcp and GET /plugin lists example.com/plugins/basic.')

  // What a user does: pull the amd64 image by the tag and start it; the server lists the plugin.
  const tag = `${registry.host}/${repo}:2.9.1`
  await docker('pull', '--platform', 'linux/amd64', tag)
  const container = (await docker('run', '--detach', '--publish', '127.0.0.1::80', tag)).trim()
  try {
    const address = (await docker('port', container, '80/tcp')).trim().split('\n')[0]
    expect(await waitForPluginApi(address)).toEqual([expect.objectContaining({ modulePath: 'example.com/plugins/basic' })])
    expect((await run('docker', ['logs', container])).stdout).toContain('Loading plugin data/plugins/basic.so')
  } finally {
    await docker('rm', '--force', container)
  }
  // The arm64 image holds the arm64 .so, byte for byte.
  await docker('pull', '--platform', 'linux/arm64', tag)
  const created = (await docker('create', tag)).trim()
  const copied = fs.mkdtempSync(path.join(os.tmpdir(), 'copied-'))
  try {
    await docker('cp', `${created}:/app/data/plugins/basic.so`, copied)
    const artifacts = JSON.parse(r.outputs.artifacts) as Array<{ platform: string; sha256: string }>
    expect(sha256(fs.readFileSync(path.join(copied, 'basic.so')))).toBe(artifacts.find(a => a.platform === 'linux-arm64')?.sha256)
  } finally {
    await docker('rm', created)
    await docker('image', 'rm', tag)
    fs.rmSync(copied, { recursive: true, force: true })
  }
})

test('a pull_request run makes, proves and starts the image, and pushes nothing; a platform the server image lacks is skipped', async () => {
  world.github.state.addRelease(PLUGIN_REPO, 'v1.1.0')
  const before = await registryState()
  const r = await runAction({
    inputs: inputs({ 'server-version': 'v2.9.0', upload: 'true', 'release-tag': 'v1.1.0', 'image-tags': `${registry.host}/someone/pr-server:{server-version-bare}` }),
    workspace: checkoutPlugin('basic'),
    apiUrl: world.github.url,
    repository: PLUGIN_REPO,
    event: { name: 'pull_request', payload: { pull_request: { number: 1 } } },
    runnerTemp
  })
  expect(r.errors).toEqual([])
  expect(r.code).toBe(0)
  expect(r.log).toMatch(/\[server image linux-amd64\] loaded: /)
  expect(await registryState()).toEqual(before)
  expect(r.outputs.images).toBe('[]')
  expect(r.summary).toContain(`| linux-arm64 | - | - | skipped: ${registry.host}/gotify/server:2.9.0 offers linux/amd64, not linux-arm64 | - |`)
  expect(r.summary).toContain(`Not pushed, as nothing is uploaded: pull_request events never upload, whatever upload and release-tag say (tags: <code>${registry.host}/someone/pr-server:2.9.0</code>).`)
})

test('an incompatible plugin fails the run before anything is pushed', async () => {
  // align: off keeps the plugin's lib v1.1.0, which links dep v1.1.0; the server links dep v1.0.0.
  world.github.state.addRelease(PLUGIN_REPO, 'v1.2.0')
  const workspace = checkoutPlugin('indirect')
  // Its go.sum, as a plugin author would have committed it.
  const goEnv = { ...process.env, GOPROXY: world.proxy.url, GOSUMDB: 'off', GOFLAGS: '-mod=mod -modcacherw', GOTOOLCHAIN: 'local', GOMODCACHE: path.join(workspace, 'mod') }
  await run('go', ['mod', 'tidy'], { cwd: path.join(workspace, 'plugin'), env: goEnv })
  fs.rmSync(path.join(workspace, 'mod'), { recursive: true })
  const before = await registryState()
  const r = await runAction({ inputs: inputs({ align: 'off' }), workspace, apiUrl: world.github.url, repository: PLUGIN_REPO, event: releaseEvent('v1.2.0'), runnerTemp })
  expect(r.code).toBe(1)
  expect(r.errors.join('\n')).toMatch(/refused against gotify-linux-amd64\.zip: .*example\.com\/dep/)
  expect(await registryState()).toEqual(before)
  expect(world.github.state.assets(PLUGIN_REPO, 'v1.2.0').size).toBe(0)
  expect(r.outputs.images).toBe('[]')
})

test('with verify off the server inside the image is the judge: a plugin it refuses fails the run before anything is pushed', async () => {
  // The release binaries are not consulted; the image's server looks up a name the plugin does not export.
  world.github.state.addRelease(PLUGIN_REPO, 'v1.3.0')
  const before = await registryState()
  const r = await runAction({
    inputs: inputs({ verify: 'false', 'verify-symbols': 'GetGotifyPluginInfo,NoSuchFunction' }),
    workspace: checkoutPlugin('basic'),
    apiUrl: world.github.url,
    repository: PLUGIN_REPO,
    event: releaseEvent('v1.3.0'),
    runnerTemp
  })
  expect(r.code).toBe(1)
  expect(r.errors.join('\n')).toMatch(
    /server image: linux-amd64: refused against \/app\/gotify-app of .*gotify\/server:2\.9\.1 \(linux\/amd64\): the plugin does not export NoSuchFunction.*; linux-arm64: refused against .*; nothing was pushed/
  )
  expect(await registryState()).toEqual(before)
  expect(world.github.state.assets(PLUGIN_REPO, 'v1.3.0').size).toBe(0)
  expect(r.summary).toMatch(/\| linux-amd64 \| .* \| \*\*no\*\*: refused against/)
  const report = JSON.parse(fs.readFileSync(r.outputs['compat-report'], 'utf8')) as { serverImage: { pushed: unknown[]; failure: string; platforms: Array<{ status: string }> } }
  expect(report.serverImage.pushed).toEqual([])
  expect(report.serverImage.platforms.map(p => p.status)).toEqual(['refused', 'refused'])
})

test('a server image whose binary was built with -trimpath, no release binaries: build-args: -trimpath is accepted, proven against it and started; without it the advice names it', async () => {
  // The release publishes no binaries: only the image's binary tells how the server was built.
  world.github.state.addTag('gotify/server', 'v2.12.0', { GO_VERSION: `${world.goVersion}\n`, 'go.mod': fs.readFileSync(path.join(FIXTURES, 'server', 'go.mod'), 'utf8') })
  world.github.state.addRelease('gotify/server', 'v2.12.0')
  await pushStandInServerImage({ name: `${registry.host}/gotify/server:2.12.0`, platforms: ['linux-amd64'], goVersion: world.goVersion, goproxy: world.proxy.url, flags: ['-trimpath'] })
  const base = inputs({ 'server-version': 'v2.12.0', platforms: 'linux-amd64' })
  const verification = (file: string): Record<string, string> => (JSON.parse(fs.readFileSync(file, 'utf8')) as { platforms: Array<{ verification: Record<string, string> }> }).platforms[0].verification

  // Without: the stand-in loader, built like the image's server, refuses the plain .so and names the setting.
  const without = await runAction({ inputs: base, workspace: checkoutPlugin('basic'), apiUrl: world.github.url, runnerTemp })
  expect(without.code).toBe(1)
  expect(verification(without.outputs['compat-report'])).toMatchObject({ status: 'failed', witness: 'stand-in loader' })
  expect(verification(without.outputs['compat-report']).detail).toMatch(/the server was built with -trimpath and the plugin without: .*set build-args: -trimpath/)
  expect(without.log).toMatch(/\[server image\] \/app\/gotify-app of .*gotify\/server:2\.12\.0 \(linux\/amd64\) was built with -trimpath: plugins must be too/)

  // With: the check accepts it, the loader (with -trimpath) loads it, the image's own binary proves it and the image starts with it.
  const run = await runAction({ inputs: { ...base, 'build-args': '-trimpath' }, workspace: checkoutPlugin('basic'), apiUrl: world.github.url, runnerTemp })
  expect(run.errors).toEqual([])
  expect(run.code).toBe(0)
  expect(verification(run.outputs['compat-report'])).toMatchObject({ status: 'loaded', witness: 'stand-in loader' })
  expect(run.log).toContain("loader built with the server's -trimpath")
  expect(run.log).toMatch(/\[server image linux-amd64\] proven against \/app\/gotify-app of .*gotify\/server:2\.12\.0 \(linux\/amd64\): \d+ shared packages, 0 different/)
  expect(run.log).toMatch(/\[server image linux-amd64\] loaded: it answers on 80\/tcp and GET \/plugin lists example\.com\/plugins\/basic/)
}, 600_000)
