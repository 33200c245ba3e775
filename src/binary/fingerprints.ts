/**
 * What plugin.Open compares, read from dynamic symbols: a Go program that
 * imports `plugin`, and every plugin, exports one `go:link.pkghashbytes.<import
 * path>` per linked package (older Go: `go.link.pkghashbytes.`); its bytes are
 * the package's fingerprint. A plugin also exports its package-level names as
 * `<plugin path>.<Name>`. All of it survives `-ldflags "-w -s"`.
 */
import { ElfError, type ElfFile } from './elf.js'
import type { DynamicSymbol } from './elf-dynamic.js'
import type { FileRange } from './file-image.js'

export const PKGHASH_PREFIXES = ['go:link.pkghashbytes.', 'go.link.pkghashbytes.'] as const
/** The path Go gives a plugin built from a list of files. */
export const UNNAMED_PLUGIN = 'plugin/unnamed-'

const STT_OBJECT = 1
const STT_FUNC = 2
const STB_GLOBAL = 1
const STB_WEAK = 2
const IDENTIFIER = /^[\p{L}_][\p{L}\p{N}_]*$/u

const defined = (s: DynamicSymbol): boolean => s.sectionIndex !== 0 && (s.bind === STB_GLOBAL || s.bind === STB_WEAK)

/** The symbols holding fingerprints, with the import path each names. */
function fingerprintSymbols(symbols: DynamicSymbol[]): Array<{ path: string; symbol: DynamicSymbol }> {
  const out: Array<{ path: string; symbol: DynamicSymbol }> = []
  for (const s of symbols) {
    const prefix = PKGHASH_PREFIXES.find(p => s.name.startsWith(p))
    if (prefix && defined(s) && s.size !== 0) out.push({ path: s.name.slice(prefix.length), symbol: s })
  }
  return out
}

/** Import path -> fingerprint (hex) of every package the file exports a fingerprint for. */
export function packageFingerprints(elf: ElfFile, symbols: DynamicSymbol[]): Map<string, string> {
  const out = new Map<string, string>()
  for (const { path, symbol } of fingerprintSymbols(symbols)) {
    out.set(path, elf.readExact(symbol.value, symbol.size, `the fingerprint of ${path}`).toString('hex'))
  }
  return out
}

/** Where packageFingerprints reads, for reading it ahead; what cannot be placed is left for it to report. */
export function fingerprintParts(elf: ElfFile, symbols: DynamicSymbol[]): FileRange[] {
  const out: FileRange[] = []
  try {
    for (const { symbol } of fingerprintSymbols(symbols)) {
      const r = elf.fileRange(symbol.value, symbol.size)
      if (r) out.push(r)
    }
  } catch (e) {
    if (!(e instanceof ElfError)) throw e
  }
  return out
}

/**
 * The path a plugin's symbols are named after: its main package's import path
 * (build info `path`); a plugin built from a file list gets
 * `plugin/unnamed-<hash>` instead, which its fingerprints name.
 */
export function pluginPath(mainPath: string | undefined, fingerprints: Map<string, string>): string | undefined {
  if (mainPath && mainPath !== 'command-line-arguments') return mainPath
  return [...fingerprints.keys()].find(p => p.startsWith(UNNAMED_PLUGIN))
}

/** Package-level names the file defines under `path`: `example.com/plug.GetGotifyPluginInfo` -> `GetGotifyPluginInfo`. */
export function namesUnder(symbols: DynamicSymbol[], path: string): string[] {
  const prefix = `${path}.`
  const out = new Set<string>()
  for (const s of symbols) {
    if (!s.name.startsWith(prefix) || !defined(s) || (s.type !== STT_FUNC && s.type !== STT_OBJECT)) continue
    const name = s.name.slice(prefix.length)
    if (IDENTIFIER.test(name)) out.add(name)
  }
  return [...out].sort()
}

/** Whether plugin.Lookup can find a name: only exported (upper-case) package-level names are in a plugin's table. */
export function isExportedName(name: string): boolean {
  return IDENTIFIER.test(name) && /^\p{Lu}/u.test(name)
}
