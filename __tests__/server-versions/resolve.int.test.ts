import { GitHubApi } from '../../src/github/api.js'
import { parseVersionRequest } from '../../src/server-versions/request.js'
import { resolveServerVersions } from '../../src/server-versions/resolve.js'
import { createGitHubServer, type GitHubServer } from '../support/github-server.js'

// The edge of resolving server-version against the test GitHub: paging, tags
// without a release, GO_VERSION per tag, and failures on one line.
let gh: GitHubServer
let api: GitHubApi
const lines: string[] = []
const log = { info: (l: string) => lines.push(`info: ${l}`), warning: (l: string) => lines.push(`warning: ${l}`) }

beforeEach(async () => {
  gh = await createGitHubServer({ token: 't' })
  api = new GitHubApi({ token: 't', baseUrl: gh.url, retry: { attempts: 2, baseMs: 5, maxMs: 20 }, timeoutMs: 400 })
  lines.length = 0
})
afterEach(() => gh.close())

const resolve = (text: string, includePrereleases = false) =>
  resolveServerVersions(api, { server: { owner: 'gotify', name: 'server' }, request: parseVersionRequest(text), includePrereleases, log })

function release(tag: string, goVersion: string): void {
  gh.state.addTag('gotify/server', tag, { GO_VERSION: `${goVersion}\n`, 'go.mod': 'module github.com/gotify/server/v2\n\ngo 1.22\n' })
  gh.state.addRelease('gotify/server', tag)
}

test('a range over more than one page of releases, each version with its own GO_VERSION, newest first', async () => {
  for (let i = 0; i < 130; i++) release(`v1.${i}.0`, `1.${10 + (i % 10)}.1`)
  const got = await resolve('>=1.127.0, v1.3.0')
  expect(got.map(r => [r.tag, r.goVersion])).toEqual([['v1.129.0', '1.19.1'], ['v1.128.0', '1.18.1'], ['v1.127.0', '1.17.1'], ['v1.3.0', '1.13.1']])
  expect(gh.log.filter(r => r.path === '/repos/gotify/server/releases')).toHaveLength(2)
  expect(lines).toContain('info: Server versions of gotify/server (4, newest first): v1.129.0, v1.128.0, v1.127.0, v1.3.0 (server-version: >=1.127.0, v1.3.0)')
})

test('a tag without a release is checked as a tag; a term that selects nothing is a warning', async () => {
  release('v2.0.0', '1.21.0')
  gh.state.addTag('gotify/server', 'v1.9.9', { GO_VERSION: '1.20.0\n', 'go.mod': 'module x\n' })
  expect((await resolve('v1.9.9, >=5')).map(r => r.tag)).toEqual(['v1.9.9'])
  expect(lines).toContain('warning: server-version: >=5 selects no release of gotify/server')
  await expect(resolve('v9.9.9, >=1')).rejects.toThrow('gotify/server has no tag "v9.9.9"; newest tags: v1.9.9, v2.0.0; set server-version to one of them or latest')
})

test('GitHub failing on the release list is one line that says what to do', async () => {
  release('v2.0.0', '1.21.0')
  gh.inject({ path: '/repos/gotify/server/releases', status: 502 })
  await expect(resolve('latest-2')).rejects.toThrow(/^Could not list the releases of the server gotify\/server \(GET \/repos\/gotify\/server\/releases: HTTP 502.*\); GitHub kept failing; re-run the job later$/)
})

test('among several tags, one without go.mod or a Go version is kept as one the action cannot build for; every tag so is the run\'s error', async () => {
  release('v2.4.0', '1.21.1')
  gh.state.addTag('gotify/server', 'v2.0.0', { GO_VERSION: '1.12.0\n' })
  gh.state.addRelease('gotify/server', 'v2.0.0')
  gh.state.addTag('gotify/server', 'v1.9.0', { 'go.mod': 'module github.com/gotify/server\n' })
  gh.state.addRelease('gotify/server', 'v1.9.0')
  const got = await resolve('>=1.9.0')
  expect(got.map(r => [r.tag, r.goVersion, r.cannotServe])).toEqual([
    ['v2.4.0', '1.21.1', undefined],
    ['v2.0.0', '', 'gotify/server has no go.mod at v2.0.0; server-repository must be a Go module'],
    ['v1.9.0', '', expect.stringContaining('at v1.9.0 has no GO_VERSION file and its go.mod has no toolchain line')]
  ])
  expect(lines).toContain('warning: server-version: v2.0.0 cannot be built for: gotify/server has no go.mod at v2.0.0; server-repository must be a Go module')
  await expect(resolve('v2.0.0, v1.9.0')).rejects.toThrow(/has no go\.mod at v2\.0\.0; .*; gotify\/server at v1\.9\.0 has no GO_VERSION file/)
  // One tag asked for alone fails as before.
  await expect(resolve('v2.0.0')).rejects.toThrow('gotify/server has no go.mod at v2.0.0; server-repository must be a Go module')
})
