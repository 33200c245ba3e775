/**
 * The warm-up of the run's build caches (src/compile/warm-up.ts), from what
 * the run knows once its server versions are prepared: each version's build
 * jobs, the platforms' build cache folders, the release binaries' packages
 * and how Go runs.
 */
import { goCacheDir } from '../container/layout.js'
import { hasContent } from '../cache/store.js'
import { type WarmUps, startWarmUps } from '../compile/warm-up.js'
import type { VersionRun } from './run.js'

/** Starts compiling each platform's standard library into its build cache; the build pool awaits it (buildPluginVersions). */
export function warmUpBuildCaches(groups: Array<{ runs: VersionRun[] }>): WarmUps {
  const runs = groups.flatMap(g => g.runs)
  // The build pool's order: plugin, version, platform.
  const builds = runs.flatMap(run => run.build.jobs.map(job => ({ job, goCache: goCacheDir(run.build.dirs, job.platform.id), run })))
  const packagesOf = (goCache: string): string[] => {
    const sharing = builds.filter(b => b.goCache === goCache)
    const own = sharing.flatMap(b => {
      const binary = b.run.server.binaries.get(b.job.platform.id)
      return binary?.found ? [...binary.facts.fingerprints.keys()] : []
    })
    if (own.length > 0) return own
    // No release binary for this platform: another platform's links about the same standard library.
    return sharing.flatMap(b => [...b.run.server.binaries.values()].flatMap(x => (x.found ? [...x.facts.fingerprints.keys()] : [])))
  }
  return startWarmUps({ builds, serverPackages: packagesOf, hasContent }, goCache => {
    const b = builds.find(x => x.goCache === goCache)
    if (!b?.run.build.runners) throw new Error(`internal: no Go runners prepared for ${b?.run.server.release.tag ?? goCache}`)
    return { runner: b.run.build.runners.forPlatform(b.job.platform), scratch: b.run.build.dirs.scratch }
  })
}
