import * as fs from 'node:fs'
import * as path from 'node:path'
import { TOOLCHAINS, requireImage } from './support/toolchains.js'
import { type World, checkoutPlugin, runAction, startWorld } from './support/action-harness.js'

// Bad input: one line that names the input (or the file) and what is accepted,
// and nothing written: no output-dir, go.mod untouched, no write to GitHub.
let world: World
beforeAll(async () => {
  world = await startWorld()
  world.github.state.addTag('gotify/server', 'v1.0.0-nofiles', { 'go.mod': 'module example.com/server\n\ngo 1.21\n' })
  world.github.state.addTag('gotify/server', 'v1.0.0-badgo', { GO_VERSION: '1.22; rm -rf /\n', 'go.mod': 'module example.com/server\n' })
})
afterAll(async () => world.close())

const cases: Array<[string, Record<string, string>, RegExp]> = [
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
  ['-trimpath in go-env GOFLAGS', { 'go-env': 'GOFLAGS=-trimpath', verify: 'false' }, /Input 'go-env': GOFLAGS -trimpath rewrites .*; accepted: /]
]

test.each(cases)('%s', async (_name, inputs, message) => {
  const workspace = checkoutPlugin('basic')
  const goMod = fs.readFileSync(path.join(workspace, 'plugin', 'go.mod'), 'utf8')
  const writesBefore = world.github.writes().length
  const run = await runAction({
    inputs: { 'server-repository': 'gotify/server', 'plugin-path': 'plugin', token: 't', 'go-env': world.goEnv, ...inputs },
    workspace,
    apiUrl: world.github.url
  })
  expect(run.code).toBe(1)
  expect(run.errors).toHaveLength(1)
  expect(run.errors[0]).toMatch(message)
  expect(fs.existsSync(path.join(workspace, 'build'))).toBe(false)
  expect(fs.readFileSync(path.join(workspace, 'plugin', 'go.mod'), 'utf8')).toBe(goMod)
  expect(world.github.writes().length).toBe(writesBefore)
})

test('no Docker engine reachable says what to do', async () => {
  const workspace = checkoutPlugin('basic')
  const run = await runAction({
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
  const run = await runAction({ inputs: { 'server-repository': 'gotify/server', 'plugin-path': 'plugin', token, 'server-version': 'v9.9.9' }, workspace, apiUrl: world.github.url })
  expect(run.code).toBe(1)
  expect(run.log).toContain('::add-mask::')
  expect(run.log.replace(`::add-mask::${token}`, '')).not.toContain(token)
})

test('a build image that cannot be had names the image and what to do', async () => {
  const workspace = checkoutPlugin('basic')
  const run = await runAction({
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
  const run = await runAction({
    inputs: { 'server-repository': 'gotify/server', 'plugin-path': 'plugin', token: 't', 'build-image': `gotify/build:${other}-{platform}`, platforms: 'linux-amd64' },
    workspace,
    apiUrl: world.github.url
  })
  expect(run.code).toBe(1)
  expect(run.errors[0]).toContain(`has go${other} but the server was built with go${world.goVersion}`)
  expect(fs.existsSync(path.join(workspace, 'build'))).toBe(false)
})
