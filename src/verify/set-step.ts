/**
 * The set step: per server version and platform, the .so files the server
 * would find in its plugin folder together (this run's plugins, and
 * `neighbours`: other plugins' files fetched for that platform), proven in the
 * server's load order against its release binary (plugin-set.ts). The stand-in
 * loader opens one plugin per run, so without a release binary the set is
 * reported not verified, with the reason.
 */
import { type BinaryFacts, readBinaryFactsFromFile } from '../binary/facts.js'
import { describeVersion } from './diagnosis.js'
import { type PluginSetProof, pluginSetDetails, provePluginSet } from './plugin-set.js'
import type { Witness } from './witness.js'

/** A file beside this run's: another plugin's .so (input with-plugins), and what its refusal means. */
export interface SetNeighbour {
  platform: string
  /** Its name in the server's plugin folder. */
  name: string
  path: string
  onConflict: 'fail' | 'warn'
}

export interface SetDifference {
  file: string
  with: string
  package: string
  module: string
  earlier?: string
  plugin?: string
}

/** compat-report.json's `sets` entry: one server version, one platform. */
export interface SetOutcome {
  serverVersion: string
  platform: string
  /** loaded: every file loads together; warned: only a neighbour with onConflict warn is refused. */
  status: 'loaded' | 'failed' | 'warned' | 'not-verified'
  witness: string
  /** In the server's load order when proven, else as given. */
  files: string[]
  detail: string
  failure?: { file: string; message: string }
  differing: SetDifference[]
  warnings: string[]
}

export interface SetInput {
  serverVersion: string
  platform: string
  witness: Witness
  /** This run's files for that version and platform: name in the plugin folder (its asset name) and host path. */
  files: Array<{ name: string; path: string }>
  neighbours: SetNeighbour[]
  symbols: string[]
  log: (line: string) => void
}

/** What the proof says, as the report shows it. Pure. */
export function setOutcomeOf(proof: PluginSetProof, i: Pick<SetInput, 'serverVersion' | 'platform' | 'neighbours'>): SetOutcome {
  const differing = proof.members.flatMap(m =>
    m.refusal?.kind === 'fingerprints'
      ? m.refusal.conflicts.flatMap(c => c.packages.map(d => ({ file: m.file, with: c.with, package: d.package, module: d.module, earlier: d.earlier && describeVersion(d.earlier), plugin: d.plugin && describeVersion(d.plugin) })))
      : []
  )
  // A refusal counts against the run unless every refused file is a neighbour whose refusal only warns.
  const refused = proof.members.filter(m => m.refusal)
  const warnOnly = refused.length > 0 && refused.every(m => i.neighbours.some(n => n.name === m.file && n.onConflict === 'warn'))
  return {
    serverVersion: i.serverVersion,
    platform: i.platform,
    status: proof.passed ? 'loaded' : warnOnly ? 'warned' : 'failed',
    witness: `release binary ${proof.witness}`,
    files: proof.members.map(m => m.file),
    detail: proof.summary,
    ...(proof.failure ? { failure: proof.failure } : {}),
    differing,
    warnings: [...proof.warnings, ...proof.members.flatMap(m => m.warnings.map(w => `${m.file}: ${w}`))]
  }
}

export async function verifySet(i: SetInput): Promise<SetOutcome> {
  const neighbours = i.neighbours.filter(n => n.platform === i.platform)
  const files = [...i.files, ...neighbours.map(n => ({ name: n.name, path: n.path }))]
  const base = { serverVersion: i.serverVersion, platform: i.platform, files: files.map(f => f.name), differing: [], warnings: [] }
  if (i.witness.kind !== 'release-binary') {
    const detail = `not verified as a set: no release binary to prove against (${i.witness.why}), and the stand-in loader opens one plugin per run`
    i.log(detail)
    return { ...base, status: 'not-verified', witness: 'none', detail }
  }
  const plugins: Array<{ name: string; facts: BinaryFacts }> = []
  for (const f of files) {
    try {
      plugins.push({ name: f.name, facts: await readBinaryFactsFromFile(f.path, f.name) })
    } catch (e) {
      const detail = `cannot read ${f.name}: ${(e as Error).message}`
      return { ...base, status: 'failed', witness: `release binary ${i.witness.assetName}`, detail, failure: { file: f.name, message: detail } }
    }
  }
  const proof = provePluginSet({ server: i.witness.facts, witness: i.witness.assetName, plugins, symbols: i.symbols })
  for (const line of pluginSetDetails(proof)) i.log(line)
  return setOutcomeOf(proof, { ...i, neighbours })
}
