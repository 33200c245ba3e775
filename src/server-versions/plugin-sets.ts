/**
 * The plugins a server runs beside this one (input with-plugins): each
 * version's neighbour files fetched per platform before anything is built,
 * then each built platform's set (its own .so under its asset name, which is
 * its file name in the server's plugin folder, and the neighbours) proven in
 * the server's load order.
 */
import * as core from '@actions/core'
import * as path from 'node:path'
import { templateValues } from '../compile/plan.js'
import { InputError } from '../errors.js'
import type { GitHubApi } from '../github/api.js'
import { fetchNeighbours } from '../neighbours/fetch.js'
import { type SetRequest, proveSets } from '../verify/set-witness.js'
import { type RunContext, type VersionRun, witnessOf } from './run.js'

/** Each version's neighbour files, per platform; a neighbour that cannot be had stops the run before the builds. */
export async function fetchVersionNeighbours(api: GitHubApi, runs: VersionRun[], rc: RunContext): Promise<void> {
  const { inputs } = rc.ctx
  if (inputs.withPlugins.length === 0) return
  for (const r of runs) {
    const tag = r.server.release.tag
    r.neighbours = await fetchNeighbours(inputs.withPlugins, inputs.platforms, {
      api,
      token: inputs.token,
      workspace: rc.ctx.workspace,
      tempDir: path.join(rc.ctx.runnerTemp, 'go-plugin-build', 'neighbours'),
      valuesFor: p => templateValues(r.server.release, p, rc.plugin.name),
      log: line => core.info(rc.several ? `[with-plugins ${tag}] ${line}` : `[with-plugins] ${line}`)
    })
    // One folder cannot hold two files of one name, and the proof goes by names.
    for (const job of r.build.jobs) {
      const clash = r.neighbours.find(n => n.platform.id === job.platform.id)?.files.find(f => f.fileName === job.assetName)
      if (clash) throw new InputError('with-plugins', `${clash.origin} has the name of this plugin's own file ${job.assetName} (${tag})`, 'other plugins whose files are named unlike this plugin\'s asset-name')
    }
  }
}

/** Per version and built platform, the set with its neighbours; none without neighbours (the one-file proof says it all). */
export async function proveVersionSets(runs: VersionRun[], rc: RunContext): Promise<void> {
  for (const r of runs) {
    if (!r.neighbours) continue
    const sets: SetRequest[] = []
    for (const b of r.outcome.builds) {
      const n = r.neighbours.find(x => x.platform.id === b.job.platform.id)
      if (!b.artifact || !n) continue
      sets.push({
        platform: b.job.platform,
        files: [
          { name: b.artifact.name, path: b.job.outputPath, own: true, onConflict: 'fail' },
          ...n.files.map(f => ({ name: f.fileName, path: f.path, own: false, onConflict: f.entry.onConflict, origin: f.origin }))
        ],
        missing: n.missing.map(m => `${m.entry.text}: ${m.why}`)
      })
    }
    const tag = r.server.release.tag
    r.outcome.sets = await proveSets({
      sets,
      witnessOf: p => witnessOf(r, p),
      symbols: rc.ctx.inputs.verifySymbols,
      log: (platform, line) => core.info(`[${rc.several ? `verify ${tag}` : 'verify'} ${platform}] ${line}`)
    })
    for (const s of r.outcome.sets) {
      if (s.status === 'failed') core.error(`${s.platform}: the plugins do not load together: ${s.detail}`)
      for (const w of s.warnings) core.warning(`${s.platform}: ${w}`)
    }
  }
}
