/**
 * Several plugins in one run (plugin-path lists several folders): the unit of
 * work is (server version x plugin). Each plugin has its own context (its
 * folder, package and name, where it sits in the containers) and its own
 * alignment per version; then per version the modules several plugins link
 * and the server does not get one version (alignment/align-across.ts); every
 * build goes into one pool (run.ts buildPluginVersions); and per version and
 * platform the set of .so files is proven as the server would load it.
 */
import * as stepLog from '../step-log.js'
import * as path from 'node:path'
import { alignAcrossPlugins } from '../alignment/align-across.js'
import type { NeighbourMismatch } from '../alignment/across-plugins.js'
import type { NeighbourLinks } from '../neighbours/linked.js'
import { tagFlagsOf } from '../alignment/linked.js'
import { IN_CONTAINER } from '../container/layout.js'
import type { PluginModule } from '../plugin/module.js'
import type { ActionContext } from '../run/context.js'
import type { RunSetup } from '../run/plan.js'
import { type SetNeighbour, type SetOutcome, verifySet } from '../verify/set-step.js'
import { type RunContext, type VersionRun, witnessOf } from './run.js'

export interface PluginGroup {
  rc: RunContext
  runs: VersionRun[]
}

/** The run's context as one plugin sees it: its folder, package and name are the inputs'; its place in the containers. */
export function pluginContext(ctx: ActionContext, setup: RunSetup, plugin: PluginModule): { ctx: ActionContext; setup: RunSetup } {
  const inputs = { ...ctx.inputs, pluginPath: plugin.dir, package: plugin.package ?? ctx.inputs.package, pluginName: plugin.name }
  // Plugins lie inside the workspace (inputs.ts), which is mounted whole: each sits at its own path below it.
  const rel = path.relative(ctx.workspace, plugin.dir)
  const parts = rel === '' ? [] : rel.split(path.sep)
  const layout = {
    ...setup.layout,
    pluginWorkdir: parts.length === 0 ? IN_CONTAINER.source : path.posix.join(IN_CONTAINER.source, ...parts),
    repoDir: parts.length === 0 ? '.' : parts.join('/')
  }
  return { ctx: { ...ctx, inputs }, setup: { ...setup, layout } }
}

/**
 * Per server version, after each plugin's alignment: one version of every
 * module two or more plugins link and the server does not, a neighbour's
 * where one links it (with-plugins files are not rebuilt). A plugin not in
 * required-plugins that keeps required ones from it is left out of the set.
 * Returns, per version, the neighbour versions the plugins could not take.
 */
export async function alignPluginsTogether(groups: PluginGroup[], neighbours: Map<string, NeighbourLinks[]> = new Map()): Promise<Map<string, NeighbourMismatch[]>> {
  const unmatched = new Map<string, NeighbourMismatch[]>()
  const tags = [...new Set(groups.flatMap(g => g.runs.map(r => r.server.release.tag)))]
  for (const tag of tags) {
    const members = groups.flatMap(g => {
      const r = g.runs.find(x => x.server.release.tag === tag)
      const a = r?.outcome.alignment
      if (!r || !a || a.conflicts.length > 0 || !r.build.runners) return []
      const { inputs } = g.rc.ctx
      return [{ name: g.rc.plugin.name, go: r.build.runners.tool, reading: r.build.runners.reading, dir: r.build.pluginDir, alignment: a, goVersion: r.server.build.goVersion, linking: { package: inputs.package, platforms: inputs.platforms, tagFlags: tagFlagsOf(inputs.buildArgs) } }]
    })
    const fixed = (neighbours.get(tag) ?? []).map(n => ({ name: n.name, linked: n.linked }))
    if (members.length + fixed.length < 2 || members.length === 0) continue
    const several = groups[0].rc.several
    const droppable = (name: string): boolean => groups.find(g => g.rc.plugin.name === name)?.rc.notRequired === true
    const { unmatched: left, dropped } = await alignAcrossPlugins(members, {
      goVersion: members[0].goVersion,
      neighbours: fixed,
      droppable,
      log: (plugin, line) => stepLog.info(`[align ${plugin}${several ? ` ${tag}` : ''}] ${line}`)
    })
    for (const d of dropped) stepLog.info(`[align ${tag}] ${d.name} is left out of the set (not in required-plugins): the required plugins are aligned without it`)
    for (const m of left) stepLog.info(`[align ${tag}] ${m.path}: the plugins keep ${m.plugins.map(p => `${p.name} ${p.version}`).join(', ')}, not ${m.neighbour}'s ${m.version}: ${m.why}`)
    if (left.length > 0) unmatched.set(tag, left)
  }
  return unmatched
}

/**
 * Per server version and platform, this run's .so files (named by their asset
 * names: their file names in the server's plugin folder) and the neighbours
 * for that platform, proven together. A plugin not in required-plugins whose
 * file takes part in a refusal is left out of the set (a warning; its files
 * are not uploaded) and the rest proven again: the required ones go on.
 */
export async function verifyPluginSets(groups: PluginGroup[], neighbours: Map<string, SetNeighbour[]>, unmatched: Map<string, NeighbourMismatch[]> = new Map()): Promise<SetOutcome[]> {
  if (groups.length < 2 && neighbours.size === 0) return []
  const { inputs } = groups[0].rc.ctx
  if (!inputs.verify) return []
  const out: SetOutcome[] = []
  const tags = [...new Set(groups.flatMap(g => g.runs.map(r => r.server.release.tag)))]
  const notRequired = new Set(groups.filter(g => g.rc.notRequired).flatMap(g => g.runs))
  for (const tag of tags) {
    const runs = groups.flatMap(g => g.runs.filter(r => r.server.release.tag === tag))
    const why = new Map((unmatched.get(tag) ?? []).map(m => [m.path, m.why]))
    for (const platform of inputs.platforms) {
      // A .so refused on its own is reported in its plugin's row: the set is the files a user would deploy.
      const refused = (r: VersionRun): boolean => groups.length > 1 && r.outcome.verification.some(v => v.platform === platform.id && v.status === 'failed')
      let files = runs.flatMap(r => (refused(r) ? [] : r.outcome.builds.flatMap(b => (b.artifact && b.job.platform.id === platform.id ? [{ name: b.artifact.name, path: b.job.outputPath, run: r }] : []))))
      if (files.length === 0) continue
      for (;;) {
        const set = await verifySet({
          serverVersion: tag,
          platform: platform.id,
          witness: witnessOf(runs[0], platform),
          files,
          neighbours: neighbours.get(tag) ?? [],
          symbols: inputs.verifySymbols,
          unmatched: why,
          log: line => stepLog.info(`[plugin set ${tag} ${platform.id}] ${line}`)
        })
        // The files that take part in a refusal: the refused ones and those they clash with.
        const involved = new Set([...(set.members ?? []).filter(m => m.status === 'refused').map(m => m.file), ...set.differing.map(d => d.with)])
        const left = set.status === 'failed' && files.some(f => !notRequired.has(f.run)) ? files.filter(f => notRequired.has(f.run) && involved.has(f.name)) : []
        if (left.length === 0) {
          if (set.status === 'failed') stepLog.error(`The plugins do not load together into ${tag} (${platform.id}): ${set.failure?.message ?? set.detail}`)
          else if (set.status === 'warned') stepLog.warning(`${tag} (${platform.id}): ${set.failure?.message ?? set.detail}`)
          out.push(set)
          break
        }
        for (const f of left) {
          const reason = set.members?.find(m => m.file === f.name && m.reason)?.reason ?? set.failure?.message ?? set.detail
          const line = `left out of the set of ${tag} (${platform.id}), not in required-plugins: ${reason}`
          f.run.outcome.leftOut = [...(f.run.outcome.leftOut ?? []), line]
          stepLog.warning(`${f.name}: ${line}`)
        }
        files = files.filter(f => !left.includes(f))
        if (files.length === 0) break
      }
    }
  }
  return out
}
