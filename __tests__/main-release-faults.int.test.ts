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
const onReleaseOf = (tag: string): Record<string, string> => Object.fromEntries([...world.github.state.assets(REPO, tag)].map(([n, b]) => [n, sha256(b)]))
const onRelease = (): Record<string, string> => onReleaseOf(TAG)
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

test('a corrupt upload is deleted and named in one line; skip-existing then builds that version again, and does not count an asset whose bytes do not match its digest', async () => {
  const tag = 'v6.0.0'
  const rel = world.github.state.addRelease(REPO, tag)
  const workspace = checkoutPlugin('basic')
  const run = (): ReturnType<typeof runAction> =>
    runAction({
      // skip-existing: auto (the default) with upload on and overwrite off.
      inputs: { 'server-repository': 'gotify/server', 'plugin-path': 'plugin', token: 't', 'go-env': world.goEnv, platforms: 'linux-amd64', verify: 'false' },
      workspace,
      runnerTemp,
      apiUrl: world.github.url,
      repository: REPO,
      event: { name: 'release', payload: { release: { tag_name: tag } } }
    })
  const uploaded = (r: Awaited<ReturnType<typeof runAction>>): { name: string; path: string; upload: string } => (JSON.parse(r.outputs.artifacts) as Array<{ name: string; path: string; upload: string }>)[0]

  // GitHub stores other bytes than were sent (its digest says so).
  const corrupt = world.github.inject({ method: 'POST', path: /^\/uploads\//, query: /name=basic-linux-amd64/, corruptStored: true, times: 1 })
  const failed = await run()
  expect(corrupt.hits).toBe(1)
  expect(failed.code).toBe(1)
  expect(failed.errors).toEqual([expect.stringMatching(/^::error::GitHub stored other bytes for basic-linux-amd64-for-gotify-v2\.9\.1\.so on release v6\.0\.0 than were sent \([^)]*\); it was deleted; re-run the job$/)])
  expectNoStack(failed.log)
  expect(world.github.state.assets(REPO, tag).has(SO)).toBe(false)

  // The re-run builds and uploads that version again.
  const again = await run()
  expect(again.errors).toEqual([])
  expect(again.log).not.toMatch(/not built: release v6\.0\.0 has every file already/)
  expect(uploaded(again)).toMatchObject({ name: SO, upload: 'uploaded' })
  expect(onReleaseOf(tag)[SO]).toBe(sha256(fs.readFileSync(uploaded(again).path)))

  // The API now reports a digest its bytes do not match: skip-existing does not count it, the upload repairs it.
  rel.assets.find(a => a.name === SO)!.wrongDigest = `sha256:${'0'.repeat(64)}`
  const third = await run()
  expect(third.errors).toEqual([])
  expect(third.log).toContain(`${SO}: on release ${tag}, but its bytes do not match its digest; not counted`)
  expect(uploaded(third)).toMatchObject({ name: SO, upload: 'uploaded' })
  const now = rel.assets.find(a => a.name === SO)!
  expect(now.wrongDigest).toBeUndefined()
  expect(sha256(now.data)).toBe(sha256(fs.readFileSync(uploaded(third).path)))
})
