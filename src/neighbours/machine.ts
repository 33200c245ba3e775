/**
 * Proves a neighbour's file is what the platform's server can load: an ELF
 * shared object for the platform's machine, not above the size limit. A
 * neighbour is never rebuilt, so a wrong file is the entry's fault and is
 * named as such.
 */
import * as fs from 'node:fs'
import { ElfError, ElfFile } from '../binary/elf.js'
import type { Platform } from '../platform.js'

const SHARED_OBJECT = 3

export function provePluginFile(file: string, p: Platform, maxBytes: number, what: string, fail: (problem: string) => never): void {
  const size = fs.statSync(file).size
  if (size > maxBytes) fail(`${what} is ${size} bytes, above the limit of ${maxBytes}`)
  let elf: ElfFile
  try {
    elf = new ElfFile(fs.readFileSync(file), what)
  } catch (e) {
    if (e instanceof ElfError) return fail(e.message)
    throw e
  }
  if (elf.goarch !== p.arch) fail(`${what} is built for ${elf.goarch} (ELF machine ${elf.machine}), not ${p.arch}`)
  if (elf.type !== SHARED_OBJECT) fail(`${what} is an ELF ${elf.kind}, not a shared object (.so)`)
}
