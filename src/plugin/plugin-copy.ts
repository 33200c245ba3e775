/**
 * A server version other than the newest builds from its own copy of the
 * plugin's folder, aligned with it; the workspace's go.mod follows the newest
 * only. A plugin built under a module path of its own (rewrite-module-paths)
 * builds every version from a copy. The copy is mounted where the plugin's
 * folder is in the containers (run/plan.ts), so paths compiled into the .so,
 * `replace ../x` directives and relative symbolic links are the same as from
 * the workspace.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { isInside } from '../workspace/paths.js'
import { type AnchoredReplace, anchorLocalReplaces } from './build-copy.js'

/**
 * Copies `from` to `to` (replacing it): every file but `.git` folders and the
 * `exclude` folders (output-dir, the copies themselves); symbolic links as
 * they are.
 */
export function copyPlugin(from: string, to: string, exclude: string[]): void {
  const root = path.resolve(from)
  // Only folders below the plugin's own (output-dir may be the plugin folder itself).
  const skip = [...exclude, to].map(p => path.resolve(p)).filter(p => p !== root && isInside(root, p))
  fs.rmSync(to, { recursive: true, force: true })
  // By hand, not fs.cpSync: that refuses a copy inside its source (RUNNER_TEMP inside the workspace).
  const copy = (src: string, dest: string): void => {
    fs.mkdirSync(dest, { recursive: true, mode: fs.statSync(src).mode & 0o7777 })
    for (const e of fs.readdirSync(src, { withFileTypes: true })) {
      const s = path.join(src, e.name)
      const d = path.join(dest, e.name)
      if (e.name === '.git' || skip.some(x => isInside(x, s))) continue
      if (e.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(s), d)
      else if (e.isDirectory()) copy(s, d)
      else if (e.isFile()) fs.copyFileSync(s, d)
    }
  }
  copy(root, path.resolve(to))
}

/**
 * The copy a version (or a plugin under a module path of its own) is aligned
 * and built in. Natively it is not in the plugin's place: replacements by
 * folders outside the plugin's (`=> ../lib`) are made absolute.
 */
export function copyForAlignment(from: string, to: string, o: { exclude: string[]; native: boolean }): AnchoredReplace[] {
  copyPlugin(from, to, o.exclude)
  return o.native ? anchorLocalReplaces(to, from) : []
}

/** A path in a copy, as the same path in the plugin's own folder (annotations point at the user's files). */
export function inPluginFolder(file: string, copy: string, pluginDir: string): string {
  return isInside(copy, file) ? path.join(pluginDir, path.relative(copy, file)) : file
}
