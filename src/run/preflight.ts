/**
 * The checks that need no build and write nothing, run first: where the
 * result would go, the plugin module, the output folder, the Docker engine
 * (or the native builder's C compilers), and the release to upload to.
 */
import * as stepLog from '../step-log.js'
import type { ActionContext } from './context.js'
import { checkDockerEngine } from '../container/docker.js'
import { checkBuilder } from '../go-runner/builders.js'
import { GitHubApi, type Release } from '../github/api.js'
import { checkOutputDir } from '../release/output-dir.js'
import { type PluginModule, readPluginModule } from '../plugin/module.js'
import { resolvePluginIdentities } from '../plugin/identity.js'
import { type UploadDecision, decideUpload } from '../release/decide.js'
import { findRelease } from '../release/upload.js'
import { pluginPathWarning } from '../verify/plugin-path.js'
import { requiredPluginNames } from './required-plugins.js'

export interface Preflight {
  shipping: UploadDecision
  /** The first plugin (the only one unless plugin-path lists several). */
  plugin: PluginModule
  /** Every plugin of plugin-path, in its order. */
  plugins: PluginModule[]
  api: GitHubApi
  /** The release to upload to, looked up before anything is built. */
  release?: Release
  /** The names of the plugins that must pass every step (required-plugins; every plugin when it is empty). */
  required: string[]
}

export async function preflight(ctx: ActionContext): Promise<Preflight> {
  const { inputs } = ctx
  const shipping = decideUpload({ upload: inputs.upload, releaseTag: inputs.releaseTag, eventName: ctx.eventName, payloadReleaseTag: ctx.payloadReleaseTag })
  // Every naming conflict at once: default names that clash made distinct, the rest refused in one line.
  const { plugins, renamed, refusal } = resolvePluginIdentities(
    inputs.plugins.map(p => readPluginModule(p, ctx.workspace)),
    ctx.workspace,
    inputs.rewriteModulePaths
  )
  for (const r of renamed) stepLog.info(`Plugin ${r.folder}: named ${r.to} after its folder (its default name ${r.from} is another plugin's too; plugin-name sets it)`)
  if (refusal) throw refusal
  const required = requiredPluginNames(inputs.requiredPlugins, plugins, ctx.workspace)
  const [plugin] = plugins
  for (const p of plugins) {
    // Its identity in the server: a path other plugins have too keeps both out of one server.
    stepLog.info(`Plugin path of ${p.name} (the import path of its main package): ${p.pluginPath}`)
    const pathWarning = pluginPathWarning(p.pluginPath)
    if (pathWarning) stepLog.warning(pathWarning, { file: p.goModPath, startLine: 1 })
  }
  checkOutputDir(inputs.outputDir, [ctx.workspace, ctx.runnerTemp])
  // resolve-only builds nothing: a plan job needs no Docker. The native builder needs no
  // Docker engine either, but every platform's C compiler.
  if (!inputs.resolveOnly) {
    if (inputs.builder === 'docker') await checkDockerEngine()
    else checkBuilder(inputs.builder, inputs.platforms)
  }
  const api = new GitHubApi({ token: inputs.token, log: stepLog.debug })
  const release = shipping.upload ? await findRelease(api, ctx.repository.owner, ctx.repository.name, shipping.tag ?? '') : undefined
  return { shipping, plugin, plugins, api, release, required }
}
