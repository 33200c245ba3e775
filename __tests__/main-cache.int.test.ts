// End to end: the action keeps its caches in a real cache service (the v1
// protocol @actions/cache speaks on GitHub Enterprise Server) on 127.0.0.1.
// A first job saves them in its post step; the next job, on a fresh runner
// (empty RUNNER_TEMP, tool cache and checkout at the same paths, as a new VM
// has them), for a new commit of the plugin, gets them back: no module from
// the GOPROXY, no server binary from GitHub, only the plugin's package compiled.
// A failing cache service is a warning, never a failed build. The jobs run as
// the runner's non-root user, as on GitHub: what comes back belongs to it.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { type ActionRun, FIXTURES, type World, runAction, startWorld } from './support/action-harness.js'
import { type CacheServer, startCacheServer } from './support/cache-server.js'

let world: World
let cacheService: CacheServer
let root: string
beforeAll(async () => {
  world = await startWorld()
  cacheService = await startCacheServer()
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'cache-job-'))
}, 600_000)
afterAll(async () => {
  await world?.close()
  await cacheService?.close()
  fs.rmSync(root, { recursive: true, force: true })
})

const PLATFORMS = ['linux-amd64', 'linux-386']
const KEY = 'go-plugin-build-v1'
// GitHub runners are uid 1001 in the docker group; scripts/ci/setup-docker.sh makes gpb-runner.
const USER = process.getuid?.() === 0 ? 'gpb-runner' : undefined
const uid = USER ? Number(execFileSync('id', ['-u', USER], { encoding: 'utf8' })) : process.getuid?.()

/** One job on a fresh runner: same paths as the last one, nothing left in them; the plugin at commit `commit`. */
async function job(commit: string, o: { inputs?: Record<string, string>; service?: CacheServer } = {}): Promise<ActionRun> {
  const dirs = { workspace: path.join(root, 'work'), runnerTemp: path.join(root, 'temp'), toolCache: path.join(root, 'tool-cache') }
  for (const d of Object.values(dirs)) fs.rmSync(d, { recursive: true, force: true })
  fs.cpSync(path.join(FIXTURES, 'plugins', 'basic'), path.join(dirs.workspace, 'plugin'), { recursive: true })
  fs.appendFileSync(path.join(dirs.workspace, 'plugin', 'plugin.go'), `\nconst commit = ${JSON.stringify(commit)}\n`)
  for (const d of [dirs.runnerTemp, dirs.toolCache]) fs.mkdirSync(d, { recursive: true })
  if (USER) execFileSync('chown', ['-R', `${USER}:`, root])
  return runAction({
    inputs: { 'server-repository': 'gotify/server', 'plugin-path': 'plugin', token: 't', 'go-env': world.goEnv, platforms: PLATFORMS.join(','), ...o.inputs },
    ...dirs,
    apiUrl: world.github.url,
    env: (o.service ?? cacheService).env(),
    post: true,
    user: USER
  })
}

const binaryDownloads = (): number => world.github.log.filter(r => r.path.startsWith('/_storage/')).length
/** The packages `go build -v` compiled for a platform, from its log group. */
const compiledFor = (log: string, platform: string): string[] => {
  const group = new RegExp(`::group::build ${platform} [^\\n]*\\n([\\s\\S]*?)::endgroup::`).exec(log)?.[1] ?? ''
  return group.split('\n').slice(1).filter(l => /^[\w.~+-]+(\/[\w.~+-]+)*$/.test(l.trim()))
}

test('the first job saves its caches once, in the post step; the next job restores them and builds fast', async () => {
  const first = await job('one')
  expect(first.errors).toEqual([])
  expect(first.code).toBe(0)
  expect(first.outputs['cache-hit']).toBe('false')
  expect(first.log).toMatch(new RegExp(`module cache: no cache for ${KEY}-modules-`))
  // The first platform's standard library was compiled by the warm-up, while alignment ran: its build compiles the rest.
  expect(first.log).toMatch(/^warm-up linux-amd64: \d+ standard library packages compiled for its build cache in [\d.]+ s$/m)
  expect(compiledFor(first.log, 'linux-amd64')).toEqual(expect.arrayContaining(['example.com/dep', 'example.com/plugins/basic']))
  expect(compiledFor(first.log, 'linux-amd64')).not.toContain('runtime')
  // Nothing is saved before the post step, which saves each cache once.
  expect(first.post?.code).toBe(0)
  const saved = cacheService.entries.filter(e => e.committed).map(e => e.key)
  expect(saved).toHaveLength(4)
  expect(saved).toEqual(
    expect.arrayContaining([
      expect.stringMatching(new RegExp(`^${KEY}-modules-[0-9a-f]{16}$`)),
      expect.stringMatching(new RegExp(`^${KEY}-gocache-linux-amd64-go${world.goVersion.replace(/\./g, '\\.')}-[0-9a-f]{12}-[0-9a-f]{16}$`)),
      expect.stringMatching(new RegExp(`^${KEY}-gocache-linux-386-go`)),
      expect.stringMatching(new RegExp(`^${KEY}-server-gotify-server-v2\\.9\\.1-[0-9a-f]{8}$`))
    ])
  )
  expect(first.post?.log).toMatch(/build cache linux-386 go[0-9.]+: saved as /)

  // A new commit on a fresh runner.
  world.proxy.log.length = 0
  const downloadsBefore = binaryDownloads()
  const second = await job('two')
  expect(second.errors).toEqual([])
  expect(second.code).toBe(0)
  expect(second.outputs.compatible).toBe('true')
  expect(second.outputs['cache-hit']).toBe('true')
  for (const name of ['server binaries', 'module cache', `build cache linux-amd64 go${world.goVersion}`, `build cache linux-386 go${world.goVersion}`]) expect(second.log).toContain(`${name}: cache hit (exact)`)
  // Nothing to warm up: both build caches came back.
  expect(second.log).toContain('warm-up: none for linux-amd64 (its build cache came back), linux-386 (its build cache came back)')
  // No module from the GOPROXY (go get still asks whether path prefixes such as example.com are modules), no server binary from GitHub.
  expect(world.proxy.log.filter(p => /\.(zip|mod)$/.test(p))).toEqual([])
  expect(binaryDownloads()).toBe(downloadsBefore)
  expect(second.log).toContain('linux-amd64: server binary gotify-linux-amd64.zip found in the tool cache')
  // Only the plugin's own package is compiled: the standard library and its dependencies come from the restored build cache.
  for (const p of PLATFORMS) expect(compiledFor(second.log, p)).toEqual(['example.com/plugins/basic'])
  expect(second.log).toMatch(/build linux-amd64 for v[\d.]+ \([^)]*\): ok in [\d.]+ s, 1 package compiled/)
  // Everything came back under its own key: nothing new to save.
  expect(second.post?.code).toBe(0)
  expect(second.post?.log).toContain(`build cache linux-amd64 go${world.goVersion}: restored from`)
  expect(cacheService.entries.filter(e => e.committed)).toHaveLength(4)
  // The restored module cache belongs to the runner's user, who can write to it and delete it (go makes it read-only by default).
  const moduleDir = path.join(root, 'temp', 'go-plugin-build', 'gomodcache', 'example.com', 'dep@v1.0.0')
  expect(fs.statSync(moduleDir).uid).toBe(uid)
  expect(fs.statSync(moduleDir).mode & 0o200).toBe(0o200)
})

test('a failing cache service is a warning: lookup refused, an archive broken midway, a save refused; the build succeeds', async () => {
  expect(cacheService.entries.filter(e => e.committed)).toHaveLength(4)
  const modules = cacheService.entries.find(e => e.key.startsWith(`${KEY}-modules-`))
  cacheService.inject({ method: 'GET', route: /^cache$/, query: /keys=go-plugin-build-v1-server-/, status: 500 })
  cacheService.inject({ method: 'GET', route: new RegExp(`^archives/${modules?.id}$`), cutTar: true })
  const refusedSave = cacheService.inject({ method: 'POST', route: /^caches$/, status: 500 })
  world.proxy.log.length = 0
  try {
    const run = await job('three')
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    expect(run.outputs.compatible).toBe('true')
    expect(run.outputs['cache-hit']).toBe('partial')
    expect(run.log).toMatch(/::warning::Failed to restore: getCacheEntry failed: Cache service responded with 500/)
    // The module cache archive broke off midway: what it left is removed, and the modules come from the GOPROXY again.
    expect(run.log).toMatch(/::warning::module cache: a restore broke off; its files were removed/)
    expect(world.proxy.log.filter(p => p.endsWith('.zip')).length).toBeGreaterThan(0)
    // The build caches still came back.
    expect(run.log).toContain(`build cache linux-amd64 go${world.goVersion}: cache hit (exact)`)
    // The post step tries to save what it lacked, is refused, warns, and does not fail the job.
    expect(run.post?.code).toBe(0)
    expect(refusedSave.hits).toBeGreaterThan(0)
    expect(run.post?.log).toMatch(/::warning::Failed to save: reserveCache failed: Cache service responded with 500/)
  } finally {
    cacheService.clearFaults()
  }
})

/** The seconds the main step spent on cache transfers, from its `time:` line. */
const cacheSeconds = (log: string): number => Number(/^time: .*, caches ([\d.]+) s,/m.exec(log)?.[1] ?? NaN)
const cacheWarnings = (log: string): string[] => log.split('\n').filter(l => /^::warning::.*cache/i.test(l))

test('a cache service that never answers costs the lookup budget once, with one warning; the post step does not wait on it either', async () => {
  const budget = 3
  const held = cacheService.inject({ route: /.*/, hold: true })
  try {
    const run = await job('four', { inputs: { 'cache-timeout': String(budget) } })
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    expect(run.outputs.compatible).toBe('true')
    expect(run.outputs['cache-hit']).toBe('false')
    expect(held.hits).toBeGreaterThan(0)
    // One warning for the whole run, naming the budget; every later restore and the saves are not even tried.
    expect(cacheWarnings(run.log)).toEqual([expect.stringMatching(new RegExp(`^::warning::caches: the cache service did not answer within ${budget} s; not restored: server binaries;`))])
    expect(run.log).toContain('module cache: not restored (the cache service did not answer earlier in this run)')
    expect(cacheSeconds(run.log)).toBeLessThan(2 * budget)
    expect(run.post?.code).toBe(0)
    expect(cacheWarnings(run.post?.log ?? '')).toEqual([])
    expect(run.post?.log).toMatch(/caches: not saved \(the cache service did not answer in the main step\)/)
    expect(run.post?.seconds).toBeLessThan(2 * budget)
  } finally {
    cacheService.clearFaults()
  }
}, 300_000)

test('a save the cache service holds open is abandoned at cache-timeout with one warning; the post step ends', async () => {
  const budget = 5
  const fresh = await startCacheServer()
  const held = fresh.inject({ method: 'POST', route: /^caches$/, hold: true })
  try {
    const run = await job('five', { inputs: { 'cache-timeout': String(budget) }, service: fresh })
    expect(run.errors).toEqual([])
    expect(run.code).toBe(0)
    expect(run.outputs['cache-hit']).toBe('false')
    expect(cacheWarnings(run.log)).toEqual([])
    expect(run.post?.code).toBe(0)
    expect(held.hits).toBe(1)
    expect(cacheWarnings(run.post?.log ?? '')).toEqual([expect.stringMatching(new RegExp(`^::warning::caches: saving took longer than cache-timeout \\(${budget} s\\) and was abandoned; not saved: `))])
    expect(run.post?.seconds).toBeLessThan(2 * budget)
    expect(fresh.entries.filter(e => e.committed)).toEqual([])
  } finally {
    await fresh.close()
  }
}, 300_000)
