import { parsePlatforms } from '../../src/platform.js'
import { planServerVersions, skipExistingApplies } from '../../src/server-versions/plan.js'
import type { ServerRelease } from '../../src/server/release.js'

const release = (tag: string, goVersion = '1.26.8'): ServerRelease => ({ owner: 'gotify', name: 'server', tag, origin: { kind: 'release' }, goVersion, goVersionSource: 'GO_VERSION', goMod: '' })
const platforms = parsePlatforms('linux-amd64,linux-arm64')
const DEFAULT_NAME = '{plugin}-{platform}-for-{server-owner}-{server-version}.so'

test('the newest version aligns the workspace; the others get their own copy and their own files', () => {
  const plans = planServerVersions({ releases: [release('v2.9.1'), release('v2.8.0')], platforms, assetName: DEFAULT_NAME, pluginName: 'echo' })
  expect(plans.map(p => ({ tag: p.release.tag, newest: p.newest, workspace: p.alignsWorkspace, key: p.key, names: [...p.assetNames.values()] }))).toEqual([
    { tag: 'v2.9.1', newest: true, workspace: true, key: 'server-1', names: ['echo-linux-amd64-for-gotify-v2.9.1.so', 'echo-linux-arm64-for-gotify-v2.9.1.so'] },
    { tag: 'v2.8.0', newest: false, workspace: false, key: 'server-2', names: ['echo-linux-amd64-for-gotify-v2.8.0.so', 'echo-linux-arm64-for-gotify-v2.8.0.so'] }
  ])
})

test('with several versions, asset-name must name the version', () => {
  expect(() => planServerVersions({ releases: [release('v2.9.1'), release('v2.8.0')], platforms, assetName: '{plugin}-{platform}.so', pluginName: 'echo' })).toThrow(
    /^Input 'asset-name': "\{plugin\}-\{platform\}\.so" names the files of every server version alike, and server-version selects 2 \(v2\.9\.1, v2\.8\.0\); accepted: with several server versions, a name with \{server-version\}/
  )
  // One version needs no such placeholder.
  expect(planServerVersions({ releases: [release('v2.9.1')], platforms, assetName: '{plugin}-{platform}.so', pluginName: 'echo' })).toHaveLength(1)
})

test('{go-version} alone is refused when two versions share a Go version, and fine when they do not', () => {
  const template = '{plugin}-{platform}-go{go-version}.so'
  expect(() => planServerVersions({ releases: [release('v2.9.1'), release('v2.9.0')], platforms, assetName: template, pluginName: 'echo' })).toThrow(
    "Input 'asset-name': \"{plugin}-{platform}-go{go-version}.so\" gives server versions v2.9.1 and v2.9.0 the same file echo-linux-amd64-go1.26.8.so"
  )
  expect(planServerVersions({ releases: [release('v2.9.1'), release('v2.6.0', '1.22.5')], platforms, assetName: template, pluginName: 'echo' })).toHaveLength(2)
})

test('skip-existing: a version is skipped only when every platform\'s file is on the release; the newest skipped aligns no workspace', () => {
  const names = new Set(['echo-linux-amd64-for-gotify-v2.9.1.so', 'echo-linux-arm64-for-gotify-v2.9.1.so', 'echo-linux-amd64-for-gotify-v2.8.0.so', 'SHA256SUMS'])
  const plans = planServerVersions({ releases: [release('v2.9.1'), release('v2.8.0')], platforms, assetName: DEFAULT_NAME, pluginName: 'echo', existing: { tag: 'v1.0.0', names } })
  expect(plans[0]).toMatchObject({ newest: true, alignsWorkspace: false, skip: expect.stringContaining('release v1.0.0 has every file already') })
  expect(plans[1]).toMatchObject({ newest: false, alignsWorkspace: false, skip: undefined })
})

test('skip-existing applies only when uploading; auto steps aside for overwrite', () => {
  expect(skipExistingApplies('auto', true, false)).toBe(true)
  expect(skipExistingApplies('auto', true, true)).toBe(false)
  expect(skipExistingApplies('true', true, true)).toBe(true)
  expect(skipExistingApplies('true', false, false)).toBe(false)
  expect(skipExistingApplies('false', true, false)).toBe(false)
})

test('a version the action cannot build for names no file and aligns no workspace: the newest it can build for does', () => {
  const plans = planServerVersions({ releases: [{ ...release('v3.0.0', ''), cannotServe: 'no go.mod' }, release('v2.9.1'), release('v2.8.0', '1.25.1')], platforms, assetName: '{plugin}-{platform}-go{go-version}.so', pluginName: 'echo' })
  expect(plans.map(p => ({ tag: p.release.tag, workspace: p.alignsWorkspace, names: p.assetNames.size }))).toEqual([
    { tag: 'v3.0.0', workspace: false, names: 0 },
    { tag: 'v2.9.1', workspace: true, names: 2 },
    { tag: 'v2.8.0', workspace: false, names: 2 }
  ])
})
