// The set proof's decisions on hand-made facts: load order, what each file is
// compared with, what a refused file leaves behind, how a failure is told. Real
// builds and the real plugin.Open are in plugin-set.int.test.ts.
import type { BinaryFacts } from '../../src/binary/facts.js'
import type { GoBuildInfo, GoModule } from '../../src/binary/go-buildinfo.js'
import { type PluginFile, type PluginSetProof, loadOrder, pairDiagnosis, pluginSetDetails, provePluginSet } from '../../src/verify/plugin-set.js'

const SYMBOLS = ['GetGotifyPluginInfo', 'NewGotifyPluginInstance']
const WITNESS = 'gotify-linux-amd64.zip'
const STD = { runtime: 'aa01', 'net/http': 'aa02' }

function info(path: string, deps: GoModule[], over: Partial<GoBuildInfo> = {}): GoBuildInfo {
  return { goVersion: 'go1.26.8', path, main: { path, version: '(devel)' }, deps, settings: [{ key: 'GOARCH', value: 'amd64' }], ...over }
}

const server: BinaryFacts = {
  file: 'gotify-linux-amd64',
  goarch: 'amd64',
  bits: 64,
  kind: 'executable',
  fingerprints: new Map(Object.entries({ ...STD, 'github.com/gin-gonic/gin': 'bb01', main: 'cc00' })),
  buildInfo: info('github.com/gotify/server/v2', [{ path: 'github.com/gin-gonic/gin', version: 'v1.9.1' }]),
  names: [],
  glibc: 'GLIBC_2.34'
}

/** A plugin at `path` linking example.com/dep (packages dep and dep/sub) at `dep`; fingerprints follow the versions. */
function plugin(path: string, dep: string | undefined, over: Partial<BinaryFacts> = {}, extra: Record<string, string> = {}): BinaryFacts {
  const depFps = dep ? { 'example.com/dep': `dep-${dep}`, 'example.com/dep/sub': `sub-${dep}` } : {}
  return {
    file: `${path}.so`,
    goarch: 'amd64',
    bits: 64,
    kind: 'shared object',
    fingerprints: new Map(Object.entries({ ...STD, 'github.com/gin-gonic/gin': 'bb01', [path]: `main-${path}`, ...depFps, ...extra })),
    buildInfo: info(path, [{ path: 'github.com/gin-gonic/gin', version: 'v1.9.1' }, ...(dep ? [{ path: 'example.com/dep', version: dep }] : [])]),
    symbolPath: path,
    names: SYMBOLS,
    glibc: 'GLIBC_2.34',
    ...over
  }
}

const prove = (...plugins: Array<[string, BinaryFacts]>): PluginSetProof =>
  provePluginSet({ server, witness: WITNESS, symbols: SYMBOLS, plugins: plugins.map(([name, facts]): PluginFile => ({ name, facts })) })
const verdicts = (p: PluginSetProof): string[] => p.members.map(m => `${m.file}: ${m.refusal?.kind ?? 'loads'}`)

test('the load order is os.ReadDir order: UTF-8 bytes, not UTF-16 units', () => {
  expect(loadOrder(['b.so', 'B.so', 'a.so', '\u{1F600}.so', '\uFF5E.so'])).toEqual(['B.so', 'a.so', 'b.so', '\uFF5E.so', '\u{1F600}.so'])
})

test('plugins that agree load together, whatever order they are given in', () => {
  const p = prove(['b.so', plugin('github.com/o/b', 'v1.0.0')], ['a.so', plugin('github.com/o/a', 'v1.0.0')])
  expect(p).toMatchObject({ passed: true, failure: undefined, warnings: [] })
  expect(verdicts(p)).toEqual(['a.so: loads', 'b.so: loads'])
  expect(p.summary).toBe('2 plugin files load together into gotify-linux-amd64.zip: a.so, b.so')
})

test('two plugins linking a module the server does not at other versions: the later file is refused, every package named', () => {
  for (const [first, second] of [
    ['v1.0.0', 'v1.1.0'],
    ['v1.1.0', 'v1.0.0']
  ]) {
    const p = prove(['a.so', plugin('github.com/o/a', first)], ['b.so', plugin('github.com/o/b', second)])
    expect(verdicts(p)).toEqual(['a.so: loads', 'b.so: fingerprints'])
    const refusal = p.members[1].refusal
    if (refusal?.kind !== 'fingerprints') throw new Error('expected a fingerprint refusal')
    expect(refusal.conflicts).toEqual([
      {
        with: 'a.so',
        isServer: false,
        packages: [
          { package: 'example.com/dep', module: 'example.com/dep', earlier: { version: first }, plugin: { version: second } },
          { package: 'example.com/dep/sub', module: 'example.com/dep', earlier: { version: first }, plugin: { version: second } }
        ],
        diagnosis: {
          kind: 'module-versions',
          message: `module versions differ: example.com/dep ${second} in b.so, ${first} in a.so; the server does not link them, so build both plugins with one version of each (say b.so with a.so's)`
        }
      }
    ])
    expect(p.failure?.file).toBe('b.so')
    expect(p.summary).toMatch(/^the server \(gotify-linux-amd64\.zip\) does not start: error while loading plugin b\.so: plugin\.Open refuses it .*2 packages differ from a\.so \(example\.com\/dep, example\.com\/dep\/sub\)/)
  }
})

test('a file can differ from the server and from an earlier file at once: both are named, the server with its own diagnosis', () => {
  const b = plugin('github.com/o/b', 'v1.1.0', {}, { 'github.com/gin-gonic/gin': 'ff' })
  const p = prove(['a.so', plugin('github.com/o/a', 'v1.0.0')], ['b.so', b])
  const refusal = p.members[1].refusal
  if (refusal?.kind !== 'fingerprints') throw new Error('expected a fingerprint refusal')
  expect(refusal.conflicts.map(c => [c.with, c.isServer, c.packages.map(d => d.package)])).toEqual([
    [WITNESS, true, ['github.com/gin-gonic/gin']],
    ['a.so', false, ['example.com/dep', 'example.com/dep/sub']]
  ])
  // Against the server, the conflict is the one-plugin proof's.
  expect(refusal.conflicts[0].diagnosis).toEqual(p.members[1].proof.diagnosis)
  expect(p.members[1].proof.differing.map(d => d.package)).toEqual(['github.com/gin-gonic/gin'])
})

test('the same plugin path as an opened file: plugin already loaded, checked before any fingerprint', () => {
  const p = prove(['a.so', plugin('github.com/o/a', 'v1.0.0')], ['c.so', plugin('github.com/o/a', 'v1.1.0')])
  expect(p.members[1].refusal).toEqual({
    kind: 'already-loaded',
    earlier: 'a.so',
    pluginPath: 'github.com/o/a',
    message: "plugin.Open refuses it: plugin already loaded (a.so, opened before it, has the same plugin path github.com/o/a); give one of them a module path of its own in go.mod (for this run's plugins, rewrite-module-paths auto does it in a build copy)"
  })
})

test('a refused file is not "loaded", but its fingerprints stay: a later file with its path differs in the main package', () => {
  // b.so is refused (dep against a.so); c.so has b's path: not `already loaded`, but b's main package was exported.
  const c = plugin('github.com/o/b', 'v1.0.0')
  c.fingerprints.set('github.com/o/b', 'main-other')
  const p = prove(['a.so', plugin('github.com/o/a', 'v1.0.0')], ['b.so', plugin('github.com/o/b', 'v1.1.0')], ['c.so', c])
  expect(verdicts(p)).toEqual(['a.so: loads', 'b.so: fingerprints', 'c.so: fingerprints'])
  const refusal = p.members[2].refusal
  if (refusal?.kind !== 'fingerprints') throw new Error('expected a fingerprint refusal')
  expect(refusal.conflicts.map(x => [x.with, x.packages.map(d => d.package)])).toEqual([['b.so', ['github.com/o/b']]])
  expect(refusal.conflicts[0].diagnosis).toEqual({
    kind: 'same-plugin-path',
    message: 'b.so has the same plugin path github.com/o/b and came first (refused, so not "already loaded", but its packages stay): keep one of them, or give one a module path of its own in go.mod'
  })
  expect(p.members[2].afterServerFailure).toBe(true)
  expect(p.failure?.file).toBe('b.so')
  expect(p.summary).toMatch(/; 1 later file is never opened \(and would be refused too: c\.so\)$/)
})

test('packages only a refused file exported are compared too', () => {
  const p = prove(['a.so', plugin('github.com/o/a', 'v1.0.0')], ['b.so', plugin('github.com/o/b', 'v1.1.0', {}, { 'example.com/two': 't1' })], ['d.so', plugin('github.com/o/d', 'v1.0.0', {}, { 'example.com/two': 't2' })])
  const refusal = p.members[2].refusal
  expect(refusal?.kind === 'fingerprints' && refusal.conflicts.map(x => [x.with, x.packages.map(d => d.package)])).toEqual([['b.so', ['example.com/two']]])
})

test('a file dlopen refuses leaves nothing behind', () => {
  const p = prove(['a.so', plugin('github.com/o/a', 'v1.1.0', { goarch: 'arm64' })], ['b.so', plugin('github.com/o/b', 'v1.0.0')])
  expect(verdicts(p)).toEqual(['a.so: not-loadable', 'b.so: loads'])
  expect(p.members[0].refusal?.message).toBe('a.so is a 64-bit arm64 file, the server binary gotify-linux-amd64.zip is 64-bit amd64')
})

test('a plugin missing a symbol opens (its path is taken) but stops the server at the lookup', () => {
  const p = prove(['a.so', plugin('github.com/o/a', 'v1.0.0', { names: ['GetGotifyPluginInfo'] })], ['c.so', plugin('github.com/o/a', 'v1.0.0')])
  expect(verdicts(p)).toEqual(['a.so: missing-symbols', 'c.so: already-loaded'])
  expect(p.members[0].refusal?.message).toBe(
    "plugin.Open loads it, but the server's lookup fails: it does not export NewGotifyPluginInstance (looked up as github.com/o/a.NewGotifyPluginInstance)"
  )
  expect(p.failure?.file).toBe('a.so')
})

test('the per-plugin checks against the server stay: Go version, glibc and path warnings per member', () => {
  const b = plugin('github.com/gotify/plugin-template', undefined, { glibc: 'GLIBC_2.38', buildInfo: info('github.com/gotify/plugin-template', [], { goVersion: 'go1.26.7' }) })
  const p = prove(['b.so', b])
  expect(p.passed).toBe(true)
  expect(p.members[0].warnings).toEqual([
    expect.stringMatching(/^the plugin path "github\.com\/gotify\/plugin-template" is gotify\/plugin-template's own/),
    expect.stringMatching(/^the Go versions differ \(plugin go1\.26\.7, server go1\.26\.8\)/),
    "the plugin needs GLIBC_2.38, the server binary only GLIBC_2.34: it may not dlopen on the server's system"
  ])
})

test('two files from one module with other plugin paths: a ModulePath warning', () => {
  const sub = (name: string): BinaryFacts => {
    const f = plugin(`github.com/o/multi/${name}`, undefined)
    f.buildInfo = info(`github.com/o/multi/${name}`, [], { main: { path: 'github.com/o/multi', version: '(devel)' } })
    return f
  }
  const p = prove(['x.so', sub('x')], ['y.so', sub('y')])
  expect(p.passed).toBe(true)
  expect(p.warnings).toEqual([
    'x.so, y.so are built from one module (github.com/o/multi): if their GetGotifyPluginInfo reports it as ModulePath, gotify refuses all but the first (`present at least twice`)'
  ])
})

test('two files of one name cannot be in one folder', () => {
  expect(() => prove(['a.so', plugin('github.com/o/a', undefined)], ['a.so', plugin('github.com/o/b', undefined)])).toThrow('two plugin files named "a.so": one folder cannot hold both')
})

test('a pair diagnosis in file names, for each cause', () => {
  const side = (over: Partial<GoBuildInfo>): GoBuildInfo => info('github.com/o/x', [{ path: 'example.com/dep', version: 'v1.0.0' }], over)
  const a = { name: 'a.so', isServer: false, side: side({}) }
  expect(pairDiagnosis(['example.com/dep'], a, { name: 'b.so', isServer: false, side: side({}) }).message).toBe(
    'same versions, so the module cache path or build flags of a.so and b.so differ; build every plugin like the server (module cache at /go/pkg/mod)'
  )
  expect(pairDiagnosis(['example.com/dep'], a, { name: 'b.so', isServer: false, side: side({ settings: [{ key: '-trimpath', value: 'true' }] }) }).kind).toBe('trimpath')
  const tags = side({ settings: [{ key: 'GOARCH', value: 'amd64' }, { key: '-tags', value: 'x' }] })
  expect(pairDiagnosis(['example.com/dep'], a, { name: 'b.so', isServer: false, side: tags }).message).toBe('a.so and b.so were built with other compile settings (-tags ("x" in b.so, unset in a.so))')
  expect(pairDiagnosis(['runtime'], a, { name: 'b.so', isServer: false, side: side({ goVersion: 'go1.25.3' }) }).message).toBe(
    "the Go versions differ: b.so was built with go1.25.3, a.so with go1.26.8; build every plugin with the server's Go"
  )
  expect(pairDiagnosis(['example.com/dep'], a, { name: 'b.so', isServer: false }).kind).toBe('unknown')
})

test('the details list every file, every differing package with both versions, and the Go and C library lines', () => {
  const p = prove(['a.so', plugin('github.com/o/a', 'v1.0.0')], ['b.so', plugin('github.com/o/b', 'v1.1.0')])
  expect(pluginSetDetails(p)).toEqual([
    p.summary,
    'a.so: loads',
    '  plugin path: github.com/o/a',
    '  Go: server go1.26.8, plugin go1.26.8',
    '  C library: server needs GLIBC_2.34, plugin needs GLIBC_2.34',
    `b.so: refused: ${p.members[1].refusal?.message}`,
    '  example.com/dep (example.com/dep): a.so v1.0.0, b.so v1.1.0',
    '  example.com/dep/sub (example.com/dep): a.so v1.0.0, b.so v1.1.0',
    '  plugin path: github.com/o/b',
    '  Go: server go1.26.8, plugin go1.26.8',
    '  C library: server needs GLIBC_2.34, plugin needs GLIBC_2.34'
  ])
})

test('a plugin whose main package the server has too (a module called main): named as such, not as a build difference', () => {
  const m = plugin('main', undefined)
  m.fingerprints.set('main', 'main-plugin')
  const refusal = prove(['m.so', m]).members[0].refusal
  expect(refusal?.kind === 'fingerprints' && refusal.conflicts).toEqual([
    expect.objectContaining({ with: WITNESS, isServer: true, diagnosis: { kind: 'same-plugin-path', message: "the plugin's main package is main, a package of the server too: give the plugin a module path of its own in go.mod" } })
  ])
})

test("plugins differing in a module the server links too (other packages of it): the fix is the server's version", () => {
  const withCrypto = (path: string, v: string, fp: string): BinaryFacts => {
    const f = plugin(path, undefined, {}, { 'github.com/gin-gonic/gin/render': fp })
    f.buildInfo = info(path, [{ path: 'github.com/gin-gonic/gin', version: v }])
    return f
  }
  const p = prove(['a.so', withCrypto('github.com/o/a', 'v1.9.0', 'r1')], ['b.so', withCrypto('github.com/o/b', 'v1.10.0', 'r2')])
  const refusal = p.members[1].refusal
  expect(refusal?.kind === 'fingerprints' && refusal.conflicts.map(c => c.diagnosis.message)).toEqual([
    "module versions differ: github.com/gin-gonic/gin v1.10.0 in b.so, v1.9.0 in a.so; build both plugins with the server's versions (github.com/gin-gonic/gin v1.9.1)"
  ])
})
