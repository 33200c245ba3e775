/**
 * Which file is a neighbour's for a platform, and what it will be called in
 * the server's plugin folder. Pure: names in, choices out.
 */
import { type Platform, parsePlatform } from '../platform.js'
import { placeholdersOf } from '../template.js'
import { hasControl } from '../outside-text.js'

/** Placeholders that make one entry name one file per platform. */
const PER_PLATFORM = ['platform', 'arch', 'variant']

export function namesOnePerPlatform(template: string): boolean {
  return placeholdersOf(template).some(p => PER_PLATFORM.includes(p))
}

/**
 * Fills the placeholders; `encode` escapes each value for where it lands
 * (a URL path, a glob), so a value is always data, never syntax.
 */
export function fill(template: string, values: Record<string, string>, encode: (v: string) => string = v => v): string {
  return template.replace(/\{([^{}]*)\}/g, (_, key: string) => {
    if (!(key in values)) throw new Error(`internal: no value for placeholder {${key}}`)
    return encode(values[key])
  })
}

/**
 * An asset-name glob with its placeholders filled: `*` is any run of
 * characters, `?` one character, everything else (values included) literal.
 * Asset names are single names, so there is nothing like `**` to support and
 * no glob library is needed.
 */
export function assetNameMatcher(glob: string, values: Record<string, string>): (name: string) => boolean {
  const literal = (s: string): string => s.replace(/[.+^${}()|[\]\\*?]/g, '\\$&')
  const source = glob
    .split(/(\{[^{}]*\})/)
    .map(part => {
      const key = /^\{([^{}]*)\}$/.exec(part)?.[1]
      if (key !== undefined) return literal(fill(part, values))
      return [...part].map(ch => (ch === '*' ? '.*' : ch === '?' ? '.' : literal(ch))).join('')
    })
    .join('')
  const re = new RegExp(`^${source}$`, 's')
  return name => re.test(name)
}

/**
 * The platform a file name names as whole dash-separated parts, the longest
 * spelling winning: plugin-linux-arm-7.so names linux-arm-7, not linux-arm;
 * plugin-linux-arm64.so names linux-arm64; plugin.so names none.
 */
export function platformNamedBy(name: string): string | undefined {
  const parts = name.replace(/\.so$/, '').split('-')
  for (let i = 0; i + 1 < parts.length; i++) {
    for (const len of [3, 2]) {
      if (i + len > parts.length) continue
      try {
        return parsePlatform(parts.slice(i, i + len).join('-')).id
      } catch {
        // not a platform spelled here
      }
    }
  }
  return undefined
}

export type FileChoice = { kind: 'chosen'; name: string } | { kind: 'missing'; why: string } | { kind: 'ambiguous'; why: string }

/**
 * Of the names an entry's glob matched, the one for `platform`: the only
 * `.so` match when the entry names one file per platform, else the match
 * naming the platform (or the only match, naming none; the ELF check then
 * proves its machine).
 */
export function chooseFile(matched: string[], platform: Platform, onePerPlatform: boolean): FileChoice {
  const so = matched.filter(n => n.endsWith('.so'))
  if (so.length === 0) {
    return { kind: 'missing', why: matched.length === 0 ? 'matches nothing' : `matches no .so file (only ${listed(matched)})` }
  }
  if (onePerPlatform && so.length === 1) return { kind: 'chosen', name: so[0] }
  const named = so.filter(n => platformNamedBy(n) === platform.id)
  if (named.length === 1) return { kind: 'chosen', name: named[0] }
  if (named.length > 1) return { kind: 'ambiguous', why: `matches several files for ${platform.id} (${listed(named)}); make the glob narrower` }
  if (so.length === 1 && platformNamedBy(so[0]) === undefined) return { kind: 'chosen', name: so[0] }
  return { kind: 'missing', why: `matches no file naming ${platform.id} (only ${listed(so)})` }
}

/**
 * Why a name cannot be a file in the server's plugin folder, or undefined.
 * The name comes from outside (an asset, a URL) and is kept as data: the
 * load order is by file name, but the action never uses it as a path.
 */
export function pluginFileNameProblem(name: string): string | undefined {
  if (name === '') return 'is empty'
  if (hasControl(name)) return 'contains a control character'
  if (/[/\\]/.test(name)) return 'contains a path separator'
  if (name.startsWith('.')) return 'starts with "."'
  if (!name.endsWith('.so') || name === '.so') return 'does not end in .so'
  if (Buffer.byteLength(name) > 255) return 'is longer than 255 bytes'
  return undefined
}

/** The server loads its plugin folder in file name order (Go's os.ReadDir: bytewise). */
export function byLoadOrder<T extends { fileName: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => Buffer.compare(Buffer.from(a.fileName), Buffer.from(b.fileName)))
}

/** Names quoted for a one-line message (names from outside are data: JSON escapes control characters). */
export function listed(names: string[], max = 8): string {
  const shown = names.slice(0, max).map(n => JSON.stringify(n))
  return shown.join(', ') + (names.length > max ? `, ... (${names.length} in all)` : '')
}
