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
}

export type Step =
  | { kind: 'upload'; artifact: Artifact }
  | { kind: 'keep'; artifact: Artifact; asset: ExistingAsset }
  /** Other bytes under the same name, and overwrite is on. */
  | { kind: 'replace'; artifact: Artifact; asset: ExistingAsset }
  /** A broken earlier upload (state not `uploaded`): delete it, upload again. */
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
 * The sha256 of an asset without downloading it: its digest, what this run
 * knows (assets it just uploaded), or its line in the release's SHA256SUMS.
 */
export function knownHash(asset: ExistingAsset, sums: Map<string, string>, own: Map<number, string> = new Map()): string | undefined {
  return digestHex(asset.digest) ?? own.get(asset.id) ?? sums.get(asset.name)
}

/** Same-name, same-size assets whose bytes must be downloaded to tell whether they match. */
export function assetsToHash<A extends ExistingAsset>(artifacts: Artifact[], existing: A[], sums: Map<string, string>): A[] {
  const byName = new Map(existing.map(a => [a.name, a]))
  return artifacts
    .map(art => byName.get(art.name))
    .filter((a): a is A => a !== undefined && a.state === 'uploaded' && knownHash(a, sums) === undefined)
    .filter(a => artifacts.some(art => art.name === a.name && art.size === a.size))
}

/**
 * What to do per artifact, decided before anything is written. `hashes` holds
 * the sha256 of every same-name asset whose size matches (see assetsToHash).
 */
export function planUpload(artifacts: Artifact[], existing: ExistingAsset[], hashes: Map<number, string>, overwrite: boolean): UploadPlan {
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
    if (asset.state !== 'uploaded') {
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
