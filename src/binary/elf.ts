/**
 * A reader of little-endian ELF files (32- and 64-bit), enough to prove a Go
 * plugin against a server binary: sections, program headers and bytes at a
 * virtual address. Pure: it works on a FileImage (the whole file, or the parts
 * read so far) and hands out views into it, never copies (server binaries are
 * 30-60 MB). Dynamic symbols and version needs live in elf-dynamic.ts.
 */
import { type FileImage, type FileRange, WholeFile } from './file-image.js'

/** The file cannot be read as an ELF file of a supported kind; the message is one line. */
export class ElfError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'ElfError'
  }
}

export interface ElfSection {
  index: number
  name: string
  type: number
  flags: number
  addr: number
  offset: number
  size: number
  link: number
  info: number
  entsize: number
}

export interface ElfSegment {
  type: number
  flags: number
  offset: number
  vaddr: number
  filesz: number
  memsz: number
}

export const SHT_NOBITS = 8
export const SHF_ALLOC = 2
export const SHT_DYNSYM = 11
export const SHT_GNU_VERNEED = 0x6ffffffe
export const PT_LOAD = 1
export const PT_DYNAMIC = 2
export const PF_X = 1
export const PF_W = 2

// e_machine -> GOARCH. The five released platforms, plus other little-endian plugin targets.
const MACHINES: Record<number, { 32?: string; 64?: string }> = {
  3: { 32: '386' },
  62: { 64: 'amd64' },
  40: { 32: 'arm' },
  183: { 64: 'arm64' },
  243: { 64: 'riscv64' },
  21: { 64: 'ppc64le' },
  258: { 64: 'loong64' },
  8: { 32: 'mipsle', 64: 'mips64le' }
}
const TYPES: Record<number, string> = { 1: 'relocatable', 2: 'executable', 3: 'shared object', 4: 'core' }

/** The NUL-terminated string at `start` of `b`. */
const cString = (b: Buffer, start: number): string => {
  if (start >= b.length) return ''
  const nul = b.indexOf(0, start)
  return b.toString('utf8', start, nul < 0 ? b.length : nul)
}

const hex = (b: Buffer): string => [...b].map(x => x.toString(16).padStart(2, '0')).join(' ')

export class ElfFile {
  readonly bits: 32 | 64
  /** e_machine, e.g. 62 for x86-64. */
  readonly machine: number
  /** The machine in Go's words: amd64, 386, arm, arm64, riscv64, ... */
  readonly goarch: string
  /** e_type: 2 for an executable, 3 for a shared object (a plugin, or a PIE). */
  readonly type: number
  readonly sections: readonly ElfSection[]
  readonly segments: readonly ElfSegment[]
  readonly image: FileImage

  /** Parses the headers of `data`; `file` names it in errors. Throws ElfError (or NotLoaded, from a partial image). */
  constructor(
    data: Buffer | FileImage,
    readonly file: string = 'the file'
  ) {
    this.image = Buffer.isBuffer(data) ? new WholeFile(data) : data
    const ident = this.image.bytes(0, 16)
    if (ident.length < 16 || ident.readUInt32BE(0) !== 0x7f454c46) {
      throw new ElfError(`${file} is not an ELF file (it starts with ${hex(ident.subarray(0, 4)) || 'nothing'}, an ELF file with 7f 45 4c 46)`)
    }
    const cls = ident[4]
    if (cls !== 1 && cls !== 2) throw new ElfError(`${file} has an unknown ELF class ${cls}; accepted: 1 (32-bit) or 2 (64-bit)`)
    if (ident[5] === 2) throw new ElfError(`${file} is a big-endian ELF file; only little-endian ones are read (amd64, 386, arm, arm64, riscv64)`)
    if (ident[5] !== 1) throw new ElfError(`${file} has an unknown ELF data encoding ${ident[5]}`)
    this.bits = cls === 1 ? 32 : 64
    const is64 = this.bits === 64
    this.need(0, is64 ? 64 : 52, 'the ELF header')
    const header = this.image.bytes(0, is64 ? 64 : 52)
    this.type = header.readUInt16LE(16)
    this.machine = header.readUInt16LE(18)
    const arch = MACHINES[this.machine]?.[this.bits]
    if (!arch) throw new ElfError(`${file} is a ${this.bits}-bit ELF file for machine ${this.machine}; accepted: amd64 (62), 386 (3), arm (40), arm64 (183), riscv64 (243)`)
    this.goarch = arch
    const phoff = this.word(is64 ? 32 : 28, header)
    const shoff = this.word(is64 ? 40 : 32, header)
    const at = is64 ? 54 : 42
    const [phentsize, phnum, shentsize] = [header.readUInt16LE(at), header.readUInt16LE(at + 2), header.readUInt16LE(at + 4)]
    let shnum = header.readUInt16LE(at + 6)
    let shstrndx = header.readUInt16LE(at + 8)
    this.segments = this.table(phoff, phnum, phentsize, is64 ? 56 : 32, 'program header', (d, o) => this.segmentAt(d, o))
    if (shoff !== 0 && (shnum === 0 || shstrndx === 0xffff)) {
      // Extended numbering: the real counts sit in section 0.
      this.need(shoff, is64 ? 64 : 40, 'a section header')
      const s0 = this.sectionAt(this.image.bytes(shoff, is64 ? 64 : 40), shoff, 0)
      if (shnum === 0) shnum = s0.size
      if (shstrndx === 0xffff) shstrndx = s0.link
    }
    const raw = shoff === 0 ? [] : this.table(shoff, shnum, shentsize, is64 ? 64 : 40, 'section header', (d, o, i) => this.sectionAt(d, o, i))
    const names = raw[shstrndx]
    if (names) this.need(names.offset, names.size, 'the section name table')
    const table = names && this.image.bytes(names.offset, names.size)
    this.sections = raw.map(({ nameOffset, ...s }) => ({ ...s, name: table && s.type !== 0 ? cString(table, nameOffset) : '' }))
  }

  /** 'executable', 'shared object', ... */
  get kind(): string {
    return TYPES[this.type] ?? `type ${this.type}`
  }

  section(name: string): ElfSection | undefined {
    return this.sections.find(s => s.name === name)
  }

  sectionOfType(type: number): ElfSection | undefined {
    return this.sections.find(s => s.type === type)
  }

  /** The file bytes of a section (a view, not a copy); empty for .bss-like sections. */
  sectionData(s: ElfSection): Buffer {
    if (s.type === SHT_NOBITS) return Buffer.alloc(0)
    this.need(s.offset, s.size, `section ${s.name || s.index}`)
    return this.image.bytes(s.offset, s.size)
  }

  /** Where a section's bytes lie in the file; undefined for .bss-like sections. */
  sectionRange(s: ElfSection): FileRange | undefined {
    return s.type === SHT_NOBITS ? undefined : { offset: s.offset, length: s.size }
  }

  /**
   * Where up to `length` bytes at virtual address `vaddr` lie in the file:
   * in the section that holds it, else in the PT_LOAD segment that holds it
   * (files without section headers). Shorter when the section or segment ends
   * first; undefined when no file bytes are mapped there. Throws when the
   * section or segment runs past the end of the file.
   */
  fileRange(vaddr: number, length: number): FileRange | undefined {
    const s = this.sections.find(x => (x.flags & SHF_ALLOC) !== 0 && x.type !== SHT_NOBITS && vaddr >= x.addr && vaddr < x.addr + x.size)
    if (s) {
      this.need(s.offset, s.size, `section ${s.name || s.index}`)
      const at = vaddr - s.addr
      return { offset: s.offset + at, length: Math.max(0, Math.min(length, s.size - at)) }
    }
    const p = this.segments.find(x => x.type === PT_LOAD && vaddr >= x.vaddr && vaddr < x.vaddr + x.filesz)
    if (!p) return undefined
    this.need(p.offset, p.filesz, 'a PT_LOAD segment')
    const at = vaddr - p.vaddr
    return { offset: p.offset + at, length: Math.max(0, Math.min(length, p.filesz - at)) }
  }

  /** Up to `length` bytes at virtual address `vaddr` (a view); see fileRange. */
  read(vaddr: number, length: number): Buffer | undefined {
    const r = this.fileRange(vaddr, length)
    return r && this.image.bytes(r.offset, r.length)
  }

  /** Exactly `length` bytes at `vaddr`, or an ElfError naming `what`. */
  readExact(vaddr: number, length: number, what: string): Buffer {
    const b = this.read(vaddr, length)
    if (!b || b.length < length) throw new ElfError(`${this.file}: ${what} at 0x${vaddr.toString(16)} (${length} bytes) lies outside the file's data`)
    return b
  }

  /** A pointer-sized unsigned value of this file's class at `offset` in `buf`, which starts at `base` (for the error). */
  word(offset: number, buf: Buffer, base = 0): number {
    if (this.bits === 32) return buf.readUInt32LE(offset)
    // Two 32-bit halves: a BigInt per symbol made reading a plugin's 40,000 symbols slow.
    const high = buf.readUInt32LE(offset + 4)
    if (high > 0x1fffff) throw new ElfError(`${this.file} is corrupt: value 0x${buf.readBigUInt64LE(offset).toString(16)} at offset ${base + offset} is out of range`)
    return high * 0x100000000 + buf.readUInt32LE(offset)
  }

  /** Throws unless [offset, offset+size) lies inside the file. */
  need(offset: number, size: number, what: string): void {
    if (offset + size > this.image.size) {
      throw new ElfError(`${this.file} is truncated: ${what} ends at byte ${offset + size}, the file has ${this.image.size}`)
    }
  }

  /** Reads a table of `count` entries at `offset`, handing each entry's bytes (and file offset) to `at`. */
  private table<T>(offset: number, count: number, entsize: number, min: number, what: string, at: (d: Buffer, o: number, i: number) => T): T[] {
    if (count === 0) return []
    if (entsize < min) throw new ElfError(`${this.file} is corrupt: ${what} entries of ${entsize} bytes, expected ${min}`)
    this.need(offset, count * entsize, `the ${what} table`)
    const all = this.image.bytes(offset, count * entsize)
    return Array.from({ length: count }, (_, i) => at(all.subarray(i * entsize, i * entsize + min), offset + i * entsize, i))
  }

  private segmentAt(d: Buffer, o: number): ElfSegment {
    if (this.bits === 64) {
      return { type: d.readUInt32LE(0), flags: d.readUInt32LE(4), offset: this.word(8, d, o), vaddr: this.word(16, d, o), filesz: this.word(32, d, o), memsz: this.word(40, d, o) }
    }
    return { type: d.readUInt32LE(0), offset: d.readUInt32LE(4), vaddr: d.readUInt32LE(8), filesz: d.readUInt32LE(16), memsz: d.readUInt32LE(20), flags: d.readUInt32LE(24) }
  }

  private sectionAt(d: Buffer, o: number, index: number): ElfSection & { nameOffset: number } {
    const u32 = (k: number): number => d.readUInt32LE(k)
    const base = { index, name: '', nameOffset: u32(0), type: u32(4) }
    if (this.bits === 64) {
      return { ...base, flags: this.word(8, d, o), addr: this.word(16, d, o), offset: this.word(24, d, o), size: this.word(32, d, o), link: u32(40), info: u32(44), entsize: this.word(56, d, o) }
    }
    return { ...base, flags: u32(8), addr: u32(12), offset: u32(16), size: u32(20), link: u32(24), info: u32(28), entsize: u32(36) }
  }
}
