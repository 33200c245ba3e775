import { StepError } from '../errors.js'
import { CHECKSUMS_NAME, digestHex, formatChecksums, isCovered } from './checksums.js'

/** A file this run built and wants on the release. */
export interface Artifact {
  name: string
  path: string
  sha256: string
  size: number
}

/** What the release already holds (the fields of GitHub's asset JSON we use). */
export interface ExistingAsset {
  id: number
  name: string
  size: number
  state: string
  digest?: string | null
  created_at?: string
}

export type Step =
  | { kind: 'upload'; artifact: Artifact }
  | { kind: 'keep'; artifact: Artifact; asset: ExistingAsset }
  /** Other bytes under the same name, and overwrite is on. */
  | { kind: 'replace'; artifact: Artifact; asset: ExistingAsset }
  /** A broken earlier upload (state not `uploaded`, or bytes that do not match its digest): delete it, upload again. */
  | { kind: 'repair'; artifact: Artifact; asset: ExistingAsset }

export interface UploadPlan {
  steps: Step[]
  /** Names that hold other bytes on the release (and overwrite is off). */
  conflicts: string[]
}

export type AssetStatus = 'uploaded' | 'kept' | 'replaced'

export function statusOf(step: Step): AssetStatus {
  return step.kind === 'keep' ? 'kept' : step.kind === 'replace' ? 'replaced' : 'uploaded'
}

/**
 * The sha256 of an asset without downloading it: its digest, or what this run
 * knows (assets it uploaded or read). A SHA256SUMS line is no proof: without a
 * digest the bytes are read.
 */
export function knownHash(asset: ExistingAsset, known: Map<number, string> = new Map()): string | undefined {
  return digestHex(asset.digest) ?? known.get(asset.id)
}

/** Same-name, same-size assets whose content decides between keep and replace (a digest, or the bytes). */
export function assetsToHash<A extends ExistingAsset>(artifacts: Artifact[], existing: A[]): A[] {
  const byName = new Map(existing.map(a => [a.name, a]))
  return artifacts
    .map(art => ({ art, asset: byName.get(art.name) }))
    .filter((x): x is { art: Artifact; asset: A } => x.asset !== undefined && x.asset.state === 'uploaded' && x.asset.size === x.art.size)
    .map(x => x.asset)
}

/**
 * What to do per artifact, decided before anything is written. `hashes` holds
 * the sha256 of every same-name asset whose size matches (see assetsToHash);
 * `unsound` the ids of assets whose bytes do not match their digest.
 */
export function planUpload(artifacts: Artifact[], existing: ExistingAsset[], hashes: Map<number, string>, overwrite: boolean, unsound: ReadonlySet<number> = new Set()): UploadPlan {
  const names = new Set<string>()
  for (const a of artifacts) {
    if (names.has(a.name)) throw new StepError(`Two artifacts are both named ${a.name}; each asset needs its own name`)
    if (a.name === CHECKSUMS_NAME) throw new StepError(`An artifact is named ${CHECKSUMS_NAME}, the name of the checksum file; rename it`)
    names.add(a.name)
  }
  const byName = new Map(existing.map(a => [a.name, a]))
  const steps: Step[] = []
  const conflicts: string[] = []
  for (const artifact of artifacts) {
    const asset = byName.get(artifact.name)
    if (!asset) {
      steps.push({ kind: 'upload', artifact })
      continue
    }
    if (asset.state !== 'uploaded' || unsound.has(asset.id)) {
      steps.push({ kind: 'repair', artifact, asset })
      continue
    }
    if (asset.size === artifact.size) {
      const hash = hashes.get(asset.id)
      if (hash === undefined) throw new Error(`internal: no hash for asset ${asset.name}`)
      if (hash === artifact.sha256.toLowerCase()) {
        steps.push({ kind: 'keep', artifact, asset })
        continue
      }
    }
    if (overwrite) steps.push({ kind: 'replace', artifact, asset })
    else conflicts.push(artifact.name)
  }
  return { steps, conflicts }
}

export function conflictMessage(tag: string, conflicts: string[]): string {
  const what = conflicts.length === 1 ? `an asset ${conflicts[0]}` : `assets ${conflicts.join(', ')}`
  return `Release ${tag} already has ${what} with other content; nothing was uploaded; set overwrite: true to replace them, or change asset-name`
}

/**
 * The checksum file the release should hold: a line per uploaded `.so` asset.
 * `missing` lists assets whose hash is unknown (to download and hash).
 */
export function desiredChecksums<A extends ExistingAsset>(existing: A[], hashOf: (a: A) => string | undefined): { content: string; missing: A[] } {
  const sums = new Map<string, string>()
  const missing: A[] = []
  for (const a of existing) {
    if (a.state !== 'uploaded' || !isCovered(a.name)) continue
    const h = hashOf(a)
    if (h === undefined) missing.push(a)
    else sums.set(a.name, h)
  }
  return { content: formatChecksums(sums), missing }
}

// A temporary asset: `<name>.go-plugin-build-<8 hex>.tmp`. It never ends in .so, so no SHA256SUMS lists it.
const TEMPORARY = /^(.+)\.go-plugin-build-([0-9a-f]{8})\.tmp$/

/** Where new bytes wait until the asset they replace is deleted. */
export function temporaryName(name: string, token: string): string {
  return `${name}.go-plugin-build-${token}.tmp`
}

/** The name a temporary asset was meant to take, or undefined for any other asset. */
export function temporaryTarget(assetName: string): string | undefined {
  return TEMPORARY.exec(assetName)?.[1]
}

/**
 * Temporaries an earlier run left, to delete: those for the names this run
 * writes (only this job writes them), and SHA256SUMS ones older than `staleMs`
 * (a younger one may be another job's, between its upload and its rename).
 * Every other asset is left alone.
 */
export function leftoverTemporaries<A extends ExistingAsset>(existing: A[], ownNames: Set<string>, now: number, staleMs: number): A[] {
  return existing.filter(a => {
    const target = temporaryTarget(a.name)
    if (target === undefined) return false
    if (ownNames.has(target)) return true
    const created = Date.parse(a.created_at ?? '')
    return target === CHECKSUMS_NAME && Number.isFinite(created) && now - created > staleMs
  })
}
