import * as fs from 'node:fs'
import * as path from 'node:path'
import { createHash } from 'node:crypto'
import { type World, checkoutPlugin, runAction, startWorld } from './support/action-harness.js'

// The action end to end on release and pull-request events, and on plugins
// that cannot load into the server as they are (FIELD-NOTES §1).
let world: World
beforeAll(async () => {
  world = await startWorld()
})
afterAll(async () => world.close())

const PLUGIN_REPO = 'someone/plugin'
const releaseEvent = (tag: string): { name: string; payload: object } => ({ name: 'release', payload: { action: 'published', release: { tag_name: tag } } })
const inputs = (extra: Record<string, string> = {}): Record<string, string> => ({
  'server-repository': 'gotify/server',
  'plugin-path': 'plugin',
  token: 'test-token',
  'go-env': world.goEnv,
  platforms: 'linux-amd64,linux-arm64',
  ...extra
})
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex')

test('a release event attaches every .so and SHA256SUMS; the checksums match the bytes on the release', async () => {
  world.github.state.addRelease(PLUGIN_REPO, 'v1.0.0')
  const workspace = checkoutPlugin('basic')
  const run = await runAction({ inputs: inputs(), workspace, apiUrl: world.github.url, repository: PLUGIN_REPO, event: releaseEvent('v1.0.0') })
  expect(run.errors).toEqual([])
  expect(run.code).toBe(0)
  const assets = world.github.state.assets(PLUGIN_REPO, 'v1.0.0')
  expect([...assets.keys()].sort()).toEqual(['SHA256SUMS', 'basic-linux-amd64-for-gotify-v2.9.1.so', 'basic-linux-arm64-for-gotify-v2.9.1.so'])
  const sums = assets.get('SHA256SUMS')!.toString().trim().split('\n')
  expect(sums).toEqual(
    [...assets.entries()].filter(([n]) => n.endsWith('.so')).map(([n, b]) => `${sha256(b)}  ${n}`).sort((a, b) => (a.split('  ')[1] < b.split('  ')[1] ? -1 : 1))
  )
  const artifacts = JSON.parse(run.outputs.artifacts) as Array<{ name: string; url: string; path: string; upload: string }>
  for (const a of artifacts) {
    expect(a.url).toContain(a.name)
    expect(a.upload).toBe('uploaded')
    expect(assets.get(a.name)).toEqual(fs.readFileSync(a.path))
  }
  expect(run.outputs['release-url']).toMatch(/v1\.0\.0/)
  expect(run.summary).toMatch(/\[SHA256SUMS\]\(http[^)]+\) \| uploaded/)

  // Re-running the job, rebuilding (skip-existing would leave it out), keeps everything and writes nothing.
  const writes = world.github.writes().length
  const again = await runAction({ inputs: inputs({ 'skip-existing': 'false' }), workspace, apiUrl: world.github.url, repository: PLUGIN_REPO, event: releaseEvent('v1.0.0') })
  expect(again.errors).toEqual([])
  expect((JSON.parse(again.outputs.artifacts) as Array<{ upload: string }>).map(a => a.upload)).toEqual(['kept', 'kept'])
  expect(world.github.writes().length).toBe(writes)
})

test('a pull_request event builds and verifies but sends no write request, whatever the inputs say', async () => {
  world.github.state.addRelease(PLUGIN_REPO, 'v1.1.0')
  const writes = world.github.writes().length
  const workspace = checkoutPlugin('basic')
  const run = await runAction({
    inputs: inputs({ upload: 'true', 'release-tag': 'v1.1.0', platforms: 'linux-amd64' }),
    workspace,
    apiUrl: world.github.url,
    repository: PLUGIN_REPO,
    event: { name: 'pull_request', payload: { pull_request: { number: 1 } } }
  })
  expect(run.code).toBe(0)
  expect(run.outputs.compatible).toBe('true')
  expect(run.log).toMatch(/not uploading: pull_request events never upload/)
  expect(world.github.writes().length).toBe(writes)
  expect(run.summary).toContain('```diff')
})

test('an indirect-only conflict: cap leaves it and verification catches it, full aligns it and it loads', async () => {
  const cap = await runAction({ inputs: inputs({ align: 'cap', platforms: 'linux-amd64' }), workspace: checkoutPlugin('indirect'), apiUrl: world.github.url })
  expect(cap.code).toBe(1)
  expect(cap.outputs.compatible).toBe('false')
  // The server's release binary is the witness: the proof names the module and both versions.
  expect(cap.errors.join('\n')).toMatch(/refused against gotify-linux-amd64\.zip: 1 of \d+ shared packages differ \(example\.com\/dep\): module versions differ: example\.com\/dep v1\.1\.0 in the plugin, v1\.0\.0 in the server/)

  const full = await runAction({ inputs: inputs({ align: 'full', platforms: 'linux-amd64' }), workspace: checkoutPlugin('indirect'), apiUrl: world.github.url })
  expect(full.errors).toEqual([])
  expect(full.outputs.compatible).toBe('true')
  const report = JSON.parse(fs.readFileSync(full.outputs['compat-report'], 'utf8'))
  expect(report.changes).toEqual(expect.arrayContaining([{ path: 'example.com/dep', from: 'v1.1.0', to: 'v1.0.0' }]))
  expect(report.platforms[0].verification.status).toBe('loaded')
})

test('a dependency that needs a newer module than the server has fails with the chain, and nothing is uploaded', async () => {
  world.github.state.addRelease(PLUGIN_REPO, 'v2.0.0')
  const writes = world.github.writes().length
  const workspace = checkoutPlugin('unresolvable')
  const goMod = fs.readFileSync(path.join(workspace, 'plugin', 'go.mod'), 'utf8')
  const run = await runAction({ inputs: inputs(), workspace, apiUrl: world.github.url, repository: PLUGIN_REPO, event: releaseEvent('v2.0.0') })
  expect(run.code).toBe(1)
  const errors = run.errors.join('\n')
  expect(errors).toMatch(/example\.com\/dep/)
  expect(errors).toMatch(/v1\.0\.0/)
  expect(errors).toMatch(/v1\.1\.0/)
  expect(errors).toMatch(/example\.com\/newlib@v1\.0\.0/)
  expect(errors).toMatch(/file=plugin\/go\.mod,line=\d+/)
  expect(run.outputs.compatible).toBe('false')
  expect(world.github.writes().length).toBe(writes)
  expect(world.github.state.assets(PLUGIN_REPO, 'v2.0.0').size).toBe(0)
  expect(fs.readFileSync(path.join(workspace, 'plugin', 'go.mod'), 'utf8')).toBe(goMod)
})
