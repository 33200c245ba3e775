/**
 * Whether a file is an ELF executable (not a shared library, not another
 * kind of file), from its headers alone: an archive's binary is found without
 * reading every file whole.
 */
import * as fs from 'node:fs'

const PT_INTERP = 3

export function isElfExecutable(file: string): boolean {
  let fd: number | undefined
  try {
    fd = fs.openSync(file, 'r')
    const head = Buffer.alloc(64)
    if (fs.readSync(fd, head, 0, 64, 0) < 52 || head.readUInt32BE(0) !== 0x7f454c46) return false
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
    if (fs.readSync(fd, table, 0, table.length, phoff) < table.length) return false
    for (let i = 0; i < phnum; i++) if (u32(table, i * phentsize) === PT_INTERP) return true
    return false
  } catch {
    return false
  } finally {
    if (fd !== undefined) fs.closeSync(fd)
  }
}
