import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import * as path from 'node:path'
import { StepError } from '../../src/errors.js'
import { GitHubApi } from '../../src/github/api.js'
import { parseChecksums, sha256Hex } from '../../src/release/checksums.js'
import type { Artifact } from '../../src/release/plan.js'
import { type UploadOptions, uploadToRelease } from '../../src/release/upload.js'
import { createGitHubServer, type GitHubServer } from '../support/github-server.js'
import { artifactFile } from '../support/release-artifacts.js'

const REPO = 'me/plugin'
let gh: GitHubServer
let api: GitHubApi
let dir: string
let logs: string[]

beforeEach(async () => {
  gh = await createGitHubServer({ token: 'secret-token-1234' })
  api = new GitHubApi({ token: 'secret-token-1234', baseUrl: gh.url, retry: { attempts: 4, baseMs: 5, maxMs: 50 }, timeoutMs: 1000 })
  dir = await mkdtemp(path.join(tmpdir(), 'upload-test-'))
  logs = []
})
afterEach(async () => {
  await gh.close()
  await rm(dir, { recursive: true, force: true })
})

const artifact = (name: string, content: string): Promise<Artifact> => artifactFile(dir, name, content)

function options(artifacts: Artifact[], extra: Partial<UploadOptions> = {}): UploadOptions {
  return { repository: { owner: 'me', name: 'plugin' }, tag: 'v1.0.0', artifacts, overwrite: false, checksums: true, log: m => logs.push(m), checksumPauseMs: 20, ...extra }
}

/** What a user checks: each listed file's bytes on the server hash to its line, and every .so is listed. */
function expectChecksumsMatchServer(tag = 'v1.0.0'): Map<string, string> {
  const assets = gh.state.assets(REPO, tag)
  const sums = parseChecksums(assets.get('SHA256SUMS')?.toString('utf8') ?? '')
  const soNames = [...assets.keys()].filter(n => n.endsWith('.so')).sort()
  expect([...sums.keys()]).toEqual(soNames)
  for (const [name, hex] of sums) expect(sha256Hex(assets.get(name)!)).toBe(hex)
  return sums
}

const two = async (): Promise<Artifact[]> => [await artifact('p-linux-amd64.so', 'amd64 bytes'), await artifact('p-linux-arm64.so', 'arm64 bytes')]

test('uploads every .so and a SHA256SUMS matching the bytes on the server', async () => {
  gh.state.addRelease(REPO, 'v1.0.0')
  const result = await uploadToRelease(api, options(await two()))
  expect(result.releaseUrl).toBe(`${gh.url}/me/plugin/releases/tag/v1.0.0`)
  expect(result.assets.map(a => [a.name, a.status])).toEqual([['p-linux-amd64.so', 'uploaded'], ['p-linux-arm64.so', 'uploaded'], ['SHA256SUMS', 'uploaded']])
  expect(gh.state.assets(REPO, 'v1.0.0').get('p-linux-amd64.so')?.toString()).toBe('amd64 bytes')
  expect(expectChecksumsMatchServer().size).toBe(2)
  // SHA256SUMS is the last write.
  expect(gh.writes().at(-1)?.url).toMatch(/\?name=SHA256SUMS/)
  for (const e of gh.log) expect(e.headers.authorization).toContain('secret-token-1234')
})

/** Uploads twice; the second run must keep everything and send no write request. */
async function expectSecondRunKeepsAll(): Promise<void> {
  const arts = await two()
  await uploadToRelease(api, options(arts))
  const before = gh.log.length
  const result = await uploadToRelease(api, options(arts))
  expect(result.assets.map(a => a.status)).toEqual(['kept', 'kept', 'kept'])
  expect(gh.log.slice(before).filter(e => e.method !== 'GET')).toEqual([])
}

test('a second identical run writes nothing and reports kept', async () => {
  gh.state.addRelease(REPO, 'v1.0.0')
  await expectSecondRunKeepsAll()
})

test('without digests, same bytes are still recognised (SHA256SUMS lines, then download)', async () => {
  gh.state.digests = false
  const rel = gh.state.addRelease(REPO, 'v1.0.0')
  gh.state.addAsset(rel, 'old.so', 'old bytes')
  await expectSecondRunKeepsAll()
  expect([...expectChecksumsMatchServer().keys()]).toEqual(['old.so', 'p-linux-amd64.so', 'p-linux-arm64.so'])
})

test('changed bytes without overwrite fail before any write and leave the old asset', async () => {
  const rel = gh.state.addRelease(REPO, 'v1.0.0')
  gh.state.addAsset(rel, 'p-linux-arm64.so', 'old arm64 bytes')
  const err = await uploadToRelease(api, options(await two())).catch(e => e)
  expect(err).toBeInstanceOf(StepError)
  expect(err.message).toBe('Release v1.0.0 already has an asset p-linux-arm64.so with other content; nothing was uploaded; set overwrite: true to replace them, or change asset-name')
  expect(gh.writes()).toEqual([])
  expect(gh.state.assets(REPO, 'v1.0.0').get('p-linux-arm64.so')?.toString()).toBe('old arm64 bytes')
})

test('with overwrite, changed bytes are replaced and SHA256SUMS follows', async () => {
  const rel = gh.state.addRelease(REPO, 'v1.0.0')
  gh.state.addAsset(rel, 'p-linux-arm64.so', 'old arm64 bytes')
  gh.state.addAsset(rel, 'SHA256SUMS', `${sha256Hex('old arm64 bytes')}  p-linux-arm64.so\n`)
  const result = await uploadToRelease(api, options(await two(), { overwrite: true }))
  expect(result.assets.map(a => [a.name, a.status])).toEqual([['p-linux-amd64.so', 'uploaded'], ['p-linux-arm64.so', 'replaced'], ['SHA256SUMS', 'replaced']])
  expect(gh.state.assets(REPO, 'v1.0.0').get('p-linux-arm64.so')?.toString()).toBe('arm64 bytes')
  expectChecksumsMatchServer()
})

test('a broken earlier upload is deleted and uploaded again', async () => {
  const rel = gh.state.addRelease(REPO, 'v1.0.0')
  gh.state.addAsset(rel, 'p-linux-amd64.so', 'amd', { state: 'starter' })
  const result = await uploadToRelease(api, options(await two()))
  expect(result.assets[0]).toMatchObject({ name: 'p-linux-amd64.so', status: 'uploaded' })
  expect(gh.state.assets(REPO, 'v1.0.0').get('p-linux-amd64.so')?.toString()).toBe('amd64 bytes')
  expect(gh.writes().filter(e => e.method === 'DELETE')).toHaveLength(1)
})

test('drafts are found through the paginated releases list', async () => {
  gh.state.addRelease(REPO, 'v1.0.0', { draft: true })
  for (let i = 0; i < 120; i++) gh.state.addRelease(REPO, `v0.${i}`)
  const result = await uploadToRelease(api, options(await two()))
  expect(result.releaseUrl).toMatch(/untagged-/)
  expectChecksumsMatchServer()
})

test('a missing release says to create it', async () => {
  gh.state.repo(REPO)
  await expect(uploadToRelease(api, options(await two()))).rejects.toThrow('me/plugin has no release for tag v1.0.0; create the release (a draft is fine) before uploading, or set release-tag')
})

test('more than 100 existing assets: every page is read, SHA256SUMS covers all', async () => {
  const rel = gh.state.addRelease(REPO, 'v1.0.0')
  for (let i = 0; i < 130; i++) gh.state.addAsset(rel, `other-${String(i).padStart(3, '0')}.so`, `x${i}`)
  gh.state.addAsset(rel, 'p-linux-arm64.so', 'arm64 bytes')
  const result = await uploadToRelease(api, options(await two()))
  expect(result.assets.map(a => a.status)).toEqual(['uploaded', 'kept', 'uploaded'])
  expect(expectChecksumsMatchServer().size).toBe(132)
})

test('injected 502s and dropped connections on upload still end in a complete release', async () => {
  gh.state.addRelease(REPO, 'v1.0.0')
  gh.inject({ method: 'POST', path: /^\/uploads\//, status: 502, retryAfter: 0, times: 2 })
  gh.inject({ method: 'POST', path: /^\/uploads\//, drop: 'after-body', times: 1 })
  // This one lands, then the connection drops: the retry meets already_exists.
  gh.inject({ method: 'POST', path: /^\/uploads\//, drop: 'after-effect', times: 1 })
  gh.inject({ method: 'GET', path: /\/assets$/, status: 500, times: 1 })
  const patient = new GitHubApi({ token: 'secret-token-1234', baseUrl: gh.url, retry: { attempts: 5, baseMs: 5, maxMs: 50 } })
  const result = await uploadToRelease(patient, options(await two()))
  expect(result.assets.map(a => a.status)).toEqual(['uploaded', 'uploaded', 'uploaded'])
  expect(expectChecksumsMatchServer().size).toBe(2)
  expect(gh.log.filter(e => e.fault).length).toBe(5)
})

test('403 on upload says the job needs contents: write', async () => {
  gh.state.addRelease(REPO, 'v1.0.0')
  gh.inject({ method: 'POST', path: /^\/uploads\//, status: 403 })
  await expect(uploadToRelease(api, options(await two()))).rejects.toThrow(
    /^Could not upload p-linux-amd64\.so on release v1\.0\.0 of me\/plugin \(POST \/uploads\/repos\/me\/plugin\/releases\/\d+\/assets: HTTP 403: injected 403\); the token may not change the releases of me\/plugin; give the job permissions: contents: write$/
  )
})

test('a concurrent job that uploaded other bytes under our name is a conflict', async () => {
  const rel = gh.state.addRelease(REPO, 'v1.0.0')
  // Seen as absent while planning, taken by the time we upload.
  gh.inject({ method: 'POST', path: /^\/uploads\//, delayMs: 300, times: 1 })
  const arts = await two()
  const upload = uploadToRelease(api, options(arts))
  while (!gh.log.some(e => e.method === 'POST')) await new Promise(r => setTimeout(r, 5))
  gh.state.addAsset(rel, 'p-linux-amd64.so', 'someone else')
  await expect(upload).rejects.toThrow('Release v1.0.0 got another p-linux-amd64.so while this job uploaded it (a concurrent job?); give each job its own asset names or set overwrite: true')
})

test('checksums: false uploads no SHA256SUMS', async () => {
  gh.state.addRelease(REPO, 'v1.0.0')
  const result = await uploadToRelease(api, options(await two(), { checksums: false }))
  expect(result.assets.map(a => a.name)).toEqual(['p-linux-amd64.so', 'p-linux-arm64.so'])
  expect(gh.state.assets(REPO, 'v1.0.0').has('SHA256SUMS')).toBe(false)
})

test('two concurrent runs with different artifacts both land and SHA256SUMS lists all', async () => {
  gh.state.addRelease(REPO, 'v1.0.0')
  // Slow uploads make the runs overlap.
  gh.inject({ method: 'POST', path: /^\/uploads\//, delayMs: 15 })
  const a = [await artifact('p-linux-amd64.so', 'amd64'), await artifact('p-linux-arm64.so', 'arm64')]
  const b = [await artifact('p-linux-arm-7.so', 'arm7'), await artifact('p-windows.so', 'win')]
  const apiB = new GitHubApi({ token: 'secret-token-1234', baseUrl: gh.url, retry: { attempts: 4, baseMs: 5, maxMs: 50 } })
  const [ra, rb] = await Promise.all([uploadToRelease(api, options(a)), uploadToRelease(apiB, options(b))])
  expect(ra.assets.slice(0, 2).map(x => x.status)).toEqual(['uploaded', 'uploaded'])
  expect(rb.assets.slice(0, 2).map(x => x.status)).toEqual(['uploaded', 'uploaded'])
  expect([...expectChecksumsMatchServer().keys()]).toEqual(['p-linux-amd64.so', 'p-linux-arm-7.so', 'p-linux-arm64.so', 'p-windows.so'])
})

test('concurrent runs converge on a stale SHA256SUMS, without digests', async () => {
  gh.state.digests = false
  const rel = gh.state.addRelease(REPO, 'v1.0.0')
  gh.state.addAsset(rel, 'p-old.so', 'old')
  gh.state.addAsset(rel, 'SHA256SUMS', `${sha256Hex('old')}  p-old.so\n`)
  gh.inject({ method: 'POST', path: /^\/uploads\//, delayMs: 15 })
  gh.inject({ method: 'DELETE', path: /\/assets\/\d+$/, delayMs: 15 })
  const runs = await Promise.all(['a', 'b', 'c'].map(async x => {
    const own = new GitHubApi({ token: 'secret-token-1234', baseUrl: gh.url, retry: { attempts: 4, baseMs: 5, maxMs: 50 } })
    return uploadToRelease(own, options([await artifact(`p-${x}.so`, `bytes of ${x}`)]))
  }))
  expect(runs.map(r => r.assets[0].status)).toEqual(['uploaded', 'uploaded', 'uploaded'])
  expect([...expectChecksumsMatchServer().keys()]).toEqual(['p-a.so', 'p-b.so', 'p-c.so', 'p-old.so'])
})
