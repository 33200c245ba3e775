import { templateValues } from '../../src/compile/plan.js'
import { parsePlatform, parsePlatforms } from '../../src/platform.js'
import { describeOci, ociPlatformOf, offersPlatform, planServerImage, platformTag } from '../../src/server-image/plan.js'

const server = { owner: 'Gotify', name: 'server', tag: 'v2.9.1', goVersion: '1.24.1' }
const valuesFor = (p: ReturnType<typeof parsePlatform>) => templateValues(server, p, 'myplugin')

test('platforms in image index spelling, and which index entry serves which platform', () => {
  expect(parsePlatforms('linux-amd64,linux-arm-7,linux-arm64,linux-386,linux-riscv64').map(p => describeOci(ociPlatformOf(p)))).toEqual([
    'linux/amd64',
    'linux/arm/v7',
    'linux/arm64',
    'linux/386',
    'linux/riscv64'
  ])
  const arm7 = parsePlatform('linux-arm-7')
  expect(offersPlatform({ os: 'linux', architecture: 'arm', variant: 'v7' }, arm7)).toBe(true)
  expect(offersPlatform({ os: 'linux', architecture: 'arm', variant: 'v6' }, arm7)).toBe(false)
  expect(offersPlatform({ os: 'linux', architecture: 'arm64', variant: 'v8' }, parsePlatform('linux-arm64'))).toBe(true)
  expect(offersPlatform({ os: 'linux', architecture: 'amd64' }, parsePlatform('linux-amd64'))).toBe(true)
  expect(offersPlatform({ os: 'linux', architecture: 'amd64', variant: 'v3' }, parsePlatform('linux-amd64'))).toBe(false)
  expect(offersPlatform({ os: 'linux', architecture: 'amd64', variant: 'v3' }, parsePlatform('linux-amd64-v3'))).toBe(true)
  expect(offersPlatform({ os: 'windows', architecture: 'amd64' }, parsePlatform('linux-amd64'))).toBe(false)
})

test('the server image per platform, the tags grouped by repository, the .so named after the plugin', () => {
  const plan = planServerImage({
    settings: {
      image: 'gotify/server:{server-version-bare}',
      pluginDir: '/app/data/plugins',
      tags: ['ghcr.io/me/{plugin}-server:{server-version-bare}', 'ghcr.io/me/{plugin}-server:latest', 'docker.io/me/{plugin}:{server-version}', 'ghcr.io/me/{plugin}-server:latest']
    },
    pluginName: 'myplugin',
    platforms: parsePlatforms('linux-amd64,linux-arm-7'),
    valuesFor
  })
  expect([...plan.baseOf.entries()]).toEqual([
    ['linux-amd64', 'gotify/server:2.9.1'],
    ['linux-arm-7', 'gotify/server:2.9.1']
  ])
  expect(plan.pluginFile).toBe('/app/data/plugins/myplugin.so')
  expect(plan.tags).toEqual(['ghcr.io/me/myplugin-server:2.9.1', 'ghcr.io/me/myplugin-server:latest', 'docker.io/me/myplugin:v2.9.1'])
  expect(plan.targets).toEqual([
    { name: 'ghcr.io/me/myplugin-server', registry: 'ghcr.io', tags: ['2.9.1', 'latest'] },
    { name: 'docker.io/me/myplugin', registry: 'docker.io', tags: ['v2.9.1'] }
  ])
  expect(platformTag(plan.targets[0], parsePlatform('linux-arm-7'))).toBe('ghcr.io/me/myplugin-server:2.9.1-linux-arm-7')
  expect(platformTag({ name: 'r/x', registry: 'docker.io', tags: ['t'.repeat(128)] }, parsePlatform('linux-arm64')).split(':')[1]).toHaveLength(128)
})

test('per-platform server images (gotify/server-arm64 and the like) and pinned digests', () => {
  const digest = `sha256:${'c'.repeat(64)}`
  const plan = planServerImage({
    settings: { image: 'gotify/server-{arch}@' + digest, pluginDir: '/p', tags: [] },
    pluginName: 'x',
    platforms: parsePlatforms('linux-amd64,linux-arm64'),
    valuesFor
  })
  expect(plan.baseOf.get('linux-arm64')).toBe(`gotify/server-arm64@${digest}`)
})

test('a rendered reference that is none is an input error naming the value', () => {
  const plan = () =>
    planServerImage({ settings: { image: 'gotify/server:{server-version}', pluginDir: '/p', tags: ['ghcr.io/me/{plugin}:1'] }, pluginName: 'MyPlugin', platforms: parsePlatforms('linux-amd64'), valuesFor: p => templateValues(server, p, 'MyPlugin') })
  expect(plan).toThrow(/^Input 'image-tags': "ghcr.io\/me\/\{plugin\}:1" gives "ghcr.io\/me\/MyPlugin:1", which is not an image reference/)
  expect(() =>
    planServerImage({ settings: { image: 'gotify/server:{server-version}', pluginDir: '/p', tags: [] }, pluginName: 'x', platforms: parsePlatforms('linux-amd64'), valuesFor: p => templateValues({ ...server, tag: 'v1+meta' }, p, 'x') })
  ).toThrow(/^Input 'server-image': .* gives "gotify\/server:v1\+meta"/)
})

test('{server-version-bare} drops the v of a version tag only', () => {
  const p = parsePlatform('linux-amd64')
  expect(templateValues(server, p, 'x')['server-version-bare']).toBe('2.9.1')
  expect(templateValues({ ...server, tag: 'version-3' }, p, 'x')['server-version-bare']).toBe('version-3')
})
