import { acrossPluginsFailures, compareGoVersions, movesByPlugin, planAcrossPlugins } from '../../src/alignment/across-plugins.js'

const A = { name: 'a', linked: [{ path: 'example.com/lib', version: 'v1.0.0' }, { path: 'example.com/dep', version: 'v1.0.0' }, { path: 'example.com/only-a', version: 'v0.1.0' }] }
const B = { name: 'b', linked: [{ path: 'example.com/lib', version: 'v1.1.0' }, { path: 'example.com/dep', version: 'v1.1.0' }] }

test('a module two plugins link and the server does not gets the highest version in both; only the one below moves', () => {
  const plan = planAcrossPlugins([A, B], [])
  expect(plan.modules.map(m => [m.path, m.version, m.moves])).toEqual([
    ['example.com/dep', 'v1.1.0', ['a']],
    ['example.com/lib', 'v1.1.0', ['a']]
  ])
  expect(movesByPlugin(plan).get('a')).toEqual([{ path: 'example.com/dep', version: 'v1.1.0' }, { path: 'example.com/lib', version: 'v1.1.0' }])
  expect(movesByPlugin(plan).has('b')).toBe(false)
})

test('a module the server links is left to each plugin\'s alignment; equal versions and single users need nothing', () => {
  const plan = planAcrossPlugins([A, B], [{ path: 'example.com/dep', version: 'v1.0.0' }])
  expect(plan.modules.map(m => m.path)).toEqual(['example.com/lib'])
  expect(planAcrossPlugins([A, { name: 'c', linked: A.linked }], []).modules).toEqual([])
})

test('Go version order: semver, pre-releases and pseudo-versions below the release, +incompatible ignored', () => {
  expect(compareGoVersions('v1.10.0', 'v1.9.0')).toBeGreaterThan(0)
  expect(compareGoVersions('v1.2.0-20240101000000-abcdefabcdef', 'v1.2.0')).toBeLessThan(0)
  expect(compareGoVersions('v2.0.0+incompatible', 'v1.9.9')).toBeGreaterThan(0)
  const plan = planAcrossPlugins([{ name: 'a', linked: [{ path: 'm', version: 'v1.9.0' }] }, { name: 'b', linked: [{ path: 'm', version: 'v1.10.0' }] }], [])
  expect(plan.modules[0].version).toBe('v1.10.0')
})

test('a replace directive cannot be aligned by a version: one line naming the module and every plugin', () => {
  const plan = planAcrossPlugins([A, { name: 'b', linked: [{ path: 'example.com/lib', version: 'v1.0.0', replace: '../lib' }] }], [])
  expect(plan.modules).toEqual([])
  expect(plan.unalignable[0].message).toBe('example.com/lib: plugins a v1.0.0, b v1.0.0 => ../lib link it with a replace directive, which no version change aligns: give every plugin the same replace (or none)')
})

test('failures name the module, every plugin with its version, and what holds each', () => {
  const plan = planAcrossPlugins([A, B], [])
  const ok = [
    { name: 'a', selected: new Map([['example.com/lib', 'v1.1.0'], ['example.com/dep', 'v1.1.0']]), serverMoved: [] },
    { name: 'b', selected: new Map([['example.com/lib', 'v1.1.0'], ['example.com/dep', 'v1.1.0']]), serverMoved: [] }
  ]
  expect(acrossPluginsFailures(plan, ok, () => undefined)).toEqual([])
  const moved = [{ ...ok[0], selected: new Map([['example.com/lib', 'v1.1.0'], ['example.com/dep', 'v1.1.0']]), serverMoved: [{ path: 'example.com/x', server: 'v1.0.0', now: 'v1.2.0' }] }, ok[1]]
  const lines = acrossPluginsFailures(plan, moved, (p, m) => (p === 'b' ? `example.com/plugins/setb → ${m}@v1.1.0` : undefined))
  expect(lines).toHaveLength(2)
  expect(lines[1]).toBe(
    "example.com/lib cannot take one version (v1.1.0) in every plugin: a v1.0.0 (now v1.1.0): moving it example.com/x would leave the server's v1.0.0 for v1.2.0; b v1.1.0: held by example.com/plugins/setb → example.com/lib@v1.1.0"
  )
})
