// Neighbours fetched like a runner does: another repository's release on the
// test GitHub (API asset URL with the token, a redirect to storage), a URL on a
// tiny server of 127.0.0.1, workspace files; real ELF shared objects built per
// platform by the cross compilers, a real RUNNER_TOOL_CACHE folder.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import type * as http from 'node:http'
import * as os from 'node:os'
import * as path from 'node:path'
import { GitHubApi } from '../../src/github/api.js'
import { parseWithPlugins } from '../../src/neighbours/entries.js'
import { type NeighbourFetchOptions, type PlatformNeighbours, fetchNeighbours } from '../../src/neighbours/fetch.js'
import { type Platform, parsePlatform } from '../../src/platform.js'
import { elfMachine } from '../support/elf.js'
import { type GitHubServer, createGitHubServer } from '../support/github-server.js'
import { type LocalServer, listenLocal } from '../support/local-server.js'

const TOKEN = 'ghs_neighbourToken12345'
const PLATFORMS = ['linux-amd64', 'linux-arm64', 'linux-arm-7', 'linux-386'].map(s => parsePlatform(s))
const [amd64, arm64, arm7, i386] = PLATFORMS
const COMPILERS: Record<string, string> = {
  'linux-amd64': 'gcc',
  'linux-arm64': 'aarch64-linux-gnu-gcc',
  'linux-arm-7': 'arm-linux-gnueabihf-gcc',
  'linux-386': 'i686-linux-gnu-gcc'
}

let github: GitHubServer
let files: LocalServer
const served = new Map<string, Buffer | (() => Buffer)>()
// Paths answered with a redirect to a Location.
const redirects = new Map<string, string>()
const fileRequests: http.IncomingMessage[] = []
let root: string
let workspace: string
const so = new Map<string, Buffer>()
const saved = { cache: process.env.RUNNER_TOOL_CACHE, temp: process.env.RUNNER_TEMP }

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'neighbours-'))
  const src = path.join(root, 'n.c')
  fs.writeFileSync(src, 'int neighbour_answer(void) { return 42; }\n')
  for (const p of PLATFORMS) {
    const out = path.join(root, `n-${p.id}.so`)
    execFileSync(COMPILERS[p.id], ['-shared', '-fPIC', '-nostdlib', '-o', out, src])
    so.set(p.id, fs.readFileSync(out))
  }
  github = await createGitHubServer({ token: TOKEN })
  const rel = github.state.addRelease('acme/neighbour', 'v1.0.0')
  for (const p of PLATFORMS) github.state.addAsset(rel, `neighbour-${p.id}.so`, so.get(p.id) as Buffer)
  github.state.addAsset(rel, 'neighbour-linux-arm64.so.sha256', 'checksum\n')
  github.state.addAsset(rel, 'neighbour.zip', 'zip')

  files = await listenLocal(async (req, res) => {
    fileRequests.push(req)
    const at = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
    const location = redirects.get(at)
    if (location !== undefined) {
      res.writeHead(302, { location })
      res.end()
      return
    }
    const body = served.get(at)
    if (body === undefined) {
      res.writeHead(404)
      res.end()
      return
    }
    const data = typeof body === 'function' ? body() : body
    // No content-length for the "chunked" ones: the limit must hold while reading.
    res.writeHead(200, typeof body === 'function' ? {} : { 'content-length': String(data.length) })
    res.end(data)
  })
  workspace = path.join(root, 'workspace')
  fs.mkdirSync(path.join(workspace, 'plugins'), { recursive: true })
})

afterAll(async () => {
  await github.close()
  await files.close()
  fs.rmSync(root, { recursive: true, force: true })
  process.env.RUNNER_TOOL_CACHE = saved.cache
  process.env.RUNNER_TEMP = saved.temp
})

/** A fresh tool cache for each test: what a new hosted runner has. */
beforeEach(() => {
  process.env.RUNNER_TOOL_CACHE = fs.mkdtempSync(path.join(root, 'toolcache-'))
  process.env.RUNNER_TEMP = fs.mkdtempSync(path.join(root, 'temp-'))
})

function options(limits: NeighbourFetchOptions['limits'] = {}): NeighbourFetchOptions {
  return {
    api: new GitHubApi({ token: TOKEN, baseUrl: github.url, retry: { attempts: 2, baseMs: 10 } }),
    token: TOKEN,
    workspace,
    tempDir: path.join(process.env.RUNNER_TEMP as string, 'neighbours'),
    valuesFor: p => ({ platform: p.id, os: p.os, arch: p.arch, variant: p.variant ?? '', 'server-owner': 'gotify', 'server-name': 'server', 'server-version': 'v2.6.3', 'server-version-bare': '2.6.3', 'go-version': '1.24.1' }),
    limits: { attempts: 1, ...limits },
    log: () => {}
  }
}

const fetchFor = (text: string, platforms: Platform[] = PLATFORMS, limits: NeighbourFetchOptions['limits'] = {}): Promise<PlatformNeighbours[]> =>
  fetchNeighbours(parseWithPlugins(text, workspace), platforms, options(limits))

async function failure(text: string, platforms: Platform[] = PLATFORMS, limits: NeighbourFetchOptions['limits'] = {}): Promise<string> {
  const message = await fetchFor(text, platforms, limits).then(
    () => 'no error',
    (e: Error) => e.message
  )
  expect(message.split('\n')).toHaveLength(1)
  expect(message).not.toContain(TOKEN)
  return message
}

const storageGets = (): number => github.log.filter(r => r.path.startsWith('/_storage/')).length

test("another repository's release: each platform gets its own .so under its asset name, through the API with the token; a second run downloads nothing", async () => {
  const before = storageGets()
  const sets = await fetchFor('acme/neighbour@v1.0.0:neighbour-*')
  expect(storageGets() - before).toBe(4)
  for (const set of sets) {
    expect(set.missing).toEqual([])
    expect(set.files).toHaveLength(1)
    const [f] = set.files
    expect(f).toMatchObject({ fileName: `neighbour-${set.platform.id}.so`, origin: `acme/neighbour@v1.0.0 "neighbour-${set.platform.id}.so"`, downloaded: true })
    expect(fs.readFileSync(f.path).equals(so.get(set.platform.id) as Buffer)).toBe(true)
    expect(elfMachine(f.path)).toMatchObject({ machine: set.platform.arch, shared: true })
    expect(f.path.startsWith(process.env.RUNNER_TOOL_CACHE as string)).toBe(true)
  }
  const assetGets = github.log.filter(r => /\/releases\/assets\/\d+$/.test(r.path) && r.headers.accept === 'application/octet-stream')
  expect(assetGets.length).toBeGreaterThanOrEqual(4)
  expect(assetGets.every(r => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true)

  const again = await fetchFor('acme/neighbour@v1.0.0:neighbour-*')
  expect(storageGets() - before).toBe(4)
  expect(again.map(s => s.files[0].downloaded)).toEqual([false, false, false, false])
})

test('with {platform} in the glob, each platform takes the one asset named so', async () => {
  const sets = await fetchFor('acme/neighbour@v1.0.0:neighbour-{platform}.so (warn)', [arm7, arm64])
  expect(sets.map(s => s.files.map(f => [f.fileName, f.entry.onConflict]))).toEqual([[['neighbour-linux-arm-7.so', 'warn']], [['neighbour-linux-arm64.so', 'warn']]])
})

test('a platform the neighbour lacks: that set is not verified, with the reason; a glob matching nothing anywhere is an error', async () => {
  const riscv = parsePlatform('linux-riscv64')
  const [a, r] = await fetchFor('acme/neighbour@v1.0.0:neighbour-*.so', [amd64, riscv])
  expect(a.files).toHaveLength(1)
  expect(r.files).toEqual([])
  expect(r.missing.map(m => m.why)).toEqual(['with-plugins: "acme/neighbour@v1.0.0:neighbour-*.so" for linux-riscv64: matches no file naming linux-riscv64 (only "neighbour-linux-amd64.so", "neighbour-linux-arm64.so", "neighbour-linux-arm-7.so", "neighbour-linux-386.so") among the assets of acme/neighbour@v1.0.0'])

  expect(await failure('acme/neighbour@v1.0.0:nothing-*.so', [amd64, arm64])).toBe(
    'with-plugins: "acme/neighbour@v1.0.0:nothing-*.so" gives no file for any platform (linux-amd64: matches nothing among the assets of acme/neighbour@v1.0.0; linux-arm64: matches nothing among the assets of acme/neighbour@v1.0.0); check the entry'
  )
  expect(await failure('plugins/none-*.so', [amd64])).toContain('"plugins/none-*.so" gives no file for any platform (linux-amd64: matches nothing)')
  expect(await failure('acme/neighbour@v9.9.9:*.so', [amd64])).toContain('names a release acme/neighbour@v9.9.9 that does not exist')
})

test('an asset built for another machine is refused, naming the entry, the file and both machines', async () => {
  const rel = github.state.addRelease('acme/wrong', 'v1.0.0')
  github.state.addAsset(rel, 'wrong-linux-arm64.so', so.get('linux-amd64') as Buffer)
  expect(await failure('acme/wrong@v1.0.0:wrong-{platform}.so', [arm64])).toBe(
    'with-plugins: "acme/wrong@v1.0.0:wrong-{platform}.so" for linux-arm64: "wrong-linux-arm64.so" (acme/wrong@v1.0.0 "wrong-linux-arm64.so") is built for amd64 (ELF machine 62), not arm64'
  )
  served.set('/page-linux-arm64.so', Buffer.from('<!DOCTYPE html>'))
  expect(await failure(`${files.base}/page-{platform}.so`, [arm64])).toBe(
    `with-plugins: "${files.base}/page-{platform}.so" for linux-arm64: "page-linux-arm64.so" (${files.base}/page-linux-arm64.so) is not an ELF file (it starts with 3c 21 44 4f, an ELF file with 7f 45 4c 46)`
  )
  // Not cached: the next run asks again.
  expect(fs.readdirSync(process.env.RUNNER_TOOL_CACHE as string)).toEqual([])
})

test('a URL on another host: downloaded without the token, named by its last path segment, cached', async () => {
  served.set('/dl/v2.6.3/url-linux-arm64.so', so.get('linux-arm64') as Buffer)
  served.set('/dl/v2.6.3/url-linux-386.so', so.get('linux-386') as Buffer)
  const from = fileRequests.length
  const [arm, x86, amd] = await fetchFor(`${files.base}/dl/{server-version}/url-{platform}.so`, [arm64, i386, amd64])
  expect(arm.files.map(f => [f.fileName, f.origin])).toEqual([['url-linux-arm64.so', `${files.base}/dl/v2.6.3/url-linux-arm64.so`]])
  expect(x86.files[0].fileName).toBe('url-linux-386.so')
  expect(amd.missing.map(m => m.why)).toEqual([`with-plugins: "${files.base}/dl/{server-version}/url-{platform}.so" for linux-amd64: ${files.base}/dl/v2.6.3/url-linux-amd64.so answers HTTP 404 (not found)`])
  expect(fileRequests.slice(from).every(r => r.headers.authorization === undefined)).toBe(true)
  await fetchFor(`${files.base}/dl/{server-version}/url-{platform}.so`, [arm64])
  expect(fileRequests.length - from).toBe(3)
})

test('a redirect from the API to another origin (same host, another port) does not carry the token', async () => {
  const rel = github.state.addRelease('acme/redirected', 'v1.0.0')
  const asset = github.state.addAsset(rel, 'r-linux-amd64.so', Buffer.from('placeholder'))
  served.set('/storage/r.so', so.get('linux-amd64') as Buffer)
  github.inject({ path: `/repos/acme/redirected/releases/assets/${asset.id}`, status: 302, headers: { location: `${files.base}/storage/r.so` } })
  const from = fileRequests.length
  const [set] = await fetchFor('acme/redirected@v1.0.0:r-*.so', [amd64])
  expect(fs.readFileSync(set.files[0].path).equals(so.get('linux-amd64') as Buffer)).toBe(true)
  const storage = fileRequests.slice(from)
  expect(storage.map(r => r.url)).toEqual(['/storage/r.so'])
  expect(storage[0].headers.authorization).toBeUndefined()
  github.clearFaults()
})

test('plain http reaches only the runner itself: a redirect from there to plain http elsewhere is refused', async () => {
  served.set('/near-linux-amd64.so', so.get('linux-amd64') as Buffer)
  redirects.set('/hop-linux-amd64.so', `${files.base.replace('127.0.0.1', 'localhost')}/near-linux-amd64.so`)
  expect((await fetchFor(`${files.base}/hop-{platform}.so`, [amd64]))[0].files.map(f => f.fileName)).toEqual(['hop-linux-amd64.so'])
  // 127.0.0.2 is this machine too, but not a name the rule lets through: it stands for any other host.
  redirects.set('/away-linux-amd64.so', `${files.base.replace('127.0.0.1', '127.0.0.2')}/near-linux-amd64.so`)
  expect(await failure(`${files.base}/away-{platform}.so`, [amd64])).toMatch(/failed: led to plain http at 127\.0\.0\.2:\d+; plain http only to 127\.0\.0\.1, localhost, \[::1\]$/)
})

test('oversize downloads are refused, declared or not, and nothing is left behind', async () => {
  served.set('/big-linux-amd64.so', Buffer.alloc(300_000, 1))
  served.set('/chunked-linux-amd64.so', () => Buffer.alloc(300_000, 1))
  const limits = { maxBytes: 100_000 }
  expect(await failure(`${files.base}/big-linux-amd64.so`, [amd64], limits)).toContain('downloading "big-linux-amd64.so" (http://127.0.0.1:')
  expect(await failure(`${files.base}/big-linux-amd64.so`, [amd64], limits)).toMatch(/failed: the file is 300000 bytes, above the limit of 100000$/)
  expect(await failure(`${files.base}/chunked-linux-amd64.so`, [amd64], limits)).toMatch(/failed: the file is larger than the limit of 100000 bytes$/)
  const rel = github.state.addRelease('acme/huge', 'v1.0.0')
  github.state.addAsset(rel, 'huge-linux-amd64.so', Buffer.alloc(300_000, 1))
  expect(await failure('acme/huge@v1.0.0:huge-*.so', [amd64], limits)).toContain('the asset "huge-linux-amd64.so" of acme/huge@v1.0.0 is 300000 bytes, above the limit of 100000')
  expect(fs.readdirSync(path.join(process.env.RUNNER_TEMP as string, 'neighbours'))).toEqual([])
  expect(fs.readdirSync(process.env.RUNNER_TOOL_CACHE as string)).toEqual([])
})

test('a download that does not finish in time is refused', async () => {
  github.inject({ path: /^\/_storage\//, delayMs: 1000, times: 1 })
  const rel = github.state.addRelease('acme/slow', 'v1.0.0')
  github.state.addAsset(rel, 'slow-linux-amd64.so', so.get('linux-amd64') as Buffer)
  expect(await failure('acme/slow@v1.0.0:slow-*.so', [amd64], { timeoutMs: 300 })).toMatch(/downloading "slow-linux-amd64.so" .* failed: no complete answer within 0.3 s$/)
  github.clearFaults()
})

test('names from outside that would walk out of the plugin folder are refused', async () => {
  expect(await failure(`${files.base}/x/..%2Fevil-linux-amd64.so`, [amd64])).toBe(
    `with-plugins: "${files.base}/x/..%2Fevil-linux-amd64.so" for linux-amd64: the URL gives the file name "../evil-linux-amd64.so", which contains a path separator; it cannot sit in a plugin folder`
  )
  const rel = github.state.addRelease('acme/traversal', 'v1.0.0')
  github.state.addAsset(rel, '..\\evil-linux-amd64.so', so.get('linux-amd64') as Buffer)
  expect(await failure('acme/traversal@v1.0.0:*.so', [amd64])).toContain('gives the file name "..\\\\evil-linux-amd64.so", which contains a path separator')
  expect(fs.readdirSync(path.join(process.env.RUNNER_TEMP as string))).toEqual([])
})

test('workspace files are read in place, picked per platform and named as they sit; a link out of the workspace is refused', async () => {
  const dir = path.join(workspace, 'plugins')
  for (const p of [amd64, arm7]) fs.writeFileSync(path.join(dir, `local-${p.id}.so`), so.get(p.id) as Buffer)
  fs.writeFileSync(path.join(dir, 'local-linux-arm.so'), so.get('linux-arm-7') as Buffer)
  fs.writeFileSync(path.join(dir, 'README.md'), 'not a plugin')
  fs.symlinkSync('local-linux-amd64.so', path.join(dir, 'alias-linux-amd64.so'))
  const [a, arm] = await fetchFor('plugins/local-*, plugins/alias-*.so', [amd64, arm7])
  expect(a.files.map(f => [f.fileName, f.origin, f.path])).toEqual([
    ['alias-linux-amd64.so', 'plugins/alias-linux-amd64.so', path.join(fs.realpathSync(dir), 'local-linux-amd64.so')],
    ['local-linux-amd64.so', 'plugins/local-linux-amd64.so', path.join(fs.realpathSync(dir), 'local-linux-amd64.so')]
  ])
  expect(arm.files.map(f => f.fileName)).toEqual(['local-linux-arm-7.so'])
  expect(arm.missing.map(m => m.why)).toEqual(['with-plugins: "plugins/alias-*.so" for linux-arm-7: matches no file naming linux-arm-7 (only "alias-linux-amd64.so")'])

  const outside = path.join(root, 'outside-linux-386.so')
  fs.writeFileSync(outside, so.get('linux-386') as Buffer)
  fs.symlinkSync(outside, path.join(dir, 'out-linux-386.so'))
  expect(await failure('plugins/out-*.so', [i386])).toMatch(/^with-plugins: "plugins\/out-\*.so" for linux-386: "plugins\/out-linux-386.so" is a link to ".*outside-linux-386.so", outside the workspace$/)
  expect(await failure('plugins/README.md', [i386])).toContain('matches no .so file')
})

test('two entries giving one platform the same file name are refused (one would replace the other)', async () => {
  served.set('/neighbour-linux-amd64.so', so.get('linux-amd64') as Buffer)
  expect(await failure(`acme/neighbour@v1.0.0:neighbour-{platform}.so, ${files.base}/neighbour-linux-amd64.so`, [amd64])).toContain(
    'both give linux-amd64 a file named "neighbour-linux-amd64.so"'
  )
})

test('the files come in the load order of the server: by file name', async () => {
  served.set('/zz-linux-amd64.so', so.get('linux-amd64') as Buffer)
  fs.writeFileSync(path.join(workspace, 'plugins', 'aa-linux-amd64.so'), so.get('linux-amd64') as Buffer)
  const [set] = await fetchFor(`${files.base}/zz-linux-amd64.so, acme/neighbour@v1.0.0:*.so, plugins/aa-*.so`, [amd64])
  expect(set.files.map(f => f.fileName)).toEqual(['aa-linux-amd64.so', 'neighbour-linux-amd64.so', 'zz-linux-amd64.so'])
})
