import { readFile } from 'node:fs/promises'
import { StepError } from '../errors.js'
import { type GitHubApi, type Release, type ReleaseAsset, apiPath } from '../github/api.js'
import { releaseShape } from '../github/shapes.js'
import { explainApiError } from '../github/explain.js'
import { AssetGone, type ReleaseCtx, deleteAsset, hashOf, isUnsound, listAssets, releaseCtx, removeLeftovers, replaceAsset, takenMessage, uploadVerified } from './assets.js'
import { sha256Hex } from './checksums.js'
import { syncChecksums } from './sync-checksums.js'
import { type Artifact, type AssetStatus, type UploadPlan, assetsToHash, conflictMessage, planUpload, statusOf, temporaryTarget } from './plan.js'

export interface UploadOptions {
  repository: { owner: string; name: string }
  tag: string
  artifacts: Artifact[]
  overwrite: boolean
  checksums: boolean
  log: (msg: string) => void
  /** The release, when it was looked up before building (findRelease). */
  release?: Release
  /** Rounds to settle SHA256SUMS when other jobs write to the same release. */
  checksumAttempts?: number
  /** Longest pause between those rounds (randomised, so concurrent jobs fall out of step). */
  checksumPauseMs?: number
  /** Age from which a SHA256SUMS temporary is taken as left by a failed run (younger: maybe another job's). */
  staleTemporaryMs?: number
}

export interface UploadResult {
  releaseUrl: string
  /** This run's artifacts, then SHA256SUMS when checksums are on. */
  assets: Array<{ name: string; url: string; status: AssetStatus }>
}

// Rounds of reading the release while other jobs replace assets under us.
const READ_ROUNDS = 5

/**
 * Puts the artifacts on the release of `tag`: plans against what the release
 * holds, fails on conflicts before writing anything, then writes; SHA256SUMS
 * comes last and is derived from the release's state. Replacing goes through
 * a temporary asset, so a failure never leaves a name without an asset.
 */
export async function uploadToRelease(api: GitHubApi, opts: UploadOptions): Promise<UploadResult> {
  const release = opts.release ?? (await findRelease(api, opts.repository.owner, opts.repository.name, opts.tag))
  const ctx = releaseCtx(api, opts.repository, opts.tag, release, opts.log)

  const { existing, plan } = await planAgainstRelease(ctx, opts.artifacts, opts.overwrite)
  if (plan.conflicts.length > 0) throw new StepError(conflictMessage(opts.tag, plan.conflicts))
  await removeLeftovers(ctx, existing, new Set(opts.artifacts.map(a => a.name)), opts.staleTemporaryMs ?? 10 * 60_000)

  const results: UploadResult['assets'] = []
  for (const step of plan.steps) {
    const { artifact } = step
    let asset: ReleaseAsset
    if (step.kind === 'keep') {
      asset = step.asset as ReleaseAsset
      opts.log(`${artifact.name}: already on release ${opts.tag} with the same content, kept`)
    } else {
      const data = await readFile(artifact.path)
      const sha = artifact.sha256.toLowerCase()
      if (sha256Hex(data) !== sha) throw new StepError(`${artifact.path} changed after it was built; its sha256 no longer matches`)
      if (step.kind === 'replace') {
        const replaced = await replaceAsset(ctx, step.asset as ReleaseAsset, artifact.name, data, sha)
        if (replaced === 'taken') throw new StepError(takenMessage(opts.tag, artifact.name))
        asset = replaced
      } else {
        // A broken earlier upload holds nothing worth keeping.
        if (step.kind === 'repair') await deleteAsset(ctx, step.asset)
        asset = await uploadVerified(ctx, artifact.name, data, sha)
      }
      opts.log(`${artifact.name}: ${step.kind === 'replace' ? 'replaced' : 'uploaded'} to release ${opts.tag}`)
    }
    results.push({ name: artifact.name, url: asset.browser_download_url, status: statusOf(step) })
  }

  if (opts.checksums) results.push(await syncChecksums(ctx, opts.checksumAttempts ?? 6, opts.checksumPauseMs ?? 2000))
  return { releaseUrl: release.html_url, assets: results }
}

/** Lists the release and hashes same-name assets; reads again when one vanishes under us. */
async function planAgainstRelease(ctx: ReleaseCtx, artifacts: Artifact[], overwrite: boolean): Promise<{ existing: ReleaseAsset[]; plan: UploadPlan }> {
  for (let round = 1; ; round++) {
    const existing = await listAssets(ctx)
    try {
      const hashes = new Map<number, string>()
      for (const a of assetsToHash(artifacts, existing)) hashes.set(a.id, await hashOf(ctx, a))
      // Other bytes under an artifact's name: a corrupt upload (bytes unlike its digest) is repaired, not a conflict.
      const unsound = new Set<number>()
      for (const a of differing(artifacts, existing, hashes)) if (await isUnsound(ctx, a)) unsound.add(a.id)
      return { existing, plan: planUpload(artifacts, existing, hashes, overwrite, unsound) }
    } catch (e) {
      if (!(e instanceof AssetGone)) throw e
      if (round >= READ_ROUNDS) throw new StepError(`Assets of release ${ctx.tag} kept vanishing while they were read (other jobs replacing them?); re-run the job`)
      ctx.log(`${e.message} (another job?); reading release ${ctx.tag} again`)
    }
  }
}

/** Uploaded assets under an artifact's name whose content is not the artifact's. */
function differing(artifacts: Artifact[], existing: ReleaseAsset[], hashes: Map<number, string>): ReleaseAsset[] {
  const byName = new Map(artifacts.map(a => [a.name, a]))
  return existing.filter(a => {
    const art = byName.get(a.name)
    return art !== undefined && a.state === 'uploaded' && (a.size !== art.size || hashes.get(a.id) !== art.sha256.toLowerCase())
  })
}

/** Published releases by tag; drafts only appear in the list. */
export async function findRelease(api: GitHubApi, owner: string, repo: string, tag: string): Promise<Release> {
  let draft: Release | undefined
  try {
    const published = await api.getJsonOrUndefined(apiPath`/repos/${owner}/${repo}/releases/tags/${tag}`, releaseShape)
    if (published) return published
    draft = (await api.paginate(apiPath`/repos/${owner}/${repo}/releases`, releaseShape)).find(r => r.tag_name === tag)
  } catch (e) {
    throw explainApiError(e, `look up release ${tag} of ${owner}/${repo}`, { kind: 'write', repository: `${owner}/${repo}` })
  }
  if (draft) return draft
  throw new StepError(`${owner}/${repo} has no release for tag ${tag}; create the release (a draft is fine) before uploading, or set release-tag`)
}

/**
 * Names of the release's uploaded assets: what skip-existing compares a
 * server version's files with. A name only counts with bytes behind it:
 * among `check` (the names a skip would rest on), an asset whose bytes do not
 * match its digest is left out (downloaded to see); temporaries never count.
 */
export async function uploadedAssetNames(api: GitHubApi, repository: { owner: string; name: string }, release: Release, check: (names: Set<string>) => Set<string> = () => new Set(), log: (msg: string) => void = () => {}): Promise<Set<string>> {
  const ctx = releaseCtx(api, repository, release.tag_name, release, log)
  const uploaded = (await listAssets(ctx)).filter(a => a.state === 'uploaded' && temporaryTarget(a.name) === undefined)
  const names = new Set(uploaded.map(a => a.name))
  const toCheck = check(names)
  for (const a of uploaded.filter(x => toCheck.has(x.name))) {
    const unsound = await isUnsound(ctx, a).catch((e: unknown) => (e instanceof AssetGone ? true : Promise.reject(e)))
    if (unsound) {
      names.delete(a.name)
      ctx.log(`${a.name}: on release ${release.tag_name}, but its bytes do not match its digest; not counted`)
    }
  }
  return names
}
