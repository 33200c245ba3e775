// The static proof's decisions on hand-made facts: which diagnosis the evidence
// supports, and how a failure is told. Real binaries and the real plugin.Open
// are in static-proof.int.test.ts.
import type { BinaryFacts } from '../../src/binary/facts.js'
import type { GoBuildInfo } from '../../src/binary/go-buildinfo.js'
import { diagnoseDifference, moduleOfPackage } from '../../src/verify/diagnosis.js'
import { proofDetails, proveStatically } from '../../src/verify/static-proof.js'

const SYMBOLS = ['GetGotifyPluginInfo', 'NewGotifyPluginInstance']

function buildInfo(over: Partial<GoBuildInfo> = {}): GoBuildInfo {
  return {
    goVersion: 'go1.26.8',
    path: 'github.com/gotify/server/v2',
    main: { path: 'github.com/gotify/server/v2', version: '(devel)' },
    deps: [
      { path: 'github.com/gin-gonic/gin', version: 'v1.9.1' },
      { path: 'github.com/gin-contrib/sse', version: 'v0.1.0' },
      { path: 'golang.org/x/crypto', version: 'v0.17.0' }
    ],
    settings: [
      { key: '-buildmode', value: 'exe' },
      { key: 'GOARCH', value: 'amd64' }
    ],
    ...over
  }
}

const STD = { runtime: 'aa01', 'internal/goarch': 'aa02', 'net/http': 'aa03' }
const MODS = { 'github.com/gin-gonic/gin': 'bb01', 'github.com/gin-contrib/sse': 'bb02', 'golang.org/x/crypto/sha3': 'bb03' }

function server(over: Partial<BinaryFacts> = {}): BinaryFacts {
  return {
    file: 'gotify-linux-amd64',
    goarch: 'amd64',
    bits: 64,
    kind: 'executable',
    fingerprints: new Map(Object.entries({ ...STD, ...MODS, 'github.com/gotify/server/v2/model': 'cc01' })),
    buildInfo: buildInfo(),
    symbolPath: 'github.com/gotify/server/v2',
    names: [],
    glibc: 'GLIBC_2.34',
    ...over
  }
}

function plugin(fingerprints: Record<string, string> = {}, bi: Partial<GoBuildInfo> = {}, over: Partial<BinaryFacts> = {}): BinaryFacts {
  return {
    file: 'plug.so',
    goarch: 'amd64',
    bits: 64,
    kind: 'shared object',
    fingerprints: new Map(Object.entries({ ...STD, ...MODS, 'example.com/plug': 'dd01', ...fingerprints })),
    buildInfo: buildInfo({
      path: 'example.com/plug',
      main: { path: 'example.com/plug', version: '(devel)' },
      settings: [
        { key: '-buildmode', value: 'plugin' },
        { key: 'GOARCH', value: 'amd64' }
      ],
      ...bi
    }),
    symbolPath: 'example.com/plug',
    names: ['GetGotifyPluginInfo', 'NewGotifyPluginInstance', 'main'],
    glibc: 'GLIBC_2.34',
    ...over
  }
}

const prove = (p: BinaryFacts, s: BinaryFacts = server(), symbols = SYMBOLS) => proveStatically({ server: s, plugin: p, symbols, witness: 'gotify-linux-amd64.zip' })

test('a plugin whose shared packages all match, exporting every symbol, passes', () => {
  const r = prove(plugin())
  expect(r).toMatchObject({ passed: true, shared: 6, differing: [], missingSymbols: [], problems: [], warnings: [] })
  expect(r.summary).toBe('proven against gotify-linux-amd64.zip: 6 shared packages, 0 different')
})

test('every differing package is listed with its module and both versions; module versions are the diagnosis', () => {
  const deps = [
    { path: 'github.com/gin-gonic/gin', version: 'v1.10.0' },
    { path: 'github.com/gin-contrib/sse', version: 'v0.1.0', replace: { path: 'github.com/me/sse', version: 'v0.1.1' } },
    { path: 'golang.org/x/crypto', version: 'v0.17.0' }
  ]
  const r = prove(plugin({ 'github.com/gin-gonic/gin': 'ff01', 'github.com/gin-contrib/sse': 'ff02' }, { deps }))
  expect(r.passed).toBe(false)
  expect(r.differing).toEqual([
    { package: 'github.com/gin-contrib/sse', module: 'github.com/gin-contrib/sse', server: { version: 'v0.1.0' }, plugin: { version: 'v0.1.0', replaced: { path: 'github.com/me/sse', version: 'v0.1.1' } } },
    { package: 'github.com/gin-gonic/gin', module: 'github.com/gin-gonic/gin', server: { version: 'v1.9.1' }, plugin: { version: 'v1.10.0' } }
  ])
  expect(r.diagnosis).toEqual({
    kind: 'module-versions',
    message:
      "module versions differ: github.com/gin-contrib/sse v0.1.0 => github.com/me/sse v0.1.1 (replaced) in the plugin, v0.1.0 in the server; github.com/gin-gonic/gin v1.10.0 in the plugin, v1.9.1 in the server; build with the server's versions"
  })
  expect(r.summary).toMatch(/^refused against gotify-linux-amd64\.zip: 2 of 6 shared packages differ \(github\.com\/gin-contrib\/sse, github\.com\/gin-gonic\/gin\): module versions differ/)
  expect(proofDetails(r)).toEqual([
    r.summary,
    '  github.com/gin-contrib/sse (github.com/gin-contrib/sse): server v0.1.0, plugin v0.1.0 => github.com/me/sse v0.1.1 (replaced)',
    '  github.com/gin-gonic/gin (github.com/gin-gonic/gin): server v1.9.1, plugin v1.10.0',
    '  Go: server go1.26.8, plugin go1.26.8',
    '  C library: server needs GLIBC_2.34, plugin needs GLIBC_2.34'
  ])
})

test('a package belongs to the longest module path of either side; standard packages to Go', () => {
  const s = buildInfo({ deps: [{ path: 'golang.org/x/crypto', version: 'v0.17.0' }] })
  const p = buildInfo({ deps: [{ path: 'golang.org/x/crypto/sha3ext', version: 'v1.0.0' }] })
  expect(moduleOfPackage('golang.org/x/crypto/sha3', [s, p])).toBe('golang.org/x/crypto')
  expect(moduleOfPackage('golang.org/x/crypto/sha3ext/x', [s, p])).toBe('golang.org/x/crypto/sha3ext')
  expect(moduleOfPackage('vendor/golang.org/x/net/dns/dnsmessage', [s, p])).toBe('Go standard library')
  expect(moduleOfPackage('example.org/nowhere', [s, p])).toBe('unknown module of example.org/nowhere')
})

test('standard packages differ and the Go versions differ: the Go version is the diagnosis', () => {
  const r = prove(plugin({ runtime: 'ee01', 'internal/goarch': 'ee02', 'github.com/gin-gonic/gin': 'ee03' }, { goVersion: 'go1.25.14' }))
  expect(r.differing.map(d => `${d.package} ${d.module} ${d.server?.version} ${d.plugin?.version}`)).toEqual([
    'github.com/gin-gonic/gin github.com/gin-gonic/gin v1.9.1 v1.9.1',
    'internal/goarch Go standard library go1.26.8 go1.25.14',
    'runtime Go standard library go1.26.8 go1.25.14'
  ])
  expect(r.diagnosis).toEqual({ kind: 'go-version', message: 'the Go versions differ: the plugin was built with go1.25.14, the server with go1.26.8; build the plugin with go1.26.8' })
  expect(r.goVersions).toEqual({ server: 'go1.26.8', plugin: 'go1.25.14' })
})

test('-trimpath on one side only is read from the build settings, either way round', () => {
  const trimmed = [{ key: '-buildmode', value: 'plugin' }, { key: '-trimpath', value: 'true' }, { key: 'GOARCH', value: 'amd64' }]
  const all = Object.fromEntries(Object.keys({ ...STD, ...MODS }).map(k => [k, 'ff']))
  expect(prove(plugin(all, { settings: trimmed })).diagnosis).toEqual({
    kind: 'trimpath',
    message: "the plugin was built with -trimpath and the server without: remove -trimpath from build-args and from go-env's GOFLAGS"
  })
  const trimmedServer = server({ buildInfo: buildInfo({ settings: [{ key: '-trimpath', value: 'true' }, { key: 'GOARCH', value: 'amd64' }] }) })
  expect(prove(plugin(all), trimmedServer).diagnosis?.message).toBe('the server was built with -trimpath and the plugin without: build the plugin with it too, set build-args: -trimpath')
})

test('same versions, same Go, same flags: the module cache path', () => {
  expect(prove(plugin({ 'github.com/gin-gonic/gin': 'ff' })).diagnosis).toEqual({
    kind: 'module-cache-or-flags',
    message: "the module cache path or build flags differ (the server's release build has the module cache at /go/pkg/mod)"
  })
})

test('a compile setting recorded differently is named', () => {
  const settings = [{ key: '-buildmode', value: 'plugin' }, { key: '-gcflags', value: 'all=-N -l' }, { key: 'GOARCH', value: 'amd64' }]
  expect(prove(plugin({ 'github.com/gin-gonic/gin': 'ff' }, { settings })).diagnosis).toEqual({
    kind: 'build-settings',
    message: 'build settings differ: -gcflags ("all=-N -l" in the plugin, unset in the server)'
  })
})

test('only a module package differs but the Go versions differ: the Go versions are what the evidence shows', () => {
  expect(prove(plugin({ 'github.com/gin-gonic/gin': 'ff' }, { goVersion: 'go1.26.7' })).diagnosis?.kind).toBe('go-version')
})

test('a Go patch mismatch with no differing package passes, like plugin.Open, with a warning', () => {
  const r = prove(plugin({}, { goVersion: 'go1.26.7' }))
  expect(r.passed).toBe(true)
  expect(r.summary).toBe('proven against gotify-linux-amd64.zip: 6 shared packages, 0 different')
  expect(r.warnings).toEqual(['the Go versions differ (plugin go1.26.7, server go1.26.8); plugin.Open accepts it because no shared package differs, but go1.26.8 is the safe choice'])
})

test('missing and unexported symbols fail, named as the server looks them up', () => {
  const r = prove(plugin({}, {}, { names: ['GetGotifyPluginInfo', 'newGotifyPluginInstance'] }), server(), ['GetGotifyPluginInfo', 'NewGotifyPluginInstance', 'main'])
  expect(r.passed).toBe(false)
  expect(r.missingSymbols).toEqual(['NewGotifyPluginInstance', 'main'])
  expect(r.summary).toBe(
    'refused against gotify-linux-amd64.zip: the plugin does not export NewGotifyPluginInstance, main (looked up as example.com/plug.NewGotifyPluginInstance, example.com/plug.main)'
  )
})

test('wrong architecture, a server that cannot load plugins, a file that is no plugin', () => {
  expect(prove(plugin({}, {}, { goarch: 'arm64' })).summary).toBe('refused against gotify-linux-amd64.zip: plug.so is a 64-bit arm64 file, the server binary gotify-linux-amd64.zip is 64-bit amd64')
  expect(prove(plugin(), server({ fingerprints: new Map() })).problems).toEqual([
    'gotify-linux-amd64.zip exports no package fingerprints: it does not import plugin (it cannot load plugins) or is not a Go program'
  ])
  expect(prove(plugin({}, {}, { kind: 'executable' })).problems).toEqual(['plug.so is not a Go plugin (it is an ELF executable exporting 7 package fingerprints)'])
})

test('C library: the highest GLIBC of each side, and a warning when the plugin needs a newer one', () => {
  const r = prove(plugin({}, {}, { glibc: 'GLIBC_2.38' }))
  expect(r.passed).toBe(true)
  expect(r.glibc).toEqual({ server: 'GLIBC_2.34', plugin: 'GLIBC_2.38' })
  expect(r.warnings).toEqual(["the plugin needs GLIBC_2.38, the server binary only GLIBC_2.34: it may not dlopen on the server's system"])
  expect(prove(plugin({}, {}, { glibc: 'GLIBC_2.17' })).warnings).toEqual([])
  expect(prove(plugin({}, {}, { glibc: 'GLIBC_2.3.4' }), server({ glibc: 'GLIBC_2.3.2' })).warnings).toHaveLength(1)
})

test('without build info on a side, the diagnosis says so instead of guessing', () => {
  const r = prove(plugin({ runtime: 'ff' }, {}, { buildInfo: undefined, buildInfoError: 'plug.so has no Go build info (no .go.buildinfo section): is it a Go program or plugin?' }))
  expect(r.diagnosis?.kind).toBe('unknown')
  expect(r.differing[0]).toEqual({ package: 'runtime', module: 'Go standard library', server: { version: 'go1.26.8' }, plugin: undefined })
  expect(r.warnings).toContain('plug.so has no Go build info (no .go.buildinfo section): is it a Go program or plugin?')
  expect(diagnoseDifference(['runtime'], undefined, buildInfo()).message).toMatch(/^the server has no Go build info to tell why/)
})

test('the summary names the first ten differing packages; the details name all', () => {
  const many = Object.fromEntries(Array.from({ length: 14 }, (_, i) => [`internal/p${String(i).padStart(2, '0')}`, 'ff']))
  const s = server({ fingerprints: new Map([...server().fingerprints, ...Object.entries(many).map(([k]): [string, string] => [k, '00'])]) })
  const r = prove(plugin(many, { goVersion: 'go1.25.14' }), s)
  expect(r.differing).toHaveLength(14)
  expect(r.summary).toMatch(/^refused against gotify-linux-amd64\.zip: 14 of 20 shared packages differ \(internal\/p00, .*, internal\/p09 and 4 more\): the Go versions differ/)
  expect(proofDetails(r).filter(l => l.startsWith('  internal/p'))).toHaveLength(14)
})
