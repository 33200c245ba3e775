import { isReference, parseImageReference, registryHostOnly } from '../../src/server-image/reference.js'

test.each([
  ['gotify/server:2.9.1', { name: 'gotify/server', registry: 'docker.io', tag: '2.9.1' }],
  ['ghcr.io/me/plugin-server:latest', { name: 'ghcr.io/me/plugin-server', registry: 'ghcr.io', tag: 'latest' }],
  ['127.0.0.1:5000/a/b', { name: '127.0.0.1:5000/a/b', registry: '127.0.0.1:5000' }],
  ['localhost/a:v1', { name: 'localhost/a', registry: 'localhost', tag: 'v1' }],
  [`busybox@sha256:${'a'.repeat(64)}`, { name: 'busybox', registry: 'docker.io', digest: `sha256:${'a'.repeat(64)}` }],
  [`r.example:443/x/y:1.0@sha256:${'b'.repeat(64)}`, { name: 'r.example:443/x/y', registry: 'r.example:443', tag: '1.0', digest: `sha256:${'b'.repeat(64)}` }]
])('%s is read like the Docker CLI reads it', (text, expected) => {
  expect(parseImageReference(text)).toEqual(expected)
})

test.each([
  ['ghcr.io/Me/server:1', /"ghcr.io\/Me\/server" is not a repository name/],
  ['gotify/server:v2.9.1+build', /"v2.9.1\+build" is not a tag/],
  ['gotify/server:.hidden', /is not a tag/],
  ['gotify/server@sha256:abc', /is not a sha256 digest/],
  ['bad_host:5000/a/b', /"bad_host:5000" is not a registry host/],
  ['a//b', /is not a repository name/],
  ['', /is not a repository name/]
])('%s is refused: %s', (text, problem) => {
  const r = parseImageReference(text)
  expect(isReference(r)).toBe(false)
  expect((r as { problem: string }).problem).toMatch(problem)
})

test('the registry host without its port decides insecurity', () => {
  expect(registryHostOnly('127.0.0.1:5000')).toBe('127.0.0.1')
  expect(registryHostOnly('[::1]:5000')).toBe('::1')
  expect(registryHostOnly('ghcr.io')).toBe('ghcr.io')
})
