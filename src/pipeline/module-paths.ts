/**
 * rewrite-module-paths in the pipeline (plugin/own-module-path.ts). Which
 * plugins build under a module path of their own is decided once the
 * neighbours' files are read (their plugin paths), before Go runs: every
 * version of such a plugin then builds from a copy of its folder, mounted
 * where the folder is (the newest version's copy is aligned in the
 * workspace's place, its go.mod and go.sum written back: the user's files get
 * the alignment they would get anyway, nothing else). After alignment, just
 * before the builds, each copy's module path and imports are rewritten.
 */
import * as stepLog from '../step-log.js'
import * as path from 'node:path'
import { rewriteBuildCopy, writeBackGoFiles } from '../plugin/build-copy.js'
import { type ModulePathRewrite, type ModuleRename, planModulePaths } from '../plugin/own-module-path.js'
import { planVersionBuild } from '../run/plan.js'
import type { NeighbourLinks } from '../neighbours/linked.js'
import type { PluginGroup } from './plugins.js'

/** Decides which plugins build under a module path of their own and plans their versions' builds from copies; by plugin name. */
export function planOwnModulePaths(groups: PluginGroup[], neighbours: Map<string, NeighbourLinks[]>, mode: ModulePathRewrite): Map<string, ModuleRename> {
  const neighbourPaths = [...new Set([...neighbours.values()].flat().flatMap(n => (n.pluginPath ? [n.pluginPath] : [])))]
  const renames = planModulePaths({ plugins: groups.map(g => g.rc.plugin), neighbourPaths, mode })
  for (const g of groups) {
    const { plugin } = g.rc
    const rename = renames.get(plugin.name)
    if (!rename) continue
    stepLog.info(`Plugin ${plugin.name}: built under the module path ${rename.to} (plugin path ${rename.pluginPath}) from a copy of its folder, since ${rename.why}; its own files keep ${rename.from}`)
    for (const r of g.runs) r.build = planVersionBuild(g.rc.ctx, plugin, r.server, g.rc.setup, r.plan, rename)
  }
  return renames
}

/** After alignment: the newest version's go.mod and go.sum back into the workspace, then every copy to build rewritten to its module path. */
export function rewriteBuildCopies(groups: PluginGroup[]): void {
  for (const g of groups) {
    const { plugin } = g.rc
    for (const r of g.runs) {
      const rename = r.build.rename
      if (!rename) continue
      if (r.plan.alignsWorkspace && writeBackGoFiles(r.build.pluginDir, plugin.dir, r.build.anchored)) {
        stepLog.info(`[module path ${plugin.name}] the alignment of its copy is in ${path.join(plugin.dir, 'go.mod')} and go.sum, as without the copy`)
      }
      if (r.outcome.alignment?.conflicts.length !== 0) continue
      const { files } = rewriteBuildCopy(r.build.pluginDir, rename)
      const where = g.rc.several ? ` for ${r.server.release.tag}` : ''
      stepLog.info(`[module path ${plugin.name}] its build copy${where} is module ${rename.to}: go.mod's module line, and the imports of its own packages in ${files.length} .go file${files.length === 1 ? '' : 's'}${files.length > 0 ? ` (${files.slice(0, 5).join(', ')}${files.length > 5 ? ', ...' : ''})` : ''}`)
    }
  }
}
