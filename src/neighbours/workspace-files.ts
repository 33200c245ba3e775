/**
 * The workspace files a path entry matches, read in place. The glob is
 * @actions/glob's (what hashFiles uses); symlinks are followed and every
 * match's real path must stay inside the workspace's real path.
 */
import * as glob from '@actions/glob'
import * as fs from 'node:fs'
import * as path from 'node:path'

export interface WorkspaceMatches {
  /** File name -> matched paths (absolute, as matched: the name a copy keeps). */
  byName: Map<string, string[]>
  /** Matched path -> its real path (symlinks resolved), inside the workspace. */
  real: Map<string, string>
}

// Glob syntax in the workspace's own path is literal: one-character classes escape it.
const escapeGlob = (p: string): string => p.replace(/[*?[\]]/g, ch => `[${ch}]`)

/** `pattern` is relative to the workspace with placeholders filled. */
export async function workspaceMatches(pattern: string, workspace: string): Promise<WorkspaceMatches | { error: string }> {
  const root = fs.realpathSync(workspace)
  const full = path.resolve(root, pattern)
  if (!inside(root, full)) return { error: `${JSON.stringify(pattern)} is outside the workspace` }
  const globber = await glob.create(escapeGlob(root) + full.slice(root.length), {
    followSymbolicLinks: true,
    implicitDescendants: false,
    matchDirectories: false,
    omitBrokenSymbolicLinks: true
  })
  const byName = new Map<string, string[]>()
  const real = new Map<string, string>()
  for (const file of (await globber.glob()).sort()) {
    const resolved = fs.realpathSync(file)
    if (!inside(root, resolved)) return { error: `${JSON.stringify(path.relative(root, file))} is a link to ${JSON.stringify(resolved)}, outside the workspace` }
    if (!fs.statSync(resolved).isFile()) continue
    real.set(file, resolved)
    const name = path.basename(file)
    byName.set(name, [...(byName.get(name) ?? []), file])
  }
  return { byName, real }
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p)
  return rel !== '' && rel !== '..' && !rel.startsWith(`..${path.sep}`) && !path.isAbsolute(rel)
}
