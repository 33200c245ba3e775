/**
 * How this run builds: the folders every server version shares (module
 * cache, per-platform build caches, scratch), how Go runs (the builder: build
 * images or native, src/go-runner/builders.ts), the runner's CA certificates,
 * and per server version the flags it may use, its build jobs, its folders
 * (its own copy of the plugin unless it aligns the workspace, and always when
 * it builds under a module path of its own) and its build images, checked
 * before the plugin's files change.
 */
import * as stepLog from '../step-log.js'
import { mkdir } from 'node:fs/promises'
import * as path from 'node:path'
import type { HostDirs } from '../container/layout.js'
import { StepError } from '../errors.js'
import { checkFingerprintFlags } from '../compile/fingerprint-flags.js'
import { type ImageProblem, imageProblems } from '../compile/images.js'
import { type BuildJob, imageFor, planBuilds, templateValues } from '../compile/plan.js'
import { defaultConcurrency } from '../concurrency.js'
import type { ActionContext } from './context.js'
import { IN_CONTAINER, TOOL_CACHE_KEY, goCacheDir } from '../container/layout.js'
import { type BuilderCheck, type GoRunners, checkBuilder, pathsSeenBy, prepareGoRunners } from '../go-runner/builders.js'
import { checkOutputNames } from '../release/output-dir.js'
import { type Platform, parsePlatform } from '../platform.js'
import type { PluginModule } from '../plugin/module.js'
import { type ModuleRename, renamedLdflags } from '../plugin/own-module-path.js'
import type { AnchoredReplace } from '../plugin/build-copy.js'
import { type RunnerCaFile, describeCaMounts, findRunnerCaFiles, planCaMounts } from '../container/runner-certificates.js'
import type { VersionPlan } from '../server-versions/plan.js'
import type { Server } from '../server/server.js'
import { type RunLayout, createLayout, planLayout } from './layout.js'
import { stepBegins } from '../clock.js'

/** What every server version of the run shares. */
export interface RunSetup {
  layout: RunLayout
  concurrency: number
  /** How Go runs: docker, or native with the runner's C compilers (checked in preflight). */
  builder: BuilderCheck
  /** The runner's extra CAs (TLS-inspecting proxies), mounted read-only into every container; a native Go reads them where they are. */
  caFiles: RunnerCaFile[]
  /** SSL_CERT_DIR values already logged (they differ only between Go before and from 1.16). */
  caLogged: Set<string>
}

/** How one server version is built. */
export interface VersionBuildPlan {
  jobs: BuildJob[]
  /** Image of the Go commands that are no platform's build (alignment) with the Docker builder: linux-amd64's. */
  toolImage: string
  /** go-env plus what the runner's certificates need. */
  goEnv: Record<string, string>
  /** Its folders: its own scratch, and its copy of the plugin mounted over the plugin's folder. */
  dirs: HostDirs
  /** Host folder of the plugin it aligns and builds: the workspace's, or its copy. */
  pluginDir: string
  /** How Go runs for it, once prepareVersionRunners has run (the native builder installs its Go). */
  runners?: GoRunners
  /** Built from its copy under a module path of its own (rewrite-module-paths), the copy aligned in the workspace's place when it is the newest. */
  rename?: ModuleRename
  /** Its copy's directory replacements made absolute (the native builder), to put back where its go.mod is written back. */
  anchored?: AnchoredReplace[]
}

const TOOL_PLATFORM: Platform = parsePlatform('linux-amd64')

export function planRunSetup(ctx: ActionContext): RunSetup {
  const builder = checkBuilder(ctx.inputs.builder, ctx.inputs.platforms)
  const found = builder.builder === 'docker' ? findRunnerCaFiles() : { files: [], problems: [] }
  for (const p of found.problems) stepLog.warning(p)
  return { layout: planLayout(ctx), concurrency: defaultConcurrency(), builder, caFiles: found.files, caLogged: new Set() }
}

export async function createRunFolders(setup: RunSetup, builds: VersionBuildPlan[]): Promise<void> {
  await createLayout(setup.layout)
  // Docker would create a missing mount as root.
  for (const b of builds) await mkdir(goCacheDir(b.dirs, TOOL_CACHE_KEY), { recursive: true })
}

export function planVersionBuild(ctx: ActionContext, plugin: PluginModule, server: Server, setup: RunSetup, version: VersionPlan, rename?: ModuleRename): VersionBuildPlan {
  const { inputs } = ctx
  const { release, build } = server
  // Flags that would make every .so unloadable (-trimpath, ...), unless the server's build used them too.
  checkFingerprintFlags({ buildArgs: inputs.buildArgs, goFlags: inputs.goEnv.GOFLAGS }, build.flags)
  const toolImage = imageFor(inputs.buildImage, templateValues(release, TOOL_PLATFORM, plugin.name))
  const ca = planCaMounts(setup.caFiles, build.goVersion, inputs.goEnv)
  if (setup.caFiles.length > 0 && !setup.caLogged.has(ca.env.SSL_CERT_DIR)) {
    setup.caLogged.add(ca.env.SSL_CERT_DIR)
    stepLog.info(describeCaMounts(setup.caFiles, ca.env))
  }
  const goEnv = { ...inputs.goEnv, ...ca.env }
  const { layout } = setup
  const scratch = path.join(layout.dirs.scratch, version.key)
  // Build caches per Go version: each one the action saves holds one Go's objects (src/cache/).
  const goCacheRoot = path.join(layout.dirs.goCacheRoot, `go${build.goVersion}`)
  let dirs: HostDirs = { ...layout.dirs, scratch, goCacheRoot, caFiles: ca.mounts }
  let pluginDir = plugin.dir
  if (!version.alignsWorkspace || rename) {
    // The copy sits where the plugin's folder is in the container: same paths, same `replace ../x`, compiler errors in the user's files.
    pluginDir = path.join(scratch, 'plugin')
    dirs = layout.pluginWorkdir === IN_CONTAINER.source ? { ...dirs, source: pluginDir } : { ...dirs, pluginCopy: { host: pluginDir, container: layout.pluginWorkdir } }
  }
  // Where go sees the plugin and the output folder: through the containers' mounts, or as they are.
  const seen = pathsSeenBy(setup.builder.builder, dirs)
  const ldflags = rename ? renamedLdflags(inputs.ldflags, rename) : inputs.ldflags
  const jobs = planBuilds({ inputs: { ...inputs, goEnv, ldflags }, server: release, pluginName: plugin.name, pluginWorkdir: seen(pluginDir), outputWorkdir: seen(inputs.outputDir) })
  return { jobs, toolImage, goEnv, dirs, pluginDir, ...(rename ? { rename } : {}) }
}

/** Before anything is written: every file name is this run's to write. */
export function checkRunOutputs(outputDir: string, plans: VersionBuildPlan[]): string[] {
  const names = plans.flatMap(p => p.jobs.map(j => j.assetName))
  checkOutputNames(outputDir, names)
  return names
}

/**
 * Docker: every image must hold the Go its server version was really built
 * with (else the run stops). Images that cannot be had, for some of several
 * versions, refuse those versions: the returned plans, each with why.
 */
export async function checkVersionImages(setup: RunSetup, versions: Array<{ plan: VersionBuildPlan; goVersion: string }>): Promise<Map<VersionBuildPlan, string>> {
  const refused = new Map<VersionBuildPlan, string>()
  if (setup.builder.builder !== 'docker') return refused
  const byGo = new Map<string, Array<{ platform: Platform; image: string }>>()
  for (const { plan, goVersion } of versions) {
    const targets = byGo.get(goVersion) ?? []
    targets.push(...plan.jobs, { platform: TOOL_PLATFORM, image: plan.toolImage })
    byGo.set(goVersion, targets)
  }
  const done = stepBegins('images')
  const problems: ImageProblem[] = []
  for (const [goVersion, targets] of byGo) problems.push(...(await imageProblems(targets, goVersion, setup.concurrency)))
  done()
  const missing = new Set(problems.filter(p => p.missing).map(p => p.image))
  const imagesOf = (plan: VersionBuildPlan): string[] => [...plan.jobs.map(j => j.image), plan.toolImage]
  const lacking = versions.filter(v => imagesOf(v.plan).some(i => missing.has(i)))
  // Every version lacking its images, or another problem: the set-up is wrong, not a version.
  if (problems.some(p => !p.missing) || (lacking.length > 0 && lacking.length === versions.length)) throw new StepError(problems.map(p => p.message).join('; '))
  for (const { plan } of lacking) refused.set(plan, problems.filter(p => imagesOf(plan).includes(p.image)).map(p => p.message).join('; '))
  return refused
}

/** How Go runs for each version: its images, or (native) its exact Go installed and the module cache at /go/pkg/mod. */
export async function prepareVersionRunners(ctx: ActionContext, setup: RunSetup, versions: Array<{ build: VersionBuildPlan; goVersion: string }>): Promise<void> {
  const done = stepBegins('runners')
  for (const { build, goVersion } of versions) {
    build.runners = await prepareGoRunners(setup.builder, {
      goVersion,
      dirs: build.dirs,
      platforms: ctx.inputs.platforms,
      imageFor: p => build.jobs.find(j => j.platform.id === p.id)?.image ?? build.toolImage,
      toolImage: build.toolImage,
      goEnv: build.goEnv,
      goDownloadBaseUrl: ctx.inputs.goDownloadBaseUrl,
      log: stepLog.info
    })
    build.dirs.goModCache = build.runners.goModCache
  }
  done()
}
