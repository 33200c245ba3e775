// End to end: the server release publishes its binaries (gotify-linux-<arch>.zip,
// the fixture server built like gotify's release); the bundled action downloads
// them through the test GitHub, proves every .so against them by package
// fingerprints, and takes the server's Go and module versions from them.
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { FIXTURES, type World, checkoutPlugin, fileTree, runAction, startWorld } from './support/action-harness.js'
import { runFixtureServer } from './support/fixture-binaries.js'
import { serverReleaseAssets } from './support/fixture-server.js'
import { TOOLCHAINS } from './support/toolchains.js'
import { makeZip } from './support/zip.js'

let world: World
beforeAll(async () => {
  world = await startWorld()
}, 600_000)
afterAll(async () => world.close())

const REPO = 'gotify/server'
const base = (): Record<string, string> => ({ 'server-repository': REPO, 'plugin-path': 'plugin', token: 't', 'go-env': world.goEnv })
const report = (file: string): { platforms: Array<{ platform: string; verification: Record<string, unknown> }>; [k: string]: unknown } => JSON.parse(fs.readFileSync(file, 'utf8'))
const downloads = (): number => world.github.log.filter(r => r.path.startsWith('/_storage/')).length

/** A server tag with its own GO_VERSION and go.mod, released with the fixture server's binaries (or other assets). */
function serverTag(tag: string, files: { GO_VERSION?: string; 'go.mod'?: string }, assets: Array<{ name: string; zip: Buffer }> = world.serverAssets): void {
  const goMod = files['go.mod'] ?? fs.readFileSync(path.join(FIXTURES, 'server', 'go.mod'), 'utf8')
  world.github.state.addTag(REPO, tag, { GO_VERSION: files.GO_VERSION ?? `${world.goVersion}\n`, 'go.mod': goMod })
  const release = world.github.state.addRelease(REPO, tag)
  for (const a of assets) world.github.state.addAsset(release, a.name, a.zip)
}

test('four platforms are proven against the release binaries in milliseconds, no loader built; a second run downloads nothing', async () => {
  const workspace = checkoutPlugin('basic')
  const toolCache = fs.mkdtempSync(path.join(workspace, '..', 'toolcache-'))
  const before = downloads()
  const run = await runAction({ inputs: { ...base(), 'server-version': 'v2.9.1' }, workspace, apiUrl: world.github.url, toolCache })
  expect(run.errors).toEqual([])
  expect(run.code).toBe(0)
  expect(downloads() - before).toBe(4)
  // No stand-in loader for the proof; the Info check's host links the standard library only (the release binary proved the rest).
  expect(run.log.split('\n').filter(l => /loader links|building the loader/.test(l) && !l.startsWith('[info '))).toEqual([])
  expect(run.log).toContain("[info GetGotifyPluginInfo] the release binary proves the files' packages on linux-amd64: the host links the standard library only")
  expect(run.log).toContain(`Server gotify/server v2.9.1: Go ${world.goVersion} (from release binary gotify-linux-amd64.zip)`)

  const r = report(run.outputs['compat-report'])
  expect(r.goVersionSource).toBe('release binary gotify-linux-amd64.zip')
  for (const p of r.platforms) {
    expect(p.verification).toMatchObject({
      status: 'loaded',
      witness: `release binary gotify-${p.platform}.zip`,
      method: 'static',
      detail: expect.stringMatching(new RegExp(`^proven against gotify-${p.platform}\\.zip: \\d+ shared packages, 0 different$`)),
      glibc: { plugin: expect.stringMatching(/^GLIBC_2\.\d+$/), server: expect.stringMatching(/^GLIBC_2\.\d+$/) }
    })
  }
  expect(run.summary).toMatch(/\| linux-arm64 \| .* \| yes: proven against gotify-linux-arm64\.zip: \d+ shared packages, 0 different \| GLIBC_2\.\d+ \(server GLIBC_2\.\d+\) \|/)

  // What the proof stands for: the server's own binary loads the .so (amd64 and 386 natively).
  const artifacts = JSON.parse(run.outputs.artifacts) as Array<{ platform: string; path: string }>
  for (const id of ['linux-amd64', 'linux-386']) {
    const server = world.serverAssets.find(a => a.platform.id === id)?.binaryPath ?? ''
    const so = artifacts.find(a => a.platform === id)?.path ?? ''
    expect(await runFixtureServer(server, id, so)).toMatchObject({ outcome: 'loaded' })
  }

  // The same runner again (a self-hosted one): every binary comes from the tool cache.
  const again = await runAction({ inputs: { ...base(), 'server-version': 'v2.9.1' }, workspace: checkoutPlugin('basic'), apiUrl: world.github.url, toolCache })
  expect(again.code).toBe(0)
  expect(downloads() - before).toBe(4)
  expect(again.log).toContain('linux-arm-7: server binary gotify-linux-arm-7.zip found in the tool cache')
})

test('a refused plugin: every differing package with its module versions on both sides, and a missing symbol', async () => {
  const workspace = checkoutPlugin('indirect')
  // align off: the plugin keeps lib v1.1.0, which links dep v1.1.0; the server links dep v1.0.0.
  // Its go.sum, as a plugin author would have committed it.
  const goEnv = { ...process.env, GOPROXY: world.proxy.url, GOSUMDB: 'off', GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local', GOMODCACHE: path.join(workspace, 'mod') }
  await promisify(execFile)('go', ['mod', 'tidy'], { cwd: path.join(workspace, 'plugin'), env: goEnv })
  await promisify(execFile)('chmod', ['-R', 'u+w', path.join(workspace, 'mod')])
  fs.rmSync(path.join(workspace, 'mod'), { recursive: true })
  const run = await runAction({
    inputs: { ...base(), 'server-version': 'v2.9.1', platforms: 'linux-arm64', align: 'off', 'verify-symbols': 'GetGotifyPluginInfo,NoSuchFunction' },
    workspace,
    apiUrl: world.github.url
  })
  expect(run.code).toBe(1)
  expect(run.outputs.compatible).toBe('false')
  const v = report(run.outputs['compat-report']).platforms[0].verification
  expect(v).toMatchObject({ status: 'failed', witness: 'release binary gotify-linux-arm64.zip', method: 'static', missingSymbols: ['NoSuchFunction'] })
  expect(v.differing).toEqual(
    expect.arrayContaining([{ package: 'example.com/dep', module: 'example.com/dep', server: { version: 'v1.0.0' }, plugin: { version: 'v1.1.0' } }])
  )
  expect(v.detail).toMatch(/^refused against gotify-linux-arm64\.zip: \d+ of \d+ shared packages differ \(.*example\.com\/dep.*\): .*example\.com\/dep.*; the plugin does not export NoSuchFunction/)
  expect(run.summary).toContain('linux-arm64: 1 packages differ from the server')
  expect(run.summary).toMatch(/\| <code>example\.com\/dep<\/code> \| <code>example\.com\/dep<\/code> \| v1\.0\.0 \| v1\.1\.0 \|/)
  expect(run.errors.join('\n')).toMatch(/plugin does not load \(linux-arm64\)/)
})

test('a release without binaries falls back to the stand-in loader, and says so', async () => {
  serverTag('v2.8.0', {}, [])
  const run = await runAction({ inputs: { ...base(), 'server-version': 'v2.8.0', platforms: 'linux-amd64' }, workspace: checkoutPlugin('basic'), apiUrl: world.github.url })
  expect(run.errors).toEqual([])
  expect(report(run.outputs['compat-report']).platforms[0].verification).toMatchObject({ status: 'loaded', witness: 'stand-in loader', method: 'native' })
  expect(run.log).toMatch(/\[verify linux-amd64\] no release binary to prove against \(gotify\/server v2\.8\.0: no asset named like \*-linux-amd64\.zip.*\): the stand-in loader judges/)
  expect(run.summary).toContain('yes (stand-in loader, native)')
})

test('only what the server binary links is aligned: a module its go.mod lists but it does not link stays as the plugin has it', async () => {
  // The server's go.mod requires logs v1.2.0; its binary links dep alone.
  serverTag('v2.10.0', { 'go.mod': 'module example.com/server/v2\n\ngo 1.21\n\nrequire (\n\texample.com/dep v1.0.0\n\texample.com/logs v1.2.0\n)\n' })
  const workspace = checkoutPlugin('basic')
  const plugin = path.join(workspace, 'plugin')
  fs.writeFileSync(path.join(plugin, 'logs.go'), 'package main\n\nimport "example.com/logs"\n\nvar _ = logs.Version\n')
  fs.appendFileSync(path.join(plugin, 'go.mod'), '\nrequire example.com/logs v1.0.0\n')
  const run = await runAction({ inputs: { ...base(), 'server-version': 'v2.10.0', platforms: 'linux-amd64' }, workspace, apiUrl: world.github.url })
  expect(run.errors).toEqual([])
  expect(run.outputs.compatible).toBe('true')
  expect(fs.readFileSync(path.join(plugin, 'go.mod'), 'utf8')).toMatch(/example\.com\/logs v1\.0\.0/)
  expect(report(run.outputs['compat-report']).changes).toEqual([{ path: 'example.com/dep', from: 'v1.1.0', to: 'v1.0.0' }])
})

test('a GO_VERSION that disagrees with the binary: the binary is the truth, the summary says so, and images must hold its Go', async () => {
  serverTag('v2.9.2', { GO_VERSION: `${TOOLCHAINS.otherPatch}\n` })
  const workspace = checkoutPlugin('basic')
  const before = fileTree(workspace)
  const run = await runAction({ inputs: { ...base(), 'server-version': 'v2.9.2', platforms: 'linux-amd64' }, workspace, apiUrl: world.github.url })
  expect(run.code).toBe(1)
  expect(run.log).toContain(`::warning::gotify-linux-amd64.zip was built with go${world.goVersion}, but the server's GO_VERSION says ${TOOLCHAINS.otherPatch}`)
  expect(run.errors).toEqual([expect.stringContaining(`build image gotify/build:${TOOLCHAINS.otherPatch}-linux-amd64 has go${TOOLCHAINS.otherPatch} but the server was built with go${world.goVersion}`)])
  expect(fileTree(workspace)).toEqual(before)
})

test('a corrupt server binary archive is a one-line error, and nothing is written', async () => {
  serverTag('v2.9.3', {}, [{ name: 'gotify-linux-amd64.zip', zip: Buffer.from('PK\u0003\u0004 not really a zip') }, ...world.serverAssets.filter(a => a.platform.id !== 'linux-amd64')])
  const workspace = checkoutPlugin('basic')
  const before = fileTree(workspace)
  const run = await runAction({ inputs: { ...base(), 'server-version': 'v2.9.3', platforms: 'linux-amd64' }, workspace, apiUrl: world.github.url })
  expect(run.code).toBe(1)
  expect(run.errors).toEqual([expect.stringMatching(/^::error::server-binary: gotify-linux-amd64\.zip could not be extracted as zip \(.*\); the release asset may be corrupt: re-run later, or set server-binary: none$/)])
  expect(fileTree(workspace)).toEqual(before)
  // And a zip without the binary.
  serverTag('v2.9.4', {}, [{ name: 'gotify-linux-amd64.zip', zip: makeZip([{ name: 'LICENSE', data: Buffer.from('MIT\n') }]) }])
  const none = await runAction({ inputs: { ...base(), 'server-version': 'v2.9.4', platforms: 'linux-amd64' }, workspace, apiUrl: world.github.url })
  expect(none.errors).toEqual(['::error::server-binary: gotify-linux-amd64.zip holds no ELF executable; it holds: LICENSE; name the asset with server-binary, or set server-binary: none'])
})

test("a server built with -trimpath: the advice names build-args: -trimpath, and the build-args check accepts it, proven", async () => {
  const trimmed = await serverReleaseAssets(['linux-amd64'], { goVersion: world.goVersion, flags: ['-trimpath'] }, world.proxy.url)
  serverTag('v2.11.0', {}, trimmed)
  const inputs = { ...base(), 'server-version': 'v2.11.0', platforms: 'linux-amd64' }
  const without = await runAction({ inputs, workspace: checkoutPlugin('basic'), apiUrl: world.github.url })
  expect(without.code).toBe(1)
  const refused = report(without.outputs['compat-report']).platforms[0].verification
  expect(refused).toMatchObject({ status: 'failed', witness: 'release binary gotify-linux-amd64.zip' })
  expect(refused.detail).toMatch(/the server was built with -trimpath and the plugin without: .*set build-args: -trimpath/)

  const run = await runAction({ inputs: { ...inputs, 'build-args': '-trimpath' }, workspace: checkoutPlugin('basic'), apiUrl: world.github.url })
  expect(run.errors).toEqual([])
  expect(run.code).toBe(0)
  expect(report(run.outputs['compat-report']).platforms[0].verification).toMatchObject({
    status: 'loaded',
    witness: 'release binary gotify-linux-amd64.zip',
    detail: expect.stringMatching(/^proven against gotify-linux-amd64\.zip: \d+ shared packages, 0 different$/)
  })
  // What the proof stands for: the server itself loads the .so.
  const so = (JSON.parse(run.outputs.artifacts) as Array<{ path: string }>)[0].path
  expect(await runFixtureServer(trimmed[0].binaryPath, 'linux-amd64', so)).toMatchObject({ outcome: 'loaded' })
}, 600_000)
