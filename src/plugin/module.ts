import { existsSync, lstatSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from 'node:fs'
import * as path from 'node:path'
import { InputError } from '../errors.js'
import { defaultPluginName } from '../compile/plan.js'
import { isInside } from '../workspace/paths.js'

/** The plugin as found on disk: its go.mod and the name used in file names. */
export interface PluginModule {
  dir: string
  goModPath: string
  modulePath: string
  name: string
  /**
   * What the Go runtime calls its plugin path: the import path of its main
   * package (plugin.Open refuses a second plugin with the same one).
   */
  pluginPath: string
  /** Its main package, relative to dir (input package); `.` when unset. */
  package?: string
  /** Its name is plugin-name's (else the module path's last element, or its folder's when that clashes). */
  nameGiven?: boolean
}

/** Where the plugin is: plugin-path (resolved), package and plugin-name as the inputs give them. */
export interface PluginLocation {
  pluginPath: string
  package: string
  pluginName?: string
}

const PLUGIN_PATH_ACCEPTED = "the directory of the plugin's go.mod inside the workspace, relative to it"

/**
 * Checks the plugin folder before anything is written: a go.mod file, and no
 * symbolic link (the folder, go.mod or go.sum) leading out of the workspace,
 * since alignment rewrites go.mod and go.sum.
 */
export function readPluginModule(inputs: PluginLocation, workspace: string): PluginModule {
  const goModPath = path.join(inputs.pluginPath, 'go.mod')
  if (!existsSync(goModPath)) throw new InputError('plugin-path', `no go.mod in ${inputs.pluginPath}`, PLUGIN_PATH_ACCEPTED)
  if (!statSync(goModPath).isFile()) throw new InputError('plugin-path', `${goModPath} is not a file`, `${PLUGIN_PATH_ACCEPTED}, holding a go.mod file`)
  const realWorkspace = realpathSync(workspace)
  for (const p of [inputs.pluginPath, goModPath, path.join(inputs.pluginPath, 'go.sum')]) {
    if (p !== inputs.pluginPath && !existsSync(p)) continue
    if (!isInside(realWorkspace, realpathSync(p))) {
      throw new InputError('plugin-path', `${p} leads outside the workspace through a symbolic link (to ${realpathSync(p)})`, PLUGIN_PATH_ACCEPTED)
    }
  }
  const m = /^\s*module\s+"?([^\s"]+)"?\s*$/m.exec(readFileSync(goModPath, 'utf8'))
  if (!m) throw new InputError('plugin-path', `${goModPath} has no module line`, 'a go.mod with a module directive')
  const pkgDir = path.resolve(inputs.pluginPath, inputs.package)
  if (!existsSync(pkgDir) || !statSync(pkgDir).isDirectory()) {
    throw new InputError('package', `no directory ${inputs.package} in ${inputs.pluginPath}`, 'the main package, relative to plugin-path')
  }
  return { dir: inputs.pluginPath, goModPath, modulePath: m[1], name: inputs.pluginName ?? defaultPluginName(m[1]), nameGiven: inputs.pluginName !== undefined, pluginPath: pluginImportPath({ modulePath: m[1], package: inputs.package }), package: inputs.package }
}

/** The import path of the plugin's main package: its module path and the package's folder below go.mod. */
export function pluginImportPath(p: Pick<PluginModule, 'modulePath' | 'package'>): string {
  const rel = path.posix.normalize((p.package ?? '.').replace(/\\/g, '/')).replace(/^\.\/?/, '').replace(/\/$/, '')
  return rel === '' || rel === '.' ? p.modulePath : `${p.modulePath}/${rel}`
}

/** The bytes of the plugin's go.mod and go.sum, to put back when a run fails. */
export interface GoFilesSnapshot {
  /** Writes back what differs; true when something had changed. */
  restore(): boolean
}

export function snapshotGoFiles(dir: string): GoFilesSnapshot {
  const files = ['go.mod', 'go.sum'].map(name => {
    const file = path.join(dir, name)
    return { file, bytes: existsSync(file) && lstatSync(file).isFile() ? readFileSync(file) : undefined }
  })
  return {
    restore() {
      let changed = false
      for (const { file, bytes } of files) {
        const now = existsSync(file) ? readFileSync(file) : undefined
        if (bytes === undefined ? now === undefined : now !== undefined && now.equals(bytes)) continue
        changed = true
        if (bytes === undefined) rmSync(file, { force: true })
        else writeFileSync(file, bytes)
      }
      return changed
    }
  }
}
