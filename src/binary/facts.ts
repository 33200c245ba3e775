/**
 * Everything the static proof needs to know about one binary (a server
 * executable or a plugin .so), read once from its bytes: from a Buffer, or
 * from a file on disk, of which only the parts the facts need are read.
 */
import { ElfFile } from './elf.js'
import { type DynamicSymbol, dynamicParts, dynamicSymbols, highestGlibc, versionNeeds } from './elf-dynamic.js'
import { NotLoaded } from './file-image.js'
import { type GoBuildInfo, buildInfoPart, readGoBuildInfo } from './go-buildinfo.js'
import { PKGHASH_PREFIXES, UNNAMED_PLUGIN, fingerprintParts, namesUnder, packageFingerprints, pluginPath } from './fingerprints.js'
import { MAX_READ, PartialFile } from './partial-file.js'

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

interface BuildInfoResult {
  buildInfo?: GoBuildInfo
  buildInfoError?: string
}

function buildInfoOf(elf: ElfFile): BuildInfoResult {
  try {
    return { buildInfo: readGoBuildInfo(elf) }
  } catch (e) {
    if (e instanceof NotLoaded) throw e
    return { buildInfoError: (e as Error).message }
  }
}

/** Only the symbols the facts use: fingerprints, and names under the plugin's path (its main package, or plugin/unnamed-<hash>). */
function factSymbols(elf: ElfFile, buildInfo: GoBuildInfo | undefined): DynamicSymbol[] {
  return dynamicSymbols(elf, [...PKGHASH_PREFIXES, UNNAMED_PLUGIN, ...(buildInfo?.path ? [`${buildInfo.path}.`] : [])])
}

function factsOf(elf: ElfFile, info: BuildInfoResult, symbols: DynamicSymbol[], fingerprints: Map<string, string>, glibc: string | undefined): BinaryFacts {
  const symbolPath = pluginPath(info.buildInfo?.path, fingerprints)
  return {
    file: elf.file,
    goarch: elf.goarch,
    bits: elf.bits,
    kind: elf.kind,
    fingerprints,
    buildInfo: info.buildInfo,
    buildInfoError: info.buildInfoError,
    symbolPath,
    names: symbolPath ? namesUnder(symbols, symbolPath) : [],
    glibc
  }
}

/** Reads the facts of an ELF binary. Throws ElfError for a file that is not a readable ELF of a known machine. */
export function readBinaryFacts(data: Buffer, file: string): BinaryFacts {
  const elf = new ElfFile(data, file)
  const info = buildInfoOf(elf)
  const symbols = factSymbols(elf, info.buildInfo)
  return factsOf(elf, info, symbols, packageFingerprints(elf, symbols), highestGlibc(versionNeeds(elf)))
}

/** Go's linker puts the section headers and their names at the end: the first read takes both ends. */
const END_BYTES = 64 * 1024

/** readBinaryFacts of a file on disk; `name` defaults to the path. Only the parts the facts use are read (readPartialFileFacts). */
export async function readBinaryFactsFromFile(path: string, name: string = path, maxRead: number = MAX_READ): Promise<BinaryFacts> {
  const file = await PartialFile.open(path, name, maxRead)
  try {
    return await readPartialFileFacts(file)
  } finally {
    await file.close()
  }
}

/**
 * readBinaryFacts by positioned reads: the same steps on the same bytes, but
 * only the parts they use are read, ahead where they are known (a 17 MB
 * plugin costs about 2.5 MB); a step that misses a part is run again.
 */
export async function readPartialFileFacts(file: PartialFile): Promise<BinaryFacts> {
  const name = file.file
  await file.prefetch([
    { offset: 0, length: Math.min(END_BYTES, file.size) },
    { offset: Math.max(0, file.size - END_BYTES), length: Math.min(END_BYTES, file.size) }
  ])
  const elf = await file.settle(() => new ElfFile(file, name))
  const ahead = buildInfoPart(elf)
  await file.prefetch([...dynamicParts(elf), ...(ahead ? [ahead] : [])])
  const info = await file.settle(() => buildInfoOf(elf))
  const symbols = await file.settle(() => factSymbols(elf, info.buildInfo))
  await file.prefetch(fingerprintParts(elf, symbols))
  const fingerprints = await file.settle(() => packageFingerprints(elf, symbols))
  const glibc = await file.settle(() => highestGlibc(versionNeeds(elf)))
  return factsOf(elf, info, symbols, fingerprints, glibc)
}
