import * as core from '@actions/core'
import { loadContext } from './context.js'
import { checkDockerEngine } from './docker.js'
import { GitHubApi } from './github/api.js'
import { resolveServerRelease } from './server-release.js'
import { type GoFilesSnapshot, readPluginModule, snapshotGoFiles } from './plugin-module.js'
import { createLayout, planLayout } from './workspace.js'
import { planBuilds, imageFor, templateValues } from './build/plan.js'
import { checkImages } from './build/images.js'
import { SERVER_BUILD_FLAGS_UNKNOWN, checkFingerprintFlags } from './build/fingerprint-flags.js'
import { buildPlatforms } from './build/build.js'
import { DockerGoRunner } from './go-runner.js'
import { TOOL_CACHE_KEY, containerMounts } from './container-layout.js'
import { alignPlugin } from './alignment/align.js'
import { tagFlagsOf } from './alignment/linked.js'
import { verifyArtifacts } from './verify/verify.js'
import { decideUpload } from './release/decide.js'
import { findRelease, uploadToRelease } from './release/upload.js'
import { type RunOutcome, isCompatible, publishReport } from './report.js'
import { annotateConflicts, annotateVerification, fail, failureMessage } from './annotations.js'
import { checkOutputDir, checkOutputNames, claimOutputs, recordOutputs } from './output-dir.js'
import { defaultConcurrency } from './concurrency.js'
import { parsePlatform } from './platform.js'
import { runnerCertificates } from './runner-certificates.js'
import { StepError } from './errors.js'

/**
 * The pipeline: resolve the server release, align the plugin's go.mod, build
 * every platform in the server's images, verify the .so files load, upload
 * them, report. Every input is checked before anything is written, and a
 * run that fails puts the plugin's go.mod and go.sum back as they were.
 */
export async function run(): Promise<void> {
  // Once the server is known, even a failing run reports what it learnt.
  let partial: { outcome: RunOutcome; outputDir: string } | undefined
  let goFiles: GoFilesSnapshot | undefined
  try {
    // Inputs, parsed and validated once; then the checks that need no writes.
    const ctx = loadContext()
    const { inputs } = ctx
    const shipping = decideUpload({ upload: inputs.upload, releaseTag: inputs.releaseTag, eventName: ctx.eventName, payloadReleaseTag: ctx.payloadReleaseTag })
    const plugin = readPluginModule(inputs, ctx.workspace)
    checkOutputDir(inputs.outputDir, [ctx.workspace, ctx.runnerTemp])
    await checkDockerEngine()
    const api = new GitHubApi({ token: inputs.token, log: core.debug })

    // Resolve the server release: tag, Go version, go.mod.
    const server = await resolveServerRelease(api, inputs.server, inputs.serverVersion)
    core.info(`Server ${server.owner}/${server.name} ${server.tag}: Go ${server.goVersion} (from ${server.goVersionSource})`)
    // Flags that would make every .so unloadable (-trimpath, ...), refused before anything is
    // written. Which of them the server's build used will come from its binary's build info.
    checkFingerprintFlags({ buildArgs: inputs.buildArgs, goFlags: inputs.goEnv.GOFLAGS }, SERVER_BUILD_FLAGS_UNKNOWN)
    // The release to upload to must exist before anything is built.
    const release = shipping.upload ? await findRelease(api, ctx.repository.owner, ctx.repository.name, shipping.tag ?? '') : undefined
    const concurrency = defaultConcurrency()
    // Go commands that are no platform's build (alignment) run in the linux-amd64 image.
    const toolImage = imageFor(inputs.buildImage, templateValues(server, parsePlatform('linux-amd64'), plugin.name))
    // The runner's extra CAs (TLS-inspecting proxies) reach every container, read-only.
    const ca = runnerCertificates(server.goVersion, inputs.goEnv, { info: core.info, warning: core.warning })
    const goEnv = { ...inputs.goEnv, ...ca.env }
    const planned = planLayout(ctx)
    const layout = { ...planned, dirs: { ...planned.dirs, caFiles: ca.mounts } }
    const jobs = planBuilds({ inputs: { ...inputs, goEnv }, server, pluginName: plugin.name, pluginWorkdir: layout.pluginWorkdir })
    const outputNames = jobs.map(j => j.assetName)
    checkOutputNames(inputs.outputDir, outputNames)
    await createLayout(layout)
    await checkImages([...jobs, { platform: parsePlatform('linux-amd64'), image: toolImage }], server.goVersion, concurrency)
    const outcome: RunOutcome = { server, builds: [], verification: [], artifacts: [] }
    partial = { outcome, outputDir: inputs.outputDir }

    // Align the plugin's go.mod with the server's build list.
    goFiles = snapshotGoFiles(plugin.dir)
    const goRunner = new DockerGoRunner(toolImage, containerMounts({ ...layout.dirs, outputDir: undefined }, TOOL_CACHE_KEY), goEnv, server.goVersion)
    const linking = { package: inputs.package, platforms: inputs.platforms, tagFlags: tagFlagsOf(inputs.buildArgs) }
    const alignment = await alignPlugin(goRunner, { mode: inputs.align, pluginDir: plugin.dir, scratchDir: layout.dirs.scratch, server, linking, log: core.info })
    outcome.alignment = alignment
    annotateConflicts(alignment)

    if (alignment.conflicts.length === 0) {
      // Build every platform in its image, concurrently.
      await claimOutputs(inputs.outputDir, outputNames)
      outcome.builds = await buildPlatforms(jobs, { dirs: layout.dirs, concurrency, repoDir: layout.repoDir })
      await recordOutputs(inputs.outputDir, outputNames)
      outcome.artifacts = outcome.builds.flatMap(b => (b.artifact ? [b.artifact] : []))

      // Verify: plugin.Open into a loader built like the server.
      if (inputs.verify && outcome.artifacts.length > 0) {
        outcome.verification = await verifyArtifacts({
          artifacts: outcome.builds.filter(b => b.artifact).map(b => ({ platform: b.job.platform, path: b.job.outputPath })),
          imageFor: p => jobs.find(j => j.platform.id === p.id)?.image ?? toolImage,
          serverModules: alignment.serverModules,
          serverGoVersion: server.goVersion,
          plugin: { dir: plugin.dir, package: inputs.package },
          symbols: inputs.verifySymbols,
          dirs: layout.dirs,
          goEnv,
          concurrency,
          log: (platform, line) => core.info(`[verify ${platform}] ${line}`)
        })
        annotateVerification(outcome.verification)
      }
    }

    // Upload, only when everything built and loads.
    const built = outcome.builds.length > 0 && outcome.builds.every(b => b.ok)
    if (!shipping.upload) outcome.uploadNote = shipping.reason
    else if (!built || !isCompatible(outcome)) outcome.uploadNote = 'not uploading: the build or the compatibility check failed; the release was left untouched'
    else {
      const result = await uploadToRelease(api, {
        repository: ctx.repository,
        tag: shipping.tag ?? '',
        release,
        artifacts: outcome.artifacts,
        overwrite: inputs.overwrite,
        checksums: inputs.checksums,
        log: core.info
      })
      outcome.releaseUrl = result.releaseUrl
      outcome.releaseAssets = result.assets
      for (const a of outcome.artifacts) {
        const asset = result.assets.find(x => x.name === a.name)
        if (asset) Object.assign(a, { url: asset.url, upload: asset.status })
      }
    }
    if (outcome.uploadNote) core.info(outcome.uploadNote)

    // The verdict; a failed run leaves the plugin's files as they were. Then report: outputs, job summary, compat-report.json.
    const failedBuilds = outcome.builds.filter(b => !b.ok).map(b => b.job.platform.id)
    const target = `${server.owner}/${server.name} ${server.tag}`
    let verdict: string | undefined
    if (alignment.conflicts.length > 0) verdict = `go.mod cannot be aligned with ${target}: ${alignment.conflicts.map(c => c.message).join('; ')}`
    else if (failedBuilds.length > 0) verdict = `go build failed for ${failedBuilds.join(', ')}`
    else if (!isCompatible(outcome)) verdict = `the plugin is not compatible with ${target}; see the annotations and the job summary`
    if (verdict) outcome.goFilesRestored = goFiles.restore()
    await publishReport(outcome, inputs.outputDir)
    if (verdict) fail(new StepError(verdict))
  } catch (e) {
    fail(e)
    let restored = false
    try {
      restored = goFiles?.restore() ?? false
    } catch (r) {
      core.warning(`go.mod and go.sum could not be put back: ${r instanceof Error ? r.message : String(r)}`)
    }
    if (partial) {
      await publishReport({ ...partial.outcome, failure: failureMessage(e), goFilesRestored: restored, uploadNote: 'not uploading: the run failed' }, partial.outputDir).catch(
        (r: unknown) => core.debug(`the report could not be written: ${r instanceof Error ? r.message : String(r)}`)
      )
    }
  }
}
