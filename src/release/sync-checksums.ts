import { StepError } from '../errors.js'
import type { ReleaseAsset } from '../github/api.js'
import { AssetGone, type ReleaseCtx, deleteAsset, hashOf, listAssets, replaceAsset, uploadNamed } from './assets.js'
import { CHECKSUMS_NAME, sha256Hex } from './checksums.js'
import { type AssetStatus, desiredChecksums, knownHash } from './plan.js'

export interface ChecksumsResult {
  name: string
  url: string
  status: AssetStatus
}

const pause = (maxMs: number): Promise<void> => new Promise(resolve => setTimeout(resolve, Math.random() * maxMs))

/**
 * Makes SHA256SUMS list every `.so` asset of the release, each line from a
 * digest or the asset's bytes. Read, compare, write, read again: concurrent
 * jobs each end only on a read that matches, so the last one to finish leaves
 * a file that covers everyone's assets. An asset that vanishes while it is
 * read (another job replaced it) means: read the release again.
 */
export async function syncChecksums(ctx: ReleaseCtx, attempts: number, pauseMs: number): Promise<ChecksumsResult> {
  let status: AssetStatus = 'kept'
  for (let round = 1; round <= attempts; round++) {
    const assets = await listAssets(ctx)
    const current = assets.find(a => a.name === CHECKSUMS_NAME)
    let content: string
    let have: string | undefined
    try {
      content = await wantedContent(ctx, assets)
      have = current?.state === 'uploaded' ? await hashOf(ctx, current) : undefined
    } catch (e) {
      if (!(e instanceof AssetGone)) throw e
      ctx.log(`${CHECKSUMS_NAME}: ${e.message} (another job?); reading the release again`)
      await pause(pauseMs)
      continue
    }
    if (current && have === sha256Hex(content)) {
      ctx.log(`${CHECKSUMS_NAME}: ${status === 'kept' ? 'up to date' : 'written and confirmed'} (${content.split('\n').length - 1} assets)`)
      return { name: CHECKSUMS_NAME, url: current.browser_download_url, status }
    }
    if (await write(ctx, current, Buffer.from(content))) {
      if (status === 'kept') status = current ? 'replaced' : 'uploaded'
    } else {
      // Another job wrote it in between: the next round re-reads.
      await pause(pauseMs)
    }
  }
  throw new StepError(`${CHECKSUMS_NAME} on release ${ctx.tag} kept changing (other jobs uploading?) and was not confirmed after ${attempts} rounds; re-run the job`)
}

async function wantedContent(ctx: ReleaseCtx, assets: ReleaseAsset[]): Promise<string> {
  const want = desiredChecksums(assets, a => knownHash(a, ctx.hashes))
  for (const a of want.missing) await hashOf(ctx, a)
  return desiredChecksums(assets, a => knownHash(a, ctx.hashes)).content
}

/** false when another job took the name first. */
async function write(ctx: ReleaseCtx, current: ReleaseAsset | undefined, data: Buffer): Promise<boolean> {
  const sha = sha256Hex(data)
  if (current?.state === 'uploaded') return (await replaceAsset(ctx, current, CHECKSUMS_NAME, data, sha, 'text/plain')) !== 'taken'
  // Nothing to keep: a missing file, or a broken upload.
  if (current) await deleteAsset(ctx, current)
  return (await uploadNamed(ctx, CHECKSUMS_NAME, data, sha, 'text/plain')) !== 'taken'
}
