/**
 * A plugin's build copy under a module path of its own (own-module-path.ts):
 * in the copy (never the user's folder) go.mod's module line names the new
 * path and every .go file's imports of the module's own packages (and its
 * `//go:linkname` targets) follow. What is not the module's own is left as it
 * is: folders with a go.mod of their own (nested modules), vendor/ (only
 * other modules are vendored; vendor/modules.txt does not name the main
 * module), testdata and the folders Go ignores (`.`, `_`). go.sum names no
 * main module, so it stays valid; cgo and embed read files relative to each
 * package's folder, which the copy keeps.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { parseGoMod } from '../go-mod.js'
import { isInside } from '../workspace/paths.js'
import { rewriteGoImports, rewriteModuleLine } from './go-imports.js'
import { type ModuleRename, renamedImport } from './own-module-path.js'

const escaped = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

/** The folders below `root` (posix, relative) that hold a go.mod of their own. */
function nestedModules(root: string): string[] {
  const out: string[] = []
  const walk = (dir: string, rel: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!e.isDirectory() || skipped(e.name, rel)) continue
      const sub = rel === '' ? e.name : `${rel}/${e.name}`
      if (fs.existsSync(path.join(dir, e.name, 'go.mod'))) out.push(sub)
      else walk(path.join(dir, e.name), sub)
    }
  }
  walk(root, '')
  return out
}

/** Folders the go command never builds packages from, and vendor/ at the module's root. */
const skipped = (name: string, rel: string): boolean => name.startsWith('.') || name.startsWith('_') || name === 'testdata' || (rel === '' && name === 'vendor')

export interface RewriteResult {
  /** The .go files whose imports changed (relative to the copy). */
  files: string[]
}

/** Rewrites the copy at `dir` to build as `rename.to`. Throws when its go.mod has no module line. */
export function rewriteBuildCopy(dir: string, rename: Pick<ModuleRename, 'from' | 'to'>): RewriteResult {
  const goModPath = path.join(dir, 'go.mod')
  const goMod = rewriteModuleLine(fs.readFileSync(goModPath, 'utf8'), rename.to)
  if (goMod === undefined) throw new Error(`${goModPath} has no module line`)
  fs.writeFileSync(goModPath, goMod)
  const nested = nestedModules(dir)
  const files: string[] = []
  const walk = (folder: string, rel: string): void => {
    for (const e of fs.readdirSync(folder, { withFileTypes: true })) {
      const sub = rel === '' ? e.name : `${rel}/${e.name}`
      const full = path.join(folder, e.name)
      if (e.isDirectory()) {
        if (!skipped(e.name, rel) && !nested.includes(sub)) walk(full, sub)
      } else if (e.isFile() && e.name.endsWith('.go')) {
        const source = fs.readFileSync(full, 'utf8')
        const changed = rewriteGoImports(source, p => renamedImport(p, rename, nested))
        if (changed === undefined) continue
        // A copied file may be read-only (a checkout's mode): the copy is the action's.
        fs.chmodSync(full, fs.statSync(full).mode | 0o200)
        fs.writeFileSync(full, changed)
        files.push(sub)
      }
    }
  }
  walk(dir, '')
  return { files }
}

/**
 * The workspace's go.mod and go.sum made what alignment left in the copy (a
 * copy aligned in the workspace's place, before it is rewritten), its
 * anchored replacements as the user wrote them; true when one changed.
 */
export function writeBackGoFiles(copy: string, pluginDir: string, anchored: AnchoredReplace[] = []): boolean {
  let changed = false
  for (const name of ['go.mod', 'go.sum']) {
    const from = path.join(copy, name)
    const to = path.join(pluginDir, name)
    let bytes = fs.existsSync(from) ? fs.readFileSync(from) : undefined
    if (bytes !== undefined && name === 'go.mod' && anchored.length > 0) bytes = Buffer.from(unanchored(bytes.toString('utf8'), anchored))
    const now = fs.existsSync(to) ? fs.readFileSync(to) : undefined
    if (bytes === undefined ? now === undefined : now !== undefined && now.equals(bytes)) continue
    changed = true
    if (bytes === undefined) fs.rmSync(to, { force: true })
    else fs.writeFileSync(to, bytes)
  }
  return changed
}

/** A directory replacement of a copy's go.mod made absolute, and what it was. */
export interface AnchoredReplace {
  relative: string
  absolute: string
}

/**
 * Directory replacements that lead out of the plugin's folder (`=> ../lib`)
 * made absolute in the copy's go.mod, where they lead from the plugin's own
 * folder: a copy elsewhere on the host (the native builder) finds them. A
 * container needs none of this: the copy is mounted in the plugin's place.
 */
export function anchorLocalReplaces(copy: string, pluginDir: string): AnchoredReplace[] {
  const goModPath = path.join(copy, 'go.mod')
  const lines = fs.readFileSync(goModPath, 'utf8').split('\n')
  const out: AnchoredReplace[] = []
  for (const r of parseGoMod(lines.join('\n')).replaces) {
    const target = r.new.path
    if (r.new.version !== undefined || !/^\.\.?(\/|$)/.test(target)) continue
    const absolute = path.resolve(pluginDir, target)
    if (isInside(path.resolve(pluginDir), absolute)) continue
    // The target after `=>`, quoted or not, becomes the absolute path (quoted: it may hold a space).
    const line = lines[r.line - 1]
    const arrow = line.indexOf('=>') + 2
    const literal = new RegExp(`(["\`]?)${escaped(target)}\\1`)
    lines[r.line - 1] = line.slice(0, arrow) + line.slice(arrow).replace(literal, pathToken(absolute))
    out.push({ relative: target, absolute })
  }
  if (out.length > 0) fs.writeFileSync(goModPath, lines.join('\n'))
  return out
}

/** A path as go.mod spells it: quoted when it holds a space or what would end a token. */
const pathToken = (p: string): string => (/[\s"'`()]|\/\//.test(p) ? JSON.stringify(p) : p)

/** go.mod text with anchored replacements as they were in the user's go.mod (Go may have dropped or added quotes). */
export const unanchored = (goMod: string, anchored: AnchoredReplace[]): string =>
  anchored.reduce((text, a) => text.replace(new RegExp(`(?<=[\\s>])(["\`]?)${escaped(a.absolute)}\\1(?=[ \t]|//|\r?$)`, 'gm'), pathToken(a.relative)), goMod)
