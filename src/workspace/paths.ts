import * as path from 'node:path'

/** `child` is `parent` or below it (paths already resolved; symlinks are checked where files are read). */
export function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child)
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel))
}
