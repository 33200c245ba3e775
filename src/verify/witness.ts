/**
 * Verification: the one place that chooses who judges each platform. The
 * server's own release binary, when the release publishes one: a static
 * proof by the package fingerprints plugin.Open compares (milliseconds, no
 * emulator). Else the stand-in loader (src/verify/loader-witness.ts), built
 * like the server and run natively or under an emulator.
 */
import { type BinaryFacts, readBinaryFactsFromFile } from '../binary/facts.js'
import type { Platform } from '../platform.js'
import { binaryWitness, binaryWitnesses } from '../server/binary-asset.js'
import { type LoaderVerdict, type VerifyOptions, verifyArtifacts } from './loader-witness.js'
import { type PackageDifference, proofDetails, proveStatically } from './static-proof.js'

export const LOADER_WITNESS = 'stand-in loader'

export interface VerifyResult {
  platform: string
  status: 'loaded' | 'failed' | 'not-verified'
  /** Who judged: `release binary gotify-linux-arm64.zip`, `server binary ./build/gotify` (a server-binary file) or `stand-in loader`. */
  witness: string
  /** static: fingerprints compared; else how the loader ran. */
  method: 'static' | LoaderVerdict['method']
  /** One line: "proven against gotify-linux-arm64.zip: 312 shared packages, 0 different", or why not. */
  detail: string
  /** Every package whose fingerprint differs (static proof). */
  differing?: PackageDifference[]
  missingSymbols?: string[]
  goVersions?: { server?: string; plugin?: string }
  /** The highest GLIBC_x.y each side needs (the server's only with a release binary). */
  glibc: { server?: string; plugin?: string }
  warnings: string[]
}

/** The witness of a platform: its release binary's facts, or the reason there is none. */
export type Witness = { kind: 'release-binary'; assetName: string; facts: BinaryFacts } | { kind: 'loader'; why: string }

export interface WitnessOptions {
  artifacts: Array<{ platform: Platform; path: string }>
  witnessOf: (p: Platform) => Witness
  symbols: string[]
  /** How to build and run the stand-in loader, for platforms without a release binary. */
  loader: Omit<VerifyOptions, 'artifacts' | 'symbols' | 'log'>
  log: (platform: string, line: string) => void
}

/** Results in the artifacts' order. */
export async function verifyPlatforms(o: WitnessOptions): Promise<VerifyResult[]> {
  const results: VerifyResult[] = new Array(o.artifacts.length)
  const byLoader: Array<{ index: number; artifact: WitnessOptions['artifacts'][number] }> = []
  const started = Date.now()
  const provenBy: string[] = []
  for (const [index, artifact] of o.artifacts.entries()) {
    const w = o.witnessOf(artifact.platform)
    if (w.kind === 'loader') {
      o.log(artifact.platform.id, `no release binary to prove against (${w.why}): the stand-in loader judges`)
      byLoader.push({ index, artifact })
      continue
    }
    results[index] = await proveAgainstBinary(artifact, w, o)
    provenBy.push(w.assetName)
  }
  // A server-binary file the workflow built is no release binary: say which witnessed.
  if (provenBy.length > 0) o.log('all', `${provenBy.length} .so file(s) proven against ${binaryWitnesses(provenBy)} in ${Date.now() - started} ms`)
  if (byLoader.length > 0) {
    const verdicts = await verifyArtifacts({ ...o.loader, artifacts: byLoader.map(b => b.artifact), symbols: o.symbols, log: o.log })
    for (const [k, { index, artifact }] of byLoader.entries()) results[index] = await fromLoader(verdicts[k], artifact.path)
  }
  return results
}

async function proveAgainstBinary(artifact: WitnessOptions['artifacts'][number], w: Extract<Witness, { kind: 'release-binary' }>, o: WitnessOptions): Promise<VerifyResult> {
  const base = { platform: artifact.platform.id, witness: binaryWitness(w.assetName), method: 'static' as const }
  let plugin: BinaryFacts
  try {
    plugin = await readBinaryFactsFromFile(artifact.path, artifact.path.split('/').pop())
  } catch (e) {
    return { ...base, status: 'failed', detail: `cannot read ${artifact.path}: ${(e as Error).message}`, glibc: { server: w.facts.glibc }, warnings: [] }
  }
  const proof = proveStatically({ server: w.facts, plugin, symbols: o.symbols, witness: w.assetName })
  for (const line of proofDetails(proof)) o.log(artifact.platform.id, line)
  return {
    ...base,
    status: proof.passed ? 'loaded' : 'failed',
    detail: proof.summary,
    differing: proof.differing,
    missingSymbols: proof.missingSymbols,
    goVersions: proof.goVersions,
    glibc: proof.glibc,
    warnings: proof.warnings
  }
}

async function fromLoader(v: LoaderVerdict, soPath: string): Promise<VerifyResult> {
  // The C library the .so needs, even without a server binary to compare with.
  const glibc = await readBinaryFactsFromFile(soPath).then(
    f => ({ plugin: f.glibc }),
    () => ({})
  )
  return { platform: v.platform, status: v.status, witness: LOADER_WITNESS, method: v.method, detail: v.detail, glibc, warnings: v.warning ? [v.warning] : [] }
}
