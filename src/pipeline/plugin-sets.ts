/**
 * The plugins a server runs beside this run's (input with-plugins): each
 * server version's neighbour files fetched per platform before anything is
 * built, as the set step (src/verify/set-step.ts) takes them.
 */
import * as stepLog from '../step-log.js'
import * as path from 'node:path'
import { templateValues } from '../compile/plan.js'
import { InputError } from '../errors.js'
import type { GitHubApi } from '../github/api.js'
import { fetchNeighbours } from '../neighbours/fetch.js'
import type { ActionContext } from '../run/context.js'
import type { SetNeighbour } from '../verify/set-step.js'
import type { VersionRun } from './run.js'

/** Per server version (tag), its neighbours on every platform; a neighbour that cannot be had stops the run before the builds. */
export async function fetchVersionNeighbours(api: GitHubApi, runs: VersionRun[], ctx: ActionContext): Promise<Map<string, SetNeighbour[]>> {
  const { inputs } = ctx
  const out = new Map<string, SetNeighbour[]>()
  if (inputs.withPlugins.length === 0) return out
  const several = new Set(runs.map(r => r.server.release.tag)).size > 1
  for (const r of runs) {
    const tag = r.server.release.tag
    if (out.has(tag)) continue
    const platforms = await fetchNeighbours(inputs.withPlugins, inputs.platforms, {
      api,
      token: inputs.token,
      workspace: ctx.workspace,
      tempDir: path.join(ctx.runnerTemp, 'go-plugin-build', 'neighbours'),
      valuesFor: p => templateValues(r.server.release, p, ''),
      log: line => stepLog.info(several ? `[with-plugins ${tag}] ${line}` : `[with-plugins] ${line}`)
    })
    const neighbours = platforms.flatMap(n => {
      for (const m of n.missing) stepLog.info(`[with-plugins ${n.platform.id}] ${m.entry.text}: left out of the set: ${m.why}`)
      return n.files.map(f => ({ platform: n.platform.id, name: f.fileName, path: f.path, onConflict: f.entry.onConflict, origin: f.origin }))
    })
    // One folder cannot hold two files of one name, and the set proof goes by names.
    for (const job of runs.filter(x => x.server.release.tag === tag).flatMap(x => x.build.jobs)) {
      const clash = neighbours.find(n => n.platform === job.platform.id && n.name === job.assetName)
      if (clash) throw new InputError('with-plugins', `${clash.origin} has the name of a file this run builds, ${job.assetName} (${tag})`, "other plugins' files, named unlike this run's asset-name")
    }
    out.set(tag, neighbours)
  }
  return out
}
