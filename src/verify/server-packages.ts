import * as path from 'node:path'
import { parseGoMod } from '../go-mod.js'
import type { ModuleVersion } from './loader.js'

/**
 * The loader must link the SERVER's versions of the plugin's shared packages.
 * A package the plugin links may not exist in the server's version of its
 * module (gin v1.3.0 had gin/json, v1.11.0 has not): importing it anyway makes
 * go look for a newer module, so the loader would no longer be the server.
 * Such packages are left out (the server cannot link them either), and the
 * loader's go.mod is checked after the build for any version that moved.
 */

/** The server module providing an import path: the longest module path that prefixes it. */
export function moduleOf(importPath: string, serverModules: ModuleVersion[]): ModuleVersion | undefined {
  let best: ModuleVersion | undefined
  for (const m of serverModules) {
    if (!m.version) continue
    if ((importPath === m.path || importPath.startsWith(`${m.path}/`)) && (!best || m.path.length > best.path.length)) best = m
  }
  return best
}

// The module cache escapes upper-case letters as !lower (golang.org/x/mod/module).
const escape = (s: string): string => s.replace(/[A-Z]/g, c => `!${c.toLowerCase()}`)

/** Where a package of a module version sits in a module cache on the host. */
export function packageDir(modCache: string, m: ModuleVersion, importPath: string): string {
  const sub = importPath === m.path ? '' : importPath.slice(m.path.length + 1)
  return path.join(modCache, ...escape(`${m.path}@${m.version}`).split('/'), ...sub.split('/').filter(Boolean))
}

/** Modules whose version in the built loader's go.mod is not the server's, as `path: server → loader`. */
export function loaderDrift(loaderGoMod: string, serverModules: ModuleVersion[]): string[] {
  const server = new Map(serverModules.filter(m => m.version).map(m => [m.path, m.version]))
  return parseGoMod(loaderGoMod)
    .requires.filter(r => server.get(r.path) !== r.version)
    .map(r => `${r.path}: ${server.get(r.path) ?? 'not in the server'} → ${r.version}`)
}
