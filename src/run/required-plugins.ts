/**
 * required-plugins: which plugins of the run must pass every step (align,
 * build, load) for the run to be compatible. Each entry names a plugin by its
 * name (file names, the report) or by its plugin-path folder; empty means
 * every plugin. Pure.
 */
import * as path from 'node:path'
import { InputError } from '../errors.js'
import { quoted } from '../outside-text.js'
import { listOf } from './plugin-list.js'

/** A plugin of the run as the input may name it. */
export interface NamedPlugin {
  name: string
  /** Its folder (absolute, inside the workspace). */
  dir: string
}

/** The input's entries: newlines or commas separate them; blank ones are ignored. */
export const parseRequiredPlugins = (text: string): string[] => listOf(text)

/** What a user may write for a plugin: its name (its folder relative to the workspace). */
const describe = (p: NamedPlugin, workspace: string): string => `${p.name} (${path.relative(workspace, p.dir) || '.'})`

/**
 * The names of the required plugins, in the run's order: those the entries
 * name, or every plugin when there is no entry. An entry that names no
 * plugin of the run is refused in one line listing the accepted values.
 */
export function requiredPluginNames(entries: string[], plugins: NamedPlugin[], workspace: string): string[] {
  if (entries.length === 0) return plugins.map(p => p.name)
  const required = new Set<string>()
  for (const entry of entries) {
    const folder = path.resolve(workspace, entry)
    const found = plugins.find(p => p.name === entry) ?? plugins.find(p => p.dir === folder)
    if (!found) {
      throw new InputError('required-plugins', `${quoted(entry)} is no plugin of this run`, `plugin names or plugin-path folders of this run: ${plugins.map(p => describe(p, workspace)).join(', ')}`)
    }
    required.add(found.name)
  }
  return plugins.map(p => p.name).filter(n => required.has(n))
}
