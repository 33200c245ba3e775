// The binary readers on real binaries of all five released platforms, held to
// Go's own debug/elf and debug/buildinfo (__tests__/fixtures/elf-oracle), and
// on files cut short, big-endian or not ELF at all.
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { mapConcurrent } from '../../src/concurrency.js'
import { ElfError, ElfFile } from '../../src/binary/elf.js'
import { dynamicSymbols, versionNeeds } from '../../src/binary/elf-dynamic.js'
import { readGoBuildInfo } from '../../src/binary/go-buildinfo.js'
import { type BinaryFacts, readBinaryFacts } from '../../src/binary/facts.js'
import { FIXTURES, type FixtureBinaries, createFixtureBinaries } from '../support/fixture-binaries.js'

const run = promisify(execFile)
const LONG = 600_000
const PLATFORMS: Record<string, { goarch: string; bits: number; machine: number; extra?: [string, string] }> = {
  'linux-amd64': { goarch: 'amd64', bits: 64, machine: 62, extra: ['GOAMD64', 'v1'] },
  'linux-386': { goarch: '386', bits: 32, machine: 3 },
  'linux-arm-7': { goarch: 'arm', bits: 32, machine: 40, extra: ['GOARM', '7'] },
  'linux-arm64': { goarch: 'arm64', bits: 64, machine: 183 },
  'linux-riscv64': { goarch: 'riscv64', bits: 64, machine: 243 }
}
const PLUGIN_PATH = 'example.com/plugins/subfolder/cmd/gotifyplug'

interface Oracle {
  bits: number
  machine: number
  type: number
  fingerprints: Record<string, string>
  defined: string[]
  versionNeeds: Array<{ file: string; versions: string[] }>
  buildInfo?: Record<string, unknown>
}

let fx: FixtureBinaries
let oracleBin: string
const files = new Map<string, string>()
const oracles = new Map<string, Oracle>()

beforeAll(async () => {
  fx = await createFixtureBinaries()
  oracleBin = path.join(fx.root, 'elf-oracle')
  await run('go', ['build', '-o', oracleBin, '.'], { cwd: path.join(FIXTURES, 'elf-oracle'), env: { ...process.env, GOTOOLCHAIN: 'local', GOFLAGS: '' } })
  const jobs: Array<[string, () => Promise<string>]> = [
    // Without -a (the release build is in static-proof.int.test.ts): the same executable, from the build cache.
    ['server-linux-amd64', () => fx.buildServer('linux-amd64', { release: false })],
    ...Object.keys(PLATFORMS).map((p): [string, () => Promise<string>] => [
      `plugin-${p}`,
      () => fx.buildPlugin({ name: `subfolder-${p}`, platform: p, fixture: 'subfolder', package: './cmd/gotifyplug' })
    ])
  ]
  const t0 = Date.now()
  const built = await mapConcurrent(jobs, 2, ([, build]) => build())
  jobs.forEach(([name], i) => files.set(name, built[i]))
  for (const [name, file] of files) oracles.set(name, JSON.parse((await run(oracleBin, [file], { maxBuffer: 256 << 20 })).stdout) as Oracle)
  console.log(`built ${jobs.length} binaries in ${(Date.now() - t0) / 1000}s`)
}, LONG)

afterAll(async () => {
  await fx?.close()
})

const facts = (name: string): BinaryFacts => readBinaryFacts(fs.readFileSync(files.get(name)!), name)

describe.each(Object.entries(PLATFORMS))('a plugin for %s', (platform, want) => {
  const name = `plugin-${platform}`

  test('machine, class and kind', () => {
    const elf = new ElfFile(fs.readFileSync(files.get(name)!), name)
    expect({ goarch: elf.goarch, bits: elf.bits, machine: elf.machine, kind: elf.kind }).toEqual({ goarch: want.goarch, bits: want.bits, machine: want.machine, kind: 'shared object' })
    expect({ bits: elf.bits, machine: elf.machine, type: elf.type }).toEqual({ bits: oracles.get(name)!.bits, machine: oracles.get(name)!.machine, type: oracles.get(name)!.type })
  })

  test('package fingerprints: every one, with the bytes Go reads', () => {
    const f = facts(name)
    expect(f.fingerprints.size).toBeGreaterThan(20)
    expect(Object.fromEntries(f.fingerprints)).toEqual(oracles.get(name)!.fingerprints)
    expect(f.fingerprints.get('runtime')).toMatch(/^[0-9a-f]{16}$/)
    expect(f.fingerprints.has(PLUGIN_PATH)).toBe(true)
  })

  test('exports its names under the main package path, a subfolder of its module', () => {
    const f = facts(name)
    expect(f.symbolPath).toBe(PLUGIN_PATH)
    expect(f.names).toEqual(expect.arrayContaining(['GetGotifyPluginInfo', 'NewGotifyPluginInstance', 'Version']))
    const oracleNames = oracles.get(name)!.defined.filter(s => s.startsWith(`${PLUGIN_PATH}.`)).map(s => s.slice(PLUGIN_PATH.length + 1))
    expect(f.names).toEqual([...new Set(oracleNames.filter(n => /^[\p{L}_][\p{L}\p{N}_]*$/u.test(n)))].sort())
  })

  test('build info: Go version, main module, deps and settings, as debug/buildinfo reads them', () => {
    const f = facts(name)
    expect(f.buildInfo).toEqual(oracles.get(name)!.buildInfo)
    expect(f.buildInfo).toMatchObject({ goVersion: `go${fx.goVersion}`, path: PLUGIN_PATH, main: { path: 'example.com/plugins/subfolder', version: '(devel)' } })
    expect(f.buildInfo?.deps).toEqual([expect.objectContaining({ path: 'example.com/dep', version: 'v1.0.0' })])
    expect(f.buildInfo?.settings).toEqual(
      expect.arrayContaining([
        { key: '-buildmode', value: 'plugin' },
        { key: '-ldflags', value: '-w -s' },
        { key: 'CGO_ENABLED', value: '1' },
        { key: 'GOARCH', value: want.goarch },
        ...(want.extra ? [{ key: want.extra[0], value: want.extra[1] }] : [])
      ])
    )
  })

  test('GLIBC version needs', () => {
    const elf = new ElfFile(fs.readFileSync(files.get(name)!), name)
    expect(versionNeeds(elf)).toEqual(oracles.get(name)!.versionNeeds)
    expect(facts(name).glibc).toMatch(/^GLIBC_2\.\d+$/)
  })
})

describe('the server built with -ldflags "-w -s"', () => {
  const name = 'server-linux-amd64'

  test('an executable with no .symtab, whose dynamic symbols hold the fingerprints of every linked package', () => {
    const elf = new ElfFile(fs.readFileSync(files.get(name)!), name)
    expect(elf.kind).toBe('executable')
    expect(elf.section('.symtab')).toBeUndefined()
    const f = facts(name)
    expect(Object.fromEntries(f.fingerprints)).toEqual(oracles.get(name)!.fingerprints)
    expect([...f.fingerprints.keys()]).toEqual(expect.arrayContaining(['plugin', 'example.com/dep', 'runtime']))
    // Each package also has a go:link.pkghash.<path> string header: only the bytes count.
    expect(dynamicSymbols(elf).filter(s => s.name.startsWith('go:link.pkghash.')).length).toBe(f.fingerprints.size)
  })

  test('build info and GLIBC needs', () => {
    const f = facts(name)
    expect(f.buildInfo).toEqual(oracles.get(name)!.buildInfo)
    expect(f.buildInfo).toMatchObject({ path: 'example.com/server/v2', deps: [expect.objectContaining({ path: 'example.com/dep', version: 'v1.0.0' })] })
    expect(f.glibc).toMatch(/^GLIBC_2\.\d+$/)
  })
})

test('without section headers, everything is read through the program headers alike', () => {
  for (const name of files.keys()) {
    const data = Buffer.from(fs.readFileSync(files.get(name)!))
    const elf = new ElfFile(data, name)
    // e_shoff, e_shnum, e_shstrndx = 0, as sstrip leaves a file.
    if (elf.bits === 64) data.writeBigUInt64LE(0n, 40)
    else data.writeUInt32LE(0, 32)
    data.fill(0, elf.bits === 64 ? 60 : 48, elf.bits === 64 ? 64 : 52)
    const stripped = readBinaryFacts(data, name)
    expect(new ElfFile(data, name).sections).toEqual([])
    const whole = facts(name)
    expect({ ...stripped, fingerprints: Object.fromEntries(stripped.fingerprints) }).toEqual({ ...whole, fingerprints: Object.fromEntries(whole.fingerprints) })
  }
})

test('fingerprints under the older spelling go.link.pkghashbytes. are read alike', () => {
  const name = 'plugin-linux-arm64'
  const data = Buffer.from(fs.readFileSync(files.get(name)!))
  const [now, old] = [Buffer.from('go:link.pkghashbytes.'), Buffer.from('go.link.pkghashbytes.')]
  let renamed = 0
  for (let i = data.indexOf(now); i >= 0; i = data.indexOf(now, i + 1), renamed++) old.copy(data, i)
  expect(renamed).toBe(facts(name).fingerprints.size)
  expect(readBinaryFacts(data, name).fingerprints).toEqual(facts(name).fingerprints)
})

describe('malformed input is a one-line error', () => {
  const real = (): Buffer => fs.readFileSync(files.get('plugin-linux-amd64')!)

  test.each([
    ['cut after 40 bytes', (b: Buffer) => b.subarray(0, 40), /is truncated: the ELF header ends at byte 64, the file has 40$/],
    ['cut in half', (b: Buffer) => b.subarray(0, b.length >> 1), /is truncated: the (section header table|program header table) ends at byte \d+, the file has \d+$/],
    ['a zip file', () => Buffer.from('PK\x03\x04rest of a zip', 'latin1'), /is not an ELF file \(it starts with 50 4b 03 04, an ELF file with 7f 45 4c 46\)$/],
    ['empty', () => Buffer.alloc(0), /is not an ELF file \(it starts with nothing/],
    ['big-endian', (b: Buffer) => Buffer.concat([b.subarray(0, 5), Buffer.from([2]), b.subarray(6)]), /is a big-endian ELF file; only little-endian ones are read/],
    ['for SPARC', (b: Buffer) => Buffer.concat([b.subarray(0, 18), Buffer.from([2, 0]), b.subarray(20)]), /is a 64-bit ELF file for machine 2; accepted: amd64 \(62\), 386 \(3\)/]
  ])('%s', (_what, make, message) => {
    expect(() => readBinaryFacts(make(real()), 'p.so')).toThrow(ElfError)
    expect(() => readBinaryFacts(make(real()), 'p.so')).toThrow(message)
  })

  test('an ELF program that is not Go has no build info and no fingerprints', async () => {
    const c = path.join(fx.root, 'hello-c')
    fs.writeFileSync(`${c}.c`, 'int main(void) { return 0; }\n')
    await run('gcc', ['-o', c, `${c}.c`])
    const f = readBinaryFacts(fs.readFileSync(c), 'hello-c')
    expect(f.fingerprints.size).toBe(0)
    expect(f.buildInfo).toBeUndefined()
    expect(f.buildInfoError).toBe('hello-c has no Go build info (no build info magic): is it a Go program or plugin?')
    expect(() => readGoBuildInfo(new ElfFile(fs.readFileSync(c), 'hello-c'))).toThrow(ElfError)
  })
})
