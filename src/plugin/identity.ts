/**
 * Several plugins for one server must differ where the server tells plugins
 * apart (FIELD-NOTES §1): plugin.Open refuses a second plugin with the plugin
 * path (main package import path) of one already loaded, and the file names
 * (from {plugin}) must differ. Every conflict of the run is found at once,
 * before anything is built: names that clash only by default (the last
 * element of their module paths) are made distinct from their folders; what
 * remains (names the user gave twice, and with rewrite-module-paths never a
 * plugin path several plugins share) is refused in one line naming every
 * group and all its folders. Pure.
 */
import * as path from 'node:path'
import { InputError } from '../errors.js'
import type { PluginModule } from './module.js'
import type { ModulePathRewrite } from './own-module-path.js'

export interface PluginIdentities {
  /** The plugins in the run's order, each with a name of its own. */
  plugins: PluginModule[]
  /** Default names made distinct: the folder, and the name it had and has. */
  renamed: Array<{ folder: string; from: string; to: string }>
  /** Every conflict left, in one line naming every group and all its folders: the run must stop. */
  refusal?: InputError
}

/** A name for a plugin from its folder (relative to the workspace): what a file name may hold, `/` as `-`. */
export function nameFromFolder(folder: string): string {
  return folder
    .split(/[/\\]/)
    .join('-')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[^A-Za-z0-9]+|[-.]+$/g, '')
}

const groupsOf = <T>(items: T[], key: (t: T) => string): T[][] => {
  const by = new Map<string, T[]>()
  for (const t of items) by.set(key(t), [...(by.get(key(t)) ?? []), t])
  return [...by.values()].filter(g => g.length > 1)
}

const listed = (xs: string[]): string => (xs.length <= 2 ? xs.join(' and ') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`)

/**
 * Default names that clash get their folder's name (when that is taken too,
 * the default and the folder, then a number). The plugin at the workspace's
 * root keeps its default unless a name the user gave clashes with it.
 */
function distinctNames(plugins: PluginModule[], folderOf: (p: PluginModule) => string): { plugins: PluginModule[]; renamed: PluginIdentities['renamed'] } {
  const clashing = new Set(groupsOf(plugins, p => p.name).flatMap(g => g.filter(p => !p.nameGiven && (folderOf(p) !== '.' || g.some(o => o.nameGiven)))))
  const kept = new Set(plugins.filter(p => !clashing.has(p)).map(p => p.name))
  const renamed: PluginIdentities['renamed'] = []
  const out = plugins.map(p => {
    if (!clashing.has(p)) return p
    const folder = nameFromFolder(folderOf(p))
    const candidates = folder === '' ? [`${p.name}-root`] : [folder, `${p.name}-${folder}`]
    let name = candidates.find(c => !kept.has(c)) ?? candidates[candidates.length - 1]
    for (let k = 2; kept.has(name); k++) name = `${candidates[candidates.length - 1]}-${k}`
    kept.add(name)
    renamed.push({ folder: folderOf(p), from: p.name, to: name })
    return { ...p, name }
  })
  return { plugins: out, renamed }
}

/**
 * Every plugin's name made unique where only defaults clash, and one
 * InputError naming every conflict that cannot be resolved (plugin paths
 * several plugins share are, by rewrite-module-paths, unless it is never).
 */
export function resolvePluginIdentities(given: PluginModule[], workspace: string, rewrite: ModulePathRewrite): PluginIdentities {
  const folderOf = (p: PluginModule): string => path.relative(workspace, p.dir) || '.'
  const { plugins, renamed } = distinctNames(given, folderOf)
  const sharedPaths = groupsOf(plugins, p => p.pluginPath).map(g => ({ pluginPath: g[0].pluginPath, folders: g.map(folderOf) }))
  const problems: string[] = []
  if (rewrite === 'never') {
    for (const g of sharedPaths) {
      const modules = [...new Set(plugins.filter(p => p.pluginPath === g.pluginPath).map(p => p.modulePath))]
      problems.push(`${listed(g.folders)} build the same plugin path ${g.pluginPath} (module ${modules.join(', ')}): plugin.Open refuses all but the first (plugin already loaded)`)
    }
  }
  for (const g of groupsOf(plugins, p => p.name)) problems.push(`${listed(g.map(folderOf))} are ${g.length === 2 ? 'both' : 'all'} named ${g[0].name} by plugin-name: their files would have one name`)
  if (problems.length > 0) {
    const paths = rewrite === 'never' && sharedPaths.length > 0
    const accepted = [
      ...(paths ? ['plugins whose main packages have import paths of their own: rewrite-module-paths auto (each built under a module path of its own) or a module path of its own in each go.mod'] : []),
      ...(problems.length > (paths ? sharedPaths.length : 0) ? ['a different plugin-name per plugin (an empty entry keeps the default, as in a,,c)'] : [])
    ]
    return { plugins, renamed, refusal: new InputError(paths ? 'plugin-path' : 'plugin-name', `the plugins cannot share one server: ${problems.join('; ')}`, accepted.join('; and ')) }
  }
  return { plugins, renamed }
}
