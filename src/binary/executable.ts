/**
 * Whether a file is an ELF executable (not a shared library, not another
 * kind of file), from its headers alone: an archive's binary is found without
 * reading every file whole.
 */
import * as fs from 'node:fs'

const PT_INTERP = 3
/** Enough of a file's start to hold the ELF header and, in any usual binary, its program headers. */
export const ELF_HEAD_BYTES = 64 * 1024

/** `read(buffer, position)` fills the buffer from that position and returns the bytes read. */
function elfExecutable(read: (buf: Buffer, pos: number) => number): boolean {
  const head = Buffer.alloc(64)
  if (read(head, 0) < 52 || head.readUInt32BE(0) !== 0x7f454c46) return false
  const is64 = head[4] === 2
  const le = head[5] === 1
  const u16 = (b: Buffer, o: number): number => (le ? b.readUInt16LE(o) : b.readUInt16BE(o))
  const u32 = (b: Buffer, o: number): number => (le ? b.readUInt32LE(o) : b.readUInt32BE(o))
  const type = u16(head, 16)
  if (type === 2) return true // ET_EXEC
  if (type !== 3) return false
  // ET_DYN: a position-independent executable has an interpreter; a shared library has none.
  const phoff = is64 ? Number(le ? head.readBigUInt64LE(32) : head.readBigUInt64BE(32)) : u32(head, 28)
  const phentsize = u16(head, is64 ? 54 : 42)
  const phnum = u16(head, is64 ? 56 : 44)
  if (phentsize === 0 || phnum === 0 || phnum > 4096) return false
  const table = Buffer.alloc(phentsize * phnum)
  if (read(table, phoff) < table.length) return false
  for (let i = 0; i < phnum; i++) if (u32(table, i * phentsize) === PT_INTERP) return true
  return false
}

export function isElfExecutable(file: string): boolean {
  let fd: number | undefined
  try {
    fd = fs.openSync(file, 'r')
    const opened = fd
    return elfExecutable((buf, pos) => fs.readSync(opened, buf, 0, buf.length, pos))
  } catch {
    return false
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}

/** The same, from the first bytes of a file only (ELF_HEAD_BYTES are enough). */
export function isElfExecutableHead(head: Buffer): boolean {
  try {
    return elfExecutable((buf, pos) => (pos >= head.length ? 0 : head.copy(buf, 0, pos, Math.min(head.length, pos + buf.length))))
  } catch {
    return false
  }
}
