/**
 * The pure half of alignment: which modules the plugin shares with the
 * server, which versions to move them to, and, when some cannot move, why
 * (the chain of requirements in `go mod graph` that forces them).
 */
import type { SourceLocation } from '../errors.js'
import { compareGoVersions, parseGoVersion } from '../go-version.js'
import type { AlignMode } from '../inputs.js'
import { type GoMod, type GraphEdge, type ListedModule, type ModuleVersion, formatNode } from './gomod.js'

export interface SharedModule {
  path: string
  plugin: string
  server: string
  /** The plugin's go.mod replaces this module (`go list -m all`'s `=> ...`): its code is not the server's. */
  replace?: string
}

/** `path` is a module, or `go` / `toolchain` for those go.mod directives. `to` is 'none' when removed. */
export interface ModuleChange {
  path: string
  from: string
  to: string
}

export interface Conflict {
  path: string
  server: string
  plugin: string
  /** main → a@v → ... → path@plugin; empty when no requirement forces it. */
  chain: string[]
  message: string
  location?: SourceLocation
}

export interface AlignmentPlan {
  shared: SharedModule[]
  /** Versions to move to (`go get` for full, `go mod edit -require` for cap). */
  targets: ModuleVersion[]
  /** Modules that must end at the server's version; any other shared module may differ. */
  checked: Set<string>
}

/** Modules in both build lists (main modules excluded by the caller), by path. */
export function sharedModules(plugin: ListedModule[], server: ModuleVersion[]): SharedModule[] {
  const serverVersions = new Map(server.map(m => [m.path, m.version]))
  return plugin
    .filter(m => serverVersions.has(m.path))
    .map(m => {
      const s: SharedModule = { path: m.path, plugin: m.version, server: serverVersions.get(m.path) as string }
      if (m.replace !== undefined) s.replace = m.replace
      return s
    })
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

const differs = (s: SharedModule): boolean => s.plugin !== s.server || s.replace !== undefined

/**
 * full: every shared module takes the server's version. cap (gomod-cap): only
 * the plugin's own require lines whose module the server's go.mod requires.
 */
export function planAlignment(mode: AlignMode, pluginList: ListedModule[], pluginGoMod: GoMod, serverList: ModuleVersion[], serverGoMod: GoMod): AlignmentPlan {
  const shared = sharedModules(pluginList, serverList)
  if (mode === 'off') return { shared, targets: [], checked: new Set() }
  if (mode === 'full') {
    return {
      shared,
      targets: shared.filter(s => s.plugin !== s.server).map(s => ({ path: s.path, version: s.server })),
      checked: new Set(shared.map(s => s.path))
    }
  }
  // The server's linked version is its build list's; its go.mod line is the fallback.
  const serverVersion = new Map([...serverGoMod.requires.map(r => [r.path, r.version] as const), ...serverList.map(m => [m.path, m.version] as const)])
  const serverRequires = new Set(serverGoMod.requires.map(r => r.path))
  const capped = pluginGoMod.requires.filter(r => serverRequires.has(r.path))
  return {
    shared,
    targets: capped.filter(r => r.version !== serverVersion.get(r.path)).map(r => ({ path: r.path, version: serverVersion.get(r.path) as string })),
    checked: new Set(capped.map(r => r.path))
  }
}

/** Shared modules that must be at the server's version and are not. */
export function mismatches(shared: SharedModule[], checked: Set<string>): SharedModule[] {
  return shared.filter(s => checked.has(s.path) && differs(s))
}

/** How the build list moved; a module that appears or disappears is from/to 'none'. */
export function buildListChanges(before: ModuleVersion[], after: ModuleVersion[]): ModuleChange[] {
  const a = new Map(before.map(m => [m.path, m.version]))
  const b = new Map(after.map(m => [m.path, m.version]))
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort()
  return paths.filter(p => a.get(p) !== b.get(p)).map(p => ({ path: p, from: a.get(p) ?? 'none', to: b.get(p) ?? 'none' }))
}

/** Changes of the `go` and `toolchain` lines, in the same shape. */
export function directiveChanges(before: GoMod, after: GoMod): ModuleChange[] {
  const out: ModuleChange[] = []
  if (before.go?.version !== after.go?.version) out.push({ path: 'go', from: before.go?.version ?? 'none', to: after.go?.version ?? 'none' })
  if (before.toolchain?.name !== after.toolchain?.name) out.push({ path: 'toolchain', from: before.toolchain?.name ?? 'none', to: after.toolchain?.name ?? 'none' })
  return out
}

/** Before go 1.17, go.mod lists only direct requirements: the build list must be computed. */
export function needsComputedBuildList(goMod: GoMod): boolean {
  const v = goMod.go ? parseGoVersion(goMod.go.version) : undefined
  return v === undefined || compareGoVersions(v, { major: 1, minor: 17, patch: 0, text: '1.17' }) < 0
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

export interface ConflictContext {
  /** The plugin's go.mod as it is on disk (restored), for annotation lines. */
  goMod: GoMod
  goModFile: string
  main: string
  edges: GraphEdge[]
  /** The plugin's final build list. */
  selected: ListedModule[]
}

function lineOf(goMod: GoMod, paths: string[]): number | undefined {
  for (const p of paths) {
    const r = goMod.requires.find(x => x.path === p)
    if (r) return r.line
  }
  return undefined
}

/** One conflict per mismatch, with the requirement chain that holds it and a one-line message. */
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
    const chain = findChain(ctx.edges, ctx.main, { path: s.path, version: s.plugin }, selected)
    const excluded = ctx.goMod.excludes.find(e => e.path === s.path && e.version === s.server)
    let why: string
    if (chain.length > 1) {
      why = `required by ${chain.join(' → ')}`
      why += chain.length > 2 ? `; that dependency needs a release that works with ${s.path} ${s.server}` : '; lower that requirement'
    } else if (excluded) {
      why = `the plugin's go.mod excludes ${s.path} ${s.server} (line ${excluded.line})`
    } else {
      why = 'go could not move it'
    }
    const relation = (semverLess(s.plugin, s.server) ? 'below' : 'above') + ` the server's ${s.server}`
    return {
      path: s.path, server: s.server, plugin: s.plugin, chain,
      message: `${s.path} cannot be aligned: the plugin needs ${s.plugin}, ${relation}, ${why}`,
      location: at(excluded?.line ?? lineOf(ctx.goMod, chain.length > 1 ? [s.path, nodePath(chain[1])] : [s.path]))
    }
  })
}

const nodePath = (node: string): string => node.slice(0, node.lastIndexOf('@') > 0 ? node.lastIndexOf('@') : node.length)

/** Release-ordered comparison of module versions, enough for wording (below/above). */
function semverLess(a: string, b: string): boolean {
  const parts = (v: string): number[] => v.replace(/^v/, '').split(/[-+]/)[0].split('.').map(Number)
  const [x, y] = [parts(a), parts(b)]
  for (let i = 0; i < 3; i++) if ((x[i] ?? 0) !== (y[i] ?? 0)) return (x[i] ?? 0) < (y[i] ?? 0)
  return a.includes('-') && !b.includes('-')
}

/** A plugin whose `go` line is newer than the server's Go cannot be built with the server's toolchain. */
export function goLineConflict(goMod: GoMod, serverGo: string, goModFile: string): Conflict | undefined {
  const plugin = goMod.go ? parseGoVersion(goMod.go.version) : undefined
  const server = parseGoVersion(serverGo)
  if (!goMod.go || !plugin || !server || compareGoVersions(plugin, server) <= 0) return undefined
  return {
    path: 'go', server: server.text, plugin: goMod.go.version, chain: [],
    message: `The plugin's go.mod says go ${goMod.go.version}, newer than the server's Go ${server.text}: plugins must be built with the server's Go version; lower the go line to ${server.text} or older, or build for a server release with a newer Go`,
    location: { file: goModFile, line: goMod.go.line }
  }
}

/**
 * A dependency that needs a newer Go than the server's makes go fail with
 * `go: M@V requires go >= X (running go Y; GOTOOLCHAIN=local)`: that is a conflict too.
 */
export function goRequirementConflict(stderr: string, serverGo: string, goMod: GoMod, goModFile: string): Conflict | undefined {
  const m = /(\S+?)@(\S+) requires go >= (\S+) \(running go/.exec(stderr)
  if (!m) return undefined
  const [, path, version, needs] = m
  const line = lineOf(goMod, [path])
  return {
    path, server: `go ${serverGo}`, plugin: version, chain: [],
    message: `${path} ${version} requires go >= ${needs}, newer than the server's Go ${serverGo}: use a version of ${path} that supports Go ${serverGo}`,
    location: line === undefined ? { file: goModFile } : { file: goModFile, line }
  }
}
