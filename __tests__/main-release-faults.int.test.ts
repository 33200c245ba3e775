import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { createHash } from 'node:crypto'
import { type World, checkoutPlugin, expectNoStack, fileTree, runAction, startWorld } from './support/action-harness.js'
import type { Fault } from './support/github-server.js'

// The bundled action replacing an asset (overwrite: true) while the test
// GitHub fails at each step in turn (issue 8): every run that fails leaves
// every asset that was on the release and every file of the plugin as they
// were, and says in one line what to do; the next clean run finishes.
let world: World
let runnerTemp: string
beforeAll(async () => {
  world = await startWorld()
  // One RUNNER_TEMP for every run: a warm GOCACHE keeps the repeated builds short.
  runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-temp-'))
})
afterAll(async () => {
  await world.close()
  fs.rmSync(runnerTemp, { recursive: true, force: true })
})

const REPO = 'someone/plugin'
const TAG = 'v5.0.0'
const SO = 'basic-linux-amd64-for-gotify-v2.9.1.so'
const sha256 = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex')
const onRelease = (): Record<string, string> => Object.fromEntries([...world.github.state.assets(REPO, TAG)].map(([n, b]) => [n, sha256(b)]))
const isTemporary = (name: string): boolean => /\.go-plugin-build-[0-9a-f]{8}\.tmp$/.test(name)

test('overwrite with GitHub failing at each step keeps every asset and the plugin as they were; a clean run then replaces', async () => {
  const rel = world.github.state.addRelease(REPO, TAG)
  world.github.state.addAsset(rel, SO, 'an older build')
  world.github.state.addAsset(rel, 'SHA256SUMS', `${sha256('an older build')}  ${SO}\n`)
  world.github.state.addAsset(rel, 'README.txt', 'not the action\'s')
  const before = onRelease()
  const workspace = checkoutPlugin('basic')
  const plugin = path.join(workspace, 'plugin')
  const pluginBefore = fileTree(plugin)
  const run = (): ReturnType<typeof runAction> =>
    runAction({
      inputs: { 'server-repository': 'gotify/server', 'plugin-path': 'plugin', token: 't', 'go-env': world.goEnv, platforms: 'linux-amd64', verify: 'false', overwrite: 'true' },
      workspace,
      runnerTemp,
      apiUrl: world.github.url,
      repository: REPO,
      event: { name: 'release', payload: { release: { tag_name: TAG } } }
    })

  const faults: Array<[string, Fault, RegExp]> = [
    ['5xx on every upload', { method: 'POST', path: /^\/uploads\//, status: 502, retryAfter: 0 }, /^::error::Could not upload basic-linux-amd64\S+ on release v5\.0\.0 of someone\/plugin \(.*HTTP 502.*\); GitHub kept failing; re-run the job later$/],
    ['DELETE answering 500 every time', { method: 'DELETE', path: /\/releases\/assets\/\d+$/, status: 500, retryAfter: 0 }, /^::error::Could not delete basic-linux-amd64\S+ .*GitHub kept failing; re-run the job later; the release still has the old basic-linux-amd64/],
    ['403 on listing the assets', { method: 'GET', path: /^\/repos\/someone\/plugin\/releases\/\d+\/assets$/, status: 403 }, /^::error::Could not list the assets .*HTTP 403.*; give the job permissions: contents: write$/]
  ]
  for (const [what, fault, message] of faults) {
    world.github.inject(fault)
    const failed = await run()
    world.github.clearFaults()
    // Every asset as it was (the new bytes may wait beside them under a temporary name), the plugin's files as they were.
    expect({ what, assets: Object.fromEntries(Object.entries(onRelease()).filter(([n]) => !isTemporary(n))) }).toEqual({ what, assets: before })
    expect({ what, plugin: fileTree(plugin) }).toEqual({ what, plugin: pluginBefore })
    expect({ what, code: failed.code, errors: failed.errors }).toEqual({ what, code: 1, errors: [expect.stringMatching(message)] })
    expectNoStack(failed.log)
    expect(failed.outputs.compatible).toBe('false')
  }

  const done = await run()
  expect(done.errors).toEqual([])
  const [artifact] = JSON.parse(done.outputs.artifacts) as Array<{ name: string; path: string; upload: string }>
  expect(artifact).toMatchObject({ name: SO, upload: 'replaced' })
  const after = onRelease()
  // Replaced, SHA256SUMS follows, the temporaries left by the failed runs are gone, the rest untouched.
  expect(Object.keys(after).sort()).toEqual(['README.txt', 'SHA256SUMS', SO])
  expect(after[SO]).toBe(sha256(fs.readFileSync(artifact.path)))
  expect(after['README.txt']).toBe(before['README.txt'])
  expect(world.github.state.assets(REPO, TAG).get('SHA256SUMS')!.toString()).toBe(`${after[SO]}  ${SO}\n`)
})
