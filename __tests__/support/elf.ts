import * as fs from 'node:fs'

/** ELF class and machine of a file: what `file plugin.so` would tell a user. */
export function elfMachine(file: string): { bits: 32 | 64; machine: string; shared: boolean } {
  const b = fs.readFileSync(file)
  if (b.readUInt32BE(0) !== 0x7f454c46) throw new Error(`${file} is not an ELF file`)
  const machines: Record<number, string> = { 3: '386', 62: 'amd64', 40: 'arm', 183: 'arm64', 243: 'riscv64' }
  return { bits: b[4] === 2 ? 64 : 32, machine: machines[b.readUInt16LE(18)] ?? `machine ${b.readUInt16LE(18)}`, shared: b.readUInt16LE(16) === 3 }
}
