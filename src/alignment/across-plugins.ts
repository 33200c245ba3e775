/**
 * Several plugins in one server (FIELD-NOTES §1): a package's fingerprint is
 * compared with the first one exported so far, the server's or an earlier
 * plugin's. Each plugin's alignment makes every module it shares with the
 * server the server's; a module that two or more plugins link and the server
 * does not is given one version in all of them: the one minimal version
 * selection would pick were they one module (the highest). A neighbour (a
 * with-plugins file, never rebuilt) that links such a module fixes its
 * version instead: the run's plugins move to it, up or down, where their
 * graph allows (else its owner must rebuild it: the set proof says so). Pure.
 */
import semver from 'semver'
import type { ModuleVersion } from '../go-mod.js'

export interface PluginLinks {
  /** The plugin's name (file names, log lines). */
  name: string
  /** Every module its package links, at its selected version (`go list -m all`), with its replacement if any. */
  linked: Array<ModuleVersion & { replace?: string }>
}

/** One module to give one version across the plugins. */
export interface SharedAcrossPlugins {
  path: string
  /** The version every plugin gets. */
  version: string
  /** Every plugin that links it, with its version now. */
  plugins: Array<{ name: string; version: string }>
  /** The plugins whose go.mod must move (`go get path@version`). */
  moves: string[]
  /** The neighbours whose version it is (they are not rebuilt, so the plugins follow them). */
  neighbours?: Array<{ name: string; version: string }>
}

/** A module a neighbour links at a version the run's plugins do not take, and why. */
export interface NeighbourMismatch {
  path: string
  neighbour: string
  version: string
  plugins: Array<{ name: string; version: string }>
  why: string
}

/** A module that cannot be given one version by a version change: a replace differs. */
export interface UnalignableAcrossPlugins {
  path: string
  plugins: Array<{ name: string; version: string; replace?: string }>
  message: string
}

export interface AcrossPluginsPlan {
  modules: SharedAcrossPlugins[]
  unalignable: UnalignableAcrossPlugins[]
  /** Modules whose neighbour's version the plugins cannot be given (a replace on either side, neighbours that differ). */
  unmatched: NeighbourMismatch[]
}

const semverOf = (v: string): string | null => semver.valid(v.replace(/^v/, '').replace(/\+incompatible$/, ''))

/** Go's version order (semver, +incompatible ignored); an unparsable version sorts lowest. */
export function compareGoVersions(a: string, b: string): number {
  const [x, y] = [semverOf(a), semverOf(b)]
  if (x && y) return semver.compare(x, y)
  return x ? 1 : y ? -1 : a.localeCompare(b)
}

const versionOf = (p: { version: string; replace?: string }): string => `${p.version}${p.replace ? ` => ${p.replace}` : ''}`
const describe = (p: { name: string; version: string; replace?: string }): string => `${p.name} ${versionOf(p)}`

type User = { name: string; version: string; replace?: string }

function usersByModule(links: PluginLinks[], server: Set<string>): Map<string, User[]> {
  const byModule = new Map<string, User[]>()
  for (const p of links) {
    for (const m of p.linked) {
      if (server.has(m.path)) continue
      byModule.set(m.path, [...(byModule.get(m.path) ?? []), { name: p.name, version: m.version, ...(m.replace ? { replace: m.replace } : {}) }])
    }
  }
  return byModule
}

/** The neighbours' one version of a module, or why the plugins cannot be given it. */
function neighbourVersion(path: string, users: User[], fixed: User[]): { version: string } | { why: string } {
  const versions = [...new Set(fixed.map(f => versionOf(f)))]
  if (versions.length > 1) return { why: `the neighbours link other versions of it (${fixed.map(describe).join(', ')}): they cannot load together whatever this run builds` }
  const replaced = fixed.find(f => f.replace)
  if (replaced) return { why: `${replaced.name} links it replaced (=> ${replaced.replace}), which no version in this run's plugins matches` }
  const ours = users.find(u => u.replace)
  if (ours) return { why: `${ours.name} links it with a replace directive (=> ${ours.replace}), which no version matches` }
  return { version: fixed[0].version }
}

/**
 * Which modules, linked by two or more plugins (or by a plugin and a
 * neighbour) and not by the server (its build list `serverModules`), differ
 * between them, and the version each gets: a neighbour's, else the highest.
 * `free`: modules whose neighbour's version a first attempt could not give.
 */
export function planAcrossPlugins(plugins: PluginLinks[], serverModules: ModuleVersion[], neighbours: PluginLinks[] = [], free: Set<string> = new Set()): AcrossPluginsPlan {
  const server = new Set(serverModules.map(m => m.path))
  const byModule = usersByModule(plugins, server)
  const fixedBy = usersByModule(neighbours, server)
  const modules: SharedAcrossPlugins[] = []
  const unalignable: UnalignableAcrossPlugins[] = []
  const unmatched: NeighbourMismatch[] = []
  for (const [path, users] of [...byModule].sort(([a], [b]) => a.localeCompare(b))) {
    const fixed = free.has(path) ? [] : (fixedBy.get(path) ?? [])
    const differs = (u: User, f: User): boolean => versionOf(u) !== versionOf(f)
    if (fixed.length > 0 && users.some(u => fixed.some(f => differs(u, f)))) {
      const target = neighbourVersion(path, users, fixed)
      if ('version' in target) {
        const moves = users.filter(u => u.version !== target.version).map(u => u.name)
        modules.push({ path, version: target.version, plugins: users.map(u => ({ name: u.name, version: u.version })), moves, neighbours: fixed.map(f => ({ name: f.name, version: f.version })) })
        continue
      }
      unmatched.push({ path, neighbour: fixed.map(f => f.name).join(', '), version: fixed.map(f => versionOf(f)).join(', '), plugins: users.map(u => ({ name: u.name, version: u.version })), why: target.why })
    }
    if (users.length < 2) continue
    if (new Set(users.map(u => versionOf(u))).size < 2) continue
    if (users.some(u => u.replace)) {
      const message = `${path}: plugins ${users.map(describe).join(', ')} link it with a replace directive, which no version change aligns: give every plugin the same replace (or none)`
      unalignable.push({ path, plugins: users, message })
      continue
    }
    const version = users.map(u => u.version).reduce((a, b) => (compareGoVersions(a, b) >= 0 ? a : b))
    modules.push({ path, version, plugins: users.map(u => ({ name: u.name, version: u.version })), moves: users.filter(u => u.version !== version).map(u => u.name) })
  }
  return { modules, unalignable, unmatched }
}

/** Per plugin, the `go get` arguments that give it the plan's versions. */
export function movesByPlugin(plan: AcrossPluginsPlan): Map<string, ModuleVersion[]> {
  const out = new Map<string, ModuleVersion[]>()
  for (const m of plan.modules) for (const name of m.moves) out.set(name, [...(out.get(name) ?? []), { path: m.path, version: m.version }])
  return out
}

/** After the moves: what is wrong with a plugin's build list, per module of the plan (empty when all is well). */
export interface AfterMove {
  name: string
  /** Its build list now. */
  selected: Map<string, string>
  /** Modules it shares with the server that alignment had set, and where they are now when they moved. */
  serverMoved: Array<{ path: string; server: string; now: string }>
}

/** A module that could not be given its version: every plugin that links it, those not at it, and one line saying so. */
export interface AcrossFailure {
  module: string
  plugins: string[]
  /** The plugins that did not end at the version (or whose move displaced a module the server pins). */
  wrong: string[]
  message: string
}

/**
 * One line per module of the plan that did not end at its version in every
 * plugin, or whose move displaced a module the server pins: the module, the
 * plugins and their versions, and (from `holds`) what holds each one.
 */
export function acrossPluginsFailures(plan: AcrossPluginsPlan, after: AfterMove[], holds: (plugin: string, module: string) => string | undefined): AcrossFailure[] {
  const byName = new Map(after.map(a => [a.name, a]))
  const out: AcrossFailure[] = []
  for (const m of plan.modules) {
    const wrong = m.plugins.filter(p => {
      const a = byName.get(p.name)
      return a !== undefined && (a.selected.get(m.path) !== m.version || (m.moves.includes(p.name) && a.serverMoved.length > 0))
    })
    if (wrong.length === 0) continue
    const each = m.plugins.map(p => {
      const a = byName.get(p.name)
      const now = a?.selected.get(m.path)
      const moved = m.moves.includes(p.name) && a ? a.serverMoved.map(s => `${s.path} would leave the server's ${s.server} for ${s.now}`) : []
      const held = holds(p.name, m.path)
      const parts = [
        `${p.name} ${p.version}${now && now !== p.version ? ` (now ${now})` : ''}`,
        ...(moved.length > 0 ? [`moving it ${moved.join(', ')}`] : []),
        ...(held ? [`held by ${held}`] : [])
      ]
      return parts.join(': ')
    })
    const whose = m.neighbours ? `, the version of ${m.neighbours.map(n => n.name).join(', ')}` : ''
    out.push({ module: m.path, plugins: m.plugins.map(p => p.name), wrong: wrong.map(p => p.name), message: `${m.path} cannot take one version (${m.version}${whose}) in every plugin: ${each.join('; ')}` })
  }
  return out
}
