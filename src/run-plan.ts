/**
 * How this run builds for the server: the flags it may use, the folders it
 * mounts (the runner's CA certificates among them), one build job per
 * platform, and the build images, checked before the plugin's files change.
 */
import * as core from '@actions/core'
import { checkFingerprintFlags } from './build/fingerprint-flags.js'
import { checkImages } from './build/images.js'
import { type BuildJob, imageFor, planBuilds, templateValues } from './build/plan.js'
import { defaultConcurrency } from './concurrency.js'
import type { ActionContext } from './context.js'
import { checkOutputNames } from './output-dir.js'
import { parsePlatform } from './platform.js'
import type { PluginModule } from './plugin-module.js'
import { runnerCertificates } from './runner-certificates.js'
import type { Server } from './server/server.js'
import { type RunLayout, createLayout, planLayout } from './workspace.js'

export interface RunPlan {
  layout: RunLayout
  jobs: BuildJob[]
  /** Image of the Go commands that are no platform's build (alignment): linux-amd64's. */
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
  const toolImage = imageFor(inputs.buildImage, templateValues(release, parsePlatform('linux-amd64'), plugin.name))
  // The runner's extra CAs (TLS-inspecting proxies) reach every container, read-only.
  const ca = runnerCertificates(build.goVersion, inputs.goEnv, { info: core.info, warning: core.warning })
  const goEnv = { ...inputs.goEnv, ...ca.env }
  const planned = planLayout(ctx, build.goVersion)
  const layout = { ...planned, dirs: { ...planned.dirs, caFiles: ca.mounts } }
  const jobs = planBuilds({ inputs: { ...inputs, goEnv }, server: release, pluginName: plugin.name, pluginWorkdir: layout.pluginWorkdir })
  const outputNames = jobs.map(j => j.assetName)
  checkOutputNames(inputs.outputDir, outputNames)
  const concurrency = defaultConcurrency()
  await createLayout(layout)
  // Every image must hold the Go the server was really built with.
  await checkImages([...jobs, { platform: parsePlatform('linux-amd64'), image: toolImage }], build.goVersion, concurrency)
  return { layout, jobs, toolImage, goEnv, outputNames, concurrency }
}
