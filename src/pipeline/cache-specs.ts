/** The caches of this run, from what the run knows: the edge that reads go.mod, go.sum and the images' ids. */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { goCacheDir } from '../container/layout.js'
import { imageId } from '../container/docker.js'
import type { Platform } from '../platform.js'
import type { PluginModule } from '../plugin/module.js'
import type { RunSetup, VersionBuildPlan } from '../run/plan.js'
import { toolCacheFolder } from '../server/binary-download.js'
import { type CacheSpec, buildCacheSpec, dependencyHash, moduleCacheSpec, serverBinariesSpec } from '../cache/keys.js'

const readOrUndefined = (file: string): Buffer | undefined => (fs.existsSync(file) ? fs.readFileSync(file) : undefined)

export function serverBinariesCache(server: { owner: string; name: string; tag: string }, platforms: Platform[]): CacheSpec {
  return serverBinariesSpec({ toolDir: toolCacheFolder(server), server, platforms })
}

/**
 * The module cache (shared by every server version) and one build cache per
 * platform and Go version, keyed by the plugin's go.mod and go.sum as checked
 * out (before alignment) and the server releases built.
 */
export async function goCaches(
  runs: Array<{ build: VersionBuildPlan; server: { release: { owner: string; name: string; tag: string }; build: { goVersion: string } } }>,
  setup: RunSetup,
  plugin: PluginModule | PluginModule[]
): Promise<CacheSpec[]> {
  if (runs.length === 0) return []
  const { release } = runs[0].server
  // Several plugins: the key covers every one's go.mod and go.sum (one module cache for the run).
  const plugins = Array.isArray(plugin) ? plugin : [plugin]
  const files = (read: (p: PluginModule) => Buffer | undefined): Buffer | undefined =>
    plugins.length === 1 ? read(plugins[0]) : Buffer.concat(plugins.flatMap(p => [Buffer.from(`\0${p.modulePath}\0`), read(p) ?? Buffer.alloc(0)]))
  const tags = [...new Set(runs.map(r => r.server.release.tag))]
  const deps = dependencyHash(files(p => fs.readFileSync(p.goModPath))!, files(p => readOrUndefined(path.join(p.dir, 'go.sum'))), release, tags)
  // What compiled the objects: the build image (its id changes with its content), or the runner's own Go and C compilers.
  const native = `native-${process.arch}`
  const docker = setup.builder.builder === 'docker'
  const images = docker ? [...new Set(runs.flatMap(r => r.build.jobs.map(j => j.image)))] : []
  const ids = new Map(await Promise.all(images.map(async i => [i, await imageId(i)] as const)))
  const builds = new Map<string, CacheSpec>()
  for (const r of runs) {
    for (const j of r.build.jobs) {
      const id = docker ? ids.get(j.image) : native
      if (!id) continue
      const spec = buildCacheSpec({ goCacheDir: goCacheDir(r.build.dirs, j.platform.id), platform: j.platform, goVersion: r.server.build.goVersion, imageId: id, deps })
      // Versions with the same Go share its build caches.
      if (!builds.has(spec.key)) builds.set(spec.key, spec)
    }
  }
  return [moduleCacheSpec(setup.layout.dirs.goModCache, deps), ...builds.values()]
}
