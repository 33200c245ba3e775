/**
 * The Info check per server version (input info-function): the plugin folder
 * the server would start with on one platform this runner can run (this
 * run's files that loaded on their own, and the with-plugins neighbours of
 * that platform), opened by the stand-in host (src/verify/info-host.ts). Each
 * plugin's Info goes to its version's report; refusals to the set of that
 * platform (a duplicate unique value fails it, in gotify's words), or to the
 * plugin's own verdict when it is its own fault (its info function panics).
 */
import * as stepLog from '../step-log.js'
import { stepBegins } from '../clock.js'
import type { RunOutcome } from '../report/outcome.js'
import { runInfoHost } from '../verify/info-host.js'
import { pluginInfoOutcomes } from '../verify/plugin-info.js'
import { type SetNeighbour, withInfoCheck } from '../verify/set-step.js'
import type { PluginGroup } from './plugins.js'
import { type VersionRun, witnessOf } from './run.js'

export async function checkPluginInfos(groups: PluginGroup[], neighbours: Map<string, SetNeighbour[]>, outcome: RunOutcome): Promise<void> {
  const { inputs } = groups[0].rc.ctx
  const settings = inputs.pluginInfo
  if (!inputs.verify || !settings) return
  const done = stepBegins('info')
  const tags = [...new Set(groups.flatMap(g => g.runs.map(r => r.server.release.tag)))]
  for (const tag of tags) {
    const runs = groups.flatMap(g => g.runs.filter(r => r.server.release.tag === tag).map(r => ({ r, g })))
    const first = runs.find(x => x.r.outcome.alignment && x.r.build.runners)?.r
    if (!first?.outcome.alignment || !first.build.runners) continue
    const several = tags.length > 1
    // A .so refused on its own is reported in its plugin's row, as in the set; a plugin left out of the set
    // (not in required-plugins) is not uploaded for this version, so the server never starts with it.
    const refused = (r: VersionRun, id: string): boolean => (r.outcome.leftOut?.length ?? 0) > 0 || r.outcome.verification.some(v => v.platform === id && v.status === 'failed')
    const around = neighbours.get(tag) ?? []
    const candidates = inputs.platforms.map(platform => ({
      platform,
      files: [
        ...runs.flatMap(({ r, g }) =>
          refused(r, platform.id) ? [] : r.outcome.builds.flatMap(b => (b.artifact && b.job.platform.id === platform.id ? [{ file: b.artifact.name, path: b.job.outputPath, plugin: g.rc.plugin.name, pluginPath: g.rc.plugin.pluginPath }] : []))
        ),
        ...around.filter(n => n.platform === platform.id).map(n => ({ file: n.name, path: n.path }))
      ]
    }))
    if (candidates.every(c => c.files.length === 0)) continue
    const label = `[info ${settings.function}${several ? ` ${tag}` : ''}]`
    const check = await runInfoHost({
      serverVersion: tag,
      candidates,
      runnerFor: first.build.runners.forPlatform,
      serverModules: first.outcome.alignment.serverModules,
      serverGoVersion: first.server.build.goVersion,
      serverFlags: first.server.build.flags,
      dirs: first.build.dirs,
      goEnv: first.build.goEnv,
      settings,
      symbols: inputs.verifySymbols,
      witnessed: p => witnessOf(first, p).kind === 'release-binary',
      log: line => stepLog.info(`${label} ${line}`)
    })
    outcome.infoChecks = [...(outcome.infoChecks ?? []), check]
    const own = pluginInfoOutcomes(check)
    for (const { r } of runs) {
      const mine = r.outcome.artifacts.map(a => own.get(a.name)).find(x => x !== undefined)
      if (mine) r.outcome.info = mine
    }
    const warnOnly = (file: string): boolean => around.some(n => n.name === file && n.onConflict === 'warn')
    if (outcome.sets) outcome.sets = outcome.sets.map(s => (s.serverVersion === tag ? withInfoCheck(s, check, warnOnly) : s))
    for (const w of check.warnings) stepLog.warning(`${label} ${w}`)
    if (check.status === 'not-verified') stepLog.warning(`${label} the Info check did not run for ${tag}: ${check.detail}`)
    else if (check.failure) {
      const line = `The server ${tag} does not start with these plugins (${check.platform}): ${check.failure.message}`
      if (check.members.some(m => m.reason && !warnOnly(m.file) && !(m.duplicateOf && warnOnly(m.duplicateOf)))) stepLog.error(line)
      else stepLog.warning(line)
    }
  }
  done()
}
