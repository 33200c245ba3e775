/**
 * The module part of Go build info (what `go version -m` prints), parsed like
 * Go's runtime/debug.ParseBuildInfo: `path`, `mod`, `dep`, `=>` (replaces the
 * module of the line before) and `build key=value` lines, values possibly quoted.
 */

export interface GoModule {
  path: string
  version: string
  sum?: string
  /** The `=>` replacement: another module version, or a directory (version ""). */
  replace?: GoModule
}

export interface GoBuildSetting {
  key: string
  value: string
}

export interface GoModInfo {
  /** The main package's import path (a plugin's symbols are named after it). */
  path: string
  main?: GoModule
  deps: GoModule[]
  settings: GoBuildSetting[]
}

export class ModInfoError extends Error {
  constructor(line: number, problem: string) {
    super(`could not parse Go build info: line ${line}: ${problem}`)
    this.name = 'ModInfoError'
  }
}

const SIMPLE_ESCAPES: Record<string, string> = { a: '\x07', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t', v: '\v', '\\': '\\', "'": "'", '"': '"' }

/**
 * The length of the Go quoted string (`"..."` or a raw `` `...` ``) that starts
 * `s`, like strconv.QuotedPrefix; undefined when it does not start with one.
 */
export function quotedPrefixLength(s: string): number | undefined {
  const q = s[0]
  if (q === '`') {
    const end = s.indexOf('`', 1)
    return end < 0 ? undefined : end + 1
  }
  if (q !== '"') return undefined
  for (let i = 1; i < s.length; i++) {
    if (s[i] === '\n') return undefined
    if (s[i] === '\\') i++
    else if (s[i] === '"') return i + 1
  }
  return undefined
}

/** strconv.Unquote for double-quoted and raw strings; undefined when `s` is not exactly one. */
export function unquoteGo(s: string): string | undefined {
  if (quotedPrefixLength(s) !== s.length) return undefined
  if (s[0] === '`') return s.slice(1, -1).replace(/\r/g, '')
  const body = s.slice(1, -1)
  // Octal and \x escapes are bytes (UTF-8 may span several); \u and \U are code points.
  const bytes: number[] = []
  for (let i = 0; i < body.length; ) {
    const c = body[i]
    if (c !== '\\') {
      const cp = body.codePointAt(i) as number
      bytes.push(...Buffer.from(String.fromCodePoint(cp), 'utf8'))
      i += cp > 0xffff ? 2 : 1
      continue
    }
    const e = body[i + 1]
    if (e !== undefined && e in SIMPLE_ESCAPES) {
      if (e === "'") return undefined
      bytes.push(SIMPLE_ESCAPES[e].charCodeAt(0))
      i += 2
      continue
    }
    const width = { x: 2, u: 4, U: 8 }[e as 'x' | 'u' | 'U']
    if (width) {
      const digits = body.slice(i + 2, i + 2 + width)
      if (!/^[0-9a-fA-F]+$/.test(digits) || digits.length !== width) return undefined
      const n = parseInt(digits, 16)
      if (e === 'x') bytes.push(n)
      else if (n > 0x10ffff || (n >= 0xd800 && n < 0xe000)) return undefined
      else bytes.push(...Buffer.from(String.fromCodePoint(n), 'utf8'))
      i += 2 + width
      continue
    }
    const oct = body.slice(i + 1, i + 4)
    if (/^[0-7]{3}$/.test(oct) && parseInt(oct, 8) < 256) {
      bytes.push(parseInt(oct, 8))
      i += 4
      continue
    }
    return undefined
  }
  return Buffer.from(bytes).toString('utf8')
}

const mustQuoteKey = (k: string): boolean => k === '' || /[= \t\r\n"`]/.test(k)
const mustQuoteValue = (v: string): boolean => /[ \t\r\n"`]/.test(v)

function buildSetting(kv: string, line: number): GoBuildSetting {
  if (kv === '') throw new ModInfoError(line, "build line missing '='")
  let key: string
  let raw: string
  if (kv[0] === '=') throw new ModInfoError(line, 'build line with missing key')
  if (kv[0] === '"' || kv[0] === '`') {
    const n = quotedPrefixLength(kv)
    if (n === undefined) throw new ModInfoError(line, 'invalid quoted key in build line')
    if (kv[n] !== '=') throw new ModInfoError(line, "build line missing '=' after quoted key")
    key = unquoteGo(kv.slice(0, n)) ?? ''
    raw = kv.slice(n + 1)
  } else {
    const eq = kv.indexOf('=')
    if (eq < 0) throw new ModInfoError(line, "build line missing '=' after key")
    key = kv.slice(0, eq)
    raw = kv.slice(eq + 1)
    if (mustQuoteKey(key)) throw new ModInfoError(line, `unquoted key "${key}" must be quoted`)
  }
  let value = raw
  if (raw[0] === '"' || raw[0] === '`') {
    const v = unquoteGo(raw)
    if (v === undefined) throw new ModInfoError(line, 'invalid quoted value in build line')
    value = v
  } else if (mustQuoteValue(raw)) {
    throw new ModInfoError(line, `unquoted value "${raw}" must be quoted`)
  }
  return { key, value }
}

function moduleLine(rest: string, line: number): GoModule {
  const elem = rest.split('\t')
  if (elem.length !== 2 && elem.length !== 3) throw new ModInfoError(line, `expected 2 or 3 columns; got ${elem.length}`)
  return { path: elem[0], version: elem[1], ...(elem[2] ? { sum: elem[2] } : {}) }
}

/** Parses the module info text (sentinels already stripped). Throws ModInfoError. */
export function parseModInfo(text: string): GoModInfo {
  const info: GoModInfo = { path: '', deps: [], settings: [] }
  let last: GoModule | undefined
  // Like Go, a last line without its newline is ignored.
  const lines = text.split('\n').slice(0, -1)
  lines.forEach((l, i) => {
    const n = i + 1
    const tab = l.indexOf('\t')
    const [kind, rest] = tab < 0 ? [l, ''] : [l.slice(0, tab), l.slice(tab + 1)]
    if (tab < 0) return
    if (kind === 'path') info.path = rest
    else if (kind === 'mod') last = info.main = moduleLine(rest, n)
    else if (kind === 'dep') info.deps.push((last = moduleLine(rest, n)))
    else if (kind === '=>') {
      const elem = rest.split('\t')
      if (elem.length !== 3) throw new ModInfoError(n, `expected 3 columns for replacement; got ${elem.length}`)
      if (!last) throw new ModInfoError(n, 'replacement with no module on previous line')
      last.replace = { path: elem[0], version: elem[1], ...(elem[2] ? { sum: elem[2] } : {}) }
      last = undefined
    } else if (kind === 'build') info.settings.push(buildSetting(rest, n))
  })
  return info
}
