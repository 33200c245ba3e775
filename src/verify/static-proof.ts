/**
 * The static proof: decides, from the facts of the server's release binary and
 * of a plugin .so (src/binary/facts.ts), what plugin.Open in that server would
 * do. It loads exactly when every package both export a fingerprint for has
 * the same one; the server then finds its symbols when the plugin exports each
 * as `<plugin path>.<Name>`. Pure.
 */
import type { BinaryFacts } from '../binary/facts.js'
import { compareGlibc } from '../binary/elf-dynamic.js'
import { isExportedName } from '../binary/fingerprints.js'
import { type BuildSide, type Diagnosis, type SideVersion, describeVersion, diagnoseDifference, moduleOfPackage, versionOn } from './diagnosis.js'

export interface StaticProofInput {
  server: BinaryFacts
  plugin: BinaryFacts
  /** Names the server looks up (input verify-symbols). */
  symbols: string[]
  /** What the server binary is called to a user, e.g. gotify-linux-arm64.zip. */
  witness: string
}

export interface PackageDifference {
  package: string
  /** Module path, or 'Go standard library'. */
  module: string
  server?: SideVersion
  plugin?: SideVersion
}

export interface StaticProof {
  passed: boolean
  witness: string
  /** Packages both export a fingerprint for. */
  shared: number
  /** Every shared package whose fingerprint differs, sorted. */
  differing: PackageDifference[]
  /** Requested names the plugin does not export. */
  missingSymbols: string[]
  /** Failures that make the packages moot: wrong architecture, not a plugin, a server that cannot load plugins. */
  problems: string[]
  goVersions: { server?: string; plugin?: string }
  glibc: { server?: string; plugin?: string }
  diagnosis?: Diagnosis
  warnings: string[]
  /** One line for the job summary. */
  summary: string
}

const SUMMARY_PACKAGES = 10

const side = (f: BinaryFacts): BuildSide | undefined => f.buildInfo

function problemsOf({ server, plugin, witness }: StaticProofInput): string[] {
  if (server.goarch !== plugin.goarch || server.bits !== plugin.bits) {
    return [`${plugin.file} is a ${plugin.bits}-bit ${plugin.goarch} file, the server binary ${witness} is ${server.bits}-bit ${server.goarch}`]
  }
  const out: string[] = []
  if (server.fingerprints.size === 0) out.push(`${witness} exports no package fingerprints: it does not import plugin (it cannot load plugins) or is not a Go program`)
  if (plugin.kind !== 'shared object' || plugin.fingerprints.size === 0) out.push(`${plugin.file} is not a Go plugin (it is an ELF ${plugin.kind} exporting ${plugin.fingerprints.size} package fingerprints)`)
  return out
}

function warningsOf({ server, plugin }: StaticProofInput, passed: boolean): string[] {
  const out: string[] = []
  const [sg, pg] = [server.buildInfo?.goVersion, plugin.buildInfo?.goVersion]
  if (passed && sg && pg && sg !== pg) {
    out.push(`the Go versions differ (plugin ${pg}, server ${sg}); plugin.Open accepts it because no shared package differs, but ${sg} is the safe choice`)
  }
  if (plugin.glibc && server.glibc && compareGlibc(plugin.glibc, server.glibc) > 0) {
    out.push(`the plugin needs ${plugin.glibc}, the server binary only ${server.glibc}: it may not dlopen on the server's system`)
  } else if (plugin.glibc && !server.glibc) {
    out.push(`the plugin needs ${plugin.glibc}, the server binary needs no glibc: it may not dlopen on the server's system`)
  }
  for (const f of [server, plugin]) if (f.buildInfoError) out.push(f.buildInfoError)
  return out
}

export function proveStatically(input: StaticProofInput): StaticProof {
  const { server, plugin, symbols, witness } = input
  const problems = problemsOf(input)
  const shared = [...plugin.fingerprints.keys()].filter(p => server.fingerprints.has(p))
  const differing: PackageDifference[] = shared
    .filter(p => server.fingerprints.get(p) !== plugin.fingerprints.get(p))
    .sort()
    .map(p => {
      const module = moduleOfPackage(p, [side(server), side(plugin)])
      return { package: p, module, server: versionOn(side(server), module), plugin: versionOn(side(plugin), module) }
    })
  const exported = new Set(plugin.names)
  const missingSymbols = problems.length > 0 ? [] : symbols.filter(s => !isExportedName(s) || !exported.has(s))
  const passed = problems.length === 0 && differing.length === 0 && missingSymbols.length === 0
  const diagnosis = differing.length > 0 && problems.length === 0 ? diagnoseDifference(differing.map(d => d.package), side(server), side(plugin)) : undefined
  const proof: StaticProof = {
    passed,
    witness,
    shared: shared.length,
    differing,
    missingSymbols,
    problems,
    goVersions: { server: server.buildInfo?.goVersion, plugin: plugin.buildInfo?.goVersion },
    glibc: { server: server.glibc, plugin: plugin.glibc },
    diagnosis,
    warnings: warningsOf(input, passed),
    summary: ''
  }
  proof.summary = summarize(proof, plugin.symbolPath)
  return proof
}

function summarize(p: StaticProof, symbolPath: string | undefined): string {
  if (p.passed) return `proven against ${p.witness}: ${p.shared} shared packages, 0 different`
  if (p.problems.length > 0) return `refused against ${p.witness}: ${p.problems.join('; ')}`
  const parts: string[] = []
  if (p.differing.length > 0) {
    // The summary names the first few; proofDetails and `differing` hold every one.
    const names = p.differing.slice(0, SUMMARY_PACKAGES).map(d => d.package)
    const more = p.differing.length > SUMMARY_PACKAGES ? ` and ${p.differing.length - SUMMARY_PACKAGES} more` : ''
    parts.push(`${p.differing.length} of ${p.shared} shared packages differ (${names.join(', ')}${more}): ${p.diagnosis?.message}`)
  }
  if (p.missingSymbols.length > 0) {
    const as = p.missingSymbols.map(s => `${symbolPath ?? '<plugin path>'}.${s}`).join(', ')
    parts.push(`the plugin does not export ${p.missingSymbols.join(', ')} (looked up as ${as})`)
  }
  return `refused against ${p.witness}: ${parts.join('; ')}`
}

/** The proof in lines for the log: every differing package with its module on both sides, Go and glibc versions, warnings. */
export function proofDetails(p: StaticProof): string[] {
  const lines = [p.summary]
  for (const d of p.differing) {
    lines.push(`  ${d.package} (${d.module}): server ${describeVersion(d.server)}, plugin ${describeVersion(d.plugin)}`)
  }
  lines.push(`  Go: server ${p.goVersions.server ?? 'unknown'}, plugin ${p.goVersions.plugin ?? 'unknown'}`)
  lines.push(`  C library: server needs ${p.glibc.server ?? 'no glibc'}, plugin needs ${p.glibc.plugin ?? 'no glibc'}`)
  for (const w of p.warnings) lines.push(`  warning: ${w}`)
  return lines
}
