/**
 * Several plugins for one server must differ where the server tells plugins
 * apart (FIELD-NOTES §1): plugin.Open refuses a second plugin with the plugin
 * path (main package import path) of one already loaded, and the file names
 * (from {plugin}) must differ. Checked before anything is built. Pure.
 */
import * as path from 'node:path'
import { InputError } from '../errors.js'
import type { PluginModule } from './module.js'

/** Throws, in one line naming both folders, when two plugins share a plugin path or a name. */
export function checkPluginIdentities(plugins: PluginModule[], workspace: string): void {
  const rel = (dir: string): string => path.relative(workspace, dir) || '.'
  const byPath = new Map<string, PluginModule>()
  const byName = new Map<string, PluginModule>()
  for (const p of plugins) {
    const importPath = p.pluginPath
    const samePath = byPath.get(importPath)
    if (samePath) {
      throw new InputError(
        'plugin-path',
        `${rel(samePath.dir)} and ${rel(p.dir)} build the same plugin path ${importPath} (module ${p.modulePath}): plugin.Open refuses the second (plugin already loaded)`,
        'plugins whose main packages have import paths of their own: give one a module path of its own in go.mod'
      )
    }
    byPath.set(importPath, p)
    const sameName = byName.get(p.name)
    if (sameName) {
      throw new InputError('plugin-name', `${rel(sameName.dir)} and ${rel(p.dir)} are both named ${p.name}`, 'one name per plugin-path entry, each different')
    }
    byName.set(p.name, p)
  }
}
