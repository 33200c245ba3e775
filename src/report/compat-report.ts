/**
 * compat-report.json: what the run learnt, for tools and for the plugin's
 * users. Each server version's entry has the shape a one-version run has at
 * the top level; the top level is the newest version built (so a one-version
 * report reads as before), `versions` holds every selected version, and
 * `compatibility` the table of every .so against every version built. It
 * holds everything the job summary shows and what its size cap leaves out
 * (go.mod diffs, every table's rows). Pure.
 */
import type { SharedModule } from '../alignment/plan.js'
import type { VerifyResult } from '../verify/witness.js'
import { type RunOutcome, type VersionOutcome, isCompatible, isRequiredVersion, isVersionCompatible, primaryVersion, serverGoVersion, serverGoVersionSource, versionVerdict } from './outcome.js'
import { serverImageReport } from '../server-image/result.js'
import { pluginRows } from './plugin-report.js'

const moduleEntry = (s: SharedModule): object => ({ path: s.path, plugin: s.plugin, server: s.server, ...(s.replace !== undefined ? { replace: s.replace } : {}) })

const verificationEntry = (v: VerifyResult): object => ({
  status: v.status,
  witness: v.witness,
  method: v.method,
  detail: v.detail,
  ...(v.differing ? { differing: v.differing } : {}),
  ...(v.missingSymbols && v.missingSymbols.length > 0 ? { missingSymbols: v.missingSymbols } : {}),
  ...(v.goVersions ? { goVersions: v.goVersions } : {}),
  glibc: v.glibc,
  warnings: v.warnings
})

export function versionEntry(o: VersionOutcome): object {
  return {
    ...(o.plugin !== undefined ? { plugin: o.plugin } : {}),
    // A candidate (ref:, a local checkout) says which commit it was.
    server: { repository: `${o.server.owner}/${o.server.name}`, tag: o.server.tag, ...(o.server.origin.kind !== 'release' ? { origin: o.server.origin } : {}) },
    status: o.skipped ? 'skipped' : o.refused !== undefined ? 'refused' : 'built',
    ...(o.skipped ? { skipped: o.skipped } : {}),
    ...(o.refused !== undefined ? { refused: o.refused } : {}),
    goVersion: serverGoVersion(o),
    goVersionSource: serverGoVersionSource(o),
    ...(o.serverBuild && o.serverBuild.notes.length > 0 ? { serverNotes: o.serverBuild.notes } : {}),
    goModAligned: o.skipped || o.refused !== undefined ? 'none' : o.alignsWorkspace ? 'workspace' : 'copy',
    align: o.alignment?.mode,
    // Linked shared modules decide loading; the others are listed apart.
    shared: (o.alignment?.shared ?? []).filter(s => s.linked).map(moduleEntry),
    sharedNotLinked: (o.alignment?.shared ?? []).filter(s => !s.linked).map(moduleEntry),
    changes: o.alignment?.changes ?? [],
    // The summary may leave it out (its size cap): here it always is.
    ...(o.alignment && o.alignment.diff !== '' ? { goModDiff: o.alignment.diff } : {}),
    conflicts: (o.alignment?.conflicts ?? []).map(c => ({ module: c.path, server: c.server, plugin: c.plugin, chain: c.chain, cause: c.message })),
    platforms: o.builds.map(b => {
      const v = o.verification.find(x => x.platform === b.job.platform.id)
      return {
        platform: b.job.platform.id,
        // The build image (Docker builder), or the native Go and C compiler.
        builtIn: b.builtIn ?? b.job.image,
        ...(b.builtIn === undefined || b.builtIn === b.job.image ? { image: b.job.image } : {}),
        ...(b.glibc ? { glibc: b.glibc } : {}),
        built: b.ok,
        buildSeconds: Number(b.seconds.toFixed(1)),
        ...(b.artifact ? { file: b.artifact.name } : {}),
        verification: v ? verificationEntry(v) : { status: 'skipped' }
      }
    }),
    ...(o.serverImage ? { serverImage: serverImageReport(o.serverImage) } : {}),
    ...(o.info ? { info: o.info } : {}),
    compatible: isVersionCompatible(o),
    // Why not, in one line (the cross-version table of a plugin users read per tag).
    ...(isVersionCompatible(o) ? {} : { refusal: versionVerdict(o) })
  }
}

export function compatReport(o: RunOutcome): object {
  const primary = primaryVersion(o)
  return {
    ...(o.pluginPath ? { pluginPath: o.pluginPath } : {}),
    ...(primary ? versionEntry(primary) : {}),
    serverVersions: [...new Set(o.versions.map(v => v.server.tag))],
    ...(o.plugins ? { plugins: o.plugins } : {}),
    ...(o.builtAs ? { builtAs: o.builtAs } : {}),
    // Several plugins: each plugin's verdict per step and server version, and which must pass.
    ...(o.plugins ? { requiredPlugins: o.plugins.map(p => p.name).filter(name => isRequiredVersion(o, { plugin: name })), pluginReport: pluginRows(o.versions, name => isRequiredVersion(o, { plugin: name })) } : {}),
    ...(o.sets ? { sets: o.sets } : {}),
    // Per server version, every file of the plugin folder with what its info function returned (info-function).
    ...(o.infoChecks ? { infoChecks: o.infoChecks } : {}),
    versions: o.versions.map(versionEntry),
    compatibility: o.compatibility.map(r => ({
      ...(o.plugins ? { plugin: o.versions.find(v => v.artifacts.some(a => a.name === r.artifact))?.plugin } : {}),
      file: r.artifact,
      platform: r.platform,
      builtFor: r.builtFor,
      alsoLoadsInto: r.alsoLoadsInto,
      servers: r.checks.map(c => ({ serverVersion: c.serverVersion, status: c.status, witness: c.witness, ...(c.firstDifference ? { firstDifference: c.firstDifference } : {}), detail: c.detail }))
    })),
    ...(o.releaseUrl ? { release: { url: o.releaseUrl, assets: o.releaseAssets ?? [] } } : {}),
    ...(o.uploadNote ? { uploadNote: o.uploadNote } : {}),
    ...(o.failure ? { failure: o.failure } : {}),
    compatible: isCompatible(o)
  }
}
