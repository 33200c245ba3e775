// Real Docker, the real build images (scripts/ci/build-images.sh), real plugin.Open:
// plugins built like the action builds them load, and every cause of
// FIELD-NOTES §1 is caught.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { runContainer, runnerUser } from '../../src/container/docker.js'
import { type HostDirs, containerMounts, hostFoldersToCreate } from '../../src/container/layout.js'
import { DockerGoRunner, containerPath } from '../../src/go-runner/docker.js'
import { FIXED_GO_ENV } from '../../src/go-runner/runner.js'
import { mapConcurrent } from '../../src/concurrency.js'
import { type Platform, parsePlatform } from '../../src/platform.js'
import { type VerifyOptions, type LoaderVerdict, binfmtHandler, runPlan, verifyArtifacts } from '../../src/verify/loader-witness.js'
import { type GoProxy, startGoProxy } from '../support/goproxy.js'
import { TOOLCHAINS, requireImage } from '../support/toolchains.js'

const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures')
const run = promisify(execFile)
const P = Object.fromEntries(['linux-amd64', 'linux-386', 'linux-arm64', 'linux-arm-7'].map(id => [id, parsePlatform(id)])) as Record<string, Platform>
const SYMBOLS = ['GetGotifyPluginInfo', 'NewGotifyPluginInstance']
// Hooks and tests that run containers (the project's testTimeout is not applied per project).
const LONG = 600_000

let proxy: GoProxy
let root: string
let dirs: HostDirs
let goVersion: string
let image: (p: Platform) => string
let olderGo: string
let results: Map<string, LoaderVerdict>
let timings: Record<string, number>

// The Docker builder's runner of each platform, as src/go-runner/builders.ts makes it.
const inImages = (img: (p: Platform) => string) => (p: Platform) => new DockerGoRunner(img(p), containerMounts(dirs, p.id), {}, goVersion)

async function go(img: string, args: string[], dir: string, key: string, extraEnv: Record<string, string> = {}): Promise<void> {
  const mounts = containerMounts(dirs, key)
  const env = { GOPROXY: proxy.url, GOSUMDB: 'off', ...FIXED_GO_ENV, ...extraEnv }
  const r = await runContainer({ image: img, command: ['go', ...args], env, mounts, workdir: containerPath(mounts, dir), user: runnerUser() })
  if (r.code !== 0) throw new Error(`go ${args.join(' ')} in ${img}: ${r.output}`)
}

interface Case {
  name: string
  platform: Platform
  dir: string
  flags?: string[]
  env?: Record<string, string>
  image?: string
}

beforeAll(async () => {
  goVersion = (await run('go', ['env', 'GOVERSION'])).stdout.trim().replace(/^go/, '')
  image = p => `gotify/build:${goVersion}-${p.id}`
  for (const p of Object.values(P)) {
    await run('docker', ['image', 'inspect', image(p)]).catch(() => {
      throw new Error(`missing ${image(p)}: run scripts/ci/setup-docker.sh and scripts/ci/build-images.sh`)
    })
  }
  proxy = await startGoProxy()
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'verify-int-'))
  // One module cache and one GOCACHE per platform, shared by every case.
  dirs = { source: path.join(root, 'src'), scratch: path.join(root, 'scratch'), goModCache: path.join(root, 'mod'), goCacheRoot: path.join(root, 'gocache'), outputDir: path.join(root, 'out') }
  for (const p of Object.values(P)) for (const d of hostFoldersToCreate(dirs, p.id)) fs.mkdirSync(d, { recursive: true })
  const basic = path.join(dirs.source, 'basic')
  const newer = path.join(dirs.source, 'basic-v11')
  const newPackage = path.join(dirs.source, 'new-package')
  fs.cpSync(path.join(FIXTURES, 'plugins', 'new-package'), newPackage, { recursive: true })
  fs.cpSync(path.join(FIXTURES, 'plugins', 'basic'), basic, { recursive: true })
  fs.cpSync(path.join(FIXTURES, 'plugins', 'basic'), newer, { recursive: true })
  const amd64 = image(P['linux-amd64'])
  await go(amd64, ['mod', 'edit', '-require=example.com/dep@v1.0.0'], basic, 'linux-amd64')
  await Promise.all([basic, newer, newPackage].map(d => go(amd64, ['mod', 'tidy'], d, 'linux-amd64')))

  // Another Go: the older-patch image the set-up builds (scripts/ci/test-toolchains.mjs).
  olderGo = TOOLCHAINS.otherPatch
  const oldGoCase: Case = { name: 'oldgo', platform: P['linux-amd64'], dir: basic, image: await requireImage(`gotify/build:${olderGo}-linux-amd64`) }
  const cases: Case[] = [
    ...Object.values(P).map(p => ({ name: `ok-${p.id}`, platform: p, dir: basic })),
    { name: 'dep-v1.1.0', platform: P['linux-amd64'], dir: newer },
    { name: 'new-package', platform: P['linux-amd64'], dir: newPackage },
    { name: 'trimpath', platform: P['linux-amd64'], dir: basic, flags: ['-trimpath'] },
    { name: 'othercache', platform: P['linux-amd64'], dir: basic, env: { GOMODCACHE: '/tmp/othercache' } },
    oldGoCase
  ]
  // The way the action builds: in the platform's image, module cache at /go/pkg/mod, -w -s.
  const t0 = Date.now()
  await mapConcurrent(cases, 3, c =>
    go(c.image ?? image(c.platform), ['build', '-buildmode=plugin', '-ldflags=-w -s', ...(c.flags ?? []), '-o', `/out/${c.name}.so`, '.'], c.dir, c.platform.id, c.env)
  )
  const t1 = Date.now()
  const server = [{ path: 'example.com/server/v2', version: '' }, { path: 'example.com/dep', version: 'v1.0.0' }]
  const lines: string[] = []
  const r = await verifyArtifacts({
    artifacts: cases.map(c => ({ platform: c.platform, path: path.join(dirs.outputDir!, `${c.name}.so`) })),
    runnerFor: inImages(image),
    serverModules: server,
    serverGoVersion: goVersion,
    plugin: { dir: basic, package: '.' },
    symbols: SYMBOLS,
    dirs,
    goEnv: { GOPROXY: proxy.url, GOSUMDB: 'off', GOFLAGS: '-trimpath' },
    concurrency: 2,
    log: (p, l) => lines.push(`${p}: ${l}`)
  })
  timings = { buildSeconds: (t1 - t0) / 1000, verifySeconds: (Date.now() - t1) / 1000 }
  results = new Map(cases.map((c, i) => [c.name, r[i]]))
  console.log([`builds ${timings.buildSeconds}s, verification ${timings.verifySeconds}s, older Go ${olderGo}`, ...lines].join('\n'))
}, LONG)

afterAll(async () => {
  await proxy?.close()
  if (root) {
    await run('chmod', ['-R', 'u+w', root]).catch(() => undefined)
    fs.rmSync(root, { recursive: true, force: true })
  }
})

test.each(['linux-amd64', 'linux-386'])('a matched plugin loads natively on %s', id => {
  expect(results.get(`ok-${id}`)).toEqual({ platform: id, status: 'loaded', method: 'native', detail: expect.stringMatching(/succeeded/) })
})

test.each(['linux-arm64', 'linux-arm-7'])('a matched plugin loads on %s through qemu-user', id => {
  expect(results.get(`ok-${id}`)).toEqual({ platform: id, status: 'loaded', method: 'qemu-user', detail: expect.stringMatching(/succeeded/) })
})

test('a plugin with another version of a shared module fails, naming it and both versions', () => {
  expect(results.get('dep-v1.1.0')).toMatchObject({
    status: 'failed',
    method: 'native',
    detail: expect.stringMatching(/different version of package example\.com\/dep \(module versions differ: example\.com\/dep v1\.1\.0 in the plugin, v1\.0\.0 in the server/)
  })
})

test('a plugin built with -trimpath fails (the user GOFLAGS=-trimpath never reaches the loader)', () => {
  // The diagnosis comes from the .so's build info (-trimpath=true), not from the package's name.
  expect(results.get('trimpath')).toMatchObject({
    status: 'failed',
    detail: expect.stringMatching(/different version of package \S+ \(the plugin was built with -trimpath and the server without/)
  })
})

test('a plugin built with the module cache elsewhere fails', () => {
  expect(results.get('othercache')).toMatchObject({
    status: 'failed',
    detail: expect.stringMatching(/different version of package example\.com\/dep \(the module cache path or build flags differ/)
  })
})

test('a plugin built with another Go patch release: the loader does what plugin.Open does, and names both Go versions', () => {
  // Across patch releases fingerprints can match: plugin.Open then loads the plugin and the loader
  // only warns; where they differ, plugin.Open refuses and the diagnosis names the Go versions.
  const r = results.get('oldgo')
  if (r?.status === 'loaded') expect(r.warning).toMatch(new RegExp(`built with go${olderGo.replace(/\./g, '\\.')} and the server with go${goVersion.replace(/\./g, '\\.')}`))
  else expect(r).toMatchObject({ status: 'failed', detail: expect.stringMatching(/different version of package .*the Go versions differ/) })
})

test('the loader was built in scratch, owned by the runner', () => {
  const st = fs.statSync(path.join(dirs.scratch, 'verify', 'linux-arm64', 'loader'))
  expect(`${st.uid}:${st.gid}`).toBe(runnerUser())
  expect(fs.readFileSync(path.join(dirs.scratch, 'verify', 'linux-arm64', 'src', 'go.mod'), 'utf8')).toContain('example.com/dep v1.0.0')
})

describe('without the full pipeline', () => {
  const base = (): VerifyOptions => ({
    artifacts: [{ platform: P['linux-amd64'], path: path.join(dirs.outputDir!, 'ok-linux-amd64.so') }],
    runnerFor: inImages(image),
    serverModules: [{ path: 'example.com/dep', version: 'v1.0.0' }],
    serverGoVersion: goVersion,
    plugin: { dir: path.join(dirs.source, 'basic'), package: '.' },
    symbols: SYMBOLS,
    dirs,
    goEnv: { GOPROXY: proxy.url, GOSUMDB: 'off' },
    concurrency: 2,
    log: () => undefined
  })

  test("a plugin linking a package the server's module version lacks fails on the version, not on building the loader", async () => {
    const lines: string[] = []
    const [r] = await verifyArtifacts({
      ...base(),
      artifacts: [{ platform: P['linux-amd64'], path: path.join(dirs.outputDir!, 'new-package.so') }],
      plugin: { dir: path.join(dirs.source, 'new-package'), package: '.' },
      log: (_p, l) => lines.push(l)
    })
    expect(r).toMatchObject({ status: 'failed', detail: expect.stringMatching(/different version of package example\.com\/dep\b/) })
    expect(lines).toContain("the server's example.com/dep@v1.0.0 has no package example.com/dep/extra: not linked by the loader")
  }, LONG)

  test('a symbol the server looks up but the plugin lacks fails', async () => {
    const [r] = await verifyArtifacts({ ...base(), symbols: ['GetGotifyPluginInfo', 'NoSuchSymbol'] })
    expect(r).toEqual({ platform: 'linux-amd64', status: 'failed', method: 'native', detail: 'plugin.Open succeeded but the plugin lacks NoSuchSymbol' })
  }, LONG)

  test('with kernel binfmt handlers (docker/setup-qemu-action on GitHub), arm64 and arm-7 load through binfmt', async () => {
    // scripts/ci/setup-binfmt.sh registers them here.
    const r = await verifyArtifacts({
      ...base(),
      artifacts: ['linux-arm64', 'linux-arm-7'].map(id => ({ platform: P[id], path: path.join(dirs.outputDir!, `ok-${id}.so`) })),
      findEmulator: async q => (await binfmtHandler(q)) ?? { kind: 'none' }
    })
    expect(r.map(x => `${x.platform} ${x.status} ${x.method}`)).toEqual(['linux-arm64 loaded binfmt', 'linux-arm-7 loaded binfmt'])
  }, LONG)

  test('no emulator: not verified, never passed, with how to enable one; missing .so: failed', async () => {
    const r = await verifyArtifacts({
      ...base(),
      artifacts: [
        { platform: P['linux-arm64'], path: path.join(dirs.outputDir!, 'ok-linux-arm64.so') },
        { platform: parsePlatform('linux-riscv64'), path: '/nonexistent.so' }
      ],
      findEmulator: async q => (q === 'riscv64' ? { kind: 'qemu-user', path: '/usr/bin/qemu-riscv64-static' } : { kind: 'none' }),
      runnerFor: inImages(p => `gotify/build:${goVersion}-${p.id}`)
    })
    expect(r[0]).toEqual({ platform: 'linux-arm64', status: 'not-verified', method: 'none', detail: expect.stringMatching(/docker\/setup-qemu-action.*qemu-user-static/) })
    expect(r[1]).toMatchObject({ platform: 'linux-riscv64', status: 'failed', detail: expect.stringMatching(/cannot read \/nonexistent\.so/) })
  }, LONG)
})

test('run plans: amd64 and 386 native on amd64, others emulated, non-linux impossible', () => {
  expect(runPlan(P['linux-386'], 'amd64', 'linux')).toEqual({ kind: 'native' })
  expect(runPlan(P['linux-arm-7'], 'amd64', 'linux')).toEqual({ kind: 'emulated', qemuArch: 'arm' })
  expect(runPlan(P['linux-amd64'], 'arm64', 'linux')).toEqual({ kind: 'emulated', qemuArch: 'x86_64' })
  expect(runPlan(parsePlatform('darwin-arm64'), 'arm64', 'linux')).toMatchObject({ kind: 'impossible' })
  expect(runPlan(P['linux-amd64'], 'amd64', 'darwin')).toMatchObject({ kind: 'impossible' })
})
