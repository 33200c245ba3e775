/**
 * The set a server really runs: per platform, the run's own .so files beside
 * other plugins' (input with-plugins), proven together in the server's load
 * order against its release binary (src/verify/plugin-set.ts). A conflict
 * that involves a neighbour marked `(warn)` is reported, not failed. Without a
 * release binary there is no static set proof: the set is not verified.
 */
import { type BinaryFacts, readBinaryFactsFromFile } from '../binary/facts.js'
import { mapConcurrent } from '../concurrency.js'
import type { Platform } from '../platform.js'
import { type PluginSetProof, type SetMember, pluginSetDetails, provePluginSet } from './plugin-set.js'
import type { Witness } from './witness.js'

export type ConflictPolicy = 'fail' | 'warn'

/** One file of a platform's set. */
export interface SetFile {
  /** Its name in the server's plugin folder (the load order). */
  name: string
  path: string
  /** Built by this run (else a neighbour). */
  own: boolean
  /** For a neighbour: whether a conflict it takes part in fails the run. */
  onConflict: ConflictPolicy
  /** Where a neighbour came from, for the report. */
  origin?: string
}

export interface SetRequest {
  platform: Platform
  files: SetFile[]
  /** Neighbours with no file for this platform, and why. */
  missing: string[]
}

export interface SetMemberResult {
  file: string
  own: boolean
  origin?: string
  pluginPath?: string
  status: 'loads' | 'refused'
  /** Why plugin.Open refuses it, naming the other file and every differing package. */
  reason?: string
  /** The server stopped at an earlier file: gotify never opens this one. */
  neverOpened?: boolean
}

export interface SetResult {
  platform: string
  /** loaded: every file loads; warned: only conflicts with neighbours marked warn; failed; not-verified. */
  status: 'loaded' | 'warned' | 'failed' | 'not-verified'
  witness: string
  /** One line. */
  detail: string
  members: SetMemberResult[]
  warnings: string[]
}

/** Whether the set's refusals count against the run: only those not touching a neighbour marked warn. */
export function setStatus(proof: PluginSetProof, files: SetFile[]): 'loaded' | 'warned' | 'failed' {
  if (proof.passed) return 'loaded'
  const byName = new Map(files.map(f => [f.name, f]))
  const warnOnly = (name: string | undefined): boolean => {
    const f = name === undefined ? undefined : byName.get(name)
    return f !== undefined && !f.own && f.onConflict === 'warn'
  }
  const excused = (m: SetMember): boolean => {
    if (!m.refusal || warnOnly(m.file)) return true
    const r = m.refusal
    if (r.kind === 'already-loaded') return warnOnly(r.earlier)
    // Refused by the server itself, or a conflict with a file that must load: it counts.
    if (r.kind === 'fingerprints') return r.conflicts.every(c => !c.isServer && warnOnly(c.with))
    return false
  }
  return proof.members.every(excused) ? 'warned' : 'failed'
}

function memberResults(proof: PluginSetProof, files: SetFile[]): SetMemberResult[] {
  const byName = new Map(files.map(f => [f.name, f]))
  return proof.members.map(m => {
    const f = byName.get(m.file)
    return {
      file: m.file,
      own: f?.own ?? false,
      ...(f?.origin ? { origin: f.origin } : {}),
      ...(m.pluginPath ? { pluginPath: m.pluginPath } : {}),
      status: m.refusal ? 'refused' : 'loads',
      ...(m.refusal ? { reason: m.refusal.message } : {}),
      ...(m.afterServerFailure ? { neverOpened: true } : {})
    }
  })
}

export interface SetProofOptions {
  sets: SetRequest[]
  witnessOf: (p: Platform) => Witness
  symbols: string[]
  log: (platform: string, line: string) => void
}

/** One result per requested set; a set of one own file and no neighbour is not asked for. */
export async function proveSets(o: SetProofOptions): Promise<SetResult[]> {
  const facts = new Map<string, Promise<BinaryFacts>>()
  const read = (p: string): Promise<BinaryFacts> => {
    if (!facts.has(p)) facts.set(p, readBinaryFactsFromFile(p))
    return facts.get(p)!
  }
  return mapConcurrent(o.sets, 2, async set => {
    const platform = set.platform.id
    const w = o.witnessOf(set.platform)
    const names = set.files.map(f => f.name).join(', ')
    const base = { platform, members: set.files.map(f => ({ file: f.name, own: f.own, ...(f.origin ? { origin: f.origin } : {}), status: 'loads' as const })) }
    if (w.kind === 'loader') {
      const detail = `not proven together (${names}): there is no release binary to prove the set against (${w.why})`
      o.log(platform, detail)
      return { ...base, status: 'not-verified', witness: 'none', detail, warnings: [] }
    }
    const plugins = await Promise.all(set.files.map(async f => ({ name: f.name, facts: await read(f.path) })))
    const proof = provePluginSet({ server: w.facts, witness: w.assetName, plugins, symbols: o.symbols })
    for (const line of pluginSetDetails(proof)) o.log(platform, `[set] ${line}`)
    const status = setStatus(proof, set.files)
    const missing = set.missing.length > 0 ? `; not in the set for lack of a file: ${set.missing.join('; ')}` : ''
    return {
      platform,
      status,
      witness: `release binary ${w.assetName}`,
      detail: proof.summary + missing,
      members: memberResults(proof, set.files),
      warnings: [...proof.warnings, ...(status === 'warned' ? [`a neighbour marked (warn) conflicts: ${proof.failure?.message ?? ''}`] : [])]
    }
  })
}
