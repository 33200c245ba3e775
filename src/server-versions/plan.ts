/**
 * The plan across server versions, before anything is built: the file names
 * of each version's platforms (which must differ between versions), which
 * versions the target release already has complete (skip-existing), and
 * which version aligns the workspace's own go.mod (the newest; the others
 * get a copy of the plugin). Pure.
 */
import { templateValues } from '../compile/plan.js'
import { InputError } from '../errors.js'
import type { Platform } from '../platform.js'
import type { ServerRelease } from '../server/release.js'
import { placeholdersOf, renderTemplate } from '../template.js'

export interface VersionPlan {
  release: ServerRelease
  /** The newest selected version. */
  newest: boolean
  /** Its go.mod alignment is the workspace's own (the newest version, when it is built); else a copy's. */
  alignsWorkspace: boolean
  /** File and asset name per platform id, in the platforms' order. */
  assetNames: Map<string, string>
  /** Why it is not built: the release has all its files already. */
  skip?: string
  /** A folder name for its private files (plugin copy, loaders). */
  key: string
}

export interface VersionPlanInput {
  /** Newest first. */
  releases: ServerRelease[]
  platforms: Platform[]
  assetName: string
  pluginName: string
  /** The target release and the names of its uploaded assets, when skip-existing applies; `withheld`: versions not uploaded. */
  existing?: { tag: string; names: Set<string>; withheld?: string[] }
}

export type SkipExistingMode = 'auto' | 'true' | 'false'

/** skip-existing: `auto` skips when uploading without overwrite (overwrite asks to rebuild and replace). */
export function skipExistingApplies(mode: SkipExistingMode, uploading: boolean, overwrite: boolean): boolean {
  return uploading && (mode === 'true' || (mode === 'auto' && !overwrite))
}

const VERSIONED = ['server-version', 'go-version']

export function planServerVersions(i: VersionPlanInput): VersionPlan[] {
  if (i.releases.length > 1 && !placeholdersOf(i.assetName).some(p => VERSIONED.includes(p))) {
    throw new InputError(
      'asset-name',
      `"${i.assetName}" names the files of every server version alike, and server-version selects ${i.releases.length} (${i.releases.map(r => r.tag).join(', ')})`,
      'with several server versions, a name with {server-version} (or {go-version}), such as {plugin}-{platform}-for-{server-owner}-{server-version}.so'
    )
  }
  const owners = new Map<string, string>()
  // The newest version the action can build for aligns the workspace (a version it cannot is refused, and names no file).
  const first = i.releases.findIndex(r => r.cannotServe === undefined)
  const plans = i.releases.map((release, index): VersionPlan => {
    const assetNames = new Map<string, string>()
    for (const p of i.platforms) {
      const name = renderTemplate(i.assetName, templateValues(release, p, i.pluginName))
      if (release.cannotServe !== undefined) continue
      const other = owners.get(name)
      if (other !== undefined && other !== release.tag) {
        throw new InputError(
          'asset-name',
          `"${i.assetName}" gives server versions ${other} and ${release.tag} the same file ${name}`,
          'with several server versions, a name with {server-version}: {go-version} alone repeats when two versions share a Go version'
        )
      }
      owners.set(name, release.tag)
      assetNames.set(p.id, name)
    }
    const names = [...assetNames.values()]
    if (release.cannotServe !== undefined) return { release, newest: index === 0, alignsWorkspace: false, assetNames, key: `server-${index + 1}` }
    // A version whose files are not uploaded (a candidate withheld) is never left out for what the release holds.
    const complete = i.existing !== undefined && !i.existing.withheld?.includes(release.tag) && names.every(n => i.existing?.names.has(n))
    const skip = complete ? `release ${i.existing?.tag} has every file already (${names.join(', ')}); skip-existing` : undefined
    return { release, newest: index === 0, alignsWorkspace: index === first && !skip, assetNames, skip, key: `server-${index + 1}` }
  })
  return plans
}

/** The file names the versions skip-existing leaves out rest on (to check they hold what they claim). */
export function skippedAssetNames(plans: VersionPlan[]): Set<string> {
  return new Set(plans.filter(p => p.skip !== undefined).flatMap(p => [...p.assetNames.values()]))
}
