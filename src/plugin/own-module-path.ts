/**
 * A plugin built under a module path of its own (input rewrite-module-paths).
 * The Go runtime knows a plugin by its main package's import path: a server
 * loads each once (`plugin already loaded`), and a package path two plugins
 * share is compared by fingerprint (FIELD-NOTES §1). Forks of
 * gotify/plugin-template often keep its module path, so two of them cannot
 * share a server. Like Tyk's plugin compiler (a unique build id rewrites the
 * module path and imports of a build copy), the action builds such a plugin
 * from a copy whose go.mod `module` line and imports of its own packages name
 * another module path; the user's files keep theirs. What gotify itself
 * tells plugins apart by (GetGotifyPluginInfo's ModulePath, also the key of
 * their stored configuration) is a value in the source and does not change.
 * Pure.
 */
import { pluginImportPath } from './module.js'

/** auto: the plugins whose plugin path another plugin of the run or a neighbour has; always: every plugin; never: none (a shared path is refused). */
export type ModulePathRewrite = 'auto' | 'always' | 'never'

export const MODULE_PATH_REWRITES: ModulePathRewrite[] = ['auto', 'always', 'never']

/** The module path a plugin's build copy has instead of its own, and its main package's import path then. */
export interface ModuleRename {
  from: string
  to: string
  /** The plugin path it is built under: `to` and the package folder. */
  pluginPath: string
  /** Why it is rewritten, for the log and the report. */
  why: string
}

/** The import path of `importPath` in the renamed module; undefined when it is no package of the module (`nested`: folders of modules of their own inside it). */
export function renamedImport(importPath: string, r: Pick<ModuleRename, 'from' | 'to'>, nested: string[] = []): string | undefined {
  if (importPath !== r.from && !importPath.startsWith(`${r.from}/`)) return undefined
  const rest = importPath.slice(r.from.length)
  if (nested.some(n => rest === `/${n}` || rest.startsWith(`/${n}/`))) return undefined
  return `${r.to}${rest}`
}

/**
 * `<module path>~<name>`: the module path's last element, a tilde (no GitHub
 * repository name holds one, so no real module has this path) and the
 * plugin's name, which is unique in the run. Dots in the name become dashes:
 * the linker escapes a dot in a path's last element in symbol names; a tag
 * of digits alone after a tilde is refused by Go (a Windows short name). When
 * that is not free (a neighbour built that way under the same name), a number
 * is added. Deterministic: the same plugin and name give the same path, so
 * the build cache keeps its packages.
 */
export function ownModulePath(modulePath: string, name: string, isFree: (candidate: string) => boolean = () => true): string {
  const tag = name.replace(/\./g, '-').replace(/^[-_]+|[-_]+$/g, '') || 'plugin'
  const base = `${modulePath}~${/^[0-9]+$/.test(tag) ? `p${tag}` : tag}`
  for (let k = 1; k < 1000; k++) {
    const candidate = k === 1 ? base : `${base}-${k}`
    if (isFree(candidate)) return candidate
  }
  throw new Error(`internal: no free module path like ${base}`)
}

export interface PathPlanInput {
  plugins: Array<{ name: string; modulePath: string; package?: string; pluginPath: string }>
  /** The plugin paths of the neighbours (with-plugins) of any server version. */
  neighbourPaths: string[]
  mode: ModulePathRewrite
}

/** Which plugins build under a module path of their own, by name. */
export function planModulePaths(i: PathPlanInput): Map<string, ModuleRename> {
  const out = new Map<string, ModuleRename>()
  if (i.mode === 'never') return out
  const taken = new Set([...i.plugins.map(p => p.pluginPath), ...i.neighbourPaths])
  for (const p of i.plugins) {
    const others = i.plugins.filter(o => o !== p && o.pluginPath === p.pluginPath).map(o => o.name)
    const neighbour = i.neighbourPaths.includes(p.pluginPath)
    if (i.mode === 'auto' && others.length === 0 && !neighbour) continue
    const why =
      others.length > 0
        ? `${others.join(', ')} ${others.length === 1 ? 'has' : 'have'} its plugin path ${p.pluginPath} too`
        : neighbour
          ? `a with-plugins neighbour has its plugin path ${p.pluginPath} too`
          : 'rewrite-module-paths is always'
    // The module path and its main package's path (a package below it) must both be free.
    const to = ownModulePath(p.modulePath, p.name, c => !taken.has(c) && !taken.has(pluginImportPath({ modulePath: c, package: p.package })))
    const pluginPath = pluginImportPath({ modulePath: to, package: p.package })
    taken.add(to).add(pluginPath)
    out.set(p.name, { from: p.modulePath, to, pluginPath, why })
  }
  return out
}

/** ldflags with `-X importpath.name=value` of the module's own packages naming them by their new paths. */
export function renamedLdflags(ldflags: string, r: Pick<ModuleRename, 'from' | 'to'>): string {
  return ldflags.replace(/(^|\s)(-X(?:=|\s+)['"]?)([^\s'"=]+)(\.[^\s'"=./]+=)/g, (all, pre: string, flag: string, pkg: string, rest: string) => {
    const to = renamedImport(pkg, r)
    return to === undefined ? all : `${pre}${flag}${to}${rest}`
  })
}
