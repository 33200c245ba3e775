/**
 * Which release asset of the server holds its binary for a platform, and which
 * file inside the archive is the binary. Pure: names in, choices out.
 */
import { hasControl, shown } from '../outside-text.js'
import type { Platform } from '../platform.js'
import { renderTemplate } from '../template.js'

/** The `server-binary` input; `file`: a binary the workflow built (any value with a /), `shown` as given. */
export type ServerBinarySetting = { kind: 'auto' } | { kind: 'none' } | { kind: 'template'; template: string } | { kind: 'file'; path: string; shown: string }

export type ArchiveKind = 'zip' | 'tar.gz' | 'tar.xz' | 'file'

// Longest first, so `.tar.gz` wins over a shorter match.
const ARCHIVES: Array<[suffix: string, kind: ArchiveKind]> = [
  ['.tar.gz', 'tar.gz'],
  ['.tar.xz', 'tar.xz'],
  ['.tgz', 'tar.gz'],
  ['.zip', 'zip']
]
// When a release offers one binary in several archives, the first of these is taken.
const PREFERENCE: ArchiveKind[] = ['zip', 'tar.gz', 'tar.xz', 'file']

/** An asset's archive kind and its name without the archive extension. */
export function archiveOf(name: string): { kind: ArchiveKind; stem: string } {
  for (const [suffix, kind] of ARCHIVES) {
    if (name.toLowerCase().endsWith(suffix) && name.length > suffix.length) return { kind, stem: name.slice(0, -suffix.length) }
  }
  return { kind: 'file', stem: name }
}

export interface NamedAsset {
  name: string
}

/**
 * Why an asset name is not taken by `auto`, or undefined when it may be. The
 * name is data (never a path here), but a name that looks like a path or
 * holds control characters is not what a release of the server publishes.
 */
export function unusableAssetName(name: string): string | undefined {
  if (hasControl(name)) return 'it holds control characters'
  if (/[/\\]/.test(name)) return 'it holds a / or \\'
  if (name.startsWith('.')) return 'it starts with .'
  return undefined
}

/** A name from outside as it may be shown in one log line: control characters escaped (src/outside-text.ts). */
export const shownName = (name: string): string => shown(name)

export type AssetChoice<A> = { found: true; asset: A; kind: ArchiveKind; stem: string } | { found: false; why: string }

/**
 * auto: the asset whose name without archive extension ends with
 * `-<platform>` (gotify-linux-arm-7.zip for linux-arm-7); a template: the
 * asset of exactly that name.
 */
export function chooseBinaryAsset<A extends NamedAsset>(
  assets: A[],
  platform: Platform,
  setting: Extract<ServerBinarySetting, { kind: 'auto' | 'template' }>,
  values: Record<string, string>
): AssetChoice<A> {
  const names = assets.map(a => shownName(a.name))
  const listed = names.length > 0 ? names.slice(0, 12).join(', ') + (names.length > 12 ? `, ... (${names.length} in all)` : '') : 'none'
  if (setting.kind === 'template') {
    const wanted = renderTemplate(setting.template, values)
    const asset = assets.find(a => a.name === wanted)
    // Matched as data: the name never becomes a path (the download gets a name of the action's own).
    return asset ? { found: true, asset, ...archiveOf(asset.name) } : { found: false, why: `no asset named ${shownName(wanted)} (assets: ${listed})` }
  }
  const named = assets.map(asset => ({ asset, ...archiveOf(asset.name) })).filter(c => c.stem.endsWith(`-${platform.id}`))
  const candidates = named
    .filter(c => !unusableAssetName(c.asset.name))
    .sort((a, b) => PREFERENCE.indexOf(a.kind) - PREFERENCE.indexOf(b.kind) || a.asset.name.localeCompare(b.asset.name))
  if (candidates.length > 0) return { found: true, ...candidates[0] }
  if (named.length > 0) {
    const passed = named.map(c => `${JSON.stringify(shownName(c.asset.name))} (${unusableAssetName(c.asset.name)})`).join(', ')
    return { found: false, why: `asset ${passed} passed over: server-binary auto takes no asset whose name holds /, \\ or control characters or starts with .` }
  }
  return { found: false, why: `no asset named like *-${platform.id}.zip, .tar.gz, .tgz or .tar.xz (assets: ${listed})` }
}

export interface ArchiveEntry {
  /** Path inside the archive, with `/` separators. */
  path: string
  elfExecutable: boolean
}

/**
 * The binary inside an archive, from its listing and the first bytes of each
 * entry: the ELF executable named like the asset without its extension, else
 * the only ELF executable. Entry paths are data: never joined into a path.
 */
export function chooseExecutable(entries: ArchiveEntry[], stem: string, assetName: string): { path: string } | { error: string } {
  const executables = entries.filter(e => e.elfExecutable)
  const named = executables.filter(e => e.path.split('/').pop() === stem)
  if (named.length === 1) return { path: named[0].path }
  if (named.length === 0 && executables.length === 1) return { path: executables[0].path }
  const holds = entries.length === 0 ? 'nothing' : entries.slice(0, 20).map(e => shownName(e.path) + (e.elfExecutable ? ' (ELF executable)' : '')).join(', ') + (entries.length > 20 ? `, ... (${entries.length} files)` : '')
  const problem = executables.length === 0 ? 'holds no ELF executable' : `holds several ELF executables and none is named ${shownName(stem)}`
  return { error: `${shownName(assetName)} ${problem}; it holds: ${holds}` }
}

/**
 * Who a server binary is, in reports: a release asset by its name, or the file
 * server-binary named (a path: it has a `/`, which no asset name has).
 */
export const binaryWitness = (name: string): string => (name.includes('/') ? `server binary ${name}` : `release binary ${name}`)

/** Several witnesses in one phrase: `release binaries`, `the server binary ./build/gotify (built by the workflow)`, or both. */
export function binaryWitnesses(names: string[]): string {
  const files = [...new Set(names.filter(n => n.includes('/')))]
  const assets = names.some(n => !n.includes('/'))
  const built = files.length === 0 ? '' : `the server binar${files.length === 1 ? 'y' : 'ies'} ${files.join(', ')} (built by the workflow)`
  return [assets ? 'release binaries' : '', built].filter(x => x !== '').join(' and ')
}
