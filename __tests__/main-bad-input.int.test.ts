import * as fs from 'node:fs'
import * as net from 'node:net'
import * as path from 'node:path'
import { TOOLCHAINS, requireImage } from './support/toolchains.js'
import { type World, checkoutPlugin, expectNoStack, fileTree, runAction, startWorld } from './support/action-harness.js'
import type { Fault } from './support/github-server.js'

// Bad input: one line that names the input (or the file) and what is accepted,
// and nothing written: no output-dir, go.mod untouched, no write to GitHub.
// Every run here stops before or soon after its first build: coldGoCache spares each the copies of the suite's GOCACHE.
let world: World
beforeAll(async () => {
  world = await startWorld()
  world.github.state.addTag('gotify/server', 'v1.0.0-nofiles', { 'go.mod': 'module example.com/server\n\ngo 1.21\n' })
  world.github.state.addTag('gotify/server', 'v1.0.0-badgo', { GO_VERSION: '1.22; rm -rf /\n', 'go.mod': 'module example.com/server\n' })
  world.github.state.repo('someone/plugin')
})
afterAll(async () => world.close())

/** A second module outside the workspace: the action must never write there. */
const outside = (): string => path.join(checkoutPlugin('basic'), 'plugin')

type Prepare = (workspace: string) => Record<string, string>
const cases: Array<[string, Record<string, string>, RegExp, Prepare?]> = [
  ['unknown platform', { platforms: 'linux-amd64,linux-mips64x' }, /Input 'platforms': unknown platform "linux-mips64x"; accepted: linux-amd64/],
  ['malformed server-repository', { 'server-repository': 'gotify' }, /Input 'server-repository': "gotify" is not owner\/name; accepted: /],
  ['a tag that does not exist', { 'server-version': 'v9.9.9' }, /v9\.9\.9.*(v2\.9\.1|v2\.9\.0)/],
  ['neither GO_VERSION nor toolchain', { 'server-version': 'v1.0.0-nofiles' }, /GO_VERSION.*toolchain/],
  ['an invalid GO_VERSION', { 'server-version': 'v1.0.0-badgo' }, /GO_VERSION/],
  ['plugin-path without go.mod', { 'plugin-path': 'nowhere' }, /Input 'plugin-path': no go\.mod in .*nowhere; accepted: /],
  ['asset-name giving two platforms one name', { 'asset-name': '{plugin}-{arch}.so', platforms: 'linux-arm-7,linux-arm-6' }, /Input 'asset-name': .* the same name; accepted: /],
  ['asset-name with a path separator', { 'asset-name': '../{plugin}-{platform}.so' }, /Input 'asset-name': .*path separator; accepted: /],
  ['an unparsable go-env line', { 'go-env': 'GOPROXY=x\nnot an assignment' }, /Input 'go-env': cannot read line "not an assignment"; accepted: KEY=VALUE/],
  ['upload forced without a release', { upload: 'true' }, /Input 'release-tag'/],
  // With verify: false nothing else would notice that the .so can never load.
  ['-trimpath in build-args', { 'build-args': '-trimpath', verify: 'false' }, /Input 'build-args': -trimpath rewrites the source paths .*plugin\.Open refuses the \.so.*; accepted: /],
  ['-trimpath in go-env GOFLAGS', { 'go-env': 'GOFLAGS=-trimpath', verify: 'false' }, /Input 'go-env': GOFLAGS -trimpath rewrites .*; accepted: /],
  // Issue 8, point 6: tags by git's rules, before any request.
  ['a release-tag walking up the API path', { upload: 'true', 'release-tag': '../../../../gotify/server/releases/tags/v2.9.1' }, /^::error::Input 'release-tag': ".*" is not a tag name: it contains "\.\."; accepted: /],
  ['a server-version walking up the API path', { 'server-version': 'v2.9.1/../../../x' }, /^::error::Input 'server-version': ".*" is not a tag name: it contains "\.\."; accepted: /],
  // Point 7: checks that need no build come before anything is written.
  ['an output-dir that is a file', { 'output-dir': 'out' }, /^::error::Input 'output-dir': .*\/out is a file, not a folder; accepted: /, ws => (fs.writeFileSync(path.join(ws, 'out'), 'mine\n'), {})],
  ['a go.mod that is a folder', { 'plugin-path': 'other' }, /^::error::Input 'plugin-path': .*\/other\/go\.mod is not a file; accepted: /, ws => (fs.mkdirSync(path.join(ws, 'other', 'go.mod'), { recursive: true }), {})],
  ['a release-tag without a release', { upload: 'true', 'release-tag': 'v7.7.7' }, /^::error::someone\/plugin has no release for tag v7\.7\.7; create the release/],
  // Point 8: plugin-path and output-dir stay in the workspace.
  ['a plugin-path outside the workspace', {}, /^::error::Input 'plugin-path': ".*" is outside the workspace /, () => ({ 'plugin-path': outside() })],
  ['a plugin-path with ../', { 'plugin-path': '../elsewhere' }, /^::error::Input 'plugin-path': "\.\.\/elsewhere" is outside the workspace /],
  ['a plugin-path that is a link out of the workspace', { 'plugin-path': 'linked' }, /^::error::Input 'plugin-path': .*linked leads outside the workspace through a symbolic link/, ws => (fs.symlinkSync(outside(), path.join(ws, 'linked')), {})],
  ['a relative output-dir leaving the workspace', { 'output-dir': '../out' }, /^::error::Input 'output-dir': "\.\.\/out" is outside the workspace /],
  ['an absolute output-dir outside the workspace and RUNNER_TEMP', {}, /^::error::Input 'output-dir': ".*" is outside the workspace .* and RUNNER_TEMP /, () => ({ 'output-dir': path.join(path.dirname(outside()), 'out') })],
  ['an output-dir that is a link out of the workspace', { 'output-dir': 'outlink/build' }, /^::error::Input 'output-dir': .*outlink\/build leads outside the workspace and RUNNER_TEMP through a symbolic link/, ws => (fs.symlinkSync(path.dirname(outside()), path.join(ws, 'outlink')), {})],
  // Point 2: never delete or overwrite a file the action did not make.
  ['an asset-name that is a source file of the plugin', { 'output-dir': 'plugin', 'asset-name': 'plugin.go', platforms: 'linux-amd64' }, /^::error::Input 'asset-name': .*\/plugin\/plugin\.go is a file this action did not write/],
  ['an asset-name that is go.mod', { 'output-dir': 'plugin', 'asset-name': 'go.mod', platforms: 'linux-amd64' }, /^::error::Input 'asset-name': .*\/plugin\/go\.mod is a file this action did not write/],
  ['an asset named SHA256SUMS', { 'asset-name': 'SHA256SUMS', platforms: 'linux-amd64' }, /^::error::Input 'asset-name': "SHA256SUMS" is the name of the action's own SHA256SUMS/],
  ['an asset named compat-report.json', { 'asset-name': 'compat-report.json', platforms: 'linux-amd64' }, /^::error::Input 'asset-name': "compat-report\.json" is the name of the action's own compat-report\.json/]
]

// (A rest parameter: jest would take a fourth one for a done callback.)
test.each(cases)('%s', async (_name, given, message, ...rest: Array<Prepare | undefined>) => {
  const [prepare] = rest
  const workspace = checkoutPlugin('basic')
  const extra = prepare?.(workspace) ?? {}
  const before = fileTree(workspace)
  const outsideBefore = extra['plugin-path'] ? fileTree(extra['plugin-path']) : undefined
  const logBefore = world.github.log.length
  const writesBefore = world.github.writes().length
  const run = await runAction({ coldGoCache: true,
    inputs: { 'server-repository': 'gotify/server', 'plugin-path': 'plugin', token: 't', 'go-env': world.goEnv, ...given, ...extra },
    workspace,
    apiUrl: world.github.url
  })
  expect(run.code).toBe(1)
  expect(run.errors).toHaveLength(1)
  expect(run.errors[0]).toMatch(message)
  expectNoStack(run.log)
  // Nothing written: the workspace (the plugin, the output folder) as it was, nothing outside, nothing on GitHub.
  expect(fileTree(workspace)).toEqual(before)
  if (outsideBefore) expect(fileTree(extra['plugin-path'])).toEqual(outsideBefore)
  expect(world.github.writes().length).toBe(writesBefore)
  expect(world.github.log.slice(logBefore).filter(e => /\/\.\.?(\/|$)|%2e/i.test(e.url))).toEqual([])
})

/** A loopback URL nothing listens on. */
async function closedPort(): Promise<string> {
  const server = net.createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as net.AddressInfo
  await new Promise(resolve => server.close(resolve))
  return `http://127.0.0.1:${port}`
}

// Failures of GitHub itself: one line that says what failed and what to do, before anything is built.
const githubFaults: Array<[string, Fault | 'refused', RegExp]> = [
  ['a 401 (bad token)', { path: /^\/repos\//, status: 401 }, /^::error::Could not read the latest release of the server gotify\/server \(GET \S+: HTTP 401: injected 401\); GitHub refused the token; check the token input/],
  ['a 403 reading the server', { path: /^\/repos\/gotify\/server\//, status: 403 }, /HTTP 403: injected 403\); the token may not read gotify\/server; for a private repository pass a token that can read it in the token input$/],
  ['a 429 asking to wait an hour', { path: /^\/repos\//, status: 429, retryAfter: 3600 }, /HTTP 429: injected 429\); GitHub rate-limited this job; re-run the job later \(GitHub asks to wait 60 min\)$/],
  ['5xx after every retry', { path: /^\/repos\//, status: 502, retryAfter: 0 }, /HTTP 502, gave up after 5 tries: injected 502\); GitHub kept failing; re-run the job later$/],
  ['a connection refused', 'refused', /connection failed \(ECONNREFUSED\), gave up after 5 tries\); the GitHub API at http:\/\/127\.0\.0\.1:\d+ could not be reached; re-run the job later/]
]

test.each(githubFaults)('GitHub failing with %s is one line that says what to do', async (_name, fault, message) => {
  const workspace = checkoutPlugin('basic')
  const before = fileTree(workspace)
  if (fault !== 'refused') world.github.inject(fault)
  try {
    const run = await runAction({ coldGoCache: true,
      inputs: { 'server-repository': 'gotify/server', 'plugin-path': 'plugin', token: 't', 'go-env': world.goEnv },
      workspace,
      apiUrl: fault === 'refused' ? await closedPort() : world.github.url
    })
    expect(run.code).toBe(1)
    expect(run.errors).toEqual([expect.stringMatching(message)])
    expectNoStack(run.log)
    expect(fileTree(workspace)).toEqual(before)
  } finally {
    world.github.clearFaults()
  }
})

test('no Docker engine reachable says what to do', async () => {
  const workspace = checkoutPlugin('basic')
  const run = await runAction({ coldGoCache: true,
    inputs: { 'server-repository': 'gotify/server', 'plugin-path': 'plugin', token: 't' },
    workspace,
    apiUrl: world.github.url,
    env: { DOCKER_HOST: 'unix:///nonexistent/docker.sock' }
  })
  expect(run.code).toBe(1)
  expect(run.errors).toEqual([expect.stringMatching(/no Docker engine reachable.*DOCKER_HOST/)])
  expect(fs.existsSync(path.join(workspace, 'build'))).toBe(false)
})

test('the token never appears in the log', async () => {
  const workspace = checkoutPlugin('basic')
  const token = 'ghs_secretTokenValue123456'
  const run = await runAction({ coldGoCache: true, inputs: { 'server-repository': 'gotify/server', 'plugin-path': 'plugin', token, 'server-version': 'v9.9.9' }, workspace, apiUrl: world.github.url })
  expect(run.code).toBe(1)
  expect(run.log).toContain('::add-mask::')
  expect(run.log.replace(`::add-mask::${token}`, '')).not.toContain(token)
})

test('a build image that cannot be had names the image and what to do', async () => {
  const workspace = checkoutPlugin('basic')
  const run = await runAction({ coldGoCache: true,
    inputs: { 'server-repository': 'gotify/server', 'plugin-path': 'plugin', token: 't', 'build-image': 'localhost:1/nosuch/build:{go-version}-{platform}', platforms: 'linux-amd64' },
    workspace,
    apiUrl: world.github.url
  })
  expect(run.code).toBe(1)
  expect(run.errors).toEqual([expect.stringMatching(/build image localhost:1\/nosuch\/build:[\d.]+-linux-amd64 for linux-amd64 cannot be found or pulled.*set build-image/)])
  expect(fs.existsSync(path.join(workspace, 'build'))).toBe(false)
})

test('a build image with another Go than the server is refused before building', async () => {
  // The set-up builds an amd64 image of another Go patch release (scripts/ci/test-toolchains.mjs).
  const other = TOOLCHAINS.otherPatch
  await requireImage(`gotify/build:${other}-linux-amd64`)
  const workspace = checkoutPlugin('basic')
  const run = await runAction({ coldGoCache: true,
    inputs: { 'server-repository': 'gotify/server', 'plugin-path': 'plugin', token: 't', 'build-image': `gotify/build:${other}-{platform}`, platforms: 'linux-amd64' },
    workspace,
    apiUrl: world.github.url
  })
  expect(run.code).toBe(1)
  expect(run.errors[0]).toContain(`has go${other} but the server was built with go${world.goVersion}`)
  expect(fs.existsSync(path.join(workspace, 'build'))).toBe(false)
})
