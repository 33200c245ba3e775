/**
 * What the run builds, per plugin (plugin-path lists one or more folders):
 * each plugin's server versions planned with its own file names (and
 * skip-existing), one outcome for the whole run, then each plugin's versions
 * prepared (release binaries read once per version, shared by the plugins).
 */
import * as path from 'node:path'
import type { GitHubApi } from '../github/api.js'
import type { PluginModule } from '../plugin/module.js'
import { type RunOutcome, plannedOutcome } from '../report/outcome.js'
import type { RunCaches } from '../cache/store.js'
import type { ActionContext } from '../run/context.js'
import type { RunSetup, VersionBuildPlan } from '../run/plan.js'
import * as stepLog from '../step-log.js'
import type { Server } from '../server/server.js'
import type { ServerRelease } from '../server/release.js'
import { type VersionPlan, type VersionPlanInput, planServerVersions, skippedAssetNames } from '../server-versions/plan.js'
import { type MatrixCell, type MatrixSplit, matrixCells, matrixSkipNames } from '../server-versions/matrix.js'
import { type PluginGroup, pluginContext } from './plugins.js'
import { type RunContext, prepareVersions } from './run.js'

export interface PluginPlans {
  plugin: PluginModule
  plans: VersionPlan[]
  outcome: RunOutcome
}

export interface PluginPlanInput {
  plugins: PluginModule[]
  releases: ServerRelease[]
  naming: Omit<VersionPlanInput, 'releases' | 'pluginName' | 'existing'>
  /** server-version as given. */
  request: string
  workspace: string
}

const planOf = (i: PluginPlanInput, pluginName: string, existing?: VersionPlanInput['existing']): VersionPlan[] =>
  planServerVersions({ ...i.naming, releases: i.releases, pluginName, existing })

/** The asset names a skip would rest on, for every plugin, given the names on the release (a plan job's matrix: its split's too). */
export function wouldSkip(i: PluginPlanInput, tag: string, split?: MatrixSplit): (names: Set<string>) => Set<string> {
  return names =>
    new Set([...i.plugins.flatMap(p => [...skippedAssetNames(planOf(i, p.name, { tag, names }))]), ...(split ? matrixSkipNames(split, workCells(i), names) : [])])
}

/** Every server version and platform of the run, with each plugin's file: what a matrix splits. */
export function workCells(i: PluginPlanInput): MatrixCell[] {
  return matrixCells(i.plugins.map(p => planOf(i, p.name)))
}

/** Each plugin's version plans, and the run's outcome before anything ran (every plugin's versions). */
export function planPlugins(i: PluginPlanInput, existing?: VersionPlanInput['existing']): { perPlugin: PluginPlans[]; outcome: RunOutcome } {
  const several = i.plugins.length > 1
  const perPlugin = i.plugins.map((plugin, k) => {
    const plans = planOf(i, plugin.name, existing)
    // Each plugin's versions have folders of their own.
    if (several) for (const p of plans) p.key = `plugin-${k + 1}-${p.key}`
    for (const p of plans.filter(x => x.skip)) stepLog.info(`${several ? `${plugin.name} ` : ''}${p.release.tag}: not built: ${p.skip}`)
    const outcome = plannedOutcome(i.request, plans)
    if (several) for (const v of outcome.versions) v.plugin = plugin.name
    return { plugin, plans, outcome }
  })
  const outcome: RunOutcome = { ...perPlugin[0].outcome, versions: perPlugin.flatMap(x => x.outcome.versions), pluginPath: i.plugins[0].pluginPath }
  if (several) outcome.plugins = i.plugins.map(p => ({ name: p.name, path: path.relative(i.workspace, p.dir) || '.', modulePath: p.modulePath, pluginPath: p.pluginPath }))
  return { perPlugin, outcome }
}

/** Per plugin, its versions to build prepared: release binaries (read once per version) and build plans. */
export async function preparePlugins(api: GitHubApi, perPlugin: PluginPlans[], o: { ctx: ActionContext; setup: RunSetup; caches: RunCaches; required?: string[] }): Promise<PluginGroup[]> {
  const several = perPlugin.length > 1
  const servers = new Map<string, Server>()
  const groups: PluginGroup[] = []
  for (const { plugin, plans, outcome } of perPlugin) {
    const toBuild = plans.flatMap((plan, i) => (plan.skip || plan.release.cannotServe !== undefined ? [] : [{ plan, outcome: outcome.versions[i] }]))
    const own = several ? pluginContext(o.ctx, o.setup, plugin) : { ctx: o.ctx, setup: o.setup }
    const rc: RunContext = { ctx: own.ctx, plugin, setup: own.setup, several: toBuild.length > 1, caches: o.caches, servers, ...(several ? { label: plugin.name } : {}), ...(o.required && !o.required.includes(plugin.name) ? { notRequired: true } : {}) }
    groups.push({ rc, runs: await prepareVersions(api, rc, toBuild) })
  }
  return groups
}

/** Versions whose build cannot go on (their images cannot be had) leave the run, refused with why; the others go on. */
export function refuseVersions(groups: PluginGroup[], refused: Map<VersionBuildPlan, string>): void {
  for (const g of groups) {
    for (const r of g.runs.filter(x => refused.has(x.build))) {
      r.outcome.refused = refused.get(r.build)
      stepLog.warning(`${g.rc.label ? `${g.rc.label} ` : ''}${r.server.release.tag}: not built: ${r.outcome.refused}`)
    }
    g.runs = g.runs.filter(x => !refused.has(x.build))
  }
}
