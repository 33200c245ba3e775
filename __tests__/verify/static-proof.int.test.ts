// Real binaries, real plugin.Open: for every cause of FIELD-NOTES §1, the static
// proof (fingerprints and build info read in TypeScript) must say what the fixture
// server's plugin.Open says when it loads the plugin: amd64 and 386 natively,
// arm64 through qemu-user.
import * as path from 'node:path'
import { mapConcurrent } from '../../src/concurrency.js'
import { type BinaryFacts, readBinaryFactsFromFile } from '../../src/binary/facts.js'
import { type StaticProof, proofDetails, proveStatically } from '../../src/verify/static-proof.js'
import { type FixtureBinaries, type HostRun, type PluginSpec, createFixtureBinaries, runFixtureServer } from '../support/fixture-binaries.js'
import { TOOLCHAINS } from '../support/toolchains.js'

const LONG = 600_000
const SYMBOLS = ['GetGotifyPluginInfo', 'NewGotifyPluginInstance']
const DEP_V1 = { 'example.com/dep': 'v1.0.0' }

interface Case extends PluginSpec {
  platform: string
}

let fx: FixtureBinaries
let patchGo: string
let minorGo: string
const servers = new Map<string, BinaryFacts>()
const results = new Map<string, { proof: StaticProof; run: HostRun; facts: BinaryFacts }>()

beforeAll(async () => {
  fx = await createFixtureBinaries()
  // The set-up fetched these toolchains (scripts/ci/test-toolchains.mjs).
  patchGo = TOOLCHAINS.otherPatch
  minorGo = TOOLCHAINS.otherMinor
  const cases: Case[] = [
    { name: 'matched', platform: 'linux-amd64', require: DEP_V1 },
    { name: 'indirect', platform: 'linux-amd64', fixture: 'indirect' },
    { name: 'go-patch', platform: 'linux-amd64', require: DEP_V1, go: patchGo },
    { name: 'go-minor', platform: 'linux-amd64', require: DEP_V1, go: minorGo },
    { name: 'trimpath', platform: 'linux-amd64', require: DEP_V1, trimpath: true },
    { name: 'other-cache', platform: 'linux-amd64', require: DEP_V1, modCache: path.join(fx.root, 'other-cache') },
    { name: 'missing-symbol', platform: 'linux-amd64', fixture: 'missing-symbol' },
    { name: 'newer-glibc', platform: 'linux-amd64', fixture: 'newer-glibc' },
    { name: 'matched-386', platform: 'linux-386', require: DEP_V1 },
    { name: 'indirect-386', platform: 'linux-386', fixture: 'indirect' },
    { name: 'matched-arm64', platform: 'linux-arm64', require: DEP_V1 },
    { name: 'indirect-arm64', platform: 'linux-arm64', fixture: 'indirect' }
  ]
  const t0 = Date.now()
  const platforms = ['linux-amd64', 'linux-386', 'linux-arm64']
  // One queue for servers and plugins: two go builds at a time keep both cores busy.
  const jobs: Array<() => Promise<string>> = [...platforms.map(p => () => fx.buildServer(p)), ...cases.map(c => () => fx.buildPlugin(c))]
  const built = await mapConcurrent(jobs, 2, job => job())
  const [serverBins, sos] = [built.slice(0, platforms.length), built.slice(platforms.length)]
  const t2 = Date.now()
  for (const [i, p] of platforms.entries()) servers.set(p, await readBinaryFactsFromFile(serverBins[i], `server-${p}.zip`))
  for (const [i, c] of cases.entries()) {
    const facts = await readBinaryFactsFromFile(sos[i], `${c.name}.so`)
    const proof = proveStatically({ server: servers.get(c.platform)!, plugin: facts, symbols: SYMBOLS, witness: `server-${c.platform}.zip` })
    const run = await runFixtureServer(serverBins[platforms.indexOf(c.platform)], c.platform, sos[i])
    results.set(c.name, { proof, run, facts })
  }
  const said = (r: HostRun): string => r.output.split('\n').find(l => /^(loaded|load failed|fatal error|missing symbol):/.test(l)) ?? r.output.slice(0, 200)
  const lines = [...results].map(([n, r]) => `${n}: plugin.Open ${r.run.outcome} (${said(r.run)})\n  ${proofDetails(r.proof).join('\n  ')}`)
  console.log(`3 servers and ${cases.length} plugins built in ${(t2 - t0) / 1000}s, proofs and runs ${(Date.now() - t2) / 1000}s; Go ${fx.goVersion}, patch ${patchGo}, minor ${minorGo}\n${lines.join('\n')}`)
}, LONG)

afterAll(async () => {
  await fx?.close()
})

const get = (name: string): { proof: StaticProof; run: HostRun; facts: BinaryFacts } => {
  const r = results.get(name)
  if (!r) throw new Error(`no result for ${name}`)
  return r
}

/** The package plugin.Open names in its refusal. */
const refusedPackage = (run: HostRun): string | undefined => /different version of package (\S+)/.exec(run.output)?.[1]

describe.each([
  'matched',
  'indirect',
  'go-patch',
  'go-minor',
  'trimpath',
  'other-cache',
  'missing-symbol',
  'newer-glibc',
  'matched-386',
  'indirect-386',
  'matched-arm64',
  'indirect-arm64'
])('%s', name => {
  test('the static verdict is what plugin.Open in the server does', () => {
    const { proof, run } = get(name)
    expect(run.outcome).not.toBe('crashed')
    // A fatal error inside plugin.Open (the runtime gave up on the plugin) is a refusal too, a harsher one.
    if (run.outcome === 'fatal') expect(name).toBe('go-minor')
    expect(proof.passed).toBe(run.outcome === 'loaded')
    if (run.outcome === 'refused') {
      // plugin.Open names the first difference it meets; the proof lists it among all of them.
      expect(proof.differing.map(d => d.package)).toContain(refusedPackage(run))
    } else if (run.outcome !== 'fatal') {
      expect(proof.differing).toEqual([])
    }
    expect(proof.missingSymbols.length > 0).toBe(run.outcome === 'missing-symbol')
  })
})

test('a matched plugin is proven, in the words of the summary', () => {
  const { proof } = get('matched')
  expect(proof.summary).toMatch(/^proven against server-linux-amd64\.zip: \d+ shared packages, 0 different$/)
  expect(proof.shared).toBeGreaterThan(20)
  expect(proof.warnings).toEqual([])
  expect(get('matched-arm64').proof.summary).toMatch(/^proven against server-linux-arm64\.zip: \d+ shared packages, 0 different$/)
})

test('another version of an indirect shared module: dep differs, named with both versions', () => {
  for (const name of ['indirect', 'indirect-386', 'indirect-arm64']) {
    const { proof } = get(name)
    expect(proof.differing).toContainEqual({ package: 'example.com/dep', module: 'example.com/dep', server: { version: 'v1.0.0' }, plugin: { version: 'v1.1.0' } })
    expect(proof.differing.every(d => d.module !== 'Go standard library')).toBe(true)
    expect(proof.diagnosis).toEqual({ kind: 'module-versions', message: expect.stringContaining('example.com/dep v1.1.0 in the plugin, v1.0.0 in the server') })
  }
})

test('a Go patch mismatch: verdict and Go versions as plugin.Open and the build infos say', () => {
  const { proof, run } = get('go-patch')
  expect(proof.goVersions).toEqual({ server: `go${fx.goVersion}`, plugin: `go${patchGo}` })
  if (run.outcome === 'loaded') {
    expect(proof.warnings).toContainEqual(expect.stringMatching(new RegExp(`Go versions differ \\(plugin go${patchGo.replace(/\./g, '\\.')}, server go${fx.goVersion.replace(/\./g, '\\.')}\\)`)))
  } else {
    expect(proof.diagnosis?.kind).toBe('go-version')
  }
})

test('a Go minor mismatch: standard packages differ, and the diagnosis is the Go version', () => {
  const { proof, run } = get('go-minor')
  // Go 1.25 into 1.26: the runtime aborts the server with "fatal error: runtime: no plugin module data".
  expect(['refused', 'fatal']).toContain(run.outcome)
  expect(proof.differing.filter(d => d.module === 'Go standard library').length).toBeGreaterThan(1)
  expect(proof.differing.find(d => d.package === 'runtime')).toEqual({
    package: 'runtime',
    module: 'Go standard library',
    server: { version: `go${fx.goVersion}` },
    plugin: { version: `go${minorGo}` }
  })
  expect(proof.diagnosis).toEqual({ kind: 'go-version', message: expect.stringContaining(`the plugin was built with go${minorGo}, the server with go${fx.goVersion}`) })
})

test('-trimpath on the plugin only: every differing package is listed, the diagnosis reads the build settings', () => {
  const { proof, facts } = get('trimpath')
  expect(facts.buildInfo?.settings).toContainEqual({ key: '-trimpath', value: 'true' })
  // Here every shared package differs, standard ones too: only the build settings tell -trimpath from another Go.
  expect(proof.differing).toHaveLength(proof.shared)
  expect(proof.differing.map(d => d.package)).toEqual(expect.arrayContaining(['example.com/dep', 'runtime']))
  expect(proof.diagnosis).toEqual({ kind: 'trimpath', message: "the plugin was built with -trimpath and the server without: remove -trimpath from build-args and from go-env's GOFLAGS" })
})

test('the module cache at another path: same versions, same Go, so the cache path is named', () => {
  const { proof } = get('other-cache')
  expect(proof.differing.map(d => d.package)).toEqual(['example.com/dep'])
  expect(proof.differing[0]).toMatchObject({ server: { version: 'v1.0.0' }, plugin: { version: 'v1.0.0' } })
  expect(proof.diagnosis?.message).toBe("the module cache path or build flags differ (the server's release build has the module cache at /go/pkg/mod)")
})

test('a missing symbol: the packages match, the lookup name is given in full', () => {
  const { proof, facts } = get('missing-symbol')
  expect(proof.missingSymbols).toEqual(['NewGotifyPluginInstance'])
  expect(facts.names).toContain('GetGotifyPluginInfo')
  expect(proof.summary).toMatch(/does not export NewGotifyPluginInstance \(looked up as example\.com\/plugins\/missingsymbol\.NewGotifyPluginInstance\)/)
})

test('C library: each side reports its highest GLIBC, and a plugin needing a newer one is warned about', () => {
  const matched = get('matched').proof
  expect(matched.glibc.server).toMatch(/^GLIBC_2\.\d+$/)
  expect(matched.glibc.plugin).toMatch(/^GLIBC_2\.\d+$/)
  const newer = get('newer-glibc').proof
  expect(newer.glibc.plugin).toBe('GLIBC_2.36')
  expect(newer.warnings).toContainEqual(`the plugin needs GLIBC_2.36, the server binary only ${newer.glibc.server}: it may not dlopen on the server's system`)
})
