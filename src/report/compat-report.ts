/** compat-report.json: what the run learnt, for tools and for the plugin's users. Pure. */
import type { SharedModule } from '../alignment/plan.js'
import type { VerifyResult } from '../verify/witness.js'
import { type RunOutcome, isCompatible, serverGoVersion, serverGoVersionSource } from './outcome.js'
import { serverImageReport } from '../server-image/result.js'

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

export function compatReport(o: RunOutcome): object {
  return {
    server: { repository: `${o.server.owner}/${o.server.name}`, tag: o.server.tag },
    goVersion: serverGoVersion(o),
    goVersionSource: serverGoVersionSource(o),
    ...(o.serverBuild && o.serverBuild.notes.length > 0 ? { serverNotes: o.serverBuild.notes } : {}),
    align: o.alignment?.mode,
    // Linked shared modules decide loading; the others are listed apart.
    shared: (o.alignment?.shared ?? []).filter(s => s.linked).map(moduleEntry),
    sharedNotLinked: (o.alignment?.shared ?? []).filter(s => !s.linked).map(moduleEntry),
    changes: o.alignment?.changes ?? [],
    conflicts: (o.alignment?.conflicts ?? []).map(c => ({ module: c.path, server: c.server, plugin: c.plugin, chain: c.chain, cause: c.message })),
    platforms: o.builds.map(b => {
      const v = o.verification.find(x => x.platform === b.job.platform.id)
      return {
        platform: b.job.platform.id,
        image: b.job.image,
        built: b.ok,
        buildSeconds: Number(b.seconds.toFixed(1)),
        verification: v ? verificationEntry(v) : { status: 'skipped' }
      }
    }),
    ...(o.serverImage ? { serverImage: serverImageReport(o.serverImage) } : {}),
    compatible: isCompatible(o)
  }
}
