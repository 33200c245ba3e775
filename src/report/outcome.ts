/** Everything a run learnt, and the verdict drawn from it. Pure. */
import type { Artifact } from '../artifact.js'
import type { Alignment } from '../alignment/align.js'
import { unaligned } from '../alignment/plan.js'
import type { BuildOutcome } from '../build/build.js'
import type { VerifyResult } from '../verify/witness.js'
import type { ServerRelease } from '../server/release.js'
import type { ServerBuild } from '../server/build-facts.js'
import type { ServerImageResult } from '../server-image/result.js'

export interface RunOutcome {
  server: ServerRelease
  /** What the server's build really was (its release binary's build info, else GO_VERSION and go.mod). */
  serverBuild?: ServerBuild
  alignment?: Alignment
  builds: BuildOutcome[]
  verification: VerifyResult[]
  artifacts: Artifact[]
  releaseUrl?: string
  /** Release assets this run wrote or found, SHA256SUMS included. */
  releaseAssets?: Array<{ name: string; url: string; status: string }>
  /** Why nothing was uploaded, when nothing was. */
  uploadNote?: string
  /** The server image with the plugin inside (input server-image). */
  serverImage?: ServerImageResult
  /** Set when a step failed before the run could finish. */
  failure?: string
  /** The run failed, so the plugin's go.mod and go.sum were put back as they were. */
  goFilesRestored?: boolean
}

/** The Go the server was built with: its binary's when known. */
export const serverGoVersion = (o: Pick<RunOutcome, 'server' | 'serverBuild'>): string => o.serverBuild?.goVersion ?? o.server.goVersion
export const serverGoVersionSource = (o: Pick<RunOutcome, 'server' | 'serverBuild'>): string => o.serverBuild?.goVersionSource ?? o.server.goVersionSource

/**
 * Compatible: every platform built, no conflict, every shared module the
 * plugin links at the server's version, no platform that failed to load. A
 * shared module the plugin does not link cannot affect loading and never counts.
 */
export function isCompatible(o: Pick<RunOutcome, 'alignment' | 'verification' | 'failure' | 'builds'>): boolean {
  if (o.failure) return false
  const a = o.alignment
  const aligned = !a || (a.conflicts.length === 0 && unaligned(a.shared).length === 0)
  return aligned && o.builds.every(b => b.ok) && o.verification.every(v => v.status !== 'failed')
}

/** Why the run fails, in one line; undefined when it succeeds. */
export function verdictOf(o: RunOutcome): string | undefined {
  const target = `${o.server.owner}/${o.server.name} ${o.server.tag}`
  const conflicts = o.alignment?.conflicts ?? []
  if (conflicts.length > 0) return `go.mod cannot be aligned with ${target}: ${conflicts.map(c => c.message).join('; ')}`
  const failedBuilds = o.builds.filter(b => !b.ok).map(b => b.job.platform.id)
  if (failedBuilds.length > 0) return `go build failed for ${failedBuilds.join(', ')}`
  if (!isCompatible(o)) return `the plugin is not compatible with ${target}; see the annotations and the job summary`
  return undefined
}
