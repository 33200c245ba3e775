/**
 * The import paths a Go source file names, rewritten in place: the import
 * declarations after its package clause (single or grouped, named, dot or
 * blank imports, interpreted or raw string literals, comments anywhere, cgo's
 * preamble included) and `//go:linkname` directives. Only the path inside each
 * string changes, so every line keeps its number and compiler errors point at
 * the same lines of the user's file. Hand-written rather than go/parser: it
 * runs in the action (node), and the import block's grammar is small. Pure.
 */

/** Maps an import path to its new one, or undefined to keep it. */
export type ImportMap = (importPath: string) => string | undefined

interface Token {
  kind: 'ident' | 'string' | 'punct' | 'end'
  text: string
  start: number
  end: number
}

/** Go's tokens as far as the import declarations need them; comments and white space skipped. */
function tokenizer(src: string): () => Token {
  let i = src.charCodeAt(0) === 0xfeff ? 1 : 0
  return () => {
    for (;;) {
      while (i < src.length && /\s/.test(src[i])) i++
      if (src.startsWith('//', i)) {
        const nl = src.indexOf('\n', i)
        i = nl < 0 ? src.length : nl
      } else if (src.startsWith('/*', i)) {
        const close = src.indexOf('*/', i + 2)
        i = close < 0 ? src.length : close + 2
      } else break
    }
    const start = i
    if (i >= src.length) return { kind: 'end', text: '', start, end: start }
    const c = src[i]
    if (c === '"' || c === '`') {
      i++
      while (i < src.length && src[i] !== c && !(c === '"' && src[i] === '\n')) i += c === '"' && src[i] === '\\' ? 2 : 1
      i = Math.min(i + 1, src.length)
      return { kind: 'string', text: src.slice(start, i), start, end: i }
    }
    if (/[\p{L}_]/u.test(c)) {
      while (i < src.length && /[\p{L}\p{Nd}_]/u.test(src[i])) i++
      return { kind: 'ident', text: src.slice(start, i), start, end: i }
    }
    i++
    return { kind: 'punct', text: c, start, end: i }
  }
}

/** A string literal's value, when it is plain (no escapes): import paths always are. */
const plainValue = (literal: string): string | undefined => {
  const body = literal.slice(1, -1)
  return literal.length >= 2 && literal[0] === literal[literal.length - 1] && !(literal[0] === '"' && body.includes('\\')) ? body : undefined
}

/** Where each import path literal is: offsets of its value inside the source. */
export function importSpans(src: string): Array<{ path: string; start: number; end: number }> {
  const next = tokenizer(src)
  let t = next()
  if (t.text !== 'package') return []
  t = next()
  if (t.kind !== 'ident') return []
  const out: Array<{ path: string; start: number; end: number }> = []
  const spec = (s: Token): void => {
    const value = s.kind === 'string' ? plainValue(s.text) : undefined
    if (value !== undefined) out.push({ path: value, start: s.start + 1, end: s.end - 1 })
  }
  t = next()
  for (;;) {
    while (t.text === ';') t = next()
    if (t.text !== 'import') return out
    t = next()
    if (t.text === '(') {
      t = next()
      while (t.kind !== 'end' && t.text !== ')') {
        if (t.kind === 'ident' || t.text === '.') t = next()
        spec(t)
        t = next()
        while (t.text === ';') t = next()
      }
      t = next()
    } else {
      if (t.kind === 'ident' || t.text === '.') t = next()
      spec(t)
      t = next()
    }
  }
}

/** `//go:linkname local importpath.name`: the importpath of its second argument. */
const LINKNAME = /^\/\/go:linkname[ \t]+\S+[ \t]+(\S+)\.[^./\s]+[ \t]*$/gm

/** The source with its import paths (and linkname targets) mapped; undefined when nothing changed. */
export function rewriteGoImports(src: string, map: ImportMap): string | undefined {
  const edits: Array<{ start: number; end: number; text: string }> = []
  for (const s of importSpans(src)) {
    const to = map(s.path)
    if (to !== undefined && to !== s.path) edits.push({ start: s.start, end: s.end, text: to })
  }
  for (const m of src.matchAll(LINKNAME)) {
    const to = map(m[1])
    const start = (m.index ?? 0) + m[0].lastIndexOf(`${m[1]}.`)
    if (to !== undefined && to !== m[1]) edits.push({ start, end: start + m[1].length, text: to })
  }
  if (edits.length === 0) return undefined
  let out = src
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end)
  return out
}

/** go.mod with its module directive naming `to` (its line, comments and quoting style kept); undefined without a module line. */
export function rewriteModuleLine(goMod: string, to: string): string | undefined {
  const m = /^(\s*module\s+)("?)([^\s"]+)("?)/m.exec(goMod)
  if (!m) return undefined
  const quoted = m[2] === '"' || !/^[A-Za-z0-9._~/+-]+$/.test(to)
  const at = m.index + m[1].length
  return goMod.slice(0, at) + (quoted ? JSON.stringify(to) : to) + goMod.slice(at + m[2].length + m[3].length + m[4].length)
}
