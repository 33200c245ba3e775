import { GitHubApi, GitHubApiError, apiPath } from '../../src/github/api.js'
import { assetShape, listOf, releaseShape, tagShape } from '../../src/github/shapes.js'
import { createGitHubServer, type GitHubServer } from '../support/github-server.js'
import { listenLocal } from '../support/local-server.js'

const TOKEN = 'ghs_test_token_123'
let gh: GitHubServer
let logs: string[]
let api: GitHubApi

beforeEach(async () => {
  gh = await createGitHubServer({ token: TOKEN })
  logs = []
  api = new GitHubApi({ token: TOKEN, baseUrl: gh.url, log: m => logs.push(m), retry: { attempts: 4, baseMs: 5, maxMs: 50 }, timeoutMs: 500 })
})
afterEach(() => gh.close())

test('sends the token on every request and never logs it', async () => {
  gh.state.addRelease('o/r', 'v1')
  gh.inject({ path: '/repos/o/r/releases/latest', status: 500, times: 1 })
  const rel = await api.getJson('/repos/o/r/releases/latest', releaseShape)
  expect(rel.tag_name).toBe('v1')
  expect(gh.log).toHaveLength(2)
  for (const e of gh.log) expect(e.headers.authorization).toMatch(new RegExp(`^(token|Bearer) ${TOKEN}$`))
  expect(logs.join('\n')).not.toContain(TOKEN)
  expect(logs.join('\n')).toMatch(/HTTP 500/)
})

test('a wrong token is a 401 that is not retried', async () => {
  const bad = new GitHubApi({ token: 'nope', baseUrl: gh.url, retry: { attempts: 4, baseMs: 5, maxMs: 50 } })
  const err = (await bad.getJson('/repos/o/r/tags', listOf(tagShape)).catch((e: unknown) => e)) as GitHubApiError
  expect(err).toBeInstanceOf(GitHubApiError)
  expect(err.status).toBe(401)
  expect(gh.log).toHaveLength(1)
})

test('baseUrl defaults to GITHUB_API_URL', async () => {
  const saved = process.env.GITHUB_API_URL
  process.env.GITHUB_API_URL = gh.url
  try {
    gh.state.addTag('o/r', 'v1')
    const fromEnv = new GitHubApi({ token: TOKEN })
    expect(await fromEnv.getJson('/repos/o/r/tags', listOf(tagShape))).toEqual([expect.objectContaining({ name: 'v1' })])
  } finally {
    if (saved === undefined) delete process.env.GITHUB_API_URL
    else process.env.GITHUB_API_URL = saved
  }
})

test('retries 502 with retry-after, then gives up after the bounded attempts', async () => {
  gh.state.addTag('o/r', 'v1')
  const fault = gh.inject({ path: '/repos/o/r/tags', status: 502, retryAfter: 0 })
  const err = (await api.getJson('/repos/o/r/tags', listOf(tagShape)).catch((e: unknown) => e)) as GitHubApiError
  expect(err).toBeInstanceOf(GitHubApiError)
  expect(err.message).toBe('GET /repos/o/r/tags failed: HTTP 502, gave up after 4 tries: injected 502')
  expect(fault.hits).toBe(4)
})

test('404 is not retried and getJsonOrUndefined turns it into undefined', async () => {
  gh.state.repo('o/r')
  expect(await api.getJsonOrUndefined('/repos/o/r/releases/latest', releaseShape)).toBeUndefined()
  expect(gh.log).toHaveLength(1)
})

test('a slow answer times out and the next try succeeds', async () => {
  gh.state.addTag('o/r', 'v1')
  gh.inject({ path: '/repos/o/r/tags', delayMs: 1500, times: 1 })
  const started = Date.now()
  expect(await api.getJson('/repos/o/r/tags', listOf(tagShape))).toHaveLength(1)
  expect(Date.now() - started).toBeLessThan(1400)
  expect(logs.join('\n')).toMatch(/timed out/)
})

test('a dropped connection is retried', async () => {
  gh.state.addTag('o/r', 'v1')
  gh.inject({ path: '/repos/o/r/tags', drop: 'before-body', times: 2 })
  expect(await api.getJson('/repos/o/r/tags', listOf(tagShape))).toHaveLength(1)
  expect(gh.log.filter(e => e.path === '/repos/o/r/tags')).toHaveLength(3)
})

test('paginate follows every page, 100 at a time', async () => {
  const rel = gh.state.addRelease('o/r', 'v1')
  for (let i = 0; i < 250; i++) gh.state.addAsset(rel, `a${i}.so`, `bytes ${i}`)
  gh.inject({ path: `/repos/o/r/releases/${rel.id}/assets`, status: 500, times: 1 })
  const assets = await api.paginate(apiPath`/repos/o/r/releases/${rel.id}/assets`, assetShape)
  expect(assets.map(a => a.name)).toEqual(Array.from({ length: 250 }, (_, i) => `a${i}.so`))
  const pages = gh.log.filter(e => e.path.endsWith('/assets') && !e.fault)
  expect(pages.map(e => new URL(e.url, gh.url).searchParams.get('page') ?? '1')).toEqual(['1', '2', '3'])
  expect(pages.every(e => new URL(e.url, gh.url).searchParams.get('per_page') === '100')).toBe(true)
})

test('getFile decodes contents, undefined when missing', async () => {
  gh.state.addTag('o/r', 'v1', { 'GO_VERSION': '1.22.5\n', 'sub/dir/f.txt': 'ü'.repeat(100) })
  expect(await api.getFile('o', 'r', 'GO_VERSION', 'v1')).toBe('1.22.5\n')
  expect(await api.getFile('o', 'r', 'sub/dir/f.txt', 'v1')).toBe('ü'.repeat(100))
  expect(await api.getFile('o', 'r', 'go.mod', 'v1')).toBeUndefined()
  expect(gh.log.map(e => e.url)).toContain('/repos/o/r/contents/GO_VERSION?ref=v1')
})

test('upload, rename, download and delete an asset', async () => {
  const rel = gh.state.addRelease('o/r', 'v1')
  const release = await api.getJson('/repos/o/r/releases/tags/v1', releaseShape)
  const bytes = Buffer.from([0, 1, 2, 255, 254])
  const up = await api.uploadAsset(release.upload_url, 'x.so', bytes)
  expect(up).toMatchObject({ name: 'x.so', size: 5, state: 'uploaded' })
  const renamed = await api.renameAsset('o', 'r', up.id, 'y.so')
  expect(renamed.name).toBe('y.so')
  expect(await api.downloadAsset('o', 'r', up.id)).toEqual(bytes)
  await api.deleteAsset('o', 'r', up.id)
  expect(rel.assets).toHaveLength(0)
})

test('an upload whose connection drops is retried; the landed first try shows as already_exists', async () => {
  gh.state.addRelease('o/r', 'v1')
  const release = await api.getJson('/repos/o/r/releases/tags/v1', releaseShape)
  gh.inject({ method: 'POST', path: /^\/uploads\//, drop: 'after-effect', times: 1 })
  const err = await api.uploadAsset(release.upload_url, 'x.so', Buffer.from('x')).catch(e => e)
  expect(err).toBeInstanceOf(GitHubApiError)
  expect(err).toMatchObject({ status: 422, code: 'already_exists' })
  expect(gh.state.assets('o/r', 'v1').get('x.so')?.toString()).toBe('x')
})

test('a rate-limited 403 waits for the reset and retries; a plain 403 does not', async () => {
  gh.state.addTag('o/r', 'v1')
  const reset = String(Math.floor(Date.now() / 1000) - 1)
  gh.inject({ path: '/repos/o/r/tags', status: 403, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset }, times: 1 })
  expect(await api.getJson('/repos/o/r/tags', listOf(tagShape))).toHaveLength(1)
  gh.inject({ path: '/repos/o/r/tags', status: 403, times: 1 })
  await expect(api.getJson('/repos/o/r/tags', listOf(tagShape))).rejects.toMatchObject({ status: 403 })
  expect(gh.log).toHaveLength(3)
})

test('an empty token is an input error, before any request', () => {
  expect(() => new GitHubApi({ token: '', baseUrl: gh.url })).toThrow("Input 'token': is empty; accepted: a GitHub token, such as the default ${{ github.token }}")
  expect(gh.log).toHaveLength(0)
})

test('apiPath encodes each part, keeps "/" in tags, and refuses . and .. segments (URLs resolve them, even encoded)', () => {
  expect(apiPath`/repos/${'o'}/${'r'}/releases/tags/${'release/v1 #2'}`).toBe('/repos/o/r/releases/tags/release/v1%20%232')
  for (const tag of ['../../../../gotify/server/releases/tags/v2.9.1', 'v1/./x', '..']) {
    expect(() => apiPath`/repos/o/r/releases/tags/${tag}`).toThrow(/would leave its place in an API path/)
  }
})

test('downloadAsset sends the token to the API origin only: not on a redirect to another port, kept on one to the same origin', async () => {
  const rel = gh.state.addRelease('o/r', 'v1')
  const asset = gh.state.addAsset(rel, 'x.so', 'bytes')
  const received: Array<string | undefined> = []
  const storage = await listenLocal(async (req, res) => {
    received.push(req.headers.authorization)
    res.end('elsewhere')
  })
  try {
    gh.inject({ path: `/repos/o/r/releases/assets/${asset.id}`, status: 302, headers: { location: `${storage.base}/x.so` }, times: 1 })
    expect((await api.downloadAsset('o', 'r', asset.id)).toString()).toBe('elsewhere')
    expect(received).toEqual([undefined])
  } finally {
    await storage.close()
  }
  expect((await api.downloadAsset('o', 'r', asset.id)).toString()).toBe('bytes')
  expect(gh.log.filter(e => e.path.startsWith('/_storage/')).map(e => e.headers.authorization)).toEqual([expect.stringContaining(TOKEN)])
})
