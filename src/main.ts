import * as core from '@actions/core'
import * as path from 'node:path'
import { loadContext } from './context.js'
import { preflight } from './preflight.js'
import { resolveServer } from './server/server.js'
import { prepareRun } from './run-plan.js'
import { templateValues } from './build/plan.js'
import { buildPlatforms } from './build/build.js'
import { DockerGoRunner } from './go-runner.js'
import { TOOL_CACHE_KEY, containerMounts } from './container-layout.js'
import { alignPlugin } from './alignment/align.js'
import { tagFlagsOf } from './alignment/linked.js'
import { verifyPlatforms } from './verify/witness.js'
import { uploadToRelease } from './release/upload.js'
import { type RunOutcome, isCompatible, verdictOf } from './report/outcome.js'
import { publishReport } from './report/publish.js'
import { annotateConflicts, annotateVerification, fail, failureMessage } from './annotations.js'
import { claimOutputs, recordOutputs } from './output-dir.js'
import { type GoFilesSnapshot, snapshotGoFiles } from './plugin-module.js'
import { StepError } from './errors.js'
import { makeServerImage } from './server-image/server-image.js'

/**
 * The pipeline: resolve the server (its release, its binaries), align the
 * plugin's go.mod, build every platform in the server's images, verify each
 * .so against the server's release binary (or a stand-in loader), upload,
 * report. Every input is checked before anything is written, and a run that
 * fails puts the plugin's go.mod and go.sum back as they were.
 */
export async function run(): Promise<void> {
  // Once the server is known, even a failing run reports what it learnt.
  let partial: { outcome: RunOutcome; outputDir: string } | undefined
  let goFiles: GoFilesSnapshot | undefined
  try {
    // Inputs, parsed and validated once; then every check that needs no writes.
    const ctx = loadContext()
    const { inputs } = ctx
    const { shipping, plugin, api, release } = await preflight(ctx)

    // The server: its release (GO_VERSION, go.mod) and its release binaries, the truth about its build.
    const server = await resolveServer(api, {
      server: inputs.server,
      version: inputs.serverVersion,
      binary: inputs.serverBinary,
      platforms: inputs.platforms,
      token: inputs.token,
      valuesFor: (r, p) => templateValues(r, p, plugin.name),
      log: core.info
    })
    const { build: serverBuild } = server
    core.info(`Server ${server.release.owner}/${server.release.name} ${server.release.tag}: Go ${serverBuild.goVersion} (from ${serverBuild.goVersionSource})`)
    for (const note of serverBuild.notes) core.warning(note)
    const plan = await prepareRun(ctx, plugin, server)
    const outcome: RunOutcome = { server: server.release, serverBuild, builds: [], verification: [], artifacts: [] }
    partial = { outcome, outputDir: inputs.outputDir }

    // Align the plugin's go.mod with what the server links.
    goFiles = snapshotGoFiles(plugin.dir)
    const goRunner = new DockerGoRunner(plan.toolImage, containerMounts({ ...plan.layout.dirs, outputDir: undefined }, TOOL_CACHE_KEY), plan.goEnv, serverBuild.goVersion)
    const alignment = await alignPlugin(goRunner, {
      mode: inputs.align,
      pluginDir: plugin.dir,
      scratchDir: plan.layout.dirs.scratch,
      server: { goMod: server.release.goMod, goVersion: serverBuild.goVersion, modules: serverBuild.modules },
      linking: { package: inputs.package, platforms: inputs.platforms, tagFlags: tagFlagsOf(inputs.buildArgs) },
      log: core.info
    })
    outcome.alignment = alignment
    annotateConflicts(alignment)

    if (alignment.conflicts.length === 0) {
      // Build every platform in its image, concurrently.
      await claimOutputs(inputs.outputDir, plan.outputNames)
      outcome.builds = await buildPlatforms(plan.jobs, { dirs: plan.layout.dirs, concurrency: plan.concurrency, repoDir: plan.layout.repoDir })
      await recordOutputs(inputs.outputDir, plan.outputNames)
      outcome.artifacts = outcome.builds.flatMap(b => (b.artifact ? [b.artifact] : []))

      // Verify each .so against the server's release binary, or the stand-in loader.
      if (inputs.verify && outcome.artifacts.length > 0) {
        outcome.verification = await verifyPlatforms({
          artifacts: outcome.builds.filter(b => b.artifact).map(b => ({ platform: b.job.platform, path: b.job.outputPath })),
          witnessOf: p => {
            const b = server.binaries.get(p.id)
            return b?.found ? { kind: 'release-binary', assetName: b.assetName, facts: b.facts } : { kind: 'loader', why: b?.why ?? 'no binary' }
          },
          symbols: inputs.verifySymbols,
          loader: {
            imageFor: p => plan.jobs.find(j => j.platform.id === p.id)?.image ?? plan.toolImage,
            serverModules: alignment.serverModules,
            serverGoVersion: serverBuild.goVersion,
            plugin: { dir: plugin.dir, package: inputs.package },
            dirs: plan.layout.dirs,
            goEnv: plan.goEnv,
            concurrency: plan.concurrency
          },
          log: (platform, line) => core.info(`[verify ${platform}] ${line}`)
        })
        annotateVerification(outcome.verification)
      }
    }

    // The server image with the plugin inside: proven against its own binary, started, pushed when shipping (issue 11).
    const imageSettings = inputs.serverImage
    if (imageSettings.image && isCompatible(outcome) && outcome.artifacts.length > 0) {
      outcome.serverImage = await makeServerImage({
        settings: { ...imageSettings, image: imageSettings.image },
        artifacts: outcome.builds.filter(b => b.artifact).map(b => ({ platform: b.job.platform, path: b.job.outputPath })),
        plugin: { name: plugin.name, modulePath: plugin.modulePath },
        symbols: inputs.verifySymbols,
        valuesFor: p => templateValues(server.release, p, plugin.name),
        shipping: { upload: shipping.upload, reason: shipping.reason },
        workDir: path.join(plan.layout.dirs.scratch, 'server-image'),
        log: core.info
      })
      if (outcome.serverImage.failure) throw new StepError(outcome.serverImage.failure)
    }

    // Upload, only when everything built and loads.
    if (!shipping.upload) outcome.uploadNote = shipping.reason
    else if (!isCompatible(outcome)) outcome.uploadNote = 'not uploading: the build or the compatibility check failed; the release was left untouched'
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

    // The verdict (a failed run leaves the plugin's files as they were); then outputs, job summary, compat-report.json.
    const verdict = verdictOf(outcome)
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
