/**
 * Go build info of an ELF file, read like Go's debug/buildinfo: the blob in
 * `.go.buildinfo` (or, without section headers, in the first writable data
 * segment) starts with the 14-byte magic `\xff Go buildinf:`, a pointer size
 * and a flags byte. Go >= 1.18 (flag 0x2) follows the 32-byte header with two
 * varint-length-prefixed strings; older Go puts two pointers to Go string
 * headers at offset 16, in the byte order flag 0x1 names.
 */
import { ElfError, type ElfFile, PF_W, PF_X, PT_LOAD } from './elf.js'
import type { FileRange } from './file-image.js'
import { type GoBuildSetting, type GoModInfo, type GoModule, parseModInfo } from './go-modinfo.js'

export type { GoBuildSetting, GoModInfo, GoModule } from './go-modinfo.js'

export interface GoBuildInfo extends GoModInfo {
  /** e.g. go1.26.8 */
  goVersion: string
}

/** What the decoder needs of a file: bytes at a virtual address (ElfFile is one). */
export interface AddressSpace {
  readonly file: string
  read(vaddr: number, length: number): Buffer | undefined
}

export const BUILDINFO_MAGIC = Buffer.from('\xff Go buildinf:', 'latin1')
const HEADER_SIZE = 32
const ALIGN = 16
const FLAG_BIG_ENDIAN = 0x1
const FLAG_INLINE = 0x2

const notGo = (file: string, why: string): ElfError => new ElfError(`${file} has no Go build info (${why}): is it a Go program or plugin?`)

const dataSegment = (elf: ElfFile) => elf.segments.find(x => x.type === PT_LOAD && (x.flags & (PF_X | PF_W)) === PF_W)

/** Where to look for the blob: the section, else the first writable, non-executable PT_LOAD (as Go's DataStart does). */
export function buildInfoArea(elf: ElfFile): { addr: number; data: Buffer } | undefined {
  const s = elf.section('.go.buildinfo')
  if (s) return { addr: s.addr, data: elf.sectionData(s) }
  const p = dataSegment(elf)
  if (!p) return undefined
  elf.need(p.offset, p.filesz, 'the writable PT_LOAD segment')
  return { addr: p.vaddr, data: elf.image.bytes(p.offset, p.filesz) }
}

/** The part of the file buildInfoArea reads, for reading it ahead (older formats point elsewhere too). */
export function buildInfoPart(elf: ElfFile): FileRange | undefined {
  const s = elf.section('.go.buildinfo')
  if (s) return elf.sectionRange(s)
  const p = dataSegment(elf)
  return p && { offset: p.offset, length: p.filesz }
}

/** The virtual address of the magic, 16-byte aligned, within `area`. */
export function findMagic(area: { addr: number; data: Buffer }): number | undefined {
  for (let i = area.data.indexOf(BUILDINFO_MAGIC); i >= 0; i = area.data.indexOf(BUILDINFO_MAGIC, i + 1)) {
    if ((area.addr + i) % ALIGN === 0) return area.addr + i
  }
  return undefined
}

function uvarint(b: Buffer): [value: number, length: number] | undefined {
  let v = 0
  let scale = 1
  for (let i = 0; i < Math.min(b.length, 10); i++) {
    v += (b[i] & 0x7f) * scale
    if (b[i] < 0x80) return v > Number.MAX_SAFE_INTEGER ? undefined : [v, i + 1]
    scale *= 128
  }
  return undefined
}

function inlineBytes(space: AddressSpace, addr: number, what: string): [Buffer, number] {
  const head = space.read(addr, 10)
  const len = head && uvarint(head)
  if (!len) throw notGo(space.file, `bad length of the ${what}`)
  const b = space.read(addr + len[1], len[0])
  if (!b || b.length < len[0]) throw notGo(space.file, `the ${what} runs past its data`)
  return [b, addr + len[1] + len[0]]
}

const EMPTY = Buffer.alloc(0)

function pointedBytes(space: AddressSpace, headerAddr: number, ptrSize: number, readPtr: (b: Buffer, o: number) => number): Buffer {
  const hdr = space.read(headerAddr, 2 * ptrSize)
  if (!hdr || hdr.length < 2 * ptrSize) return EMPTY
  const [data, len] = [readPtr(hdr, 0), readPtr(hdr, ptrSize)]
  const b = space.read(data, len)
  return b && b.length === len ? b : EMPTY
}

/** The Go version and raw module info of the blob at `addr`, framing sentinels stripped. */
export function decodeBuildInfoBlob(space: AddressSpace, addr: number): { goVersion: string; modInfo: string } {
  const header = space.read(addr, HEADER_SIZE)
  if (!header || header.length < HEADER_SIZE || !header.subarray(0, 14).equals(BUILDINFO_MAGIC)) throw notGo(space.file, 'no header at the magic')
  const ptrSize = header[14]
  const flags = header[15]
  let vers: Buffer
  let mod: Buffer
  if ((flags & FLAG_INLINE) !== 0) {
    let next: number
    ;[vers, next] = inlineBytes(space, addr + HEADER_SIZE, 'Go version')
    ;[mod] = inlineBytes(space, next, 'module info')
  } else {
    if (ptrSize !== 4 && ptrSize !== 8) throw notGo(space.file, `pointer size ${ptrSize}`)
    const big = (flags & FLAG_BIG_ENDIAN) !== 0
    const readPtr = (b: Buffer, o: number): number => {
      if (ptrSize === 4) return big ? b.readUInt32BE(o) : b.readUInt32LE(o)
      const v = big ? b.readBigUInt64BE(o) : b.readBigUInt64LE(o)
      return v > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(v)
    }
    vers = pointedBytes(space, readPtr(header, 16), ptrSize, readPtr)
    mod = pointedBytes(space, readPtr(header, 16 + ptrSize), ptrSize, readPtr)
  }
  if (vers.length === 0) throw notGo(space.file, 'empty Go version')
  // cmd/go frames the module info with 16-byte sentinels (modload.infoStart/infoEnd).
  const framed = mod.length >= 33 && mod[mod.length - 17] === 0x0a
  return { goVersion: vers.toString('utf8'), modInfo: framed ? mod.toString('utf8', 16, mod.length - 16) : '' }
}

/** The Go build info of an ELF file. Throws ElfError when it has none, ModInfoError when it is malformed. */
export function readGoBuildInfo(elf: ElfFile): GoBuildInfo {
  const area = buildInfoArea(elf)
  if (!area) throw notGo(elf.file, 'no .go.buildinfo section, no writable data segment')
  const at = findMagic(area)
  if (at === undefined) throw notGo(elf.file, 'no build info magic')
  const { goVersion, modInfo } = decodeBuildInfoBlob(elf, at)
  return { goVersion, ...parseModInfo(modInfo) }
}

/** The value of a build setting (`-trimpath`, `-buildmode`, `CGO_ENABLED`, ...), if recorded. */
export function buildSetting(info: Pick<GoModInfo, 'settings'>, key: string): string | undefined {
  return info.settings.find((s: GoBuildSetting) => s.key === key)?.value
}

/** The module version in effect: the replacement when there is one. */
export function effectiveModule(m: GoModule): GoModule {
  return m.replace ?? m
}
