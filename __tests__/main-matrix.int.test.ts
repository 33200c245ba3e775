// End to end (issue 20): a plan job (resolve-only) gives the `matrix` output,
// and the jobs of a platform split run concurrently against one release of
// the test GitHub: every .so once, SHA256SUMS complete, skip-existing per
// job's own platforms, and a plan of a complete release with no job.
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { type ActionRun, type World, checkoutPlugin, runAction, startWorld } from './support/action-harness.js'
import type { MatrixEntry } from '../src/server-versions/matrix.js'

const PLUGIN_REPO = 'someone/plugin'
const TAG = 'v1.0.0'
let world: World
beforeAll(async () => {
  world = await startWorld()
  world.github.state.addRelease(PLUGIN_REPO, TAG)
}, 600_000)
// Each platform's job keeps its RUNNER_TEMP (its build cache) across rounds, as a runner's cache restore would.
const runnerTemps = new Map<string, string>()
const runnerTempOf = (platforms: string): string => {
  if (!runnerTemps.has(platforms)) runnerTemps.set(platforms, fs.mkdtempSync(path.join(os.tmpdir(), 'runner-temp-')))
  return runnerTemps.get(platforms) ?? ''
}
afterAll(async () => {
  await world.close()
  for (const dir of runnerTemps.values()) fs.rmSync(dir, { recursive: true, force: true })
})

const PLATFORMS = 'linux-amd64,linux-arm64'
const inputs = (extra: Record<string, string>): Record<string, string> => ({
  'server-repository': 'gotify/server',
  'plugin-path': 'plugin',
  token: 't',
  'go-env': world.goEnv,
  platforms: PLATFORMS,
  ...extra
})
const onRelease = { repository: PLUGIN_REPO, event: { name: 'release', payload: { release: { tag_name: TAG } } } }
const plan = (extra: Record<string, string>, event: { repository: string; event: { name: string; payload: object } } = onRelease): Promise<ActionRun> =>
  runAction({ inputs: inputs({ 'resolve-only': 'true', ...extra }), workspace: checkoutPlugin('basic'), apiUrl: world.github.url, ...event })
/** A job of the matrix: a runner of its own (checkout, RUNNER_TEMP), the entry's values passed on as the README shows. */
const job = (e: MatrixEntry): Promise<ActionRun> =>
  runAction({
    inputs: inputs({ 'server-version': e['server-version'], platforms: e.platforms, 'matrix-split': e['matrix-split'] }),
    workspace: checkoutPlugin('basic'),
    runnerTemp: runnerTempOf(e.platforms),
    apiUrl: world.github.url,
    ...onRelease
  })
const matrixOf = (r: ActionRun): { include: MatrixEntry[] } => JSON.parse(r.outputs.matrix) as { include: MatrixEntry[] }
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex')
const names = (): string[] => (world.github.state.release(PLUGIN_REPO, TAG)?.assets ?? []).map(a => `${a.name} ${a.state}`).sort()
const so = (platform: string): string => `basic-${platform}-for-gotify-v2.9.1.so`

test('resolve-only: the matrix output splits by version (the default), by platform or both, and a job of a platform split refuses server-image', async () => {
  const versions = { 'server-version': 'v2.9.0, v2.9.1' }
  const byVersion = await plan(versions, { repository: PLUGIN_REPO, event: { name: 'push', payload: {} } })
  expect(byVersion.errors).toEqual([])
  expect(byVersion.outputs.matrix).toBe(
    '{"include":[{"name":"v2.9.1","server-version":"v2.9.1","platforms":"linux-amd64,linux-arm64","matrix-split":"version"},{"name":"v2.9.0","server-version":"v2.9.0","platforms":"linux-amd64,linux-arm64","matrix-split":"version"}]}'
  )
  expect(byVersion.outputs['matrix-jobs']).toBe('2')
  expect(byVersion.summary).toContain('Matrix (matrix-split: version): 2 jobs: v2.9.1; v2.9.0.')
  expect(byVersion.log).toContain('Matrix (matrix-split: version): 2 jobs: v2.9.1; v2.9.0\n')
  const byPlatform = await plan({ ...versions, 'matrix-split': 'platform' })
  expect(matrixOf(byPlatform).include.map(e => [e.name, e['server-version'], e.platforms])).toEqual([
    ['linux-amd64', 'v2.9.1,v2.9.0', 'linux-amd64'],
    ['linux-arm64', 'v2.9.1,v2.9.0', 'linux-arm64']
  ])
  const both = await plan({ ...versions, 'matrix-split': 'both' })
  expect(matrixOf(both).include.map(e => e.name)).toEqual(['v2.9.1 linux-amd64', 'v2.9.1 linux-arm64', 'v2.9.0 linux-amd64', 'v2.9.0 linux-arm64'])
  const image = await plan({ 'matrix-split': 'platform', 'server-image': 'gotify/server:{server-version-bare}' })
  expect(image.code).toBe(1)
  expect(image.errors).toEqual([expect.stringMatching(/^::error::Input 'server-image': a job of a matrix split by platform \(matrix-split: platform\) builds only some of the platforms \(here linux-amd64, linux-arm64\)/)])
  expect(image.outputs.matrix).toBeUndefined()
})

test('two single-platform jobs upload concurrently to one release: every .so once, SHA256SUMS complete; each job skips on its own platforms only', async () => {
  const planned = await plan({ 'matrix-split': 'platform' })
  expect(planned.errors).toEqual([])
  const entries = matrixOf(planned).include
  expect(entries.map(e => e.platforms)).toEqual(['linux-amd64', 'linux-arm64'])

  // The first SHA256SUMS upload is answered only once both .so are on the release: it was made from a listing without
  // the other job's file, so the jobs must still end on one that lists both (the race forced rather than hoped for).
  const bothUploaded = async (): Promise<void> => {
    const deadline = Date.now() + 300_000
    while (Date.now() < deadline && ![so('linux-amd64'), so('linux-arm64')].every(n => names().includes(`${n} uploaded`))) await new Promise(resolve => setTimeout(resolve, 200))
  }
  const stale = world.github.inject({ method: 'POST', path: /^\/uploads\//, query: /name=SHA256SUMS/, times: 1, before: bothUploaded })
  const runs = await Promise.all(entries.map(job))
  expect(stale.hits).toBe(1)
  for (const r of runs) expect({ errors: r.errors, code: r.code }).toEqual({ errors: [], code: 0 })
  expect(runs.map(r => (JSON.parse(r.outputs.artifacts) as Array<{ name: string; upload: string }>).map(a => [a.name, a.upload]))).toEqual([
    [[so('linux-amd64'), 'uploaded']],
    [[so('linux-arm64'), 'uploaded']]
  ])
  // Every file once, nothing half-written (no temporary left), and SHA256SUMS lists each .so with its digest.
  const complete = (): void => {
    expect(names()).toEqual([`SHA256SUMS uploaded`, `${so('linux-amd64')} uploaded`, `${so('linux-arm64')} uploaded`])
    const assets = world.github.state.assets(PLUGIN_REPO, TAG)
    expect(assets.get('SHA256SUMS')?.toString()).toBe([so('linux-amd64'), so('linux-arm64')].map(n => `${sha256(assets.get(n) as Buffer)}  ${n}\n`).join(''))
  }
  complete()

  // One platform's file goes missing (a failed job, a person): the plan gives that platform's job only.
  const amd64 = world.github.state.release(PLUGIN_REPO, TAG)?.assets.find(a => a.name === so('linux-amd64'))?.id
  world.github.state.deleteAsset(PLUGIN_REPO, TAG, so('linux-arm64'))
  const again = matrixOf(await plan({ 'matrix-split': 'platform' })).include
  expect(again.map(e => [e['server-version'], e.platforms])).toEqual([['v2.9.1', 'linux-arm64']])
  // The linux-amd64 job (a re-run) skips on its own file alone and uploads nothing; the linux-arm64 job builds.
  const writes = world.github.writes().length
  const [rerun] = await Promise.all([job(entries[0]), job(again[0])])
  expect(rerun.errors).toEqual([])
  expect(rerun.log).toContain(`v2.9.1: not built: release ${TAG} has every file already (${so('linux-amd64')}); skip-existing`)
  expect(JSON.parse(rerun.outputs.artifacts)).toEqual([])
  expect(world.github.writes().slice(writes).filter(w => w.url.includes('basic-linux-amd64'))).toEqual([])
  complete()
  expect(world.github.state.release(PLUGIN_REPO, TAG)?.assets.find(a => a.name === so('linux-amd64'))?.id).toBe(amd64)

  // A complete release: no job, and an `if:` on matrix-jobs keeps GitHub from the empty matrix.
  const none = await plan({ 'matrix-split': 'platform' })
  expect([none.outputs.matrix, none.outputs['matrix-jobs']]).toEqual(['{"include":[]}', '0'])
  expect(none.summary).toContain('Matrix (matrix-split: platform): no job, everything is on the release.')
}, 600_000)
