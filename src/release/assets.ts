/**
 * The edge of the upload step: every request on the release's assets, each
 * failure turned into one line that says what to do. Replacing an asset never
 * leaves the release without it or its replacement.
 */
import { randomBytes } from 'node:crypto'
import { StepError } from '../errors.js'
import { type GitHubApi, type Release, type ReleaseAsset, GitHubApiError, apiPath, isStatus } from '../github/api.js'
import { assetShape } from '../github/shapes.js'
import { explainApiError } from '../github/explain.js'
import { digestHex, sha256Hex } from './checksums.js'
import { knownHash, leftoverTemporaries, temporaryName } from './plan.js'

export interface ReleaseCtx {
  api: GitHubApi
  owner: string
  repo: string
  tag: string
  release: Release
  log: (msg: string) => void
  /** sha256 per asset id, of bytes this run read or wrote (an asset's bytes never change). */
  hashes: Map<number, string>
  /** In this run's temporary names. */
  token: string
}

export function releaseCtx(api: GitHubApi, repository: { owner: string; name: string }, tag: string, release: Release, log: (msg: string) => void): ReleaseCtx {
  return { api, owner: repository.owner, repo: repository.name, tag, release, log, hashes: new Map(), token: randomBytes(4).toString('hex') }
}

/** An asset vanished between listing and reading it (another job replaced or deleted it): read the release again. */
export class AssetGone extends Error {
  constructor(name: string) {
    super(`${name} vanished while it was read`)
    this.name = 'AssetGone'
  }
}

/** One line: what could not be done on the release and what to do. */
export function failed(ctx: Pick<ReleaseCtx, 'owner' | 'repo' | 'tag'>, e: unknown, what: string, note = ''): unknown {
  const err = explainApiError(e, `${what} on release ${ctx.tag} of ${ctx.owner}/${ctx.repo}`, { kind: 'write', repository: `${ctx.owner}/${ctx.repo}` })
  return note && err instanceof StepError ? new StepError(`${err.message}; ${note}`) : err
}

export async function listAssets(ctx: ReleaseCtx): Promise<ReleaseAsset[]> {
  try {
    return await ctx.api.paginate(apiPath`/repos/${ctx.owner}/${ctx.repo}/releases/${ctx.release.id}/assets`, assetShape)
  } catch (e) {
    throw failed(ctx, e, 'list the assets')
  }
}

async function download(ctx: ReleaseCtx, asset: ReleaseAsset): Promise<Buffer> {
  try {
    return await ctx.api.downloadAsset(ctx.owner, ctx.repo, asset.id)
  } catch (e) {
    if (isStatus(e, 404)) throw new AssetGone(asset.name)
    throw failed(ctx, e, `download ${asset.name}`)
  }
}

/** The sha256 of an asset: its digest, else its bytes (read once per run). Throws AssetGone. */
export async function hashOf(ctx: ReleaseCtx, asset: ReleaseAsset): Promise<string> {
  const known = knownHash(asset, ctx.hashes)
  if (known !== undefined) return known
  const hash = sha256Hex(await download(ctx, asset))
  ctx.hashes.set(asset.id, hash)
  return hash
}

/**
 * An asset whose bytes are not what the API says of them (its digest, its
 * size): a corrupt upload, never counted as a good one. Without a digest only
 * the size can be checked. Downloads it; throws AssetGone.
 */
export async function isUnsound(ctx: ReleaseCtx, asset: ReleaseAsset): Promise<boolean> {
  const stated = digestHex(asset.digest)
  if (stated === undefined) return false
  const data = await download(ctx, asset)
  return data.length !== asset.size || sha256Hex(data) !== stated
}

export async function deleteAsset(ctx: ReleaseCtx, asset: { id: number; name: string }, note = ''): Promise<void> {
  try {
    await ctx.api.deleteAsset(ctx.owner, ctx.repo, asset.id)
  } catch (e) {
    // Someone else (a concurrent job, our own retried request) deleted it already.
    const gone = isStatus(e, 404) && (await ctx.api.getJsonOrUndefined(apiPath`/repos/${ctx.owner}/${ctx.repo}/releases/assets/${asset.id}`, assetShape).catch(() => 'unknown')) === undefined
    if (!gone) throw failed(ctx, e, `delete ${asset.name}`, note)
  }
}

function isAlreadyExists(e: unknown): boolean {
  return e instanceof GitHubApiError && e.status === 422 && e.code === 'already_exists'
}

/** What holds `name` now: an asset with these bytes, another one ('taken'), or nothing usable ('absent'). */
async function holderOf(ctx: ReleaseCtx, name: string, sha256: string): Promise<ReleaseAsset | 'taken' | 'absent'> {
  const now = (await listAssets(ctx)).find(a => a.name === name)
  if (!now) return 'absent'
  if (now.state !== 'uploaded') {
    await deleteAsset(ctx, now)
    return 'absent'
  }
  try {
    return (await hashOf(ctx, now)) === sha256 ? now : 'taken'
  } catch (e) {
    if (e instanceof AssetGone) return 'absent'
    throw e
  }
}

/**
 * Uploads, and when the name turns out to exist (a retried upload that had
 * landed, or a concurrent job) accepts it only if it holds the same bytes;
 * 'taken' when it holds others.
 */
export async function uploadNamed(ctx: ReleaseCtx, name: string, data: Buffer, sha256: string, contentType?: string): Promise<ReleaseAsset | 'taken'> {
  for (let round = 0; round < 3; round++) {
    try {
      const asset = await ctx.api.uploadAsset(ctx.release.upload_url, name, data, contentType)
      const stored = digestHex(asset.digest)
      if ((stored !== undefined && stored !== sha256) || asset.size !== data.length) {
        // Never left under its name: a later run (skip-existing) would take it for a good upload.
        const removed = await deleteAsset(ctx, asset).then(
          () => 'it was deleted',
          () => 'it could not be deleted: delete it by hand'
        )
        throw new StepError(`GitHub stored other bytes for ${name} on release ${ctx.tag} than were sent (${asset.size} bytes, ${stored ?? 'no digest'}); ${removed}; re-run the job`)
      }
      ctx.hashes.set(asset.id, sha256)
      return asset
    } catch (e) {
      if (!isAlreadyExists(e)) throw failed(ctx, e, `upload ${name}`)
    }
    const holder = await holderOf(ctx, name, sha256)
    if (holder !== 'absent') return holder
  }
  throw new StepError(`Could not upload ${name} to release ${ctx.tag}: the name kept being taken by a broken upload; re-run the job`)
}

export function takenMessage(tag: string, name: string): string {
  return `Release ${tag} got another ${name} while this job uploaded it (a concurrent job?); give each job its own asset names or set overwrite: true`
}

/** uploadNamed for a name only this job writes: another asset under it is an error. */
export async function uploadVerified(ctx: ReleaseCtx, name: string, data: Buffer, sha256: string, contentType?: string): Promise<ReleaseAsset> {
  const asset = await uploadNamed(ctx, name, data, sha256, contentType)
  if (asset === 'taken') throw new StepError(takenMessage(ctx.tag, name))
  return asset
}

/** Removes a temporary of this run after a failure; a failure here is only logged (the next run cleans up). */
async function discard(ctx: ReleaseCtx, temp: ReleaseAsset): Promise<void> {
  await deleteAsset(ctx, temp).catch(() => ctx.log(`${temp.name}: could not be deleted; the next run removes it`))
}

/**
 * Puts `data` in place of `old` under `name`: upload under a temporary name,
 * delete the old asset, rename the new one. A failure at any step leaves the
 * old asset or its replacement on the release. Returns 'taken' when another
 * job put other bytes under `name` between the delete and the rename (the
 * temporary is removed).
 */
export async function replaceAsset(ctx: ReleaseCtx, old: ReleaseAsset, name: string, data: Buffer, sha256: string, contentType?: string): Promise<ReleaseAsset | 'taken'> {
  const temp = await uploadVerified(ctx, temporaryName(name, ctx.token), data, sha256, contentType)
  try {
    await deleteAsset(ctx, old, `the release still has the old ${name}`)
  } catch (e) {
    await discard(ctx, temp)
    throw e
  }
  try {
    const renamed = await ctx.api.renameAsset(ctx.owner, ctx.repo, temp.id, name)
    ctx.hashes.set(renamed.id, sha256)
    return renamed
  } catch (e) {
    if (isAlreadyExists(e)) {
      // Another job put an asset under the name since the delete.
      await discard(ctx, temp)
      const holder = await holderOf(ctx, name, sha256)
      return holder === 'absent' ? uploadNamed(ctx, name, data, sha256, contentType) : holder
    }
    // Our temporary vanished (deleted by hand?): the old one is gone, so upload under the name itself.
    if (isStatus(e, 404)) return uploadNamed(ctx, name, data, sha256, contentType)
    throw failed(ctx, e, `rename ${temp.name} to ${name}`, `the new ${name} is on the release as ${temp.name} until a run finishes the job`)
  }
}

/** Deletes what earlier runs left half-done (see leftoverTemporaries); a failure is only logged. */
export async function removeLeftovers(ctx: ReleaseCtx, existing: ReleaseAsset[], ownNames: Set<string>, staleMs: number): Promise<void> {
  for (const a of leftoverTemporaries(existing, ownNames, Date.now(), staleMs)) {
    try {
      await deleteAsset(ctx, a)
      ctx.log(`${a.name}: left by an earlier run that failed, deleted`)
    } catch (e) {
      ctx.log(`${a.name}: left by an earlier run, could not be deleted (${e instanceof Error ? e.message : String(e)})`)
    }
  }
}
