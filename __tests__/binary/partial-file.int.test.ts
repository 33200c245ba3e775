// The facts of a binary on disk, read by positioned reads of the parts they
// use, against the whole-file reader, on real servers and plugins for amd64
// and arm64, the same files without section headers, and files cut short,
// pointing past their end or announcing absurd sizes.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { mapConcurrent } from '../../src/concurrency.js'
import { ElfError, ElfFile } from '../../src/binary/elf.js'
import { type BinaryFacts, readBinaryFacts, readBinaryFactsFromFile, readPartialFileFacts } from '../../src/binary/facts.js'
import { MAX_OPEN, MAX_READ, PartialFile } from '../../src/binary/partial-file.js'
import { type FixtureBinaries, createFixtureBinaries } from '../support/fixture-binaries.js'

const LONG = 600_000
let fx: FixtureBinaries
let dir: string
const files = new Map<string, string>()

beforeAll(async () => {
  fx = await createFixtureBinaries()
  dir = path.join(fx.root, 'variants')
  fs.mkdirSync(dir)
  const jobs: Array<[string, () => Promise<string>]> = ['linux-amd64', 'linux-arm64'].flatMap((p): Array<[string, () => Promise<string>]> => [
    [`server-${p}`, () => fx.buildServer(p, { release: false })],
    [`plugin-${p}`, () => fx.buildPlugin({ name: `subfolder-${p}`, platform: p, fixture: 'subfolder', package: './cmd/gotifyplug' })]
  ])
  const built = await mapConcurrent(jobs, 2, ([, build]) => build())
  jobs.forEach(([name], i) => files.set(name, built[i]))
}, LONG)

afterAll(async () => {
  await fx?.close()
})

/** Facts with the fingerprint Map as an object, for comparing. */
const plain = (f: BinaryFacts): object => ({ ...f, fingerprints: Object.fromEntries(f.fingerprints) })

/** Writes `data` as a file of the variants folder. */
const variant = (name: string, data: Buffer): string => {
  const file = path.join(dir, name)
  fs.writeFileSync(file, data)
  return file
}

/** The facts read in parts, and how many bytes were read for them. */
async function partial(file: string, name: string): Promise<{ facts: BinaryFacts; bytesRead: number }> {
  const f = await PartialFile.open(file, name)
  try {
    return { facts: await readPartialFileFacts(f), bytesRead: f.bytesRead }
  } finally {
    await f.close()
  }
}

describe.each(['server-linux-amd64', 'plugin-linux-amd64', 'server-linux-arm64', 'plugin-linux-arm64'])('%s', name => {
  test('the same facts as the whole-file reader, from a small part of the file', async () => {
    const file = files.get(name)!
    const { facts, bytesRead } = await partial(file, name)
    const whole = readBinaryFacts(fs.readFileSync(file), name)
    expect(plain(facts)).toEqual(plain(whole))
    expect(facts.fingerprints.size).toBeGreaterThan(20)
    expect(whole.buildInfo).toBeDefined()
    expect(bytesRead).toBeLessThan(fs.statSync(file).size / 2)
    expect(plain(await readBinaryFactsFromFile(file, name))).toEqual(plain(whole))
  })

  test('without section headers (as sstrip leaves a file), read through the program headers alike', async () => {
    const data = Buffer.from(fs.readFileSync(files.get(name)!))
    const elf = new ElfFile(data, name)
    if (elf.bits === 64) data.writeBigUInt64LE(0n, 40)
    else data.writeUInt32LE(0, 32)
    data.fill(0, elf.bits === 64 ? 60 : 48, elf.bits === 64 ? 64 : 52)
    const file = variant(`${name}-stripped`, data)
    expect(new ElfFile(data, name).sections).toEqual([])
    expect(plain((await partial(file, name)).facts)).toEqual(plain(readBinaryFacts(data, name)))
  })
})

describe('malformed files are a one-line error, the whole-file reader\'s, with no large read', () => {
  const real = (): Buffer => Buffer.from(fs.readFileSync(files.get('plugin-linux-amd64')!))
  /** Sets field `field` (a u64 at that offset) of the section header named `section`. */
  const patchSection = (data: Buffer, section: string, field: number, value: bigint): Buffer => {
    const elf = new ElfFile(data, 'p.so')
    const shoff = Number(data.readBigUInt64LE(40))
    data.writeBigUInt64LE(value, shoff + elf.section(section)!.index * 64 + field)
    return data
  }
  const SH_OFFSET = 24
  const SH_SIZE = 32

  test.each([
    ['empty', () => Buffer.alloc(0)],
    ['cut after 40 bytes', (b: Buffer) => b.subarray(0, 40)],
    ['cut in half', (b: Buffer) => b.subarray(0, b.length >> 1)],
    ['a zip file', () => Buffer.from('PK\x03\x04rest of a zip', 'latin1')],
    ['section headers past the end', (b: Buffer) => (b.writeBigUInt64LE(BigInt(b.length + 4096), 40), b)],
    ['program headers past the end', (b: Buffer) => (b.writeBigUInt64LE(BigInt(b.length - 16), 32), b)],
    ['.dynsym 1 TiB long', (b: Buffer) => patchSection(b, '.dynsym', SH_SIZE, 1n << 40n)],
    ['.dynstr at an offset past the end', (b: Buffer) => patchSection(b, '.dynstr', SH_OFFSET, BigInt(b.length) + 1n)],
    ['.go.buildinfo past the end (the rest is read)', (b: Buffer) => patchSection(b, '.go.buildinfo', SH_OFFSET, 1n << 50n)]
  ])('%s', async (what, make) => {
    const data = make(real())
    const file = variant(`malformed-${what.replace(/\W+/g, '-')}`, data)
    let message: string
    try {
      readBinaryFacts(data, 'p.so')
      message = ''
    } catch (e) {
      message = (e as Error).message
    }
    if (message === '') {
      // Build info is optional: its error is a fact, and the rest must match.
      const { facts, bytesRead } = await partial(file, 'p.so')
      expect(plain(facts)).toEqual(plain(readBinaryFacts(data, 'p.so')))
      expect(facts.buildInfoError).toMatch(/^p\.so is truncated: section \.go\.buildinfo ends at byte \d+, the file has \d+$/)
      expect(bytesRead).toBeLessThan(data.length / 2)
      return
    }
    expect(message).toMatch(/^p\.so (is truncated: |is not an ELF file)/)
    const f = await PartialFile.open(file, 'p.so')
    try {
      await expect(readPartialFileFacts(f)).rejects.toThrow(new ElfError(message))
      expect(f.bytesRead).toBeLessThan(Math.max(data.length / 2, 128 * 1024 + 1))
    } finally {
      await f.close()
    }
  })

  test(`a part larger than ${MAX_READ} bytes is refused before it is read`, async () => {
    // .dynstr claims 100 MiB of a 128 MiB file; the file is sparse, so the test costs no disk.
    const data = patchSection(real(), '.dynstr', SH_SIZE, 100n << 20n)
    const file = variant('huge-dynstr', data)
    fs.truncateSync(file, 128 << 20)
    const f = await PartialFile.open(file, 'p.so')
    try {
      await expect(readPartialFileFacts(f)).rejects.toThrow(
        new ElfError(`p.so: a part of ${100 << 20} bytes at offset ${new ElfFile(data, 'p.so').section('.dynstr')!.offset} is more than the ${MAX_READ} bytes read at once: is it a binary?`)
      )
      expect(f.bytesRead).toBeLessThan(8 << 20)
    } finally {
      await f.close()
    }
    // The limit is a parameter: a plugin's .dynsym does not fit in 16 KiB.
    await expect(readBinaryFactsFromFile(files.get('plugin-linux-amd64')!, 'p.so', 16 * 1024)).rejects.toThrow(/^p\.so: a part of \d+ bytes at offset \d+ is more than the 16384 bytes read at once/)
  })

  test('a missing file is the file system error', async () => {
    await expect(readBinaryFactsFromFile(path.join(dir, 'nothing-here'), 'nothing')).rejects.toThrow(/ENOENT/)
  })
})

test('a file cut while being read is a one-line error, not a short buffer', async () => {
  const file = variant('shrinking', fs.readFileSync(files.get('plugin-linux-amd64')!))
  const f = await PartialFile.open(file, 'p.so')
  try {
    fs.truncateSync(file, 1000)
    await expect(readPartialFileFacts(f)).rejects.toThrow(/^p\.so is truncated: it ended at byte \d+ while being read \(it had \d+\)$/)
  } finally {
    await f.close()
  }
})

test(`at most ${MAX_OPEN} files are open for reading at once, however many are asked for`, async () => {
  const file = files.get('plugin-linux-amd64')!
  const first = await Promise.all(Array.from({ length: MAX_OPEN }, () => PartialFile.open(file, 'p.so')))
  let next: PartialFile | undefined
  const waiting = PartialFile.open(file, 'p.so').then(f => (next = f))
  await new Promise(resolve => setTimeout(resolve, 200))
  expect(next).toBeUndefined()
  await first[0].close()
  await waiting
  expect(next).toBeDefined()
  await Promise.all([...first.slice(1), next!].map(f => f.close()))
  // A file that cannot be opened gives its slot back.
  await expect(Promise.all(Array.from({ length: MAX_OPEN + 1 }, () => readBinaryFactsFromFile(path.join(dir, 'nothing-here'))))).rejects.toThrow(/ENOENT/)
  const all = await Promise.all(Array.from({ length: 3 * MAX_OPEN }, () => readBinaryFactsFromFile(file, 'p.so')))
  expect(new Set(all.map(f => f.fingerprints.size)).size).toBe(1)
})
