import { readFile } from 'node:fs/promises'
import { StepError } from '../errors.js'
import { type GitHubApi, type Release, type ReleaseAsset, GitHubApiError, apiPath, isStatus } from '../github/api.js'
import { isRateLimited } from '../github/retry.js'
import { CHECKSUMS_NAME, digestHex, parseChecksums, sha256Hex } from './checksums.js'
import { type Artifact, type AssetStatus, assetsToHash, conflictMessage, desiredChecksums, knownHash, planUpload, statusOf } from './plan.js'

export interface UploadOptions {
  repository: { owner: string; name: string }
  tag: string
  artifacts: Artifact[]
  overwrite: boolean
  checksums: boolean
  log: (msg: string) => void
  /** Rounds to settle SHA256SUMS when other jobs write to the same release. */
  checksumAttempts?: number
  /** Longest pause between those rounds (randomised, so concurrent jobs fall out of step). */
  checksumPauseMs?: number
}

export interface UploadResult {
  releaseUrl: string
  /** This run's artifacts, then SHA256SUMS when checksums are on. */
  assets: Array<{ name: string; url: string; status: AssetStatus }>
}

/**
 * Puts the artifacts on the release of `tag`: plans against what the release
 * holds, fails on conflicts before writing anything, then writes; SHA256SUMS
 * comes last and is derived from the release's state.
 */
export async function uploadToRelease(api: GitHubApi, opts: UploadOptions): Promise<UploadResult> {
  const { owner, name } = opts.repository
  const release = await findRelease(api, owner, name, opts.tag)
  const ctx: Ctx = { api, owner, repo: name, tag: opts.tag, release, log: opts.log }

  const existing = await listAssets(ctx)
  // The old checksum file only matters for same-name assets without a digest.
  const sumsAsset = existing.find(a => a.name === CHECKSUMS_NAME && a.state === 'uploaded')
  const byName = new Map(existing.map(a => [a.name, a]))
  const needSums = opts.artifacts.some(art => byName.get(art.name)?.state === 'uploaded' && !digestHex(byName.get(art.name)?.digest))
  const sums = sumsAsset && needSums ? parseChecksums((await download(ctx, sumsAsset)).toString('utf8')) : new Map<string, string>()

  const hashes = new Map<number, string>()
  for (const a of existing) {
    const h = knownHash(a, sums)
    if (h !== undefined) hashes.set(a.id, h)
  }
  for (const a of assetsToHash(opts.artifacts, existing, sums)) hashes.set(a.id, sha256Hex(await download(ctx, a)))

  const plan = planUpload(opts.artifacts, existing, hashes, opts.overwrite)
  if (plan.conflicts.length > 0) throw new StepError(conflictMessage(opts.tag, plan.conflicts))

  const own = new Map<number, string>()
  const results: UploadResult['assets'] = []
  for (const step of plan.steps) {
    const { artifact } = step
    let asset: ReleaseAsset | undefined
    if (step.kind === 'keep') {
      asset = step.asset as ReleaseAsset
      opts.log(`${artifact.name}: already on release ${opts.tag} with the same content, kept`)
    } else {
      const data = await readFile(artifact.path)
      if (sha256Hex(data) !== artifact.sha256.toLowerCase()) throw new StepError(`${artifact.path} changed after it was built; its sha256 no longer matches`)
      if (step.kind !== 'upload') await deleteAsset(ctx, step.asset)
      asset = await uploadVerified(ctx, artifact.name, data, artifact.sha256.toLowerCase())
      opts.log(`${artifact.name}: ${step.kind === 'replace' ? 'replaced' : 'uploaded'} to release ${opts.tag}`)
    }
    own.set(asset.id, artifact.sha256.toLowerCase())
    results.push({ name: artifact.name, url: asset.browser_download_url, status: statusOf(step) })
  }

  if (opts.checksums) results.push(await syncChecksums(ctx, own, opts.checksumAttempts ?? 6, opts.checksumPauseMs ?? 2000))
  return { releaseUrl: release.html_url, assets: results }
}

interface Ctx {
  api: GitHubApi
  owner: string
  repo: string
  tag: string
  release: Release
  log: (msg: string) => void
}

/** Published releases by tag; drafts only appear in the list. */
export async function findRelease(api: GitHubApi, owner: string, repo: string, tag: string): Promise<Release> {
  const published = await api.getJsonOrUndefined<Release>(apiPath`/repos/${owner}/${repo}/releases/tags/${tag}`)
  if (published) return published
  const all = await api.paginate<Release>(apiPath`/repos/${owner}/${repo}/releases`)
  const draft = all.find(r => r.tag_name === tag)
  if (draft) return draft
  throw new StepError(`${owner}/${repo} has no release for tag ${tag}; create the release (a draft is fine) before uploading, or set release-tag`)
}

function listAssets(ctx: Ctx): Promise<ReleaseAsset[]> {
  return ctx.api.paginate<ReleaseAsset>(apiPath`/repos/${ctx.owner}/${ctx.repo}/releases/${ctx.release.id}/assets`)
}

function download(ctx: Ctx, asset: ReleaseAsset): Promise<Buffer> {
  return ctx.api.downloadAsset(ctx.owner, ctx.repo, asset.id)
}

/** A refused write says what the job is missing. */
function writeError(ctx: Ctx, e: unknown, what: string): unknown {
  if (!(e instanceof GitHubApiError) || (e.status !== 403 && e.status !== 404)) return e
  if (e.status === 403 && isRateLimited(e.headers)) {
    return new StepError(`Could not ${what} on release ${ctx.tag} of ${ctx.owner}/${ctx.repo}: rate limited by GitHub; re-run the job later`)
  }
  return new StepError(`Could not ${what} on release ${ctx.tag} of ${ctx.owner}/${ctx.repo} (HTTP ${e.status}); the job needs permissions: contents: write`)
}

async function deleteAsset(ctx: Ctx, asset: { id: number; name: string }): Promise<void> {
  try {
    await ctx.api.deleteAsset(ctx.owner, ctx.repo, asset.id)
  } catch (e) {
    // Someone else (a concurrent job, our own retried request) deleted it already.
    if (isStatus(e, 404) && (await ctx.api.getJsonOrUndefined(apiPath`/repos/${ctx.owner}/${ctx.repo}/releases/assets/${asset.id}`)) === undefined) return
    throw writeError(ctx, e, `delete ${asset.name}`)
  }
}

function isAlreadyExists(e: unknown): boolean {
  return e instanceof GitHubApiError && e.status === 422 && e.code === 'already_exists'
}

/**
 * Uploads, and when the name turns out to exist (a retried upload that had
 * landed, or a concurrent job) accepts it only if it holds the same bytes.
 */
async function uploadVerified(ctx: Ctx, name: string, data: Buffer, sha256: string): Promise<ReleaseAsset> {
  for (let round = 0; round < 3; round++) {
    try {
      return await ctx.api.uploadAsset(ctx.release.upload_url, name, data)
    } catch (e) {
      if (!isAlreadyExists(e)) throw writeError(ctx, e, `upload ${name}`)
    }
    const now = (await listAssets(ctx)).find(a => a.name === name)
    if (!now) continue
    if (now.state !== 'uploaded') {
      await deleteAsset(ctx, now)
      continue
    }
    const hash = digestHex(now.digest) ?? sha256Hex(await download(ctx, now))
    if (hash === sha256) return now
    throw new StepError(`Release ${ctx.tag} got another ${name} while this job uploaded it (a concurrent job?); give each job its own asset names or set overwrite: true`)
  }
  throw new StepError(`Could not upload ${name} to release ${ctx.tag}: the name kept being taken by a broken upload; re-run the job`)
}

/**
 * Makes SHA256SUMS list every `.so` asset of the release. Read, compare,
 * write, read again: concurrent jobs each end only on a read that matches,
 * so the last one to finish leaves a file that covers everyone's assets.
 */
async function syncChecksums(ctx: Ctx, own: Map<number, string>, attempts: number, pauseMs: number): Promise<UploadResult['assets'][number]> {
  let status: AssetStatus = 'kept'
  for (let round = 1; round <= attempts; round++) {
    const assets = await listAssets(ctx)
    const current = assets.find(a => a.name === CHECKSUMS_NAME)
    let currentText: string | undefined
    let old = new Map<string, string>()
    let want = desiredChecksums(assets, a => knownHash(a, old, own))
    if (want.missing.length > 0 && current?.state === 'uploaded') {
      currentText = (await download(ctx, current)).toString('utf8')
      old = parseChecksums(currentText)
      want = desiredChecksums(assets, a => knownHash(a, old, own))
    }
    if (want.missing.length > 0) {
      const hashed = new Map<number, string>()
      for (const a of want.missing) hashed.set(a.id, sha256Hex(await download(ctx, a)))
      want = desiredChecksums(assets, a => hashed.get(a.id) ?? knownHash(a, old, own))
    }

    const wantHash = sha256Hex(want.content)
    if (current?.state === 'uploaded') {
      const have = digestHex(current.digest) ?? sha256Hex(currentText ?? (await download(ctx, current)))
      if (have === wantHash) {
        ctx.log(`${CHECKSUMS_NAME}: ${status === 'kept' ? 'up to date' : 'written and confirmed'} (${want.content.split('\n').length - 1} assets)`)
        return { name: CHECKSUMS_NAME, url: current.browser_download_url, status }
      }
    }
    if (current) await deleteAsset(ctx, current)
    try {
      await ctx.api.uploadAsset(ctx.release.upload_url, CHECKSUMS_NAME, Buffer.from(want.content), 'text/plain')
      if (status === 'kept') status = current ? 'replaced' : 'uploaded'
    } catch (e) {
      // Another job wrote it in between: the next round re-reads.
      if (!isAlreadyExists(e)) throw writeError(ctx, e, `upload ${CHECKSUMS_NAME}`)
      await new Promise(resolve => setTimeout(resolve, Math.random() * pauseMs))
    }
  }
  throw new StepError(`${CHECKSUMS_NAME} on release ${ctx.tag} kept changing (other jobs uploading?) and was not confirmed after ${attempts} rounds; re-run the job`)
}
