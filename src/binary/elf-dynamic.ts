/**
 * The dynamic side of an ELF file: the dynamic symbol table (.dynsym, which
 * `-ldflags "-w -s"` keeps) and the GNU version needs (.gnu.version_r), read
 * through the section headers, or through the PT_DYNAMIC segment when a file
 * has none.
 */
import { isAscii } from 'node:buffer'
import { ElfError, type ElfFile, PT_DYNAMIC, SHT_DYNSYM, SHT_GNU_VERNEED } from './elf.js'
import type { FileRange } from './file-image.js'

export interface DynamicSymbol {
  name: string
  value: number
  size: number
  /** st_shndx: 0 for a symbol the file needs from elsewhere (undefined here). */
  sectionIndex: number
  /** STT_*: 1 object, 2 function. */
  type: number
  /** STB_*: 0 local, 1 global, 2 weak. */
  bind: number
}

export interface VersionNeed {
  /** The library, e.g. libc.so.6. */
  file: string
  /** The symbol versions needed from it, e.g. GLIBC_2.2.5, GLIBC_2.34. */
  versions: string[]
}

const DT_NULL = 0
const DT_HASH = 4
const DT_STRTAB = 5
const DT_SYMTAB = 6
const DT_STRSZ = 10
const DT_SYMENT = 11
const DT_GNU_HASH = 0x6ffffef5
const DT_VERNEED = 0x6ffffffe
const DT_VERNEEDNUM = 0x6fffffff

interface Table {
  data: Buffer
  strings: Buffer
}

/** The entries of PT_DYNAMIC by tag (the first of each). */
function dynamicTags(elf: ElfFile): Map<number, number> {
  const seg = elf.segments.find(p => p.type === PT_DYNAMIC)
  const tags = new Map<number, number>()
  if (!seg) return tags
  elf.need(seg.offset, seg.filesz, 'the PT_DYNAMIC segment')
  const d = elf.image.bytes(seg.offset, seg.filesz)
  const size = elf.bits === 64 ? 16 : 8
  for (let o = 0; o + size <= d.length; o += size) {
    const tag = elf.bits === 64 ? Number(d.readBigInt64LE(o)) : d.readInt32LE(o)
    if (tag === DT_NULL) break
    if (!tags.has(tag)) tags.set(tag, elf.word(o + size / 2, d, seg.offset))
  }
  return tags
}

/** Number of symbols from DT_HASH (nchain) or by walking DT_GNU_HASH's chains. */
function symbolCount(elf: ElfFile, tags: Map<number, number>): number {
  const hash = tags.get(DT_HASH)
  if (hash !== undefined) return elf.readExact(hash, 8, 'DT_HASH').readUInt32LE(4)
  const gnu = tags.get(DT_GNU_HASH)
  if (gnu === undefined) throw new ElfError(`${elf.file} has no section headers and no DT_HASH or DT_GNU_HASH: cannot size its dynamic symbol table`)
  const h = elf.readExact(gnu, 16, 'DT_GNU_HASH')
  const [nbuckets, symoffset, bloomSize] = [h.readUInt32LE(0), h.readUInt32LE(4), h.readUInt32LE(8)]
  const buckets = gnu + 16 + bloomSize * (elf.bits / 8)
  const b = elf.readExact(buckets, nbuckets * 4, 'GNU hash buckets')
  let last = 0
  for (let i = 0; i < nbuckets; i++) last = Math.max(last, b.readUInt32LE(i * 4))
  if (last < symoffset) return symoffset
  const chains = buckets + nbuckets * 4
  for (;;) {
    const v = elf.readExact(chains + (last - symoffset) * 4, 4, 'GNU hash chain').readUInt32LE(0)
    if (v & 1) return last + 1
    last++
  }
}

function symbolTable(elf: ElfFile): Table | undefined {
  const sec = elf.sectionOfType(SHT_DYNSYM)
  if (sec) {
    const strtab = elf.sections[sec.link]
    if (!strtab) throw new ElfError(`${elf.file} is corrupt: .dynsym links to missing section ${sec.link}`)
    return { data: elf.sectionData(sec), strings: elf.sectionData(strtab) }
  }
  if (elf.sections.length > 0) return undefined
  const tags = dynamicTags(elf)
  const [symtab, strtab, strsz] = [tags.get(DT_SYMTAB), tags.get(DT_STRTAB), tags.get(DT_STRSZ)]
  if (symtab === undefined || strtab === undefined || strsz === undefined) return undefined
  const entsize = tags.get(DT_SYMENT) ?? (elf.bits === 64 ? 24 : 16)
  return { data: elf.readExact(symtab, symbolCount(elf, tags) * entsize, 'the dynamic symbol table'), strings: elf.readExact(strtab, strsz, 'the dynamic string table') }
}

const stringAt = (strings: Buffer, at: number): string => {
  if (at >= strings.length) return ''
  const nul = strings.indexOf(0, at)
  return strings.toString('utf8', at, nul < 0 ? strings.length : nul)
}

/** Whether the NUL-terminated name at `at` of `strings` starts with one of `prefixes`, compared as bytes (nothing decoded). */
function startsWithAny(strings: Buffer, at: number, prefixes: readonly Buffer[]): boolean {
  next: for (let i = 0; i < prefixes.length; i++) {
    const p = prefixes[i]
    if (at + p.length > strings.length) continue
    for (let k = 0; k < p.length; k++) if (strings[at + k] !== p[k]) continue next
    return true
  }
  return false
}

/** Decodes every name of the table once (ASCII in practice: one decoding, sliced per symbol, is several times faster). */
function allNames(strings: Buffer): (at: number) => string {
  if (!isAscii(strings)) return at => stringAt(strings, at)
  const text = strings.toString('latin1')
  return at => {
    if (at >= text.length) return ''
    const nul = text.indexOf('\0', at)
    return text.slice(at, nul < 0 ? text.length : nul)
  }
}

/**
 * The dynamic symbols (without the null symbol 0); empty for a static file.
 * `prefixes` keeps only the symbols whose name starts with one of them: a
 * plugin exports tens of thousands, and decoding every name costs more than
 * the rest of a proof, so names are compared as bytes and only those kept
 * are decoded.
 */
export function dynamicSymbols(elf: ElfFile, prefixes?: readonly string[]): DynamicSymbol[] {
  const t = symbolTable(elf)
  if (!t) return []
  const size = elf.bits === 64 ? 24 : 16
  const out: DynamicSymbol[] = []
  const wanted = prefixes && !prefixes.includes('') ? prefixes.map(p => Buffer.from(p, 'utf8')) : undefined
  // Most names fail on their first byte (half a plugin's start with `type:`): one lookup rejects them.
  const firsts = new Uint8Array(256)
  for (const p of wanted ?? []) firsts[p[0]] = 1
  const nameAt = wanted ? (at: number): string => stringAt(t.strings, at) : allNames(t.strings)
  const [d, strings] = [t.data, t.strings]
  for (let o = size; o + size <= d.length; o += size) {
    // st_name, little-endian, by hand: a call per symbol is measurable across 40,000 of them.
    const at = (d[o] | (d[o + 1] << 8) | (d[o + 2] << 16)) + d[o + 3] * 0x1000000
    if (wanted && (at >= strings.length || firsts[strings[at]] === 0 || !startsWithAny(strings, at, wanted))) continue
    const name = nameAt(at)
    if (elf.bits === 64) {
      out.push({ name, value: elf.word(o + 8, d), size: elf.word(o + 16, d), sectionIndex: d.readUInt16LE(o + 6), type: d[o + 4] & 0xf, bind: d[o + 4] >> 4 })
    } else {
      out.push({ name, value: d.readUInt32LE(o + 4), size: d.readUInt32LE(o + 8), sectionIndex: d.readUInt16LE(o + 14), type: d[o + 12] & 0xf, bind: d[o + 12] >> 4 })
    }
  }
  return out
}

/**
 * The parts of the file dynamicSymbols and versionNeeds read, when it has
 * section headers (.dynsym, .gnu.version_r and their string tables); else
 * PT_DYNAMIC, whose entries lead to the rest. For reading them ahead.
 */
export function dynamicParts(elf: ElfFile): FileRange[] {
  const out: FileRange[] = []
  for (const type of [SHT_DYNSYM, SHT_GNU_VERNEED]) {
    const sec = elf.sectionOfType(type)
    const strtab = sec && elf.sections[sec.link]
    for (const s of [sec, strtab]) {
      const r = s && elf.sectionRange(s)
      if (r) out.push(r)
    }
  }
  const seg = elf.sections.length === 0 ? elf.segments.find(p => p.type === PT_DYNAMIC) : undefined
  if (seg) out.push({ offset: seg.offset, length: seg.filesz })
  return out
}

/** The libraries and symbol versions the file needs (Elf_Verneed / Elf_Vernaux chains). */
export function versionNeeds(elf: ElfFile): VersionNeed[] {
  let data: Buffer
  let strings: Buffer
  let count: number
  const sec = elf.sectionOfType(SHT_GNU_VERNEED)
  if (sec) {
    const strtab = elf.sections[sec.link]
    if (!strtab) throw new ElfError(`${elf.file} is corrupt: .gnu.version_r links to missing section ${sec.link}`)
    ;[data, strings, count] = [elf.sectionData(sec), elf.sectionData(strtab), sec.info]
  } else {
    if (elf.sections.length > 0) return []
    const tags = dynamicTags(elf)
    const [at, num, strtab, strsz] = [tags.get(DT_VERNEED), tags.get(DT_VERNEEDNUM), tags.get(DT_STRTAB), tags.get(DT_STRSZ)]
    if (at === undefined || num === undefined || strtab === undefined || strsz === undefined) return []
    // The structures are 16 bytes each and chained by offsets: read up to the segment's end.
    data = elf.read(at, Number.MAX_SAFE_INTEGER) ?? Buffer.alloc(0)
    strings = elf.readExact(strtab, strsz, 'the dynamic string table')
    count = num
  }
  const bad = (): never => {
    throw new ElfError(`${elf.file} is corrupt: its version needs run past their data`)
  }
  const out: VersionNeed[] = []
  let o = 0
  for (let i = 0; i < count; i++) {
    if (o + 16 > data.length) bad()
    const [cnt, file, aux, next] = [data.readUInt16LE(o + 2), data.readUInt32LE(o + 4), data.readUInt32LE(o + 8), data.readUInt32LE(o + 12)]
    const versions: string[] = []
    let a = o + aux
    for (let k = 0; k < cnt; k++) {
      if (a + 16 > data.length) bad()
      versions.push(stringAt(strings, data.readUInt32LE(a + 8)))
      const n = data.readUInt32LE(a + 12)
      if (n === 0) break
      a += n
    }
    out.push({ file: stringAt(strings, file), versions })
    if (next === 0) break
    o += next
  }
  return out
}

const GLIBC = /^GLIBC_(\d+)\.(\d+)(?:\.(\d+))?$/

/** Negative when GLIBC_a is older than GLIBC_b (both `GLIBC_x.y[.z]`). */
export function compareGlibc(a: string, b: string): number {
  const pa = GLIBC.exec(a)?.slice(1).map(x => Number(x ?? 0)) ?? [0, 0, 0]
  const pb = GLIBC.exec(b)?.slice(1).map(x => Number(x ?? 0)) ?? [0, 0, 0]
  return pa[0] - pb[0] || pa[1] - pb[1] || pa[2] - pb[2]
}

/** The highest `GLIBC_x.y` symbol version needed (GLIBC_PRIVATE is not a release), or undefined. */
export function highestGlibc(needs: VersionNeed[]): string | undefined {
  const all = needs.flatMap(n => n.versions).filter(v => GLIBC.test(v))
  return all.reduce<string | undefined>((best, v) => (best === undefined || compareGlibc(v, best) > 0 ? v : best), undefined)
}
