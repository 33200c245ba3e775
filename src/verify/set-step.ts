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
import { type PluginSetProof, type SetMember, pluginSetDetails, provePluginSet } from './plugin-set.js'
import { binaryWitness } from '../server/binary-asset.js'
import type { Witness } from './witness.js'
import { type InfoCheck, type InfoReading, uniqueValue } from './plugin-info.js'

/** A file beside this run's: another plugin's .so (input with-plugins), and what its refusal means. */
export interface SetNeighbour {
  platform: string
  /** Its name in the server's plugin folder. */
  name: string
  path: string
  onConflict: 'fail' | 'warn'
  /** Where it came from (a workspace path, a URL, owner/repo@tag "asset"), for the report. */
  origin?: string
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
  /** Each file in load order: whether it loads, and why not (naming the other file and every differing package). */
  members?: SetMemberVerdict[]
  warnings: string[]
  /** The Info check ran on this platform: the host's start checks beyond plugin.Open (src/verify/info-host.ts). */
  infoCheck?: Pick<InfoCheck, 'function' | 'unique' | 'status' | 'detail' | 'method'>
}

export interface SetMemberVerdict {
  file: string
  /** Built by this run (else a neighbour: with-plugins). */
  own: boolean
  pluginPath?: string
  status: 'loads' | 'refused'
  reason?: string
  /** The server stopped at an earlier file: gotify never opens this one. */
  neverOpened?: boolean
  /** What its info function returned (the Info check, on its platform). */
  info?: InfoReading
}

export interface SetInput {
  serverVersion: string
  platform: string
  witness: Witness
  /** This run's files for that version and platform: name in the plugin folder (its asset name) and host path. */
  files: Array<{ name: string; path: string }>
  neighbours: SetNeighbour[]
  symbols: string[]
  /** Why this run's plugins could not take a neighbour's version of a module (alignment), by module path. */
  unmatched?: Map<string, string>
  log: (line: string) => void
}

/** What the proof says, as the report shows it. Pure. */
export function setOutcomeOf(proof: PluginSetProof, i: Pick<SetInput, 'serverVersion' | 'platform' | 'neighbours'>): SetOutcome {
  const differing = proof.members.flatMap(m =>
    m.refusal?.kind === 'fingerprints'
      ? m.refusal.conflicts.flatMap(c => c.packages.map(d => ({ file: m.file, with: c.with, package: d.package, module: d.module, earlier: d.earlier && describeVersion(d.earlier), plugin: d.plugin && describeVersion(d.plugin) })))
      : []
  )
  // A refusal counts against the run unless a neighbour marked warn takes part in it: the refused file, or the one it clashes with.
  const warnOnly = (name: string | undefined): boolean => i.neighbours.some(n => n.name === name && n.onConflict === 'warn')
  const excused = (m: SetMember): boolean => {
    const r = m.refusal
    if (!r || warnOnly(m.file)) return true
    if (r.kind === 'already-loaded') return warnOnly(r.earlier)
    return r.kind === 'fingerprints' && r.conflicts.every(c => !c.isServer && warnOnly(c.with))
  }
  const status = proof.passed ? 'loaded' : proof.members.every(excused) ? 'warned' : 'failed'
  const members = proof.members.map(m => ({
    file: m.file,
    own: !i.neighbours.some(n => n.name === m.file),
    ...(m.pluginPath ? { pluginPath: m.pluginPath } : {}),
    status: m.refusal ? ('refused' as const) : ('loads' as const),
    ...(m.refusal ? { reason: m.refusal.message } : {}),
    ...(m.afterServerFailure ? { neverOpened: true } : {})
  }))
  return {
    serverVersion: i.serverVersion,
    platform: i.platform,
    status,
    witness: binaryWitness(proof.witness),
    files: proof.members.map(m => m.file),
    detail: proof.summary,
    ...(proof.failure ? { failure: proof.failure } : {}),
    differing,
    members,
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
  const plugins: Array<{ name: string; facts: BinaryFacts; neighbour: boolean }> = []
  for (const f of files) {
    try {
      plugins.push({ name: f.name, facts: await readBinaryFactsFromFile(f.path, f.name), neighbour: neighbours.some(n => n.name === f.name) })
    } catch (e) {
      const detail = `cannot read ${f.name}: ${(e as Error).message}`
      return { ...base, status: 'failed', witness: binaryWitness(i.witness.assetName), detail, failure: { file: f.name, message: detail } }
    }
  }
  const proof = provePluginSet({ server: i.witness.facts, witness: i.witness.assetName, plugins, symbols: i.symbols, unmatched: i.unmatched })
  for (const line of pluginSetDetails(proof)) i.log(line)
  return setOutcomeOf(proof, { ...i, neighbours })
}

/**
 * The Info check merged into the set of its platform: each file's Info, and
 * its refusals (a value seen twice, an info function that fails, a file the
 * host could not open) where the proof had none; the first refusal in load
 * order is where the server stops. A set the stand-in loader could not prove
 * (no release binary) is proven by the host, which opened every file together.
 * `warnOnly`: a neighbour whose conflicts only warn. Pure.
 */
export function withInfoCheck(set: SetOutcome, check: InfoCheck, warnOnly: (file: string) => boolean): SetOutcome {
  if (check.status === 'not-verified') return set
  if (check.platform !== set.platform) return withDuplicateElsewhere(set, check, warnOnly)
  const order = set.status === 'not-verified' ? check.members.map(m => m.file) : set.files
  const byFile = new Map(check.members.map(m => [m.file, m]))
  const proven = new Map((set.members ?? []).map(m => [m.file, m]))
  const merged: SetMemberVerdict[] = order.map(file => {
    const c = byFile.get(file)
    const m: SetMemberVerdict = proven.get(file) ?? { file, own: c?.plugin !== undefined, ...(c?.pluginPath ? { pluginPath: c.pluginPath } : {}), status: 'loads' }
    const refusal = m.status !== 'refused' && c?.reason ? { status: 'refused' as const, reason: c.reason } : {}
    return { ...m, ...refusal, ...(c?.info ? { info: c.info } : {}) }
  })
  const first = merged.findIndex(m => m.status === 'refused')
  const members = merged.map((m, i) => (first >= 0 && i > first ? { ...m, neverOpened: true } : m))
  const stop = first >= 0 ? members[first] : undefined
  const own = (file: string): string => (check.failure?.file === file ? check.failure.message : `error while loading plugin ${file}: ${stop?.reason ?? ''}`)
  const failure = stop && set.failure?.file !== stop.file ? { file: stop.file, message: own(stop.file) } : set.failure
  // An Info refusal counts against the run unless a warn neighbour takes part: the refused file, or the earlier one it repeats.
  const counts = check.members.some(m => m.reason && !warnOnly(m.file) && !(m.duplicateOf && warnOnly(m.duplicateOf)))
  const status: SetOutcome['status'] = set.status === 'failed' || counts ? 'failed' : check.status === 'failed' ? 'warned' : set.status === 'not-verified' ? 'loaded' : set.status
  const witness = set.witness === 'none' ? `the stand-in host on ${set.platform}` : set.witness
  const detail = failure && status !== 'loaded' ? `the server (${witness}) does not start: ${failure.message}` : set.status === 'not-verified' ? check.detail : `${set.detail}; ${check.detail}`
  return {
    ...set,
    status,
    // Without a release binary, the host is who proved the set.
    ...(set.status === 'not-verified' ? { witness: `stand-in host ${set.platform}` } : {}),
    files: order,
    detail,
    ...(failure ? { failure } : {}),
    members,
    warnings: [...set.warnings, ...check.warnings],
    infoCheck: { function: check.function, ...(check.unique ? { unique: check.unique } : {}), status: check.status, detail: check.detail, method: check.method }
  }
}

/**
 * The set of another platform than the Info check's: a unique value returned
 * twice is a value of the plugins' source, the same on every platform, so the
 * server refuses that set too (named with the check's files); anything else
 * the host saw may be its platform's own and is left to that set's proof.
 */
function withDuplicateElsewhere(set: SetOutcome, check: InfoCheck, warnOnly: (file: string) => boolean): SetOutcome {
  const dup = check.members.find(m => m.duplicateOf && !warnOnly(m.file) && !warnOnly(m.duplicateOf))
  if (!dup || set.status === 'failed') return set
  const value = check.unique ? uniqueValue(dup.info, check.unique) : undefined
  const message = `the Info check on ${check.platform} found ${check.unique ?? 'a value'} ${value ?? ''} returned by ${dup.duplicateOf} and ${dup.file} (${check.function}): the same plugins' values on every platform`
  return { ...set, status: 'failed', detail: `the server does not start on any platform: ${message}`, failure: { file: dup.file, message }, infoCheck: { function: check.function, ...(check.unique ? { unique: check.unique } : {}), status: check.status, detail: check.detail, method: check.method } }
}
