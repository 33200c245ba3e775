/**
 * plugin-path as a list of plugin folders (several plugins for one server),
 * with package and plugin-name either one value for all or a list of the same
 * length, in the same order. Pure.
 */
import * as path from 'node:path'
import { InputError } from '../errors.js'
import type { PluginLocation } from '../plugin/module.js'
import { placeholdersOf } from '../template.js'
import { isInside } from '../workspace/paths.js'

export type { PluginLocation }

/** Newlines (a YAML block) or commas separate names and packages; blank entries are ignored. */
export const listOf = (text: string): string[] => text.split(/[\n,]/).map(s => s.trim()).filter(s => s !== '')
/**
 * plugin-name's entries in plugin-path's order (newlines or commas; a comma at
 * a line's end is no entry of its own): an empty one, as in `webhook,,ntfy`,
 * keeps that plugin's default name.
 */
const namesOf = (text: string): Array<string | undefined> =>
  text.trim() === '' ? [] : text.trim().replace(/,[ \t]*\r?\n/g, '\n').split(/[\n,]/).map(s => s.trim()).map(s => (s === '' ? undefined : s))
/** Folders one a line: a folder's name may hold a comma. */
const linesOf = (text: string): string[] => text.split('\n').map(s => s.trim()).filter(s => s !== '')

function checkPackage(pkg: string): string {
  if (path.isAbsolute(pkg) || pkg.split(/[/\\]/).includes('..') || !/^[A-Za-z0-9._/-]+$/.test(pkg)) {
    throw new InputError('package', `"${pkg}" is not a package directory inside plugin-path`, 'a relative path such as . or ./cmd/plugin')
  }
  return pkg
}

function checkName(name: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new InputError('plugin-name', `"${name}" cannot be part of a file name`, 'letters, digits, ".", "_" and "-"')
  return name
}

const short = (value: string): string => {
  const s = JSON.stringify(value)
  return s.length > 80 ? `${s.slice(0, 77)}..."` : s
}

export interface PluginListInput {
  paths: string
  packages: string
  names: string
  assetName: string
}

/** Every plugin's folder (inside the workspace), package and name; one entry when plugin-path names one folder. */
export function parsePluginList(i: PluginListInput, workspace: string): PluginLocation[] {
  const names = namesOf(i.names).map(n => (n === undefined ? n : checkName(n)))
  const packages = listOf(i.packages).map(checkPackage)
  const paths = linesOf(i.paths)
  if (paths.length === 0) paths.push('.')
  const several = paths.length > 1
  const pluginPaths = paths.map(p => {
    const resolved = path.resolve(workspace, p)
    if (!isInside(workspace, resolved)) {
      throw new InputError('plugin-path', `${short(p)} is outside the workspace ${workspace}`, "the directory of the plugin's go.mod inside the workspace, relative to it, such as . or plugin")
    }
    return resolved
  })
  const twice = pluginPaths.findIndex((p, k) => pluginPaths.indexOf(p) !== k)
  if (twice >= 0) throw new InputError('plugin-path', `${short(paths[twice])} is listed twice`, 'each plugin folder once')
  if (!several) {
    if (names.length > 1) throw new InputError('plugin-name', `${names.length} names for one plugin`, 'one name, or empty for the last element of the module path')
    if (packages.length > 1) throw new InputError('package', `${packages.length} packages for one plugin`, 'one main package, relative to plugin-path')
  } else {
    if (names.length > 0 && names.length !== paths.length) {
      throw new InputError('plugin-name', `${names.length} names for ${paths.length} plugins`, 'empty (each named after its module path), or one name per plugin-path entry, in the same order (an empty entry, as in a,,c, keeps the default)')
    }
    if (packages.length > 1 && packages.length !== paths.length) {
      throw new InputError('package', `${packages.length} packages for ${paths.length} plugins`, 'one package for every plugin, or one per plugin-path entry, in the same order')
    }
    if (!placeholdersOf(i.assetName).includes('plugin')) {
      throw new InputError('asset-name', `"${i.assetName}" names the files of every plugin alike, and plugin-path lists ${paths.length}`, 'with several plugins, a name with {plugin}, such as {plugin}-{platform}-for-{server-owner}-{server-version}.so')
    }
  }
  return pluginPaths.map((pluginPath, k) => ({
    pluginPath,
    package: packages[packages.length > 1 ? k : 0] ?? '.',
    ...(names[k] !== undefined ? { pluginName: names[k] } : {})
  }))
}
