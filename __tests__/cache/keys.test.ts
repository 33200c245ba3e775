import { parsePlatform } from '../../src/platform.js'
import { KEY_PREFIX, buildCacheSpec, cacheHitOutput, dependencyHash, imageIdPart, keyPart, moduleCacheSpec, serverBinariesSpec, shouldSave } from '../../src/cache/keys.js'

const server = { owner: 'gotify', name: 'server', tag: 'v2.9.1' }
const tags = [server.tag]
const goMod = Buffer.from('module example.com/p\n\nrequire github.com/gin-gonic/gin v1.10.0\n')
const goSum = Buffer.from('github.com/gin-gonic/gin v1.10.0 h1:abc=\n')
const deps = dependencyHash(goMod, goSum, server, tags)
const build = (o: Partial<Parameters<typeof buildCacheSpec>[0]> = {}) =>
  buildCacheSpec({ goCacheDir: '/rt/gocache/go1.26.8/linux-arm64', platform: parsePlatform('linux-arm64'), goVersion: '1.26.8', imageId: `sha256:${'4f2c9a'.repeat(10)}ab12`, deps, ...o })

test('the dependency hash changes with go.mod, go.sum and the server releases built, and only with them', () => {
  expect(dependencyHash(goMod, goSum, server, tags)).toBe(deps)
  expect(deps).toMatch(/^[0-9a-f]{16}$/)
  const others = [
    dependencyHash(Buffer.from(`${goMod}// edited\n`), goSum, server, tags),
    dependencyHash(goMod, Buffer.from(`${goSum}x`), server, tags),
    dependencyHash(goMod, undefined, server, tags),
    dependencyHash(goMod, goSum, server, ['v2.9.2']),
    dependencyHash(goMod, goSum, server, ['v2.9.1', 'v2.9.2']),
    dependencyHash(goMod, goSum, { ...server, owner: 'someone' }, tags)
  ]
  expect(new Set([deps, ...others]).size).toBe(7)
  // The server versions built are a set: their order does not matter.
  expect(dependencyHash(goMod, goSum, server, ['v2.9.2', 'v2.9.1'])).toBe(dependencyHash(goMod, goSum, server, ['v2.9.1', 'v2.9.2']))
  // A repository's owner and name are case-insensitive on GitHub.
  expect(dependencyHash(goMod, goSum, { ...server, owner: 'Gotify' }, tags)).toBe(deps)
})

test('a build cache key names the platform, the Go version, the image and the dependencies; its restore key all but the dependencies', () => {
  const spec = build()
  expect(spec).toEqual({
    kind: 'build',
    name: 'build cache linux-arm64 go1.26.8',
    paths: ['/rt/gocache/go1.26.8/linux-arm64'],
    key: `${KEY_PREFIX}-gocache-linux-arm64-go1.26.8-4f2c9a4f2c9a-${deps}`,
    restoreKeys: [`${KEY_PREFIX}-gocache-linux-arm64-go1.26.8-4f2c9a4f2c9a-`],
    scope: 'linux-arm64 go1.26.8'
  })
  // Never a wrong entry: another platform, Go or image shares no restore key with it.
  const others = [build({ platform: parsePlatform('linux-arm-7') }), build({ goVersion: '1.26.7' }), build({ imageId: `sha256:${'9'.repeat(64)}` })]
  for (const o of others) {
    expect(o.key.startsWith(spec.restoreKeys[0])).toBe(false)
    expect(spec.key.startsWith(o.restoreKeys[0])).toBe(false)
  }
  // Another go.sum is a partial hit: same restore key.
  expect(build({ deps: 'ffffffffffffffff' }).restoreKeys).toEqual(spec.restoreKeys)
  // linux-arm is no prefix of linux-arm-7's key (a platform id ends at the next -go).
  expect(build({ platform: parsePlatform('linux-arm-7') }).key.startsWith(`${KEY_PREFIX}-gocache-linux-arm-go`)).toBe(false)
})

test('any module cache is a partial hit for another; server binaries only for the same release', () => {
  expect(moduleCacheSpec('/rt/gomodcache', deps)).toEqual({ kind: 'modules', name: 'module cache', paths: ['/rt/gomodcache'], key: `${KEY_PREFIX}-modules-${deps}`, restoreKeys: [`${KEY_PREFIX}-modules-`] })
  const platforms = ['linux-amd64', 'linux-arm64'].map(p => parsePlatform(p))
  const bin = serverBinariesSpec({ toolDir: '/tc/gotify-server-binary/2.9.1', server: { owner: 'Gotify', name: 'server', tag: 'v2.9.1' }, platforms })
  expect(bin.key).toMatch(new RegExp(`^${KEY_PREFIX}-server-gotify-server-v2\\.9\\.1-[0-9a-f]{8}$`))
  expect(bin.restoreKeys).toEqual([`${KEY_PREFIX}-server-gotify-server-v2.9.1-`])
  // The platform set is part of the key, not its order.
  expect(serverBinariesSpec({ toolDir: '/x', server, platforms: [...platforms].reverse() }).key).toBe(bin.key)
  expect(serverBinariesSpec({ toolDir: '/x', server, platforms: platforms.slice(1) }).key).not.toBe(bin.key)
  // v2.9.1 must not restore v2.9.10's binaries: the tag ends at the next -.
  expect(serverBinariesSpec({ toolDir: '/x', server: { ...server, tag: 'v2.9.10' }, platforms }).key.startsWith(bin.restoreKeys[0])).toBe(false)
})

test('key parts: plain text as it is, anything else (commas, spaces, long) hashed', () => {
  expect(keyPart('v2.9.1')).toBe('v2.9.1')
  expect(keyPart('release,1')).toMatch(/^[0-9a-f]{12}$/)
  expect(keyPart('a b')).not.toBe(keyPart('a_b'))
  expect(keyPart('x'.repeat(65))).toMatch(/^[0-9a-f]{12}$/)
  expect(imageIdPart('sha256:0123456789abcdef0123')).toBe('0123456789ab')
  expect(imageIdPart('not an id')).toMatch(/^[0-9a-f]{12}$/)
})

test('cache-hit is true only when every cache came back whole; the post step saves what the run filled and did not get back', () => {
  expect(cacheHitOutput(['exact', 'exact', 'local'])).toBe('true')
  expect(cacheHitOutput(['exact', 'partial'])).toBe('partial')
  expect(cacheHitOutput(['none', 'exact'])).toBe('partial')
  expect(cacheHitOutput(['none', 'none'])).toBe('false')
  expect(cacheHitOutput([])).toBe('false')
  expect(shouldSave('none', true)).toBe(true)
  expect(shouldSave('partial', true)).toBe(true)
  expect(shouldSave('exact', true)).toBe(false)
  expect(shouldSave('local', true)).toBe(false)
  expect(shouldSave('none', false)).toBe(false)
})
