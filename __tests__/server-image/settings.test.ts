import { parseInputs } from '../../src/run/inputs.js'

const parse = (given: Record<string, string>) => parseInputs(name => given[name], { workspace: '/ws', runnerTemp: '/tmp/rt' }).serverImage

test('off by default; the plugin folder defaults to gotify\'s', () => {
  expect(parse({ 'server-repository': 'gotify/server' })).toEqual({ image: undefined, pluginDir: '/app/data/plugins', tags: [] })
})

test('tags split on commas and lines, as docker/metadata-action writes them', () => {
  const s = parse({
    'server-repository': 'gotify/server',
    'server-image': 'gotify/server:{server-version-bare}',
    'server-image-plugin-dir': '/data/plugins/',
    'image-tags': 'ghcr.io/me/{plugin}-server:{server-version-bare}\nghcr.io/me/{plugin}-server:latest, docker.io/me/x:{server-version}\n'
  })
  expect(s).toEqual({
    image: 'gotify/server:{server-version-bare}',
    pluginDir: '/data/plugins',
    tags: ['ghcr.io/me/{plugin}-server:{server-version-bare}', 'ghcr.io/me/{plugin}-server:latest', 'docker.io/me/x:{server-version}']
  })
})

test('a per-platform server image may use the platform placeholders', () => {
  expect(parse({ 'server-repository': 'a/b', 'server-image': 'gotify/server-{arch}:{server-version-bare}' }).image).toBe('gotify/server-{arch}:{server-version-bare}')
})

test.each([
  [{ 'server-image': 'gotify/server:{version}' }, /^Input 'server-image': unknown placeholder \{version\} in "gotify\/server:\{version\}"; accepted: \{server-owner\}, .*\{server-version-bare\}/],
  [{ 'server-image': 'Gotify/Server:1' }, /^Input 'server-image': "Gotify\/Server:1" is not an image reference: .*is not a repository name/],
  [{ 'server-image': 'gotify/server:x', 'image-tags': 'ghcr.io/me/x:{platform}' }, /^Input 'image-tags': unknown placeholder \{platform\}/],
  [{ 'server-image': 'gotify/server:x', 'image-tags': 'ghcr.io/me/x' }, /^Input 'image-tags': "ghcr.io\/me\/x" has no tag; accepted: /],
  [{ 'server-image': 'gotify/server:x', 'image-tags': `ghcr.io/me/x@sha256:${'a'.repeat(64)}` }, /^Input 'image-tags': .* has a digest/],
  [{ 'server-image': 'gotify/server:x', 'image-tags': 'ghcr.io/me/x:1,ghcr.io/me/x:1' }, /^Input 'image-tags': "ghcr.io\/me\/x:1" is listed twice/],
  [{ 'image-tags': 'ghcr.io/me/x:1' }, /^Input 'image-tags': tags are given but server-image is empty/],
  [{ 'server-image-plugin-dir': 'data/plugins' }, /^Input 'server-image-plugin-dir': "data\/plugins" is not an absolute folder/],
  [{ 'server-image-plugin-dir': '/app/../etc' }, /^Input 'server-image-plugin-dir': .* without \. or \.\. parts/],
  [{ 'server-image-plugin-dir': '/app/data plugins' }, /^Input 'server-image-plugin-dir'/],
  [{ 'server-image-plugin-dir': '/' }, /^Input 'server-image-plugin-dir': "\/" is the image's root/]
])('%j is refused with one line naming the input', (given, message) => {
  expect(() => parse({ 'server-repository': 'a/b', ...given })).toThrow(message)
})
