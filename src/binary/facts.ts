/**
 * Everything the static proof needs to know about one binary (a server
 * executable or a plugin .so), read once from its bytes.
 */
import * as fs from 'node:fs'
import { ElfFile } from './elf.js'
import { dynamicSymbols, highestGlibc, versionNeeds } from './elf-dynamic.js'
import { type GoBuildInfo, readGoBuildInfo } from './go-buildinfo.js'
import { PKGHASH_PREFIXES, UNNAMED_PLUGIN, namesUnder, packageFingerprints, pluginPath } from './fingerprints.js'

export interface BinaryFacts {
  /** How to name the binary to a user (an asset name or a file name). */
  file: string
  goarch: string
  bits: 32 | 64
  /** 'executable' or 'shared object'. */
  kind: string
  /** Import path -> fingerprint (hex). */
  fingerprints: Map<string, string>
  buildInfo?: GoBuildInfo
  /** Why there is no build info, when there is none. */
  buildInfoError?: string
  /** The path its package-level symbols are named after (a plugin's main package). */
  symbolPath?: string
  /** Package-level names defined under symbolPath. */
  names: string[]
  /** The highest GLIBC_x.y it needs, if it needs glibc at all. */
  glibc?: string
}

/** Reads the facts of an ELF binary. Throws ElfError for a file that is not a readable ELF of a known machine. */
export function readBinaryFacts(data: Buffer, file: string): BinaryFacts {
  const elf = new ElfFile(data, file)
  let buildInfo: GoBuildInfo | undefined
  let buildInfoError: string | undefined
  try {
    buildInfo = readGoBuildInfo(elf)
  } catch (e) {
    buildInfoError = (e as Error).message
  }
  // Only the symbols read below: fingerprints, and names under the plugin's path (its main package, or plugin/unnamed-<hash>).
  const mainPrefix = buildInfo?.path ? `${buildInfo.path}.` : undefined
  const symbols = dynamicSymbols(elf, name => PKGHASH_PREFIXES.some(p => name.startsWith(p)) || name.startsWith(UNNAMED_PLUGIN) || (mainPrefix !== undefined && name.startsWith(mainPrefix)))
  const fingerprints = packageFingerprints(elf, symbols)
  const symbolPath = pluginPath(buildInfo?.path, fingerprints)
  return {
    file,
    goarch: elf.goarch,
    bits: elf.bits,
    kind: elf.kind,
    fingerprints,
    buildInfo,
    buildInfoError,
    symbolPath,
    names: symbolPath ? namesUnder(symbols, symbolPath) : [],
    glibc: highestGlibc(versionNeeds(elf))
  }
}

/** readBinaryFacts of a file on disk; `name` defaults to the path. */
export async function readBinaryFactsFromFile(path: string, name: string = path): Promise<BinaryFacts> {
  return readBinaryFacts(await fs.promises.readFile(path), name)
}
