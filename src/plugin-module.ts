import { existsSync, readFileSync, statSync } from 'node:fs'
import * as path from 'node:path'
import { InputError } from './errors.js'
import { defaultPluginName } from './build/plan.js'
import type { ActionInputs } from './inputs.js'

/** The plugin as found on disk: its go.mod and the name used in file names. */
export interface PluginModule {
  dir: string
  goModPath: string
  modulePath: string
  name: string
}

export function readPluginModule(inputs: Pick<ActionInputs, 'pluginPath' | 'pluginName' | 'package'>): PluginModule {
  const goModPath = path.join(inputs.pluginPath, 'go.mod')
  if (!existsSync(goModPath)) {
    throw new InputError('plugin-path', `no go.mod in ${inputs.pluginPath}`, "the directory of the plugin's go.mod, relative to the workspace")
  }
  const m = /^\s*module\s+"?([^\s"]+)"?\s*$/m.exec(readFileSync(goModPath, 'utf8'))
  if (!m) throw new InputError('plugin-path', `${goModPath} has no module line`, 'a go.mod with a module directive')
  const pkgDir = path.resolve(inputs.pluginPath, inputs.package)
  if (!existsSync(pkgDir) || !statSync(pkgDir).isDirectory()) {
    throw new InputError('package', `no directory ${inputs.package} in ${inputs.pluginPath}`, 'the main package, relative to plugin-path')
  }
  return { dir: inputs.pluginPath, goModPath, modulePath: m[1], name: inputs.pluginName ?? defaultPluginName(m[1]) }
}
