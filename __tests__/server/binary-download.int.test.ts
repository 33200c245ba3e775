// The server's release binary, fetched like a runner does: through the test
// GitHub on 127.0.0.1 (API asset URL, Accept: application/octet-stream, a
// redirect to storage), extracted by @actions/tool-cache and kept in a real
// RUNNER_TOOL_CACHE folder.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { GitHubApi } from '../../src/github/api.js'
import { parsePlatform } from '../../src/platform.js'
import { fetchServerBinaries, toolName } from '../../src/server/binary-download.js'
import { type GitHubServer, createGitHubServer } from '../support/github-server.js'
import { deflateZeros, makeZip } from '../support/zip.js'
import { listenLocal } from '../support/local-server.js'

const TOKEN = 'ghs_binaryDownloadToken1'
const SERVER = { owner: 'gotify', name: 'server' }
// Any real ELF executable stands for the server here; the proof itself is tested elsewhere.
const ELF = fs.readFileSync(fs.realpathSync('/bin/true'))
const LICENSE = Buffer.from('MIT License\n')
const amd64 = parsePlatform('linux-amd64')
const arm64 = parsePlatform('linux-arm64')

let github: GitHubServer
let root: string
const saved = { cache: process.env.RUNNER_TOOL_CACHE, temp: process.env.RUNNER_TEMP }

beforeAll(async () => {
  github = await createGitHubServer({ token: TOKEN })
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'binary-download-'))
  process.env.RUNNER_TEMP = path.join(root, 'temp')
})
afterAll(async () => {
  await github.close()
  fs.rmSync(root, { recursive: true, force: true })
  process.env.RUNNER_TOOL_CACHE = saved.cache
  process.env.RUNNER_TEMP = saved.temp
})

/** A fresh tool cache and a server release with the given assets. */
function release(tag: string, assets: Record<string, Buffer>): void {
  process.env.RUNNER_TOOL_CACHE = fs.mkdtempSync(path.join(root, 'toolcache-'))
  const rel = github.state.addRelease(`${SERVER.owner}/${SERVER.name}`, tag)
  for (const [name, data] of Object.entries(assets)) github.state.addAsset(rel, name, data)
}

function tarball(name: string, files: Record<string, Buffer>, flag: string): Buffer {
  const dir = fs.mkdtempSync(path.join(root, 'tar-'))
  for (const [f, data] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true })
    fs.writeFileSync(path.join(dir, f), data, { mode: 0o755 })
  }
  execFileSync('tar', [flag, path.join(dir, name), '-C', dir, ...Object.keys(files)])
  return fs.readFileSync(path.join(dir, name))
}

const fetch = (tag: string, platforms = [amd64], setting: Parameters<typeof fetchServerBinaries>[1]['setting'] = { kind: 'auto' }) =>
  fetchServerBinaries(platforms, {
    api: new GitHubApi({ token: TOKEN, baseUrl: github.url, retry: { attempts: 2, baseMs: 10 } }),
    token: TOKEN,
    server: { ...SERVER, tag },
    setting,
    valuesFor: p => ({ platform: p.id, os: p.os, arch: p.arch, variant: p.variant ?? '' }),
    log: () => {}
  })
const downloads = (): number => github.log.filter(r => r.path.startsWith('/_storage/')).length

test("gotify's zips: the binary named like the asset is extracted and cached; a second run downloads nothing", async () => {
  release('v3.0.0', {
    'gotify-linux-amd64.zip': makeZip([{ name: 'gotify-linux-amd64', data: ELF }, { name: 'LICENSE', data: LICENSE }, { name: 'licenses/gin.txt', data: LICENSE }]),
    'gotify-linux-arm64.zip': makeZip([{ name: 'LICENSE', data: LICENSE }, { name: 'gotify-linux-arm64', data: ELF }])
  })
  const before = downloads()
  const first = await fetch('v3.0.0', [amd64, arm64])
  expect(downloads() - before).toBe(2)
  for (const p of [amd64, arm64]) {
    const got = first.get(p.id)
    expect(got).toMatchObject({ found: true, binary: { assetName: `gotify-${p.id}.zip`, downloaded: true } })
    const file = got?.found ? got.binary.path : ''
    expect(fs.readFileSync(file).equals(ELF)).toBe(true)
    expect(file.startsWith(path.join(process.env.RUNNER_TOOL_CACHE ?? '', toolName(SERVER), '3.0.0', p.id))).toBe(true)
  }
  // The API asset URL with the token, never the browser URL.
  const assetGets = github.log.filter(r => /\/releases\/assets\/\d+$/.test(r.path) && r.headers.accept === 'application/octet-stream')
  expect(assetGets.length).toBeGreaterThanOrEqual(2)
  expect(assetGets.every(r => r.headers.authorization === `Bearer ${TOKEN}`)).toBe(true)

  const again = await fetch('v3.0.0', [amd64, arm64])
  expect(downloads() - before).toBe(2)
  expect(again.get('linux-arm64')).toMatchObject({ found: true, binary: { assetName: 'gotify-linux-arm64.zip', downloaded: false } })
})

test('.tar.gz and .tar.xz archives, and a non-semver tag', async () => {
  release('release-2026.1', {
    'srv-linux-amd64.tar.gz': tarball('a.tar.gz', { 'srv-linux-amd64': ELF, 'README.md': LICENSE }, '-czf'),
    'srv-linux-arm64.tar.xz': tarball('b.tar.xz', { 'bin/srv': ELF, 'LICENSE': LICENSE }, '-cJf')
  })
  const got = await fetch('release-2026.1', [amd64, arm64])
  expect(got.get('linux-amd64')).toMatchObject({ found: true, binary: { assetName: 'srv-linux-amd64.tar.gz' } })
  // The only executable, though not named like the asset.
  expect(got.get('linux-arm64')).toMatchObject({ found: true, binary: { assetName: 'srv-linux-arm64.tar.xz' } })
  const before = downloads()
  expect((await fetch('release-2026.1', [arm64])).get('linux-arm64')).toMatchObject({ found: true, binary: { downloaded: false } })
  expect(downloads()).toBe(before)
})

test('a release without binaries, a tag without a release, and server-binary: none leave the loader to verify', async () => {
  release('v2.0.0', { 'gotify-windows-amd64.exe': Buffer.from('MZ') })
  expect(await fetch('v2.0.0')).toEqual(new Map([['linux-amd64', { found: false, why: expect.stringMatching(/^gotify\/server v2\.0\.0: no asset named like \*-linux-amd64\.zip.*gotify-windows-amd64\.exe/) }]]))
  github.state.addTag('gotify/server', 'v1.9.9')
  expect((await fetch('v1.9.9')).get('linux-amd64')).toMatchObject({ found: false, why: expect.stringContaining('assets: none') })
  const requests = github.log.length
  expect((await fetch('v2.0.0', [amd64], { kind: 'none' })).get('linux-amd64')).toEqual({ found: false, why: 'server-binary is none' })
  expect(github.log.length).toBe(requests)
})

test('a template names the asset', async () => {
  release('v3.1.0', { 'server_amd64.zip': makeZip([{ name: 'server', data: ELF }]) })
  const got = await fetch('v3.1.0', [amd64], { kind: 'template', template: 'server_{arch}.zip' })
  expect(got.get('linux-amd64')).toMatchObject({ found: true, binary: { assetName: 'server_amd64.zip' } })
})

test('a corrupt zip, a zip with no ELF executable, and a 404 on the asset are one-line errors', async () => {
  release('v3.2.0', { 'gotify-linux-amd64.zip': Buffer.from('PK\u0003\u0004 this is not a zip') })
  await expect(fetch('v3.2.0')).rejects.toThrow(/^server-binary: gotify-linux-amd64\.zip could not be extracted as zip \(.*\); the release asset may be corrupt/)

  release('v3.3.0', { 'gotify-linux-amd64.zip': makeZip([{ name: 'LICENSE', data: LICENSE }, { name: 'licenses/x.txt', data: LICENSE }]) })
  await expect(fetch('v3.3.0')).rejects.toThrow('server-binary: gotify-linux-amd64.zip holds no ELF executable; it holds: LICENSE, licenses/x.txt; name the asset with server-binary, or set server-binary: none')

  release('v3.4.0', { 'gotify-linux-amd64.zip': makeZip([{ name: 'gotify-linux-amd64', data: ELF }]) })
  github.inject({ path: /^\/repos\/gotify\/server\/releases\/assets\/\d+$/, method: 'GET', status: 404 })
  try {
    const err = await fetch('v3.4.0').catch((e: Error) => e)
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).message).toMatch(/^server-binary: downloading gotify-linux-amd64\.zip from the gotify\/server v3\.4\.0 release failed \(HTTP 404\); re-run later/)
    expect((err as Error).message).not.toContain('\n')
  } finally {
    github.clearFaults()
  }
})

/** Every file under `dir`, relative to it. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return []
  return (fs.readdirSync(dir, { recursive: true, withFileTypes: true }) as fs.Dirent[]).filter(e => !e.isDirectory()).map(e => path.relative(dir, path.join(e.parentPath, e.name)))
}

test('an asset name or an archive entry that looks like a path writes nothing outside RUNNER_TEMP and the tool cache', async () => {
  // Deep enough that ../../../ stays inside the test's own folder.
  const jail = fs.mkdtempSync(path.join(root, 'jail-'))
  const temp = path.join(jail, 'a', 'b', 'temp')
  process.env.RUNNER_TEMP = temp
  try {
    release('v4.0.0', { '../../../x/y-linux-amd64': ELF, '..\\evil-linux-arm64': ELF, 'gotify-linux-arm64.zip': makeZip([{ name: 'gotify-linux-arm64', data: ELF }]) })
    process.env.RUNNER_TOOL_CACHE = path.join(jail, 'a', 'b', 'toolcache')
    const got = await fetch('v4.0.0', [amd64, arm64])
    // The only amd64 candidate is passed over, in one line; arm64 takes the well-named asset.
    const amd = got.get('linux-amd64')
    expect(amd).toEqual({ found: false, why: expect.stringContaining('"../../../x/y-linux-amd64" (it holds a / or \\) passed over: server-binary auto takes no asset whose name holds /') })
    expect(amd?.found === false && amd.why).not.toContain('\n')
    expect(got.get('linux-arm64')).toMatchObject({ found: true, binary: { assetName: 'gotify-linux-arm64.zip' } })

    // Archive entries are data too: `../` and absolute paths are read, never extracted by their name.
    release('v4.0.1', {
      'gotify-linux-amd64.zip': makeZip([{ name: '../../../escaped-zip', data: ELF }, { name: '/tmp/absolute-zip', data: LICENSE }]),
      'gotify-linux-arm64.tar.gz': tarball('t.tar.gz', { 'gotify-linux-arm64': ELF }, '-czf')
    })
    process.env.RUNNER_TOOL_CACHE = path.join(jail, 'a', 'b', 'toolcache')
    const entries = await fetch('v4.0.1', [amd64, arm64])
    expect(entries.get('linux-amd64')).toMatchObject({ found: true, binary: { assetName: 'gotify-linux-amd64.zip' } })
    const file = entries.get('linux-amd64')?.found ? (entries.get('linux-amd64') as { binary: { path: string } }).binary.path : ''
    expect(fs.readFileSync(file).equals(ELF)).toBe(true)
    expect(fs.existsSync('/tmp/absolute-zip')).toBe(false)

    const outside = filesUnder(jail).filter(f => !f.startsWith(path.join('a', 'b', 'temp') + path.sep) && !f.startsWith(path.join('a', 'b', 'toolcache') + path.sep))
    expect(outside).toEqual([])
    // The tool cache holds the binaries and their markers, under names of the action's own.
    const cached = filesUnder(path.join(jail, 'a', 'b', 'toolcache')).filter(f => !f.endsWith('.complete'))
    expect(cached.every(f => /^gotify-server-binary\/4\.0\.[01]\/linux-(amd64|arm64)\/(server|\.asset-name)$/.test(f))).toBe(true)
  } finally {
    process.env.RUNNER_TEMP = path.join(root, 'temp')
  }
})

test('a zip bomb as the server binary is refused in one line naming the asset and the limit, and leaves nothing in RUNNER_TEMP', async () => {
  const temp = fs.mkdtempSync(path.join(root, 'bomb-temp-'))
  process.env.RUNNER_TEMP = temp
  try {
    // An ELF header, then zeros past 512 MB; the headers declare the ELF's size only (sizes in the archive are not trusted).
    const bomb = await deflateZeros(ELF, 600 * 1024 * 1024)
    expect(bomb.data.length).toBeLessThan(2 * 1024 * 1024)
    release('v5.0.0', { 'gotify-linux-amd64.zip': makeZip([{ name: 'LICENSE', data: LICENSE }, { name: 'gotify-linux-amd64', deflated: { ...bomb, size: ELF.length } }]) })
    const err = await fetch('v5.0.0').catch((e: Error) => e)
    expect(err).toBeInstanceOf(Error)
    expect((err as Error).message).toMatch(/^server-binary: gotify-linux-amd64\.zip refused: its binary expands past 512 MB, the limit for a server binary; /)
    expect((err as Error).message).not.toContain('\n')
    expect(filesUnder(temp)).toEqual([])
    expect(filesUnder(process.env.RUNNER_TOOL_CACHE ?? '')).toEqual([])
  } finally {
    process.env.RUNNER_TEMP = path.join(root, 'temp')
  }
}, 60_000)

test('the token goes to the API origin only: a redirect to another port of the same host gets none, one to the same origin keeps it', async () => {
  const zip = makeZip([{ name: 'gotify-linux-amd64', data: ELF }])
  release('v3.5.0', { 'gotify-linux-amd64.zip': zip })
  // Another port of 127.0.0.1, recording the Authorization header it gets.
  const received: Array<string | undefined> = []
  const storage = await listenLocal(async (req, res) => {
    received.push(req.headers.authorization)
    res.writeHead(200, { 'content-type': 'application/octet-stream' })
    res.end(zip)
  })
  github.inject({ path: /^\/repos\/gotify\/server\/releases\/assets\/\d+$/, method: 'GET', status: 302, headers: { location: `${storage.base}/storage/gotify-linux-amd64.zip` }, times: 1 })
  try {
    expect((await fetch('v3.5.0')).get('linux-amd64')).toMatchObject({ found: true, binary: { downloaded: true } })
    expect(received).toEqual([undefined])
  } finally {
    github.clearFaults()
    await storage.close()
  }
  // The test GitHub's own redirect stays on its origin: the token goes along.
  release('v3.6.0', { 'gotify-linux-amd64.zip': zip })
  const before = github.log.length
  expect((await fetch('v3.6.0')).get('linux-amd64')).toMatchObject({ found: true, binary: { downloaded: true } })
  const storageGets = github.log.slice(before).filter(r => r.path.startsWith('/_storage/'))
  expect(storageGets.map(r => r.headers.authorization)).toEqual([`Bearer ${TOKEN}`])
})
