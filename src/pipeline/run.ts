/**
 * The steps of the pipeline, run for every server version to build: prepare
 * (its release binaries, its build plan), align (the newest in the
 * workspace, the others in their own copy of the plugin), build (one pool for
 * every version: the module cache and the per-platform build caches are
 * shared), verify (each version judges every .so of the run: its own files'
 * verdicts, and the compatibility table).
 */
import * as stepLog from '../step-log.js'
import * as path from 'node:path'
import { type Alignment, alignPlugin } from '../alignment/align.js'
import { tryLoweringGoLine } from '../alignment/go-line-trial.js'
import type { AlignMode } from '../alignment/plan.js'
import { tagFlagsOf } from '../alignment/linked.js'
import { type FailureLevel, annotateConflicts, annotateVerification } from '../run/annotations.js'
import { buildPlatforms } from '../compile/build.js'
import { downloadModules } from '../compile/modules.js'
import { buildCacheScope } from '../cache/keys.js'
import { serverBinariesCache } from './cache-specs.js'
import type { RunCaches } from '../cache/store.js'
import { templateValues } from '../compile/plan.js'
import { availableCores, mapConcurrent } from '../concurrency.js'
import type { ActionContext } from '../run/context.js'
import { StepError } from '../errors.js'
import type { GitHubApi } from '../github/api.js'
import type { GoRunners } from '../go-runner/builders.js'
import { claimOutputs, recordOutputs } from '../release/output-dir.js'
import type { PluginModule } from '../plugin/module.js'
import type { VersionOutcome } from '../report/outcome.js'
import { type RunSetup, type VersionBuildPlan, planVersionBuild } from '../run/plan.js'
import { allInToolCache } from '../server/binary-download.js'
import { type Server, serverAt } from '../server/server.js'
import { readEarlyImageBinary } from '../server-image/early-binary.js'
import type { OfferedImage } from '../server-image/registry.js'
import { buildFlagsOf, withBinaryFlags } from '../server/build-facts.js'
import { serverFlagArgs } from '../compile/fingerprint-flags.js'
import { type VerifyResult, type Witness, verifyPlatforms } from '../verify/witness.js'
import { stepBegins } from '../clock.js'
import type { WarmUps } from '../compile/warm-up.js'
import { goCacheDir } from '../container/layout.js'
import type { PlatformNeighbours } from '../neighbours/fetch.js'
import type { Platform } from '../platform.js'
import { type CompatibilityRow, compatibilityRows } from '../server-versions/compatibility.js'
import type { VersionPlan } from '../server-versions/plan.js'
import { copyForAlignment, inPluginFolder } from '../plugin/plugin-copy.js'

/** One server version on its way through the pipeline; `outcome` is what the report shows. */
export interface VersionRun {
  plan: VersionPlan
  server: Server
  build: VersionBuildPlan
  outcome: VersionOutcome
  /** What the server image offers, read before the build (input server-image). */
  imageOffers?: Map<string, OfferedImage[]>
  /** The other plugins' files the server runs beside this one (input with-plugins), per platform. */
  neighbours?: PlatformNeighbours[]
}

/** Who judges a platform of a version: its release binary, else the stand-in loader. */
export function witnessOf(r: VersionRun, p: Platform): Witness {
  const b = r.server.binaries.get(p.id)
  return b?.found ? { kind: 'release-binary', assetName: b.assetName, facts: b.facts } : { kind: 'loader', why: b?.why ?? 'no binary' }
}

export interface RunContext {
  ctx: ActionContext
  plugin: PluginModule
  setup: RunSetup
  /** Several versions are built: log lines name theirs. */
  several: boolean
  /** Several plugins are built: log lines name this one's (plugin-path lists several). */
  label?: string
  /** Servers already prepared for another plugin of the run, by tag: read once per run. */
  servers?: Map<string, Server>
  /** Restored before the step that fills each, saved by the post step. */
  caches: RunCaches
  /** Not in required-plugins: its failures are warnings, the run goes on and does not fail for them. */
  notRequired?: boolean
}

const failureLevel = (rc: RunContext): FailureLevel => (rc.notRequired ? 'warning' : 'error')

/** How Go runs for a version: prepared (run/plan.ts prepareVersionRunners) before alignment. */
function runnersOf(r: VersionRun): GoRunners {
  if (!r.build.runners) throw new Error(`internal: no Go runners prepared for ${r.server.release.tag}`)
  return r.build.runners
}

/** What a log line of a version names: the plugin (several plugins) and the version (several versions). */
const labelOf = (rc: RunContext, tag: string): string => [rc.label, rc.several ? tag : undefined].filter(x => x !== undefined).join(' ')
const tagged = (rc: RunContext, tag: string, what: string): string => (labelOf(rc, tag) !== '' ? `${what} ${labelOf(rc, tag)}` : what)

/** Per version to build: its release binaries (the truth about its Go and modules) and how it is built. Writes only the tool cache (with server-image: pulls the image, whose binary is read in a folder removed at once). */
export async function prepareVersions(api: GitHubApi, rc: RunContext, versions: Array<{ plan: VersionPlan; outcome: VersionOutcome }>): Promise<VersionRun[]> {
  const { inputs } = rc.ctx
  const done = stepBegins('release')
  const runs: VersionRun[] = []
  for (const { plan, outcome } of versions) {
    const known = rc.servers?.get(plan.release.tag)
    if (known) {
      outcome.serverBuild = known.build
      runs.push({ plan, server: known, build: planVersionBuild(rc.ctx, rc.plugin, known, rc.setup, plan), outcome })
      continue
    }
    // Only a release has release binaries to keep in the tool cache (not a candidate, nor a binary file).
    const released = plan.release.origin.kind === 'release' && (inputs.serverBinary.kind === 'auto' || inputs.serverBinary.kind === 'template')
    if (released) await rc.caches.restore([serverBinariesCache(plan.release, inputs.platforms)], () => allInToolCache(plan.release, inputs.platforms))
    const server = await serverAt(api, plan.release, {
      binary: inputs.serverBinary,
      platforms: inputs.platforms,
      token: inputs.token,
      valuesFor: (r, p) => templateValues(r, p, rc.plugin.name),
      log: stepLog.info
    })
    const { release } = server
    stepLog.info(`Server ${release.owner}/${release.name} ${release.tag}: Go ${server.build.goVersion} (from ${server.build.goVersionSource})`)
    // The server image's binary is a server build too: its flags (-trimpath) before the build-args check.
    const imageOffers = await learnImageFlags(rc, server)
    for (const note of server.build.notes) stepLog.warning(note)
    outcome.serverBuild = server.build
    rc.servers?.set(plan.release.tag, server)
    runs.push({ plan, server, build: planVersionBuild(rc.ctx, rc.plugin, server, rc.setup, plan), outcome, imageOffers })
  }
  rc.caches.filled(() => true, 'server-binaries')
  done()
  return runs
}

/**
 * With server-image set: reads the binary inside one platform of the image
 * and merges the flags its build used into `server.build`. Returns what the
 * image offers, for the image step.
 */
async function learnImageFlags(rc: RunContext, server: Server): Promise<Map<string, OfferedImage[]> | undefined> {
  const { serverImage, platforms } = rc.ctx.inputs
  if (!serverImage.image) return undefined
  const { release } = server
  const log = (line: string): void => stepLog.info(`[server image${rc.several ? ` ${release.tag}` : ''}] ${line}`)
  const image = await readEarlyImageBinary({
    settings: { ...serverImage, image: serverImage.image },
    pluginName: rc.plugin.name,
    platforms,
    valuesFor: p => templateValues(release, p, rc.plugin.name),
    workDir: rc.ctx.runnerTemp,
    log
  })
  const info = image.facts?.buildInfo
  if (!image.name || !info) {
    log(`the server's build flags are not read from the image: ${image.why ?? `${image.name} carries no Go build info (${image.facts?.buildInfoError ?? 'unreadable'})`}`)
    return image.offers
  }
  const flags = buildFlagsOf(info)
  const used = serverFlagArgs(flags)
  log(`${image.name} was built ${used.length > 0 ? `with ${used.join(' ')}: plugins must be too` : 'without flags that change package fingerprints'}`)
  server.build = withBinaryFlags(server.build, flags, image.name)
  return image.offers
}

/** Copies first (from the plugin as it is: the workspace's alignment changes it), then every version's alignment. */
export async function alignVersions(runs: VersionRun[], rc: RunContext): Promise<void> {
  const { inputs } = rc.ctx
  const done = stepBegins('align')
  for (const r of runs) if (r.build.pluginDir !== rc.plugin.dir) r.build.anchored = copyForAlignment(rc.plugin.dir, r.build.pluginDir, { exclude: [inputs.outputDir], native: rc.setup.builder.builder === 'native' })
  await mapConcurrent(runs, rc.setup.concurrency, async r => {
    const label = labelOf(rc, r.server.release.tag)
    const log = (line: string): void => stepLog.info(label !== '' ? `[align ${label}] ${line}` : line)
    try {
      const runners = runnersOf(r)
      const options = {
        mode: inputs.align,
        pluginDir: r.build.pluginDir,
        scratchDir: r.build.dirs.scratch,
        server: { goMod: r.server.release.goMod, goVersion: r.server.build.goVersion, modules: r.server.build.modules },
        linking: { package: rc.plugin.package ?? inputs.package, platforms: inputs.platforms, tagFlags: tagFlagsOf(inputs.buildArgs) },
        reading: runners.reading,
        log
      }
      const alignment = await alignPlugin(runners.tool, options)
      // A go line newer than the server's Go: whether lowering it is enough, tried in a copy.
      const goLine = alignment.conflicts.find(c => c.path === 'go')
      if (goLine) goLine.message = `${goLine.message}; ${await tryLoweringGoLine(runners.tool, options)}`
      r.outcome.alignment = inWorkspace(alignment, r, rc)
    } catch (e) {
      // A copy's go.mod stands for the plugin's: annotations point at the user's file.
      const located = e instanceof StepError && e.location ? new StepError(e.message, { ...e.location, file: inPluginFolder(e.location.file, r.build.pluginDir, rc.plugin.dir) }) : e
      // Several plugins: the others go on; this one's row says why (its files were put back).
      if (rc.label === undefined || !(located instanceof StepError)) throw located
      r.outcome.alignment = failedAlignment(inputs.align, located.message, path.join(rc.plugin.dir, 'go.mod'))
    }
  })
  for (const r of runs) if (r.outcome.alignment) annotateConflicts(r.outcome.alignment, failureLevel(rc))
  done()
}

/** An alignment that stopped on an error go gave: one conflict saying so. */
const failedAlignment = (mode: AlignMode, message: string, goModPath: string): Alignment => ({
  mode, serverModules: [], shared: [], changes: [], conflicts: [{ path: 'go.mod', server: '', plugin: '', chain: [], message, location: { file: goModPath } }], changed: false, diff: '', goModPath
})

/** A copy's alignment as the plugin's: its files are the user's; a version other than the newest says which. */
function inWorkspace(a: Alignment, r: VersionRun, rc: RunContext): Alignment {
  if (r.build.pluginDir === rc.plugin.dir) return a
  const map = (file: string): string => inPluginFolder(file, r.build.pluginDir, rc.plugin.dir)
  const where = r.plan.alignsWorkspace ? '' : ` (for ${r.server.release.tag})`
  return {
    ...a,
    goModPath: map(a.goModPath),
    conflicts: a.conflicts.map(c => ({ ...c, message: `${c.message}${where}`, ...(c.location ? { location: { ...c.location, file: map(c.location.file) } } : {}) }))
  }
}

/** The modules of each aligned version, once, in its tool runner, so no build waits on the network or on another's download. */
export async function downloadVersionModules(runs: VersionRun[], rc: RunContext): Promise<void> {
  const ready = runs.filter(r => r.outcome.alignment?.conflicts.length === 0)
  if (ready.length === 0) return
  const done = stepBegins('modules')
  if (rc.caches.resultOf('modules') !== 'exact') {
    for (const r of ready) await downloadModules(runnersOf(r).tool, r.build.pluginDir, line => stepLog.info(labelOf(rc, r.server.release.tag) !== '' ? `[modules ${labelOf(rc, r.server.release.tag)}] ${line}` : line))
  }
  rc.caches.filled(() => true, 'modules')
  done()
}

/** Every platform of every version whose go.mod is aligned, in the server's images, in one pool. */
export async function buildVersions(runs: VersionRun[], rc: RunContext): Promise<void> {
  await buildPluginVersions([{ runs, rc }])
}

/** Every (plugin, version, platform) of the run in one pool: the module cache and the per-platform build caches are shared. */
export async function buildPluginVersions(groups: Array<{ runs: VersionRun[]; rc: RunContext }>, warmUps?: WarmUps): Promise<void> {
  const [{ rc }] = groups
  const done = stepBegins('build')
  const { outputDir } = rc.ctx.inputs
  const ready = groups.flatMap(g => g.runs.filter(r => r.outcome.alignment?.conflicts.length === 0).map(r => ({ r, rc: g.rc })))
  const tasks = ready.flatMap(({ r, rc: own }) =>
    r.build.jobs.map(job => ({
      job,
      dirs: r.build.dirs,
      pluginDir: r.build.pluginDir,
      runner: runnersOf(r).forPlatform(job.platform),
      repoDir: own.setup.layout.repoDir,
      ready: () => warmUps?.before(goCacheDir(r.build.dirs, job.platform.id)),
      ...(own.label !== undefined ? { plugin: { name: own.label, warnOnly: own.notRequired === true } } : {}),
      ...(r.build.rename ? { rename: r.build.rename } : {})
    }))
  )
  const names = tasks.map(t => t.job.assetName)
  await claimOutputs(outputDir, names)
  const outcomes = await buildPlatforms(tasks, { concurrency: rc.setup.concurrency, cores: availableCores(), repoDir: rc.setup.layout.repoDir })
  await recordOutputs(outputDir, names)
  let next = 0
  for (const { r } of ready) {
    r.outcome.builds = outcomes.slice(next, (next += r.build.jobs.length))
    r.outcome.artifacts = r.outcome.builds.flatMap(b => (b.artifact ? [b.artifact] : []))
  }
  // A platform's build cache is saved once one of its builds with that Go succeeded.
  const built = new Set(ready.flatMap(({ r }) => r.outcome.builds.flatMap(b => (b.ok ? [buildCacheScope(b.job.platform, r.server.build.goVersion)] : []))))
  rc.caches.filled(spec => spec.scope !== undefined && built.has(spec.scope), 'build')
  done()
}

/**
 * Every version judges every .so of the run against its release binary (or
 * its stand-in loader): the verdicts on its own files are its verification,
 * the rest fill the compatibility table.
 */
export async function verifyVersions(runs: VersionRun[], rc: RunContext): Promise<CompatibilityRow[]> {
  const { inputs } = rc.ctx
  const built = runs.flatMap(r => r.outcome.builds.flatMap(b => (b.artifact ? [{ run: r, job: b.job, name: b.artifact.name }] : [])))
  if (!inputs.verify || built.length === 0) return []
  const done = stepBegins('verify')
  const artifacts = built.map(x => ({ platform: x.job.platform, path: x.job.outputPath }))
  const judges: Array<{ serverVersion: string; results: Map<string, VerifyResult> }> = []
  for (const r of runs) {
    const alignment = r.outcome.alignment
    if (!alignment) continue
    const tag = r.server.release.tag
    const results = await verifyPlatforms({
      artifacts,
      witnessOf: p => witnessOf(r, p),
      symbols: inputs.verifySymbols,
      loader: {
        runnerFor: runnersOf(r).forPlatform,
        serverModules: alignment.serverModules,
        serverGoVersion: r.server.build.goVersion,
        serverFlags: r.server.build.flags,
        plugin: { dir: r.build.pluginDir, package: rc.plugin.package ?? inputs.package },
        dirs: r.build.dirs,
        goEnv: r.build.goEnv,
        concurrency: rc.setup.concurrency
      },
      log: (platform, line) => stepLog.info(`[${tagged(rc, tag, 'verify')} ${platform}] ${line}`)
    })
    r.outcome.verification = results.filter((_, i) => built[i].run === r)
    annotateVerification(r.outcome.verification, { server: rc.several ? tag : undefined, plugin: rc.label }, failureLevel(rc))
    judges.push({ serverVersion: tag, results: new Map(results.map((v, i) => [built[i].name, v])) })
  }
  done()
  return compatibilityRows(built.map(x => ({ name: x.name, platform: x.job.platform.id, builtFor: x.run.server.release.tag })), judges)
}
