import * as stepLog from './step-log.js'
import { loadContext } from './run/context.js'
import { preflight } from './run/preflight.js'
import { resolveServerVersions } from './server-versions/resolve.js'
import { skipExistingApplies } from './server-versions/plan.js'
import { planPlugins, preparePlugins, refuseVersions, workCells, wouldSkip } from './pipeline/plugin-plans.js'
import { planMatrix } from './server-versions/matrix.js'
import { alignVersions, buildPluginVersions, downloadVersionModules, verifyVersions } from './pipeline/run.js'
import { imageServerVersions } from './pipeline/images.js'
import { alignPluginsTogether, verifyPluginSets } from './pipeline/plugins.js'
import { checkPluginInfos } from './pipeline/info-check.js'
import { fetchVersionNeighbours } from './pipeline/plugin-sets.js'
import { planOwnModulePaths, rewriteBuildCopies } from './pipeline/module-paths.js'
import { readNeighbourLinks } from './neighbours/linked.js'
import { checkRunOutputs, checkVersionImages, createRunFolders, planRunSetup, prepareVersionRunners } from './run/plan.js'
import { uploadToRelease, uploadedAssetNames } from './release/upload.js'
import { withholdCandidates } from './release/decide.js'
import { type RunOutcome, isCompatible, isRequiredVersion, isVersionCompatible, notRequiredFailures, verdictOf } from './report/outcome.js'
import { pluginRowLine, pluginRows } from './report/plugin-report.js'
import { publishReport, publishResolution } from './report/publish.js'
import { fail, failureMessage } from './run/annotations.js'
import { type GoFilesSnapshot, snapshotGoFiles } from './plugin/module.js'
import { StepError } from './errors.js'
import { RunCaches } from './cache/store.js'
import { cacheBudget } from './cache/transfer.js'
import { goCaches } from './pipeline/cache-specs.js'
import { describeRunTimes, runTimes, stepTimes } from './clock.js'
import type { WarmUps } from './compile/warm-up.js'
import { warmUpBuildCaches } from './pipeline/warm-up.js'
import { onCancel } from './run/cancel.js'

/**
 * The pipeline: resolve the server versions (a tag, latest, latest-N, a
 * range), then for each plugin (plugin-path lists one or more) and version to
 * build: its release and binaries, the other plugins the server runs beside
 * it (with-plugins), which plugins build from a copy under a module path of
 * their own (a plugin path another has too), align the plugin's go.mod (the
 * workspace's with the newest, a copy per other version; then one version of
 * what several plugins, or a plugin and a neighbour, link and the server does
 * not), build every platform in the server's images
 * in one pool, verify each .so against every version's release binary (or a
 * stand-in loader) and each platform's set of plugins in the server's load
 * order, the server image with all of them, upload, report. Every input is
 * checked before anything is written, and a run that fails puts the plugins'
 * go.mod and go.sum back as they were. Caches (server binaries, modules, a
 * build cache per platform and Go version) are restored before the step that
 * fills them and saved by the post step (src/post.ts).
 */
export async function run(): Promise<void> {
  // Once the server versions are known, even a failing run reports what it learnt.
  let partial: { outcome: RunOutcome; outputDir: string } | undefined
  let goFiles: GoFilesSnapshot | undefined
  let warmUps: WarmUps | undefined
  let forgetOnCancel: (() => void) | undefined
  try {
    // Inputs, parsed and validated once; then every check that needs no writes.
    const ctx = loadContext()
    const { inputs } = ctx
    const { shipping, plugins, api, release, required } = await preflight(ctx)

    // The server versions, resolved first and printed, each with its GO_VERSION and go.mod (a ref: pinned to its commit; server-source local: from disk).
    const releases = await resolveServerVersions(api, { server: inputs.server, request: inputs.serverVersion, source: inputs.serverSource, includePrereleases: inputs.includePrereleases, log: stepLog })
    // Candidates (ref:, local) upload only to an explicit release-tag.
    const { withheld, note: withheldNote } = withholdCandidates(shipping, inputs.releaseTag, releases.filter(r => r.origin.kind !== 'release').map(r => r.tag))
    // Their file names, and which the release has complete already (skip-existing).
    const skipExisting = release && skipExistingApplies(inputs.skipExisting, shipping.upload, inputs.overwrite)
    const planning = { plugins, releases, naming: { platforms: inputs.platforms, assetName: inputs.assetName }, request: inputs.serverVersion.text, workspace: ctx.workspace }
    // A skip rests on bytes, not names: the assets a skip would rest on are checked against their digests.
    const split = inputs.resolveOnly ? inputs.matrixSplit : undefined
    const existing = skipExisting ? { tag: release.tag_name, names: await uploadedAssetNames(api, ctx.repository, release, wouldSkip(planning, release.tag_name, split), stepLog.info), withheld } : undefined
    const { perPlugin, outcome } = planPlugins(planning, existing)
    outcome.required = required
    // A plan job: the versions, and the jobs of a matrix (matrix-split) with what each builds.
    if (split) return await publishResolution(outcome.request, perPlugin[0].outcome.versions, { split, ...planMatrix({ split, cells: workCells(planning), existing: existing?.names }) })

    // Per plugin and version to build: the release binaries (the truth about its Go and modules, read once per
    // version) and its build plan; file names and build images checked before anything is written.
    const caches = new RunCaches(inputs.cache, cacheBudget(inputs.cacheTimeout))
    const setup = planRunSetup(ctx)
    const groups = await preparePlugins(api, perPlugin, { ctx, setup, caches, required })
    checkRunOutputs(inputs.outputDir, groups.flatMap(g => g.runs.map(r => r.build)))
    // A version whose build images cannot be had is refused, with why (one of several; the others go on).
    refuseVersions(groups, await checkVersionImages(setup, groups.flatMap(g => g.runs.map(r => ({ plan: r.build, goVersion: r.server.build.goVersion })))))
    const runs = groups.flatMap(g => g.runs)
    // The other plugins the server runs beside this run's (with-plugins), each platform's file, before anything is built;
    // what each links and its plugin path, from its build info.
    const neighbours = await fetchVersionNeighbours(api, runs, ctx)
    const neighbourLinks = await readNeighbourLinks(neighbours, line => stepLog.info(`[with-plugins] ${line}`))
    // A plugin path another plugin or a neighbour has too (rewrite-module-paths): that plugin builds from a copy under a module path of its own.
    const renames = planOwnModulePaths(groups, neighbourLinks, inputs.rewriteModulePaths)
    if (renames.size > 0) outcome.builtAs = [...renames].map(([plugin, r]) => ({ plugin, modulePath: r.to, pluginPath: r.pluginPath, why: r.why }))
    // How Go runs per version (builder): its build images, or its exact Go installed natively.
    await prepareVersionRunners(ctx, setup, runs.map(r => ({ build: r.build, goVersion: r.server.build.goVersion })))
    partial = { outcome, outputDir: inputs.outputDir }

    if (runs.length > 0) {
      await createRunFolders(setup, runs.map(r => r.build))
      await caches.restore(await goCaches(runs, setup, plugins.length === 1 ? plugins[0] : plugins))
      // Meanwhile, each platform's standard library into its build cache (it depends on no go.mod): the builds find it compiled.
      warmUps = warmUpBuildCaches(groups)

      // Align: each plugin's go.mod with the newest version, a copy of it per other version; then per version,
      // one version of every module several plugins link and the server does not.
      const snapshots = plugins.map(p => snapshotGoFiles(p.dir))
      goFiles = { restore: () => snapshots.map(x => x.restore()).includes(true) }
      // A cancelled job (SIGINT, SIGTERM) puts them back too, once what it started has stopped (src/run/cancel.ts).
      const files = goFiles
      forgetOnCancel = onCancel(() => {
        files.restore()
        return 'go.mod and go.sum as they were before the run'
      })
      for (const g of groups) await alignVersions(g.runs, g.rc)
      const unmatched = await alignPluginsTogether(groups, neighbourLinks)
      // Copies that build under a module path of their own: rewritten now, the workspace's go.mod aligned as without them.
      rewriteBuildCopies(groups)

      // Modules once per version, before the builds (unless the cache brought them all); then every platform
      // of every version (and plugin) in its images, concurrently, sharing the caches.
      for (const g of groups) await downloadVersionModules(g.runs, g.rc)
      await buildPluginVersions(groups, warmUps)

      // Verify: each version judges every .so (its release binary, else the stand-in loader); the table across versions.
      outcome.compatibility = []
      for (const g of groups) outcome.compatibility.push(...(await verifyVersions(g.runs, g.rc)))
      // Per version and platform, every .so in one plugin folder (with-plugins too), in the server's load order.
      const sets = await verifyPluginSets(groups, neighbours, unmatched)
      if (sets.length > 0) outcome.sets = sets
      // What the server checks at start beyond plugin.Open (info-function): every file in load order, in a sandboxed stand-in host, each plugin's Info read, a ModulePath present twice refused.
      await checkPluginInfos(groups, neighbours, outcome)
      // Several plugins: each one's verdict per step in the log; a plugin not required fails with a warning only.
      for (const line of pluginRows(outcome.versions, name => isRequiredVersion(outcome, { plugin: name })).map(pluginRowLine)) stepLog.info(line)
      for (const line of notRequiredFailures(outcome)) stepLog.warning(line)

      // The server image of each version with every plugin inside (and the neighbours): proven as a set against its own binary, started, pushed when shipping.
      if (isCompatible(outcome)) await imageServerVersions(groups, neighbours, shipping)
    }

    // Upload, only when every required plugin's version built and loads (a plugin not required that failed is left out,
    // a withheld candidate too); SHA256SUMS covers the whole release.
    const artifacts = outcome.versions.filter(v => isVersionCompatible(v) && !withheld.includes(v.server.tag)).flatMap(v => v.artifacts)
    if (!shipping.upload) outcome.uploadNote = shipping.reason
    // Every version a withheld candidate: the release is not touched.
    else if (withheldNote && outcome.versions.every(v => withheld.includes(v.server.tag))) outcome.uploadNote = withheldNote
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
      if (withheldNote) outcome.uploadNote = withheldNote
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
    forgetOnCancel?.()
    await warmUps?.stop()
    stepLog.info(describeRunTimes(runTimes(), stepTimes()))
  }
}
