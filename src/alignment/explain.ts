/**
 * Why a linked shared module could not take the server's version, in one
 * line that names the real obstacle. Going down, what holds a module is a
 * chain of requirements (`go mod graph`) and the dependency of the plugin
 * that would have to be lowered; going up, only the plugin's own go.mod can
 * hold it: an exclude, a replace, or `go mod tidy` dropping a requirement
 * nothing imports.
 */
import semver from 'semver'
import type { SourceLocation } from '../errors.js'
import { type GoMod, type GraphEdge, type ListedModule, type ModuleVersion, formatNode } from '../go-mod.js'
import { type AlignMode, type Conflict, type SharedModule, lineOf } from './plan.js'

export interface ConflictContext {
  mode: AlignMode
  /** The plugin's go.mod as it is on disk (restored), for annotation lines. */
  goMod: GoMod
  goModFile: string
  main: string
  edges: GraphEdge[]
  /** The plugin's final build list. */
  selected: ListedModule[]
  /** go.mod right after the last version move (go get, or cap's go mod edit), before go mod tidy. */
  afterMove?: GoMod
  /** go.mod at the end (after go mod tidy). */
  final: GoMod
}

/**
 * The shortest chain of requirements from the main module to `target`, going
 * only through selected versions (those are what force the target's version).
 * From go 1.17 on the main module requires every module itself (`// indirect`),
 * so a chain through a dependency explains more and is preferred.
 */
export function findChain(edges: GraphEdge[], main: string, target: ModuleVersion, selected: Map<string, string>): string[] {
  const throughDependency = edges.filter(e => !(e.from.version === undefined && e.from.path === main && e.to.path === target.path))
  const chain = shortestChain(throughDependency, main, target, selected)
  return chain.length > 0 ? chain : shortestChain(edges, main, target, selected)
}

function shortestChain(edges: GraphEdge[], main: string, target: ModuleVersion, selected: Map<string, string>): string[] {
  const key = (path: string, version?: string): string => (version === undefined ? path : `${path}@${version}`)
  const next = new Map<string, string[]>()
  for (const e of edges) {
    const from = key(e.from.path, e.from.version)
    const isSelected = e.from.version === undefined ? e.from.path === main : selected.get(e.from.path) === e.from.version
    if (!isSelected) continue
    next.set(from, [...(next.get(from) ?? []), formatNode(e.to)])
  }
  const goal = key(target.path, target.version)
  const previous = new Map<string, string>([[main, '']])
  const queue = [main]
  while (queue.length > 0) {
    const at = queue.shift() as string
    if (at === goal) {
      const chain = [at]
      for (let p = previous.get(at); p; p = previous.get(p)) chain.unshift(p)
      return chain
    }
    for (const n of next.get(at) ?? []) {
      if (!previous.has(n)) {
        previous.set(n, at)
        queue.push(n)
      }
    }
  }
  return []
}

/** `path@version` → its parts. */
function nodeOf(node: string): ModuleVersion {
  const at = node.lastIndexOf('@')
  return at > 0 ? { path: node.slice(0, at), version: node.slice(at + 1) } : { path: node, version: '' }
}

/** Module versions in release order (semver, which Go's versions are; pseudo-versions sort as pre-releases). */
function versionLess(a: string, b: string): boolean {
  const [x, y] = [semver.valid(a), semver.valid(b)]
  return x && y ? semver.lt(x, y) : a < b
}

/** One conflict per mismatch, with a one-line message naming what holds the module. */
export function explainMismatches(list: SharedModule[], ctx: ConflictContext): Conflict[] {
  const selected = new Map(ctx.selected.map(m => [m.path, m.version]))
  return list.map(s => {
    const at = (line?: number): SourceLocation => (line === undefined ? { file: ctx.goModFile } : { file: ctx.goModFile, line })
    if (s.replace !== undefined) {
      const rep = ctx.goMod.replaces.find(r => r.old.path === s.path)
      return {
        path: s.path, server: s.server, plugin: s.plugin, chain: [],
        message: `${s.path} is replaced by ${s.replace} in the plugin's go.mod, so the plugin cannot link the server's ${s.path} ${s.server}; remove the replace directive`,
        location: at(rep?.line ?? lineOf(ctx.goMod, [s.path]))
      }
    }
    const above = versionLess(s.server, s.plugin)
    const head = `${s.path} cannot be aligned: the plugin links ${s.plugin}, ${above ? 'above' : 'below'} the server's ${s.server}`
    const found = above ? heldDown(s, ctx, selected) : heldUp(s, ctx, selected)
    return { path: s.path, server: s.server, plugin: s.plugin, chain: found.chain, message: `${head}, ${found.why}`, location: at(found.line) }
  })
}

interface Obstacle {
  why: string
  chain: string[]
  line?: number
}

/** Above the server's version: a chain of requirements holds it, through a dependency of the plugin that would have to go lower. */
function heldDown(s: SharedModule, ctx: ConflictContext, selected: Map<string, string>): Obstacle {
  const chain = findChain(ctx.edges, ctx.main, { path: s.path, version: s.plugin }, selected)
  if (chain.length === 0) return { why: `and go did not lower it although no requirement in go mod graph asks for ${s.plugin}`, chain, line: lineOf(ctx.goMod, [s.path]) }
  if (chain.length === 2) {
    // go get lowered it and tidy raised it back: lowering the requirement by hand would not build either.
    const moved = ctx.mode === 'full' ? ctx.afterMove?.requires.find(r => r.path === s.path) : undefined
    if (moved && !versionLess(s.server, moved.version)) {
      return {
        why: `because the plugin imports a package of ${s.path} that ${s.server} does not have: go get lowered it to ${s.server}, and go mod tidy raised it back to ${s.plugin} to find that package; change the plugin's imports, or build for a server release with ${s.path} ${s.plugin} or newer`,
        chain,
        line: lineOf(ctx.goMod, [s.path])
      }
    }
    return { why: `because the plugin's go.mod requires it: lower that requirement to ${s.server}`, chain, line: lineOf(ctx.goMod, [s.path]) }
  }
  const dep = nodeOf(chain[1])
  const requirer = chain[chain.length - 2]
  const because = `because ${requirer} requires it (${chain.join(' → ')})`
  const line = lineOf(ctx.goMod, [dep.path, s.path])
  // What the last move did to that dependency, and what tidy did next.
  const moved = ctx.afterMove?.requires.find(r => r.path === dep.path)
  if (ctx.afterMove && ctx.mode === 'full' && !moved) {
    return {
      why: `${because}; going down to ${s.server} meant removing ${dep.path} (no release of it requires ${s.path} ${s.server} or older), and go mod tidy added ${dep.path} ${dep.version} back because the plugin imports it: drop that import, or build for a server release with ${s.path} ${s.plugin} or newer`,
      chain, line
    }
  }
  if (moved && ctx.mode === 'full' && versionLess(moved.version, dep.version)) {
    return {
      why: `${because}; go get lowered ${dep.path} to ${moved.version} for that, and go mod tidy raised it back to ${dep.version} for packages the plugin imports: the plugin needs code of ${dep.path} that only releases requiring ${s.path} ${s.plugin} or newer have`,
      chain, line
    }
  }
  const how = ctx.mode === 'cap' ? ' (align: full tries that with go get)' : ''
  return { why: `${because}; lower ${dep.path} to a release that requires ${s.path} ${s.server} or older${how}`, chain, line }
}

/** Below the server's version: raising is always allowed by requirements, so only the plugin's go.mod can hold it. */
function heldUp(s: SharedModule, ctx: ConflictContext, selected: Map<string, string>): Obstacle {
  const excluded = ctx.goMod.excludes.find(e => e.path === s.path && e.version === s.server)
  if (excluded) {
    return { why: `because the plugin's go.mod excludes ${s.path} ${s.server} (line ${excluded.line}): remove that exclude`, chain: [], line: excluded.line }
  }
  const moved = ctx.afterMove?.requires.find(r => r.path === s.path)
  const kept = ctx.final.requires.find(r => r.path === s.path)
  if (moved && !versionLess(moved.version, s.server) && (!kept || versionLess(kept.version, s.server))) {
    const chain = findChain(ctx.edges, ctx.main, { path: s.path, version: s.plugin }, selected)
    const by = chain.length > 2 ? `, so it falls back to the ${s.plugin} that ${chain[chain.length - 2]} requires` : ''
    return {
      why: `because go mod tidy removed the requirement on ${s.path} ${s.server} that alignment added (tidy keeps only what the plugin's imports, tests included, need)${by}`,
      chain: [], line: lineOf(ctx.goMod, [s.path])
    }
  }
  return { why: `and go did not raise it to ${s.server}; no exclude or replace in the plugin's go.mod explains why: run go get ${s.path}@${s.server} in the plugin to see go's reason`, chain: [], line: lineOf(ctx.goMod, [s.path]) }
}
