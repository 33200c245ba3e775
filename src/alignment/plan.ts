/**
 * The pure half of alignment: which modules the plugin shares with the
 * server, which of them it links, and which versions to move them to.
 * (Why some cannot move is explain.ts.)
 */
import type { SourceLocation } from '../errors.js'
import { compareGoVersions, parseGoVersion } from '../go-version.js'
import type { GoMod, ListedModule, ModuleVersion } from '../go-mod.js'

/** The align input: `full` (the server's versions), `cap` (gomod-cap's behaviour only), `off`. */
export type AlignMode = 'full' | 'cap' | 'off'

export interface SharedModule {
  path: string
  plugin: string
  server: string
  /** The plugin's go.mod replaces this module (`go list -m all`'s `=> ...`): its code is not the server's. */
  replace?: string
  /**
   * The plugin's package links a package of this module (on some platform).
   * Only then can its version stop the server from loading the plugin.
   */
  linked: boolean
}

/** `path` is a module, or `go` / `toolchain` for those go.mod directives. `to` is 'none' when removed. */
export interface ModuleChange {
  path: string
  from: string
  to: string
  /** Why, when not to take the server's version: a move to one version across plugins names each plugin's. */
  reason?: string
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
  /** Modules that must end at the server's version when linked ('all' for full); any other may differ. */
  checked: Set<string> | 'all'
}

/**
 * Modules in both build lists (main modules excluded by the caller), by path.
 * `linked`: the modules the plugin's package links; undefined when that is not
 * known, and then every shared module counts as linked (the safe side).
 */
export function sharedModules(plugin: ListedModule[], server: ModuleVersion[], linked?: ReadonlySet<string>): SharedModule[] {
  const serverVersions = new Map(server.map(m => [m.path, m.version]))
  return plugin
    .filter(m => serverVersions.has(m.path))
    .map(m => {
      const s: SharedModule = { path: m.path, plugin: m.version, server: serverVersions.get(m.path) as string, linked: linked === undefined || linked.has(m.path) }
      if (m.replace !== undefined) s.replace = m.replace
      return s
    })
    .sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
}

/** Not the server's code: another version, or replaced. */
export const differs = (s: SharedModule): boolean => s.plugin !== s.server || s.replace !== undefined

/** Shared modules that can stop the server from loading the plugin: linked and not the server's code. */
export const unaligned = (shared: SharedModule[]): SharedModule[] => shared.filter(s => s.linked && differs(s))

const excludes = (goMod: GoMod, m: ModuleVersion): boolean => goMod.excludes.some(e => e.path === m.path && e.version === m.version)

/**
 * What full alignment moves next: every linked shared module at another
 * version, to the server's, unless already tried or excluded by the plugin's
 * go.mod (go get refuses an excluded version; explain.ts names the exclude).
 * Modules that are not linked are left alone: moving them cannot help the
 * plugin load, and lowering one can downgrade the plugin's test dependencies.
 */
export function fullTargets(shared: SharedModule[], goMod: GoMod, tried: ReadonlySet<string>): ModuleVersion[] {
  return shared
    .filter(s => s.linked && s.plugin !== s.server)
    .map(s => ({ path: s.path, version: s.server }))
    .filter(t => !excludes(goMod, t) && !tried.has(`${t.path}@${t.version}`))
}

/**
 * full: every linked shared module takes the server's version. cap
 * (gomod-cap): the plugin's own require lines whose module the server's
 * go.mod requires are edited, and those must end aligned when linked.
 */
export function planAlignment(mode: AlignMode, pluginList: ListedModule[], pluginGoMod: GoMod, serverList: ModuleVersion[], serverGoMod: GoMod, linked?: ReadonlySet<string>): AlignmentPlan {
  const shared = sharedModules(pluginList, serverList, linked)
  if (mode === 'off') return { shared, targets: [], checked: new Set() }
  if (mode === 'full') return { shared, targets: fullTargets(shared, pluginGoMod, new Set()), checked: 'all' }
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

/** Linked shared modules that must be at the server's version and are not. */
export function mismatches(shared: SharedModule[], checked: Set<string> | 'all'): SharedModule[] {
  return unaligned(shared).filter(s => checked === 'all' || checked.has(s.path))
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

/** The line of the first of `paths` that the go.mod requires. */
export function lineOf(goMod: GoMod, paths: string[]): number | undefined {
  for (const p of paths) {
    const r = goMod.requires.find(x => x.path === p)
    if (r) return r.line
  }
  return undefined
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
