/**
 * Several plugins in one server (FIELD-NOTES §1): a package's fingerprint is
 * compared with the first one exported so far, the server's or an earlier
 * plugin's. Each plugin's alignment makes every module it shares with the
 * server the server's; a module that two or more plugins link and the server
 * does not is given one version in all of them: the one minimal version
 * selection would pick were they one module (the highest). Pure.
 */
import semver from 'semver'
import type { ModuleVersion } from './gomod.js'

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
}

const semverOf = (v: string): string | null => semver.valid(v.replace(/^v/, '').replace(/\+incompatible$/, ''))

/** Go's version order (semver, +incompatible ignored); an unparsable version sorts lowest. */
export function compareGoVersions(a: string, b: string): number {
  const [x, y] = [semverOf(a), semverOf(b)]
  if (x && y) return semver.compare(x, y)
  return x ? 1 : y ? -1 : a.localeCompare(b)
}

const describe = (p: { name: string; version: string; replace?: string }): string => `${p.name} ${p.version}${p.replace ? ` => ${p.replace}` : ''}`

/**
 * Which modules, linked by two or more plugins and not by the server (its
 * build list `serverModules`), differ between them, and the version each gets.
 */
export function planAcrossPlugins(plugins: PluginLinks[], serverModules: ModuleVersion[]): AcrossPluginsPlan {
  const server = new Set(serverModules.map(m => m.path))
  const byModule = new Map<string, Array<{ name: string; version: string; replace?: string }>>()
  for (const p of plugins) {
    for (const m of p.linked) {
      if (server.has(m.path)) continue
      byModule.set(m.path, [...(byModule.get(m.path) ?? []), { name: p.name, version: m.version, ...(m.replace ? { replace: m.replace } : {}) }])
    }
  }
  const modules: SharedAcrossPlugins[] = []
  const unalignable: UnalignableAcrossPlugins[] = []
  for (const [path, users] of [...byModule].sort(([a], [b]) => a.localeCompare(b))) {
    if (users.length < 2) continue
    if (new Set(users.map(u => describe({ ...u, name: '' }))).size < 2) continue
    if (users.some(u => u.replace)) {
      const message = `${path}: plugins ${users.map(describe).join(', ')} link it with a replace directive, which no version change aligns: give every plugin the same replace (or none)`
      unalignable.push({ path, plugins: users, message })
      continue
    }
    const version = users.map(u => u.version).reduce((a, b) => (compareGoVersions(a, b) >= 0 ? a : b))
    modules.push({ path, version, plugins: users.map(u => ({ name: u.name, version: u.version })), moves: users.filter(u => u.version !== version).map(u => u.name) })
  }
  return { modules, unalignable }
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

/**
 * One line per module of the plan that did not end at its version in every
 * plugin, or whose move displaced a module the server pins: the module, the
 * plugins and their versions, and (from `holds`) what holds each one.
 */
export function acrossPluginsFailures(plan: AcrossPluginsPlan, after: AfterMove[], holds: (plugin: string, module: string) => string | undefined): string[] {
  const byName = new Map(after.map(a => [a.name, a]))
  const out: string[] = []
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
    out.push(`${m.path} cannot take one version (${m.version}) in every plugin: ${each.join('; ')}`)
  }
  return out
}
