/**
 * Pure readers for go.mod text and for the output of `go list -m all` and
 * `go mod graph`. Line numbers are kept so conflicts can be annotated on the
 * plugin's go.mod line.
 */

export interface ModuleVersion {
  path: string
  version: string
}

export interface Require extends ModuleVersion {
  indirect: boolean
  /** 1-based line of the go.mod file. */
  line: number
}

export interface Replace {
  old: { path: string; version?: string }
  /** A module path (with version) or a local directory (no version). */
  new: { path: string; version?: string }
  line: number
}

export interface Exclude extends ModuleVersion {
  line: number
}

export interface GoMod {
  module?: string
  go?: { version: string; line: number }
  toolchain?: { name: string; line: number }
  requires: Require[]
  replaces: Replace[]
  excludes: Exclude[]
}

/** Splits one go.mod line into tokens (quoted strings unquoted) and its `//` comment. */
function lex(line: string): { tokens: string[]; comment?: string } {
  const tokens: string[] = []
  let i = 0
  while (i < line.length) {
    const c = line[i]
    if (c === ' ' || c === '\t' || c === '\r') {
      i++
    } else if (line.startsWith('//', i)) {
      return { tokens, comment: line.slice(i + 2).trim() }
    } else if (c === '"' || c === '`') {
      let j = i + 1
      let text = ''
      while (j < line.length && line[j] !== c) {
        if (c === '"' && line[j] === '\\' && j + 1 < line.length) j++
        text += line[j++]
      }
      tokens.push(text)
      i = j + 1
    } else if (c === '(' || c === ')') {
      tokens.push(c)
      i++
    } else {
      let j = i
      while (j < line.length && !/[\s()"`]/.test(line[j]) && !line.startsWith('//', j)) j++
      tokens.push(line.slice(i, j))
      i = j
    }
  }
  return { tokens }
}

// As cmd/go's modfile: `// indirect` or `// indirect; other words`.
const isIndirect = (comment?: string): boolean => comment !== undefined && /^indirect(;|$)/.test(comment)

function modulePart(tokens: string[]): { path: string; version?: string } {
  return tokens.length >= 2 ? { path: tokens[0], version: tokens[1] } : { path: tokens[0] }
}

/** Reads go.mod text; unknown directives (retract, godebug, tool, ...) are skipped. */
export function parseGoMod(text: string): GoMod {
  const mod: GoMod = { requires: [], replaces: [], excludes: [] }
  let block: string | undefined
  text.split('\n').forEach((raw, index) => {
    const line = index + 1
    const { tokens, comment } = lex(raw)
    if (tokens.length === 0) return
    let verb: string
    let args: string[]
    if (block !== undefined) {
      if (tokens[0] === ')') {
        block = undefined
        return
      }
      verb = block
      args = tokens
    } else if (tokens.length === 2 && tokens[1] === '(') {
      block = tokens[0]
      return
    } else {
      verb = tokens[0]
      args = tokens.slice(1)
    }
    switch (verb) {
      case 'module':
        mod.module = args[0]
        break
      case 'go':
        if (args[0]) mod.go = { version: args[0], line }
        break
      case 'toolchain':
        if (args[0]) mod.toolchain = { name: args[0], line }
        break
      case 'require':
        if (args.length >= 2) mod.requires.push({ path: args[0], version: args[1], indirect: isIndirect(comment), line })
        break
      case 'exclude':
        if (args.length >= 2) mod.excludes.push({ path: args[0], version: args[1], line })
        break
      case 'replace': {
        const arrow = args.indexOf('=>')
        if (arrow > 0 && arrow < args.length - 1) {
          mod.replaces.push({ old: modulePart(args.slice(0, arrow)), new: modulePart(args.slice(arrow + 1)), line })
        }
        break
      }
    }
  })
  return mod
}

export interface ListedModule extends ModuleVersion {
  /** The `=> replacement` of `go list -m all`, as printed (a directory or `path version`). */
  replace?: string
}

/**
 * Reads `go list -m all`: the first line is the main module (a path alone),
 * then `path version [=> replacement]` per module of the build list.
 */
export function parseModuleList(text: string): { main: string; modules: ListedModule[] } {
  const lines = text.split('\n').map(l => l.trim()).filter(l => l !== '')
  const modules: ListedModule[] = []
  let main = ''
  for (const l of lines) {
    const [left, right] = l.split(/\s+=>\s+/, 2)
    const [p, version] = left.split(/\s+/)
    if (version === undefined && main === '' && modules.length === 0) {
      main = p
      continue
    }
    if (version === undefined) continue
    modules.push(right === undefined ? { path: p, version } : { path: p, version, replace: right })
  }
  return { main, modules }
}

export interface GraphNode {
  path: string
  /** Undefined for the main module. */
  version?: string
}

export interface GraphEdge {
  from: GraphNode
  to: GraphNode
}

function node(text: string): GraphNode {
  const at = text.lastIndexOf('@')
  return at > 0 ? { path: text.slice(0, at), version: text.slice(at + 1) } : { path: text }
}

/** Reads `go mod graph` (`from to` per line); `go@` and `toolchain@` nodes are dropped. */
export function parseModGraph(text: string): GraphEdge[] {
  const edges: GraphEdge[] = []
  for (const l of text.split('\n')) {
    const parts = l.trim().split(/\s+/)
    if (parts.length !== 2) continue
    const [from, to] = parts.map(node)
    if (to.path === 'go' || to.path === 'toolchain' || from.path === 'go' || from.path === 'toolchain') continue
    edges.push({ from, to })
  }
  return edges
}

export const formatNode = (n: GraphNode): string => (n.version === undefined ? n.path : `${n.path}@${n.version}`)

/** A unified diff of two texts (whole lines, 3 lines of context); '' when equal. */
export function unifiedDiff(before: string, after: string, name: string): string {
  if (before === after) return ''
  const lines = (t: string): string[] => (t === '' ? [] : t.replace(/\n$/, '').split('\n'))
  const a = lines(before)
  const b = lines(after)
  // LCS table: go.mod files are small enough for the quadratic version.
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0))
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1])
    }
  }
  type Op = { kind: ' ' | '-' | '+'; text: string; ai: number; bi: number }
  const ops: Op[] = []
  let i = 0
  let j = 0
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) ops.push({ kind: ' ', text: a[i], ai: i++, bi: j++ })
    // Removals before additions, as diff -u prints them.
    else if (i < a.length && (j === b.length || lcs[i + 1][j] >= lcs[i][j + 1])) ops.push({ kind: '-', text: a[i], ai: i++, bi: j })
    else ops.push({ kind: '+', text: b[j], ai: i, bi: j++ })
  }
  const out = [`--- a/${name}`, `+++ b/${name}`]
  const changed = ops.map((o, k) => (o.kind !== ' ' ? k : -1)).filter(k => k >= 0)
  let k = 0
  while (k < changed.length) {
    const start = Math.max(0, changed[k] - 3)
    let end = Math.min(ops.length, changed[k] + 4)
    while (k + 1 < changed.length && changed[k + 1] - 3 <= end) end = Math.min(ops.length, changed[++k] + 4)
    k++
    const hunk = ops.slice(start, end)
    const aLen = hunk.filter(o => o.kind !== '+').length
    const bLen = hunk.filter(o => o.kind !== '-').length
    // Unified diff numbers an empty side by the line before it.
    out.push(`@@ -${aLen === 0 ? hunk[0].ai : hunk[0].ai + 1},${aLen} +${bLen === 0 ? hunk[0].bi : hunk[0].bi + 1},${bLen} @@`)
    out.push(...hunk.map(o => o.kind + o.text))
  }
  return out.join('\n') + '\n'
}
