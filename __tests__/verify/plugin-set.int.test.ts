// Real builds, real plugin.Open: for sets of plugins in one folder, the static
// set proof must say what a host opening that folder in os.ReadDir order does,
// file by file: which file is refused, and the package or reason plugin.Open
// names. The host (fixtures/plugin-set-server) links no module; plugins A and B
// link example.com/lib and example.com/dep from the fixture GOPROXY. Native
// linux-amd64 builds only.
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { mapConcurrent } from '../../src/concurrency.js'
import { type BinaryFacts, readBinaryFactsFromFile } from '../../src/binary/facts.js'
import { pluginPathWarning } from '../../src/verify/plugin-path.js'
import { type PluginSetProof, pluginSetDetails, provePluginSet } from '../../src/verify/plugin-set.js'
import { type FixtureBinaries, type PluginSpec, createFixtureBinaries } from '../support/fixture-binaries.js'

const LONG = 600_000
const SYMBOLS = ['GetGotifyPluginInfo', 'NewGotifyPluginInstance']
const V1 = { 'example.com/lib': 'v1.0.0', 'example.com/dep': 'v1.0.0' }
const V11 = { 'example.com/lib': 'v1.1.0', 'example.com/dep': 'v1.1.0' }

// A and B link lib and dep at other versions; C has A's plugin path (and B's versions);
// B-aligned is B at A's versions; the -files builds are built from a file list; M's module is `main`.
const PLUGINS: PluginSpec[] = [
  { name: 'A', fixture: 'set-a', require: V1 },
  { name: 'B', fixture: 'set-b', require: V11 },
  { name: 'C', fixture: 'set-a', require: V11 },
  { name: 'B-aligned', fixture: 'set-b', require: V1 },
  { name: 'A-files', fixture: 'set-a', require: V1, package: 'plugin.go' },
  { name: 'B-files', fixture: 'set-b', require: V1, package: 'plugin.go' },
  { name: 'M', fixture: 'set-main' }
]

/** Each case: the folder's files, as name in the folder -> which build. */
const CASES: Record<string, Record<string, string>> = {
  'A alone': { 'a.so': 'A' },
  'B alone': { 'b.so': 'B' },
  'A+B': { 'a.so': 'A', 'b.so': 'B' },
  'B+A': { '1-b.so': 'B', '2-a.so': 'A' },
  'A+C': { 'a.so': 'A', 'c.so': 'C' },
  'A + A-aligned B': { 'a.so': 'A', 'b.so': 'B-aligned' },
  // b.so is refused; c.so has b's path, so it is not "already loaded" but differs in b's main package.
  'A+B+B-aligned': { 'a.so': 'A', 'b.so': 'B', 'c.so': 'B-aligned' },
  'two built from files': { 'a.so': 'A-files', 'b.so': 'B-files' },
  'module main': { 'm.so': 'M' }
}

let fx: FixtureBinaries
let host: string
let hostFacts: BinaryFacts
const facts = new Map<string, BinaryFacts>()
const results = new Map<string, { proof: PluginSetProof; said: Map<string, string> }>()
const run = promisify(execFile)

beforeAll(async () => {
  fx = await createFixtureBinaries()
  const t0 = Date.now()
  const jobs: Array<() => Promise<string>> = [() => fx.buildServer('linux-amd64', { fixture: 'plugin-set-server' }), ...PLUGINS.map(p => () => fx.buildPlugin(p))]
  const built = await mapConcurrent(jobs, 2, job => job())
  host = built[0]
  hostFacts = await readBinaryFactsFromFile(host, 'plugin-set-server')
  for (const [i, p] of PLUGINS.entries()) facts.set(p.name, await readBinaryFactsFromFile(built[i + 1], `${p.name}.so`))
  const t1 = Date.now()
  for (const [name, files] of Object.entries(CASES)) {
    const dir = path.join(fx.root, 'cases', name.replace(/[^A-Za-z0-9-]+/g, '_'))
    fs.mkdirSync(dir, { recursive: true })
    for (const [file, build] of Object.entries(files)) fs.copyFileSync(path.join(fx.root, 'out', `${build}.so`), path.join(dir, file))
    const { stdout } = await run(host, [dir], { timeout: 120_000 })
    const said = new Map([...stdout.matchAll(/^(loaded|load failed|missing symbol): ([^:\n]+)(?:: (.*))?$/gm)].map(m => [m[2], m[1] === 'loaded' ? 'loaded' : m[3]]))
    const plugins = Object.entries(files).map(([file, build]) => ({ name: file, facts: facts.get(build)! }))
    results.set(name, { proof: provePluginSet({ server: hostFacts, witness: 'plugin-set-server', plugins, symbols: SYMBOLS }), said })
  }
  const lines = [...results].map(([n, r]) => `${n}: plugin.Open said ${JSON.stringify(Object.fromEntries(r.said))}\n  ${pluginSetDetails(r.proof).join('\n  ')}`)
  console.log(`host and ${PLUGINS.length} plugins built in ${(t1 - t0) / 1000}s, Go ${fx.goVersion}\n${lines.join('\n')}`)
}, LONG)

afterAll(async () => {
  await fx?.close()
})

const get = (name: string): { proof: PluginSetProof; said: Map<string, string> } => {
  const r = results.get(name)
  if (!r) throw new Error(`no result for ${name}`)
  return r
}

describe.each(Object.keys(CASES))('%s', name => {
  test('the set proof says what plugin.Open says, file by file, in the folder order', () => {
    const { proof, said } = get(name)
    // The host opened every file, in os.ReadDir order: the proof's order.
    expect(proof.members.map(m => m.file)).toEqual([...said.keys()])
    for (const m of proof.members) {
      const real = said.get(m.file)!
      if (real === 'loaded') {
        expect(m.refusal).toBeUndefined()
        continue
      }
      if (/plugin already loaded$/.test(real)) {
        expect(m.refusal?.kind).toBe('already-loaded')
        continue
      }
      const pkg = /plugin was built with a different version of package (\S+)$/.exec(real)?.[1]
      expect(pkg).toBeDefined()
      if (m.refusal?.kind !== 'fingerprints') throw new Error(`${m.file}: plugin.Open said ${real}, the proof ${m.refusal?.kind ?? 'loads'}`)
      // plugin.Open names the first difference it meets; the proof names every one.
      expect(m.refusal.conflicts.flatMap(c => c.packages.map(d => d.package))).toContain(pkg)
    }
    // The server's failure is the first refused file.
    expect(proof.failure?.file).toBe([...said].find(([, s]) => s !== 'loaded')?.[0])
  })
})

test('A and B differ from each other in both modules, named with their versions, in either order', () => {
  for (const [name, later, earlier] of [
    ['A+B', 'b.so', 'a.so'],
    ['B+A', '2-a.so', '1-b.so']
  ]) {
    const m = get(name).proof.members.find(x => x.file === later)
    if (m?.refusal?.kind !== 'fingerprints') throw new Error(`${name}: ${later} is not refused for its fingerprints`)
    expect(m.refusal.conflicts).toHaveLength(1)
    expect(m.refusal.conflicts[0]).toMatchObject({ with: earlier, isServer: false, diagnosis: { kind: 'module-versions' } })
    const [mine, theirs] = later === 'b.so' ? ['v1.1.0', 'v1.0.0'] : ['v1.0.0', 'v1.1.0']
    expect(m.refusal.conflicts[0].packages).toEqual([
      { package: 'example.com/dep', module: 'example.com/dep', earlier: { version: theirs }, plugin: { version: mine } },
      { package: 'example.com/lib', module: 'example.com/lib', earlier: { version: theirs }, plugin: { version: mine } }
    ])
  }
})

test('A+C: the same plugin path as a.so, refused before any fingerprint is compared', () => {
  const c = get('A+C').proof.members[1]
  expect(c.refusal).toMatchObject({ kind: 'already-loaded', earlier: 'a.so', pluginPath: 'example.com/plugins/seta' })
})

test('a refused file keeps its packages: a later build of its plugin path differs in its main package', () => {
  const c = get('A+B+B-aligned').proof.members[2]
  expect(c.afterServerFailure).toBe(true)
  expect(c.refusal?.kind === 'fingerprints' && c.refusal.conflicts).toEqual([
    expect.objectContaining({ with: 'b.so', packages: [expect.objectContaining({ package: 'example.com/plugins/setb' })], diagnosis: expect.objectContaining({ kind: 'same-plugin-path' }) })
  ])
})

test('the plugin path of a module build is the build info path; of a file list, plugin/unnamed-<hash>, one per plugin', () => {
  const a = facts.get('A')!
  expect(a.buildInfo?.path).toBe('example.com/plugins/seta')
  expect(a.symbolPath).toBe('example.com/plugins/seta')
  expect(a.names).toEqual(expect.arrayContaining(SYMBOLS))
  const [af, bf] = [facts.get('A-files')!, facts.get('B-files')!]
  for (const f of [af, bf]) {
    expect(f.buildInfo?.path).toBe('command-line-arguments')
    expect(f.symbolPath).toMatch(/^plugin\/unnamed-[0-9a-f]{40}$/)
    expect(f.names).toEqual(expect.arrayContaining(SYMBOLS))
    expect(pluginPathWarning(f.symbolPath)).toBeUndefined()
  }
  expect(af.symbolPath).not.toBe(bf.symbolPath)
  // Which is why two plugins built from files load together (the case above).
  expect(get('two built from files').proof.passed).toBe(true)
})

test('a module called main: refused for the package main, which the server has too, and warned about', () => {
  const m = get('module main').proof.members[0]
  expect(m.pluginPath).toBe('main')
  expect(m.refusal?.kind === 'fingerprints' && m.refusal.conflicts[0]).toMatchObject({
    isServer: true,
    packages: [expect.objectContaining({ package: 'main' })],
    diagnosis: { kind: 'same-plugin-path' }
  })
  expect(m.warnings[0]).toMatch(/^the plugin path is "main", the server's own main package/)
})
