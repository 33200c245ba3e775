// End to end (issue 18): the bundled action against a test GitHub that answers
// like an attacker or a broken proxy would. A tag or release name holding a
// newline and a workflow command is never printed so that the runner would
// run it; malformed answers end in one line naming the request and what was
// wrong with the answer, never in "unexpected error".
import * as fs from 'node:fs'
import * as path from 'node:path'
import { type ActionRun, FIXTURES, checkoutPlugin, expectNoStack, runAction } from './support/action-harness.js'
import { type GitHubServer, createGitHubServer } from './support/github-server.js'

const SERVER = 'gotify/server'
const BAD_TAG = 'v1.0.0\n::warning::pwned'
let github: GitHubServer
let workspace: string

beforeAll(async () => {
  github = await createGitHubServer()
  const files = { GO_VERSION: '1.22.5\n', 'go.mod': fs.readFileSync(path.join(FIXTURES, 'server', 'go.mod'), 'utf8') }
  github.state.addTag(SERVER, 'v0.9.0', files)
  github.state.addRelease(SERVER, 'v0.9.0')
  // The newest release: its tag and name carry a workflow command after a newline (and files, so it could be used).
  github.state.addTag(SERVER, BAD_TAG, files)
  github.state.addRelease(SERVER, BAD_TAG, { name: 'Release\n::warning::pwned-name\r::error::pwned-cr' })
  workspace = checkoutPlugin('basic')
})
afterAll(async () => {
  await github.close()
  fs.rmSync(workspace, { recursive: true, force: true })
})

const run = (inputs: Record<string, string>): Promise<ActionRun> =>
  runAction({
    inputs: { 'server-repository': SERVER, 'plugin-path': 'plugin', token: 't', platforms: 'linux-amd64', cache: 'false', upload: 'false', ...inputs },
    workspace,
    apiUrl: github.url
  })

/** Lines the runner would execute as a command the API slipped in (a message starting "pwned"), in either form. */
function injected(log: string): string[] {
  return log.split(/\r\n|\r|\n/).filter(l => /^\s*::[^:]*::pwned/.test(l) || l.includes('##['))
}

test('a release tag with a newline and a workflow command is never printed raw: skipped in the list, refused as latest', async () => {
  const listed = await run({ 'server-version': 'latest-2', 'resolve-only': 'true' })
  expect(injected(listed.log)).toEqual([])
  expect(listed.code).toBe(0)
  expect(JSON.parse(listed.outputs['server-versions'])).toEqual(['v0.9.0'])
  expect(listed.log).toContain('::warning::server-version: skipped the release "v1.0.0\\n::warning::pwned" of gotify/server: its tag contains a control character, so it is not a valid git tag')
  expect(listed.summary).not.toContain('pwned')

  const latest = await run({ 'server-version': 'latest', 'resolve-only': 'true' })
  expect(injected(latest.log)).toEqual([])
  expect(latest.code).toBe(1)
  expect(latest.errors).toEqual([
    `::error::GET /repos/gotify/server/releases/latest: the latest release's tag "v1.0.0\\n::warning::pwned" contains a control character, so it is not a valid git tag; set server-version to a tag; the API answered something GitHub would not (re-run later; on GitHub Enterprise check GITHUB_API_URL)`
  ])
  expectNoStack(latest.log)
})

test.each([
  ['not JSON', '/repos/gotify/server/releases', '<html>Bad gateway</html>', 'GET /repos/gotify/server/releases: the answer is not JSON (24 bytes: "<html>Bad gateway</html>")'],
  ['an object for a list', '/repos/gotify/server/releases', '{"message":"moved"}', 'GET /repos/gotify/server/releases: the answer is not a JSON list (got an object)'],
  ['null in a list', '/repos/gotify/server/releases', '[null]', 'GET /repos/gotify/server/releases: item 0 of the list is not a release (got null)'],
  [
    'a tag_name that is a number',
    '/repos/gotify/server/releases',
    '[{"id":1,"tag_name":5,"name":"x","draft":false,"prerelease":false,"html_url":"h","upload_url":"u"}]',
    'GET /repos/gotify/server/releases: item 0 of the list is not a release: tag_name is a number (5), not a string'
  ],
  ['null for a release', '/repos/gotify/server/releases/latest', 'null', 'GET /repos/gotify/server/releases/latest: the answer is not a release (got null)']
])('a malformed answer (%s) ends in one line naming the request and the problem', async (_what, route, body, message) => {
  github.inject({ method: 'GET', path: route, body })
  try {
    const r = await run({ 'server-version': route.endsWith('/latest') ? 'latest' : 'latest-1', 'resolve-only': 'true' })
    expect(r.code).toBe(1)
    expect(r.errors).toEqual([`::error::${message}; the API answered something GitHub would not (re-run later; on GitHub Enterprise check GITHUB_API_URL)`])
    expectNoStack(r.log)
  } finally {
    github.clearFaults()
  }
})

test('a release asset without a name ends in one line naming the request, before anything is built', async () => {
  github.inject({ method: 'GET', path: /^\/repos\/gotify\/server\/releases\/\d+\/assets$/, body: '[{"id":7,"size":3,"state":"uploaded"}]' })
  try {
    const r = await run({ 'server-version': 'v0.9.0', verify: 'true' })
    expect(r.code).toBe(1)
    expect(r.errors).toHaveLength(1)
    expect(r.errors[0]).toMatch(/^::error::GET \/repos\/gotify\/server\/releases\/\d+\/assets: item 0 of the list is not a release asset: name is missing; the API answered/)
    expectNoStack(r.log)
    expect(fs.existsSync(path.join(workspace, 'plugin', 'build'))).toBe(false)
  } finally {
    github.clearFaults()
  }
})
