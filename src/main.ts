import * as stepLog from './run/step-log.js'
import { loadContext } from './run/context.js'
import { preflight } from './run/preflight.js'
import { resolveServerVersions } from './server-versions/resolve.js'
import { planServerVersions, skipExistingApplies, skippedAssetNames } from './server-versions/plan.js'
import { alignVersions, buildVersions, downloadVersionModules, imageVersions, prepareVersions, verifyVersions } from './server-versions/run.js'
import { checkRunOutputs, checkVersionImages, createRunFolders, planRunSetup, prepareVersionRunners } from './run/plan.js'
import { uploadToRelease, uploadedAssetNames } from './release/upload.js'
import { type RunOutcome, isCompatible, plannedOutcome, verdictOf } from './report/outcome.js'
import { publishReport, publishResolution } from './report/publish.js'
import { fail, failureMessage } from './run/annotations.js'
import { type GoFilesSnapshot, snapshotGoFiles } from './plugin/module.js'
import { StepError } from './errors.js'
import { RunCaches } from './cache/store.js'
import { cacheBudget } from './cache/transfer.js'
import { goCaches } from './cache/specs.js'
import { describeRunTimes, runTimes } from './run/clock.js'

/**
 * The pipeline: resolve the server versions (a tag, latest, latest-N, a
 * range), then for each one to build: its release and binaries, align the
 * plugin's go.mod (the workspace's with the newest, a copy per other
 * version), build every platform in the server's images, verify each .so
 * against every version's release binary (or a stand-in loader), upload,
 * report. Every input is checked before anything is written, and a run that
 * fails puts the plugin's go.mod and go.sum back as they were. Caches (server
 * binaries, modules, a build cache per platform and Go version) are restored
 * before the step that fills them and saved by the post step (src/post.ts).
 */
export async function run(): Promise<void> {
  // Once the server versions are known, even a failing run reports what it learnt.
  let partial: { outcome: RunOutcome; outputDir: string } | undefined
  let goFiles: GoFilesSnapshot | undefined
  try {
    // Inputs, parsed and validated once; then every check that needs no writes.
    const ctx = loadContext()
    const { inputs } = ctx
    const { shipping, plugin, api, release } = await preflight(ctx)

    // The server versions, resolved first and printed, each with its GO_VERSION and go.mod.
    const releases = await resolveServerVersions(api, { server: inputs.server, request: inputs.serverVersion, includePrereleases: inputs.includePrereleases, log: stepLog })
    // Their file names, and which the release has complete already (skip-existing).
    const skipExisting = release && skipExistingApplies(inputs.skipExisting, shipping.upload, inputs.overwrite)
    const naming = { releases, platforms: inputs.platforms, assetName: inputs.assetName, pluginName: plugin.name }
    // A skip rests on bytes, not names: the assets a skip would rest on are checked against their digests.
    const wouldSkip = (names: Set<string>): Set<string> => skippedAssetNames(planServerVersions({ ...naming, existing: { tag: release?.tag_name ?? '', names } }))
    const existing = skipExisting ? { tag: release.tag_name, names: await uploadedAssetNames(api, ctx.repository, release, wouldSkip, stepLog.info) } : undefined
    const plans = planServerVersions({ ...naming, existing })
    for (const p of plans.filter(x => x.skip)) stepLog.info(`${p.release.tag}: not built: ${p.skip}`)
    const outcome = plannedOutcome(inputs.serverVersion.text, plans)
    if (inputs.resolveOnly) return await publishResolution(outcome.request, outcome.versions)

    // Per version to build: its release binaries (the truth about its Go and modules) and its build plan;
    // file names and build images checked before anything is written.
    const toBuild = plans.flatMap((plan, i) => (plan.skip ? [] : [{ plan, outcome: outcome.versions[i] }]))
    const caches = new RunCaches(inputs.cache, cacheBudget(inputs.cacheTimeout))
    const rc = { ctx, plugin, setup: planRunSetup(ctx), several: toBuild.length > 1, caches }
    const runs = await prepareVersions(api, rc, toBuild)
    checkRunOutputs(inputs.outputDir, runs.map(r => r.build))
    await checkVersionImages(rc.setup, runs.map(r => ({ plan: r.build, goVersion: r.server.build.goVersion })))
    // How Go runs per version (builder): its build images, or its exact Go installed natively.
    await prepareVersionRunners(ctx, rc.setup, runs.map(r => ({ build: r.build, goVersion: r.server.build.goVersion })))
    partial = { outcome, outputDir: inputs.outputDir }

    if (runs.length > 0) {
      await createRunFolders(rc.setup, runs.map(r => r.build))
      await caches.restore(await goCaches(runs, rc.setup, plugin))

      // Align: the workspace's go.mod with the newest version, a copy of the plugin per other version.
      goFiles = snapshotGoFiles(plugin.dir)
      await alignVersions(runs, rc)

      // Modules once per version, before the builds (unless the cache brought them all); then every platform
      // of every version in its images, concurrently, sharing the caches.
      await downloadVersionModules(runs, rc)
      await buildVersions(runs, rc)

      // Verify: each version judges every .so (its release binary, else the stand-in loader); the table across versions.
      outcome.compatibility = await verifyVersions(runs, rc)

      // The server image of each version with the plugin inside: proven against its own binary, started, pushed when shipping.
      if (isCompatible(outcome)) await imageVersions(runs, rc, shipping)
    }

    // Upload, only when every version built and loads; SHA256SUMS covers the whole release.
    const artifacts = outcome.versions.flatMap(v => v.artifacts)
    if (!shipping.upload) outcome.uploadNote = shipping.reason
    else if (!isCompatible(outcome)) outcome.uploadNote = 'not uploading: the build or the compatibility check failed; the release was left untouched'
    else {
      const result = await uploadToRelease(api, {
        repository: ctx.repository,
        tag: shipping.tag ?? '',
        release,
        artifacts,
        overwrite: inputs.overwrite,
        checksums: inputs.checksums,
        log: stepLog.info
      })
      outcome.releaseUrl = result.releaseUrl
      outcome.releaseAssets = result.assets
      for (const a of artifacts) {
        const asset = result.assets.find(x => x.name === a.name)
        if (asset) Object.assign(a, { url: asset.url, upload: asset.status })
      }
    }
    if (outcome.uploadNote) stepLog.info(outcome.uploadNote)

    // The verdict (a failed run leaves the plugin's files as they were); then outputs, job summary, compat-report.json.
    const verdict = verdictOf(outcome)
    if (verdict) outcome.goFilesRestored = goFiles?.restore() ?? false
    await publishReport(outcome, inputs.outputDir)
    if (verdict) fail(new StepError(verdict))
  } catch (e) {
    fail(e)
    let restored = false
    try {
      restored = goFiles?.restore() ?? false
    } catch (r) {
      stepLog.warning(`go.mod and go.sum could not be put back: ${r instanceof Error ? r.message : String(r)}`)
    }
    if (partial) {
      await publishReport({ ...partial.outcome, failure: failureMessage(e), goFilesRestored: restored, uploadNote: 'not uploading: the run failed' }, partial.outputDir).catch(
        (r: unknown) => stepLog.debug(`the report could not be written: ${r instanceof Error ? r.message : String(r)}`)
      )
    }
  } finally {
    stepLog.info(describeRunTimes(runTimes()))
  }
}
