import * as path from 'node:path'
import type { Mount } from './docker.js'

/**
 * The host folders every build container sees, and where. The module cache
 * must be at /go/pkg/mod (the server's release build has it there and the
 * path is part of package hashes); the rest only needs to be stable.
 */
export interface HostDirs {
  /** Folder holding the plugin (the workspace, so `replace ../x` works). */
  source: string
  /**
   * A copy of the plugin's folder aligned with another server version,
   * mounted over the plugin's folder in `source`: builds, `replace ../x`
   * and the file paths compiled into the .so are the same as from the workspace.
   */
  pluginCopy?: Mount
  /** Action-private files: server go.mod copies, loaders, reports. */
  scratch: string
  goModCache: string
  /** One GOCACHE per platform below this (for one Go version), kept between runs (src/cache/). */
  goCacheRoot: string
  /** Where .so files are written (build step only). */
  outputDir?: string
  /** The runner's CA files, mounted read-only into every container (runner-certificates.ts). */
  caFiles?: Mount[]
}

export const IN_CONTAINER = {
  source: '/proj',
  scratch: '/scratch',
  goModCache: '/go/pkg/mod',
  goCache: '/gocache',
  outputDir: '/out'
} as const

/** The GOCACHE of the Go commands that are no platform's build (alignment). */
export const TOOL_CACHE_KEY = 'tool'

/** The host folder of one GOCACHE: `cacheKey` separates them, e.g. a platform id or "tool". */
export function goCacheDir(dirs: Pick<HostDirs, 'goCacheRoot'>, cacheKey: string): string {
  return path.join(dirs.goCacheRoot, cacheKey)
}

export function containerMounts(dirs: HostDirs, cacheKey: string): Mount[] {
  const mounts: Mount[] = [
    { host: dirs.source, container: IN_CONTAINER.source },
    // Docker mounts parents first, so the copy shadows the plugin's folder.
    ...(dirs.pluginCopy ? [dirs.pluginCopy] : []),
    { host: dirs.scratch, container: IN_CONTAINER.scratch },
    { host: dirs.goModCache, container: IN_CONTAINER.goModCache },
    { host: goCacheDir(dirs, cacheKey), container: IN_CONTAINER.goCache }
  ]
  if (dirs.outputDir) mounts.push({ host: dirs.outputDir, container: IN_CONTAINER.outputDir })
  return [...mounts, ...(dirs.caFiles ?? [])]
}

/** Host folders that must exist before docker mounts them (else docker creates them as root); read-only mounts are files that exist. */
export function hostFoldersToCreate(dirs: HostDirs, cacheKey: string): string[] {
  return containerMounts(dirs, cacheKey).filter(m => !m.readOnly).map(m => m.host)
}
