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
  const failures = acrossPluginsFailures(plan, moved, (p, m) => (p === 'b' ? `example.com/plugins/setb → ${m}@v1.1.0` : undefined))
  expect(failures.map(f => [f.module, f.plugins, f.wrong])).toEqual([
    ['example.com/dep', ['a', 'b'], ['a']],
    ['example.com/lib', ['a', 'b'], ['a']]
  ])
  expect(failures[1].message).toBe(
    "example.com/lib cannot take one version (v1.1.0) in every plugin: a v1.0.0 (now v1.1.0): moving it example.com/x would leave the server's v1.0.0 for v1.2.0; b v1.1.0: held by example.com/plugins/setb → example.com/lib@v1.1.0"
  )
})

test("a neighbour's version is the one: the plugins move to it, down too; a plugin alone with a neighbour is aligned with it", () => {
  const N = { name: 'other-linux-amd64.so', linked: [{ path: 'example.com/lib', version: 'v1.0.5' }] }
  const plan = planAcrossPlugins([A, B], [], [N])
  expect(plan.modules.map(m => [m.path, m.version, m.moves, m.neighbours])).toEqual([
    ['example.com/dep', 'v1.1.0', ['a'], undefined],
    ['example.com/lib', 'v1.0.5', ['a', 'b'], [{ name: 'other-linux-amd64.so', version: 'v1.0.5' }]]
  ])
  expect(planAcrossPlugins([B], [], [N]).modules.map(m => [m.path, m.version, m.moves])).toEqual([['example.com/lib', 'v1.0.5', ['b']]])
  // The same version, or a module the server links: nothing to do.
  expect(planAcrossPlugins([B], [], [{ name: 'n', linked: [{ path: 'example.com/lib', version: 'v1.1.0' }] }]).modules).toEqual([])
  expect(planAcrossPlugins([B], [{ path: 'example.com/lib', version: 'v1.0.0' }], [N]).modules).toEqual([])
})

test("a neighbour's version no version change gives (a replace, neighbours that differ) is unmatched with why; a freed module goes back to the plugins' own", () => {
  const replaced = planAcrossPlugins([B], [], [{ name: 'n.so', linked: [{ path: 'example.com/lib', version: 'v1.0.0', replace: 'example.com/fork v1.0.0' }] }])
  expect(replaced.modules).toEqual([])
  expect(replaced.unmatched).toEqual([
    { path: 'example.com/lib', neighbour: 'n.so', version: 'v1.0.0 => example.com/fork v1.0.0', plugins: [{ name: 'b', version: 'v1.1.0' }], why: 'n.so links it replaced (=> example.com/fork v1.0.0), which no version in this run\'s plugins matches' }
  ])
  const two = planAcrossPlugins([A, B], [], [{ name: 'n1', linked: [{ path: 'example.com/lib', version: 'v1.0.1' }] }, { name: 'n2', linked: [{ path: 'example.com/lib', version: 'v1.0.2' }] }])
  expect(two.unmatched[0].why).toMatch(/^the neighbours link other versions of it \(n1 v1\.0\.1, n2 v1\.0\.2\)/)
  expect(two.modules.find(m => m.path === 'example.com/lib')).toMatchObject({ version: 'v1.1.0', moves: ['a'] })
  const freed = planAcrossPlugins([A, B], [], [{ name: 'n', linked: [{ path: 'example.com/lib', version: 'v1.0.5' }] }], new Set(['example.com/lib']))
  expect(freed.modules.find(m => m.path === 'example.com/lib')).toMatchObject({ version: 'v1.1.0', moves: ['a'] })
})
