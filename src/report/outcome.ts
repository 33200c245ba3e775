/** Everything a run learnt, per server version and across them, and the verdict drawn from it. Pure. */
import type { Artifact } from '../compile/artifact.js'
import type { Alignment } from '../alignment/align.js'
import { unaligned } from '../alignment/plan.js'
import type { BuildOutcome } from '../compile/build.js'
import type { VerifyResult } from '../verify/witness.js'
import type { ServerRelease } from '../server/release.js'
import type { ServerBuild } from '../server/build-facts.js'
import type { CompatibilityRow } from '../server-versions/compatibility.js'
import type { VersionPlan } from '../server-versions/plan.js'
import type { ServerImageResult } from '../server-image/result.js'
import type { SetOutcome } from '../verify/set-step.js'
import type { InfoCheck, PluginInfoOutcome } from '../verify/plugin-info.js'

/** One server version: what the run learnt and did for it. */
export interface VersionOutcome {
  server: ServerRelease
  /** The plugin it is for, when plugin-path lists several. */
  plugin?: string
  /** What the server's build really was (its release binary's build info, else GO_VERSION and go.mod). */
  serverBuild?: ServerBuild
  /** Why it was not built (skip-existing); undefined when it was. */
  skipped?: string
  /** Why the action cannot build for it (its tag lacks what a build needs, its build images cannot be had): refused. */
  refused?: string
  /** Its alignment is the workspace's go.mod (the newest version); else a copy's. */
  alignsWorkspace: boolean
  alignment?: Alignment
  builds: BuildOutcome[]
  /** Its own .so files, judged by this server version. */
  verification: VerifyResult[]
  artifacts: Artifact[]
  /** Its server image with the plugin inside (input server-image). */
  serverImage?: ServerImageResult
  /** Not in required-plugins and refused beside the others: left out of the set (per platform, why); its files are not uploaded. */
  leftOut?: string[]
  /** What its info function returned when the Info check called it (info-function). */
  info?: PluginInfoOutcome
}

export interface RunOutcome {
  /** server-version as given. */
  request: string
  /** The (first) plugin's path in the server: the import path of its main package. */
  pluginPath?: string
  /** Every selected server version, newest first. */
  versions: VersionOutcome[]
  /** Every .so of the run against every server version built (empty without verification). */
  compatibility: CompatibilityRow[]
  /** Every plugin of plugin-path, when it lists several. */
  plugins?: Array<{ name: string; path: string; modulePath: string; pluginPath: string }>
  /** The plugins built from a copy under a module path of their own (rewrite-module-paths): its module path and plugin path there, and why. */
  builtAs?: Array<{ plugin: string; modulePath: string; pluginPath: string; why: string }>
  /** Per server version and platform, every .so of the run in one plugin folder (several plugins). */
  sets?: SetOutcome[]
  /** Per server version: every file of the plugin folder opened by the stand-in host, its info function called (info-function). */
  infoChecks?: InfoCheck[]
  /** The plugins that must pass every step (required-plugins; every plugin when it is empty); the others' failures are warnings. */
  required?: string[]
  releaseUrl?: string
  /** Release assets this run wrote or found, SHA256SUMS included. */
  releaseAssets?: Array<{ name: string; url: string; status: string }>
  /** Why nothing was uploaded, when nothing was; or which versions were not (candidates without release-tag). */
  uploadNote?: string
  /** Set when a step failed before the run could finish. */
  failure?: string
  /** The run failed, so the plugin's go.mod and go.sum were put back as they were. */
  goFilesRestored?: boolean
}

/** The outcome before anything ran: every selected version, the skipped ones with why. */
export function plannedOutcome(request: string, plans: VersionPlan[]): RunOutcome {
  return {
    request,
    versions: plans.map(p => ({ server: p.release, skipped: p.skip, ...(p.release.cannotServe !== undefined ? { refused: p.release.cannotServe } : {}), alignsWorkspace: p.alignsWorkspace, builds: [], verification: [], artifacts: [] })),
    compatibility: []
  }
}

/** The Go the server was built with: its binary's when known. */
export const serverGoVersion = (o: Pick<VersionOutcome, 'server' | 'serverBuild'>): string => o.serverBuild?.goVersion ?? o.server.goVersion
export const serverGoVersionSource = (o: Pick<VersionOutcome, 'server' | 'serverBuild'>): string => o.serverBuild?.goVersionSource ?? o.server.goVersionSource

/** The versions this run built (not skipped, not refused), newest first. */
export const builtVersions = (o: Pick<RunOutcome, 'versions'>): VersionOutcome[] => o.versions.filter(v => !v.skipped && v.refused === undefined)

/**
 * The version the top of the report stands for: the newest built (it aligned
 * the workspace when it is the newest selected), else the newest selected.
 */
export const primaryVersion = (o: Pick<RunOutcome, 'versions'>): VersionOutcome | undefined => builtVersions(o)[0] ?? o.versions[0]

/**
 * One version is compatible when every platform built, there is no conflict,
 * every shared module the plugin links is at the server's version, and no
 * platform failed to load. A shared module the plugin does not link cannot
 * affect loading and never counts. A skipped version was compatible when its
 * files were uploaded.
 */
export function isVersionCompatible(v: Pick<VersionOutcome, 'alignment' | 'verification' | 'builds' | 'skipped' | 'refused' | 'leftOut'> & Pick<Partial<VersionOutcome>, 'info'>): boolean {
  if (v.skipped) return true
  if (v.refused !== undefined) return false
  if (v.leftOut && v.leftOut.length > 0) return false
  const a = v.alignment
  const aligned = !a || (a.conflicts.length === 0 && unaligned(a.shared).length === 0)
  return aligned && v.builds.every(b => b.ok) && v.verification.every(x => x.status !== 'failed') && v.info?.status !== 'refused'
}

type Judged = Pick<RunOutcome, 'versions' | 'failure'> & Pick<Partial<RunOutcome>, 'sets' | 'required'>

/** Whether a version's failure fails the run: its plugin is required (a one-plugin run's always is). */
export const isRequiredVersion = (o: Pick<Partial<RunOutcome>, 'required'>, v: Pick<VersionOutcome, 'plugin'>): boolean =>
  v.plugin === undefined || o.required === undefined || o.required.includes(v.plugin)

/** A set that failed counts when it holds a file of a required plugin. */
function isRequiredSet(o: Judged, s: SetOutcome): boolean {
  const owners = new Map(o.versions.flatMap(v => v.artifacts.map(a => [a.name, v] as const)))
  return s.files.some(f => {
    const v = owners.get(f)
    return v === undefined || isRequiredVersion(o, v)
  })
}

/** Every required plugin's versions compatible, and no step failed. A .so refused by another version than its own does not count. */
export function isCompatible(o: Judged): boolean {
  return !o.failure && o.versions.filter(v => isRequiredVersion(o, v)).every(isVersionCompatible) && (o.sets ?? []).every(s => s.status !== 'failed' || !isRequiredSet(o, s))
}

/** Why one version fails, in one line; undefined when it does not. */
export function versionVerdict(v: VersionOutcome): string | undefined {
  const target = `${v.server.owner}/${v.server.name} ${v.server.tag}${v.plugin ? ` (plugin ${v.plugin})` : ''}`
  if (v.refused !== undefined) return `cannot build for ${target}: ${v.refused}`
  const conflicts = v.alignment?.conflicts ?? []
  if (conflicts.length > 0) return `go.mod cannot be aligned with ${target}: ${conflicts.map(c => c.message).join('; ')}`
  const failedBuilds = v.builds.filter(b => !b.ok).map(b => b.job.platform.id)
  if (failedBuilds.length > 0) return `go build failed for ${failedBuilds.join(', ')} (server ${v.server.tag}${v.plugin ? `, plugin ${v.plugin}` : ''})`
  if (v.leftOut && v.leftOut.length > 0) return `plugin ${v.plugin ?? ''} is ${v.leftOut.join('; ')}`
  if (v.info?.status === 'refused' && v.verification.every(x => x.status !== 'failed')) return `${target} does not start with the plugin (${v.info.platform}): error while loading plugin ${v.info.file}: ${v.info.reason}`
  if (!isVersionCompatible(v)) return `the plugin is not compatible with ${target}; see the annotations and the job summary`
  return undefined
}

/** Why the run fails, in one line; undefined when it succeeds. */
export function verdictOf(o: RunOutcome): string | undefined {
  const sets = (o.sets ?? []).filter(s => s.status === 'failed' && isRequiredSet(o, s)).map(s => `the plugins do not load together into ${s.serverVersion} (${s.platform}): ${s.failure?.message ?? s.detail}`)
  const verdicts = [...o.versions.filter(v => isRequiredVersion(o, v)).map(versionVerdict).filter((v): v is string => v !== undefined), ...sets]
  return verdicts.length > 0 ? verdicts.join('; ') : undefined
}

/** The failures of plugins not in required-plugins, one line each: warnings, not the run's verdict. */
export function notRequiredFailures(o: RunOutcome): string[] {
  return o.versions.filter(v => !isRequiredVersion(o, v)).flatMap(v => {
    const why = versionVerdict(v)
    return why ? [`${why} (plugin ${v.plugin} is not in required-plugins: the run does not fail for it; its files are not uploaded)`] : []
  })
}
