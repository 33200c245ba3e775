import { StepError } from '../../src/errors.js'
import { GitHubApi } from '../../src/github/api.js'
import { resolveServerRelease } from '../../src/server/release.js'
import { createGitHubServer, type GitHubServer } from '../support/github-server.js'

const SERVER = { owner: 'gotify', name: 'server' }
const GO_MOD = 'module github.com/gotify/server/v2\n\ngo 1.22\n\ntoolchain go1.22.4\n'
let gh: GitHubServer
let api: GitHubApi

beforeEach(async () => {
  gh = await createGitHubServer({ token: 't' })
  api = new GitHubApi({ token: 't', baseUrl: gh.url, retry: { attempts: 3, baseMs: 5, maxMs: 50 }, timeoutMs: 400 })
})
afterEach(() => gh.close())

function release(tag: string, files: Record<string, string>, opts: { draft?: boolean; prerelease?: boolean } = {}): void {
  gh.state.addTag('gotify/server', tag, files)
  gh.state.addRelease('gotify/server', tag, opts)
}

test('latest is the newest published release, skipping drafts and pre-releases', async () => {
  release('v2.8.0', { GO_VERSION: '1.21.1\n', 'go.mod': GO_MOD })
  release('v3.0.0', { GO_VERSION: '1.24.0\n', 'go.mod': GO_MOD.replace('go1.22.4', 'go1.24.0') })
  release('v3.1.0-rc1', { GO_VERSION: '1.25rc1\n', 'go.mod': GO_MOD }, { prerelease: true })
  release('v3.2.0', { GO_VERSION: '1.25.0\n', 'go.mod': GO_MOD }, { draft: true })
  const r = await resolveServerRelease(api, SERVER, 'latest')
  // Module path stays .../v2 at v3.0.0: nothing comes from the tag name.
  expect(r).toEqual({ owner: 'gotify', name: 'server', tag: 'v3.0.0', origin: { kind: 'release' }, goVersion: '1.24.0', goVersionSource: 'GO_VERSION', goMod: GO_MOD.replace('go1.22.4', 'go1.24.0') })
})

test('a tag resolves through its files; GO_VERSION is trimmed', async () => {
  release('v2.9.1', { GO_VERSION: '  1.23.4 \n', 'go.mod': GO_MOD })
  const r = await resolveServerRelease(api, SERVER, 'v2.9.1')
  expect(r.tag).toBe('v2.9.1')
  expect(r.goVersion).toBe('1.23.4')
  expect(gh.log.map(e => e.url)).toEqual(expect.arrayContaining(['/repos/gotify/server/contents/GO_VERSION?ref=v2.9.1', '/repos/gotify/server/contents/go.mod?ref=v2.9.1']))
})

test('a missing tag fails naming it and listing the newest tags', async () => {
  for (const t of ['v1.0.0', 'v2.0.0', 'v2.1.0', 'v2.2.0', 'v2.3.0', 'v2.4.0']) gh.state.addTag('gotify/server', t)
  const err = await resolveServerRelease(api, SERVER, 'v9.9.9').catch(e => e)
  expect(err).toBeInstanceOf(StepError)
  expect(err.message).toBe('gotify/server has no tag "v9.9.9"; newest tags: v2.4.0, v2.3.0, v2.2.0, v2.1.0, v2.0.0; set server-version to one of them or latest')
})

test('without GO_VERSION the toolchain line of go.mod is used', async () => {
  release('v2.9.1', { 'go.mod': GO_MOD })
  const r = await resolveServerRelease(api, SERVER, 'v2.9.1')
  expect(r.goVersion).toBe('1.22.4')
  expect(r.goVersionSource).toBe('toolchain')
})

test('neither GO_VERSION nor a toolchain line: the error names both', async () => {
  release('v2.9.1', { 'go.mod': 'module github.com/gotify/server/v2\n\ngo 1.22\n' })
  await expect(resolveServerRelease(api, SERVER, 'v2.9.1')).rejects.toThrow(/no GO_VERSION file and its go\.mod has no toolchain line; looked for GO_VERSION and "toolchain goX\.Y\.Z" in go\.mod/)
})

test('no go.mod at the tag fails naming it', async () => {
  release('v2.9.1', { GO_VERSION: '1.22.4' })
  await expect(resolveServerRelease(api, SERVER, 'v2.9.1')).rejects.toThrow('gotify/server has no go.mod at v2.9.1; server-repository must be a Go module')
})

test.each(['1.22; rm -rf /', 'latest', '1.22\n1.23', '$(id)', 'go1.22.x'])('GO_VERSION %j is refused on one line', async bad => {
  release('v2.9.1', { GO_VERSION: bad, 'go.mod': GO_MOD })
  const err = await resolveServerRelease(api, SERVER, 'v2.9.1').catch(e => e)
  expect(err).toBeInstanceOf(StepError)
  expect(err.message).toMatch(/^GO_VERSION of gotify\/server at v2\.9\.1 is ".*", not a Go version; accepted: /)
  expect(err.message).not.toContain('\n')
})

test('a bad toolchain value is refused', async () => {
  release('v2.9.1', { 'go.mod': 'module x\n\ntoolchain default\n' })
  await expect(resolveServerRelease(api, SERVER, 'v2.9.1')).rejects.toThrow(/toolchain "default", not a Go version/)
})

test('no published release at all', async () => {
  release('v1.0.0', { 'go.mod': GO_MOD }, { draft: true })
  await expect(resolveServerRelease(api, SERVER, 'latest')).rejects.toThrow(/has no published release/)
})

test('a missing repository says so', async () => {
  await expect(resolveServerRelease(api, { owner: 'nobody', name: 'nothing' }, 'v1')).rejects.toThrow('Repository nobody/nothing was not found (or the token cannot read it); check server-repository')
})

test('500s and a slow answer on the way are retried', async () => {
  release('v2.9.1', { GO_VERSION: '1.22.4', 'go.mod': GO_MOD })
  gh.inject({ path: '/repos/gotify/server/releases/latest', status: 500, times: 2 })
  gh.inject({ path: '/repos/gotify/server/contents/go.mod', delayMs: 1000, times: 1 })
  const r = await resolveServerRelease(api, SERVER, 'latest')
  expect(r.goVersion).toBe('1.22.4')
})

test('a persistent 500 ends in an error naming the request', async () => {
  release('v2.9.1', { GO_VERSION: '1.22.4', 'go.mod': GO_MOD })
  gh.inject({ path: '/repos/gotify/server/contents/GO_VERSION', status: 500 })
  await expect(resolveServerRelease(api, SERVER, 'v2.9.1')).rejects.toThrow('Could not read GO_VERSION and go.mod at tag v2.9.1 of the server gotify/server (GET /repos/gotify/server/contents/GO_VERSION: HTTP 500, gave up after 3 tries: injected 500); GitHub kept failing; re-run the job later')
})
