/** The caches of this run, from what the run knows: the edge that reads go.mod, go.sum and the images' ids. */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { goCacheDir } from '../container-layout.js'
import { imageId } from '../docker.js'
import type { Platform } from '../platform.js'
import type { PluginModule } from '../plugin-module.js'
import type { RunPlan } from '../run-plan.js'
import { toolCacheFolder } from '../server/binary-download.js'
import { type CacheSpec, buildCacheSpec, dependencyHash, moduleCacheSpec, serverBinariesSpec } from './keys.js'

const readOrUndefined = (file: string): Buffer | undefined => (fs.existsSync(file) ? fs.readFileSync(file) : undefined)

export function serverBinariesCache(server: { owner: string; name: string; tag: string }, platforms: Platform[]): CacheSpec {
  return serverBinariesSpec({ toolDir: toolCacheFolder(server), server, platforms })
}

/** The module cache and one build cache per platform, keyed by the plugin's go.mod and go.sum as checked out (before alignment). */
export async function goCaches(plan: RunPlan, plugin: PluginModule, server: { owner: string; name: string; tag: string }, goVersion: string): Promise<CacheSpec[]> {
  const deps = dependencyHash(fs.readFileSync(plugin.goModPath), readOrUndefined(path.join(plugin.dir, 'go.sum')), server)
  const images = [...new Set(plan.jobs.map(j => j.image))]
  const ids = new Map(await Promise.all(images.map(async i => [i, await imageId(i)] as const)))
  const builds = plan.jobs.flatMap(j => {
    const id = ids.get(j.image)
    return id ? [buildCacheSpec({ goCacheDir: goCacheDir(plan.layout.dirs, j.platform.id), platform: j.platform, goVersion, imageId: id, deps })] : []
  })
  return [moduleCacheSpec(plan.layout.dirs.goModCache, deps), ...builds]
}
