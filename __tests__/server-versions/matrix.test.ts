import { parsePlatforms } from '../../src/platform.js'
import { type MatrixSplit, matrixCells, matrixSkipNames, planMatrix } from '../../src/server-versions/matrix.js'
import { planServerVersions } from '../../src/server-versions/plan.js'
import type { ServerRelease } from '../../src/server/release.js'

const release = (tag: string): ServerRelease => ({ owner: 'gotify', name: 'server', tag, origin: { kind: 'release' }, goVersion: '1.26.8', goVersionSource: 'GO_VERSION', goMod: '' })
const NAME = '{plugin}-{platform}-for-{server-owner}-{server-version}.so'
const cellsOf = (tags: string[], platforms: string, plugins = ['echo']) =>
  matrixCells(plugins.map(pluginName => planServerVersions({ releases: tags.map(release), platforms: parsePlatforms(platforms), assetName: NAME, pluginName })))
const file = (tag: string, platform: string, plugin = 'echo'): string => `${plugin}-${platform}-for-gotify-${tag}.so`
const plan = (split: MatrixSplit, cells = cellsOf(['v2.9.1', 'v2.8.0'], 'linux-amd64,linux-arm64'), existing?: Set<string>) => planMatrix({ split, cells, existing })

test('split by version: a job per version, every platform in it', () => {
  expect(plan('version').include).toEqual([
    { name: 'v2.9.1', 'server-version': 'v2.9.1', platforms: 'linux-amd64,linux-arm64', 'matrix-split': 'version' },
    { name: 'v2.8.0', 'server-version': 'v2.8.0', platforms: 'linux-amd64,linux-arm64', 'matrix-split': 'version' }
  ])
})

test('split by platform: a job per platform, every version in it, newest first', () => {
  expect(plan('platform').include).toEqual([
    { name: 'linux-amd64', 'server-version': 'v2.9.1,v2.8.0', platforms: 'linux-amd64', 'matrix-split': 'platform' },
    { name: 'linux-arm64', 'server-version': 'v2.9.1,v2.8.0', platforms: 'linux-arm64', 'matrix-split': 'platform' }
  ])
})

test('split by both: a job per version and platform', () => {
  expect(plan('both').include.map(e => [e.name, e['server-version'], e.platforms, e['matrix-split']])).toEqual([
    ['v2.9.1 linux-amd64', 'v2.9.1', 'linux-amd64', 'both'],
    ['v2.9.1 linux-arm64', 'v2.9.1', 'linux-arm64', 'both'],
    ['v2.8.0 linux-amd64', 'v2.8.0', 'linux-amd64', 'both'],
    ['v2.8.0 linux-arm64', 'v2.8.0', 'linux-arm64', 'both']
  ])
})

test('skip-existing per platform: only what the release lacks gets a job; a version split keeps every platform of a version it builds', () => {
  // v2.9.1 is complete; v2.8.0 has linux-amd64 only.
  const existing = new Set([file('v2.9.1', 'linux-amd64'), file('v2.9.1', 'linux-arm64'), file('v2.8.0', 'linux-amd64'), 'SHA256SUMS'])
  const cells = cellsOf(['v2.9.1', 'v2.8.0'], 'linux-amd64,linux-arm64')
  expect(plan('version', cells, existing).include.map(e => [e['server-version'], e.platforms])).toEqual([['v2.8.0', 'linux-amd64,linux-arm64']])
  expect(plan('platform', cells, existing).include.map(e => [e['server-version'], e.platforms])).toEqual([['v2.8.0', 'linux-arm64']])
  expect(plan('both', cells, existing).include.map(e => e.name)).toEqual(['v2.8.0 linux-arm64'])
  // What each skip rests on (their bytes are checked before they count).
  expect([...matrixSkipNames('version', cells, existing)].sort()).toEqual([file('v2.9.1', 'linux-amd64'), file('v2.9.1', 'linux-arm64')])
  expect([...matrixSkipNames('platform', cells, existing)].sort()).toEqual([file('v2.8.0', 'linux-amd64'), file('v2.9.1', 'linux-amd64'), file('v2.9.1', 'linux-arm64')])
})

test('empty sets: a complete release gives no job, as {"include":[]}, whatever the split', () => {
  const cells = cellsOf(['v2.9.1'], 'linux-amd64,linux-arm64')
  const all = new Set(cells.flatMap(c => c.files))
  for (const split of ['version', 'platform', 'both'] as MatrixSplit[]) expect(JSON.stringify(plan(split, cells, all))).toBe('{"include":[]}')
  expect(plan('both', []).include).toEqual([])
})

test('several plugins: a cell is done only when every plugin\'s file is there; each job builds every plugin', () => {
  const cells = cellsOf(['v2.9.1'], 'linux-amd64,linux-arm64', ['echo', 'hook'])
  expect(cells.map(c => [c.platform, c.files])).toEqual([
    ['linux-amd64', [file('v2.9.1', 'linux-amd64'), file('v2.9.1', 'linux-amd64', 'hook')]],
    ['linux-arm64', [file('v2.9.1', 'linux-arm64'), file('v2.9.1', 'linux-arm64', 'hook')]]
  ])
  const existing = new Set([file('v2.9.1', 'linux-amd64'), file('v2.9.1', 'linux-amd64', 'hook'), file('v2.9.1', 'linux-arm64')])
  expect(plan('platform', cells, existing).include.map(e => e.platforms)).toEqual(['linux-arm64'])
})

test('a tag that would not read back as itself in server-version is refused, never passed on; the JSON stays one valid line', () => {
  for (const tag of ['latest', 'latest-2', '2.x', 'v1,v2', '>=2']) {
    expect(() => cellsOf([tag], 'linux-amd64')).toThrow(/^The server release tagged ".*" cannot be handed to a matrix job: as server-version it does not read as that tag;/)
  }
  const odd = planMatrix({ split: 'both', cells: [{ tag: 'v1"}]', version: 'v1"}]', platform: 'linux-amd64', files: ['a.so'] }] })
  const text = JSON.stringify(odd)
  expect(text).not.toContain('\n')
  expect(JSON.parse(text)).toEqual(odd)
})

test('more jobs than GitHub runs in one matrix is refused with the input to change', () => {
  const tags = Array.from({ length: 65 }, (_, k) => `v1.${k}.0`)
  expect(() => plan('both', cellsOf(tags, 'linux-amd64,linux-arm-7,linux-arm64,linux-386'))).toThrow(
    "Input 'matrix-split': \"both\" gives 260 jobs (65 server versions x 4 platforms), more than the 256 GitHub runs in one matrix; accepted: version or platform, or fewer server versions"
  )
  expect(plan('platform', cellsOf(tags, 'linux-amd64,linux-arm-7,linux-arm64,linux-386')).include).toHaveLength(4)
})

test('a candidate is passed on as what finds it again: a ref by its pinned commit, a local checkout by the default', () => {
  const sha = '1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f9a0b'
  const ref: ServerRelease = { ...release('master-1a2b3c4'), origin: { kind: 'ref', ref: 'master', sha } }
  const local: ServerRelease = { ...release('1a2b3c4'), origin: { kind: 'local', dir: '.', sha } }
  const cells = matrixCells([planServerVersions({ releases: [release('v2.9.1'), ref], platforms: parsePlatforms('linux-amd64,linux-arm64'), assetName: NAME, pluginName: 'echo' })])
  expect(planMatrix({ split: 'version', cells }).include.map(e => [e.name, e['server-version']])).toEqual([
    ['v2.9.1', 'v2.9.1'],
    ['master-1a2b3c4', `ref:${sha}`]
  ])
  expect(planMatrix({ split: 'platform', cells }).include.map(e => e['server-version'])).toEqual([`v2.9.1,ref:${sha}`, `v2.9.1,ref:${sha}`])
  const localCells = matrixCells([planServerVersions({ releases: [local], platforms: parsePlatforms('linux-amd64'), assetName: NAME, pluginName: 'echo' })])
  expect(planMatrix({ split: 'both', cells: localCells }).include.map(e => e['server-version'])).toEqual(['latest'])
})
