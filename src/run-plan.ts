/**
 * How this run builds for the server: the flags it may use, how Go runs (the
 * builder: build images or native, src/go-runner/builders.ts), the folders it
 * mounts (the runner's CA certificates among them), one build job per
 * platform, checked before the plugin's files change.
 */
import * as core from '@actions/core'
import { checkFingerprintFlags } from './build/fingerprint-flags.js'
import { type BuildJob, imageFor, planBuilds, templateValues } from './build/plan.js'
import { defaultConcurrency } from './concurrency.js'
import type { ActionContext } from './context.js'
import { type GoRunners, checkBuilder, pathsSeenBy, prepareGoRunners } from './go-runner/builders.js'
import { checkOutputNames } from './output-dir.js'
import { parsePlatform } from './platform.js'
import type { PluginModule } from './plugin-module.js'
import { runnerCertificates } from './runner-certificates.js'
import type { Server } from './server/server.js'
import { type RunLayout, createLayout, planLayout } from './workspace.js'

export interface RunPlan {
  layout: RunLayout
  jobs: BuildJob[]
  /** How Go runs: one GoRunner per platform, and one for alignment. */
  runners: GoRunners
  /** Image of the Go commands that are no platform's build (alignment) with the Docker builder: linux-amd64's. */
  toolImage: string
  /** go-env plus what the runner's certificates need. */
  goEnv: Record<string, string>
  outputNames: string[]
  concurrency: number
}

export async function prepareRun(ctx: ActionContext, plugin: PluginModule, server: Server): Promise<RunPlan> {
  const { inputs } = ctx
  const { release, build } = server
  // Flags that would make every .so unloadable (-trimpath, ...), unless the server's build used them too.
  checkFingerprintFlags({ buildArgs: inputs.buildArgs, goFlags: inputs.goEnv.GOFLAGS }, build.flags)
  // The native builder's C compilers (preflight already failed when one is missing).
  const builder = checkBuilder(inputs.builder, inputs.platforms)
  const toolImage = imageFor(inputs.buildImage, templateValues(release, parsePlatform('linux-amd64'), plugin.name))
  // The runner's extra CAs (TLS-inspecting proxies) reach every container, read-only; a native Go reads them where they are.
  const ca = builder.builder === 'docker' ? runnerCertificates(build.goVersion, inputs.goEnv, { info: core.info, warning: core.warning }) : { mounts: [], env: {} }
  const goEnv = { ...inputs.goEnv, ...ca.env }
  const planned = planLayout(ctx)
  const layout = { ...planned, dirs: { ...planned.dirs, caFiles: ca.mounts } }
  const seen = pathsSeenBy(builder.builder, layout.dirs)
  const jobs = planBuilds({
    inputs: { ...inputs, goEnv },
    server: release,
    pluginName: plugin.name,
    pluginWorkdir: seen(inputs.pluginPath),
    outputWorkdir: seen(inputs.outputDir)
  })
  const outputNames = jobs.map(j => j.assetName)
  checkOutputNames(inputs.outputDir, outputNames)
  const concurrency = defaultConcurrency()
  await createLayout(layout)
  // Docker: every image holds the server's Go. Native: that Go installed, the module cache at /go/pkg/mod.
  const runners = await prepareGoRunners(builder, {
    goVersion: build.goVersion,
    dirs: layout.dirs,
    platforms: inputs.platforms,
    imageFor: p => jobs.find(j => j.platform.id === p.id)?.image ?? toolImage,
    toolImage,
    goEnv,
    goDownloadBaseUrl: inputs.goDownloadBaseUrl,
    concurrency,
    log: core.info
  })
  layout.dirs.goModCache = runners.goModCache
  return { layout, jobs, runners, toolImage, goEnv, outputNames, concurrency }
}
