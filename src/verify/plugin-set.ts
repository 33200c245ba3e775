/**
 * The static proof for several plugins in one server (FIELD-NOTES §1): gotify
 * opens every file of its plugin folder in name order (os.ReadDir: byte order)
 * and stops at the first failure. plugin.Open compares each package's
 * fingerprint with the first one exported so far, the server's or an earlier
 * file's, and refuses a plugin path that an opened plugin already has. Pure.
 *
 * Seen with real plugin.Open (plugin-set.int.test.ts, and by hand with Go 1.26):
 * - a refused file stays dlopen'd with its symbols global, so later files
 *   compare with its fingerprints too (its own main package among them);
 * - `plugin already loaded` counts only files plugin.Open accepted (a refused
 *   module is marked bad), and is checked before any fingerprint;
 * - a file dlopen cannot load (another architecture, not a Go plugin) exports nothing.
 * Every file is evaluated as plugin.Open would see it in a host that goes on
 * after a failure; gotify does not (it panics), so the first refusal is the
 * server's failure and later files are marked as never opened.
 */
import type { BinaryFacts } from '../binary/facts.js'
import { type BuildSide, type Diagnosis, type SideVersion, STANDARD_LIBRARY, describeVersion, diagnoseDifference, moduleOfPackage, versionOn } from './diagnosis.js'
import { moduleVersionsAdvice } from './neighbour-advice.js'
import { pluginPathWarning } from './plugin-path.js'
import { type StaticProof, proofDetails, proveStatically } from './static-proof.js'

export interface PluginFile {
  /** The file's name in the server's plugin folder: it decides the load order. */
  name: string
  facts: BinaryFacts
  /** Not built by this run (with-plugins): only its owner can rebuild it. */
  neighbour?: boolean
}

export interface PluginSetInput {
  server: BinaryFacts
  /** What the server binary is called to a user, e.g. gotify-linux-arm64.zip. */
  witness: string
  /** In any order: the server's order is derived from the names. */
  plugins: PluginFile[]
  /** Names the server looks up in each plugin (input verify-symbols). */
  symbols: string[]
  /** Why this run's plugins could not take a neighbour's version of a module (alignment), by module path. */
  unmatched?: Map<string, string>
}

export interface SetPackageDifference {
  package: string
  /** Module path, or 'Go standard library'. */
  module: string
  /** Its version in whatever exported the package first (the server or an earlier file). */
  earlier?: SideVersion
  plugin?: SideVersion
}

export interface FingerprintConflict {
  /** The earlier file that exported these packages first, or the server's witness name. */
  with: string
  isServer: boolean
  /** Every package whose fingerprint differs from that one's, sorted. */
  packages: SetPackageDifference[]
  diagnosis: SetDiagnosis
}

/** diagnosis.ts's causes, and one only a set has: two builds of one plugin path (or a plugin path `main`, like the server's). */
export type SetDiagnosis = Diagnosis | { kind: 'same-plugin-path'; message: string }

export type Refusal =
  | { kind: 'not-loadable'; message: string }
  | { kind: 'already-loaded'; earlier: string; pluginPath: string; message: string }
  | { kind: 'fingerprints'; conflicts: FingerprintConflict[]; message: string }
  | { kind: 'missing-symbols'; message: string }

export interface SetMember {
  file: string
  /** Its plugin path (main package import path, or plugin/unnamed-<hash>), when readable. */
  pluginPath?: string
  /** The one-plugin proof against the server: Go version, build flags, glibc, symbols. */
  proof: StaticProof
  /** Why plugin.Open (or gotify's symbol lookup) fails on it; undefined when it loads. */
  refusal?: Refusal
  /** An earlier file already stopped gotify: it never opens this one (the verdict is for when that is fixed). */
  afterServerFailure: boolean
  warnings: string[]
}

export interface PluginSetProof {
  passed: boolean
  witness: string
  /** In the server's load order. */
  members: SetMember[]
  /** The first refusal: gotify panics there and does not start. */
  failure?: { file: string; message: string }
  /** Warnings about the set as a whole. */
  warnings: string[]
  summary: string
}

/** os.ReadDir's order: Go compares names as UTF-8 bytes (JavaScript's sort compares UTF-16 units). */
export function loadOrder(names: string[]): string[] {
  return [...names].sort((a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')))
}

interface Exporter {
  name: string
  isServer: boolean
  side?: BuildSide
  neighbour?: boolean
}

function conflictsOf(plugin: PluginFile, exported: Map<string, { fingerprint: string; by: Exporter }>, proof: StaticProof, server: Exporter, unmatched?: Map<string, string>): FingerprintConflict[] {
  const byExporter = new Map<Exporter, string[]>()
  for (const [pkg, fp] of plugin.facts.fingerprints) {
    const first = exported.get(pkg)
    if (first && first.fingerprint !== fp) byExporter.set(first.by, [...(byExporter.get(first.by) ?? []), pkg])
  }
  const later: Exporter = { name: plugin.name, isServer: false, side: plugin.facts.buildInfo, neighbour: plugin.neighbour }
  return [...byExporter].map(([by, pkgs]) => {
    const packages = pkgs.sort().map(p => {
      const module = moduleOfPackage(p, [by.side, later.side])
      return { package: p, module, earlier: versionOn(by.side, module), plugin: versionOn(later.side, module) }
    })
    // Its own main package came first from elsewhere: no version or flag explains that.
    const path = plugin.facts.symbolPath
    const diagnosis: SetDiagnosis =
      path && pkgs.includes(path)
        ? samePathDiagnosis(path, by)
        : by.isServer && proof.diagnosis
          ? // Against the server, these are the one-plugin proof's own packages: its diagnosis says why.
            proof.diagnosis
          : pairDiagnosis(pkgs, by, later, server.side, m => unmatched?.get(m))
    return { with: by.name, isServer: by.isServer, packages, diagnosis }
  })
}

function samePathDiagnosis(path: string, by: Exporter): SetDiagnosis {
  if (by.isServer) {
    return { kind: 'same-plugin-path', message: `the plugin's main package is ${path}, a package of the server too: give the plugin a module path of its own in go.mod` }
  }
  return {
    kind: 'same-plugin-path',
    message: `${by.name} has the same plugin path ${path} and came first (refused, so not "already loaded", but its packages stay): keep one of them, or give one a module path of its own in go.mod`
  }
}

/**
 * Why two plugins' packages differ, in their file names: the cause
 * diagnoseDifference finds, told for a pair. `server` tells whether the server
 * links a module at all (then its version is the one to build with).
 */
export function pairDiagnosis(packages: string[], earlier: Exporter, later: Exporter, server?: BuildSide, unmatched?: (module: string) => string | undefined): Diagnosis {
  const d = diagnoseDifference(packages, earlier.side, later.side)
  const [a, b] = [earlier.name, later.name]
  switch (d.kind) {
    case 'go-version':
      return { kind: d.kind, message: `the Go versions differ: ${b} was built with ${later.side?.goVersion}, ${a} with ${earlier.side?.goVersion}; build every plugin with the server's Go` }
    case 'trimpath':
      return { kind: d.kind, message: `-trimpath was used for one of ${a} and ${b} only; build every plugin with the server's flags` }
    case 'module-versions': {
      const modules = [...new Set(packages.map(p => moduleOfPackage(p, [earlier.side, later.side])))].filter(m => m !== STANDARD_LIBRARY)
      const versions = modules
        .map(m => ({ m, e: versionOn(earlier.side, m), l: versionOn(later.side, m) }))
        .filter(x => x.e && x.l && describeVersion(x.e) !== describeVersion(x.l))
      const list = versions.map(x => `${x.m} ${describeVersion(x.l)} in ${b}, ${describeVersion(x.e)} in ${a}`)
      const pinned = modules.map(m => ({ m, v: versionOn(server, m) })).filter(x => x.v)
      const fix =
        pinned.length > 0
          ? `build both plugins with the server's versions (${pinned.map(x => `${x.m} ${describeVersion(x.v)}`).join(', ')})`
          : moduleVersionsAdvice(versions.map(x => ({ module: x.m, earlier: describeVersion(x.e), later: describeVersion(x.l) })), earlier, later, unmatched)
      return { kind: d.kind, message: `module versions differ: ${list.join('; ')}; ${fix}` }
    }
    case 'build-settings':
      return { kind: d.kind, message: `${a} and ${b} were built with other compile settings (${d.message.replace(/^build settings differ: /, '').replace(/the plugin/g, b).replace(/the server/g, a)})` }
    case 'module-cache-or-flags':
      return { kind: d.kind, message: `same versions, so the module cache path or build flags of ${a} and ${b} differ; build every plugin like the server (module cache at /go/pkg/mod)` }
    default:
      return { kind: d.kind, message: `${!later.side ? b : a} has no Go build info to tell why (another Go version, module version, -trimpath or module cache path)` }
  }
}

function missingMessage(missing: string[], path: string | undefined): string {
  const as = missing.map(s => `${path ?? '<plugin path>'}.${s}`).join(', ')
  return `plugin.Open loads it, but the server's lookup fails: it does not export ${missing.join(', ')} (looked up as ${as})`
}

function conflictMessage(conflicts: FingerprintConflict[]): string {
  const parts = conflicts.map(c => {
    const names = c.packages.map(p => p.package).join(', ')
    return `${c.packages.length} package${c.packages.length === 1 ? ' differs' : 's differ'} from ${c.isServer ? `the server (${c.with})` : c.with} (${names}): ${c.diagnosis.message}`
  })
  return `plugin.Open refuses it (plugin was built with a different version of a package): ${parts.join('; ')}`
}

/** What the server does with the plugin files of its folder, file by file, in its load order. */
export function provePluginSet({ server, witness, plugins, symbols, unmatched }: PluginSetInput): PluginSetProof {
  const byName = new Map<string, PluginFile>()
  for (const p of plugins) {
    if (byName.has(p.name)) throw new Error(`two plugin files named ${JSON.stringify(p.name)}: one folder cannot hold both`)
    byName.set(p.name, p)
  }
  const serverSide: Exporter = { name: witness, isServer: true, side: server.buildInfo }
  const exported = new Map([...server.fingerprints].map(([pkg, fingerprint]) => [pkg, { fingerprint, by: serverSide }]))
  const opened = new Map<string, string>()
  const members: SetMember[] = []
  let failure: PluginSetProof['failure']
  for (const name of loadOrder([...byName.keys()])) {
    const plugin = byName.get(name)!
    const proof = proveStatically({ server, plugin: { ...plugin.facts, file: name }, symbols, witness })
    const path = plugin.facts.symbolPath
    const warning = pluginPathWarning(path)
    const member: SetMember = { file: name, pluginPath: path, proof, afterServerFailure: failure !== undefined, warnings: [...(warning ? [warning] : []), ...proof.warnings] }
    members.push(member)
    if (proof.problems.length > 0) {
      // dlopen refuses it (or it is no Go plugin): nothing of it becomes visible to later files.
      member.refusal = { kind: 'not-loadable', message: proof.problems.join('; ') }
    } else {
      const earlier = path ? opened.get(path) : undefined
      if (earlier) {
        const message = `plugin.Open refuses it: plugin already loaded (${earlier}, opened before it, has the same plugin path ${path}); give one of them a module path of its own in go.mod (for this run's plugins, rewrite-module-paths auto does it in a build copy)`
        member.refusal = { kind: 'already-loaded', earlier, pluginPath: path!, message }
      } else {
        const conflicts = conflictsOf(plugin, exported, proof, serverSide, unmatched)
        if (conflicts.length > 0) member.refusal = { kind: 'fingerprints', conflicts, message: conflictMessage(conflicts) }
        else if (proof.missingSymbols.length > 0) member.refusal = { kind: 'missing-symbols', message: missingMessage(proof.missingSymbols, path) }
        // Opened (a missing symbol fails only gotify's lookup afterwards): its path is taken.
        if (path && (!member.refusal || member.refusal.kind === 'missing-symbols')) opened.set(path, name)
      }
      const self: Exporter = { name, isServer: false, side: plugin.facts.buildInfo, neighbour: plugin.neighbour }
      for (const [pkg, fingerprint] of plugin.facts.fingerprints) if (!exported.has(pkg)) exported.set(pkg, { fingerprint, by: self })
    }
    if (member.refusal && !failure) failure = { file: name, message: `error while loading plugin ${name}: ${member.refusal.message}` }
  }
  const warnings = sharedModuleWarnings(members, byName)
  return { passed: !failure, witness, members, failure, warnings, summary: summarize(members, witness, failure) }
}

/**
 * gotify also refuses two plugins whose GetGotifyPluginInfo reports one
 * ModulePath (`present at least twice`). That value is computed at run time;
 * what can be read is each file's main module, which plugins usually report.
 */
function sharedModuleWarnings(members: SetMember[], byName: Map<string, PluginFile>): string[] {
  const byModule = new Map<string, SetMember[]>()
  for (const m of members) {
    const mod = byName.get(m.file)!.facts.buildInfo?.main?.path
    if (mod) byModule.set(mod, [...(byModule.get(mod) ?? []), m])
  }
  const out: string[] = []
  for (const [mod, ms] of byModule) {
    if (new Set(ms.map(m => m.pluginPath)).size < 2) continue
    out.push(`${ms.map(m => m.file).join(', ')} are built from one module (${mod}): if their GetGotifyPluginInfo reports it as ModulePath, gotify refuses all but the first (\`present at least twice\`)`)
  }
  return out
}

function summarize(members: SetMember[], witness: string, failure: PluginSetProof['failure']): string {
  if (!failure) return `${members.length} plugin files load together into ${witness}: ${members.map(m => m.file).join(', ')}`
  const later = members.filter(m => m.afterServerFailure)
  const alsoRefused = later.filter(m => m.refusal).map(m => m.file)
  const rest = later.length === 0 ? '' : `; ${later.length} later file${later.length === 1 ? ' is' : 's are'} never opened${alsoRefused.length > 0 ? ` (and would be refused too: ${alsoRefused.join(', ')})` : ''}`
  return `the server (${witness}) does not start: ${failure.message}${rest}`
}

/** The set proof in lines for the log: each file's verdict, every differing package with both versions, the one-plugin details. */
export function pluginSetDetails(p: PluginSetProof): string[] {
  const lines = [p.summary]
  for (const m of p.members) {
    const when = m.afterServerFailure ? ' (never opened: the server stopped before it)' : ''
    lines.push(`${m.file}${when}: ${m.refusal ? `refused: ${m.refusal.message}` : 'loads'}`)
    if (m.refusal?.kind === 'fingerprints') {
      for (const c of m.refusal.conflicts) {
        for (const d of c.packages) lines.push(`  ${d.package} (${d.module}): ${c.with} ${describeVersion(d.earlier)}, ${m.file} ${describeVersion(d.plugin)}`)
      }
    }
    lines.push(`  plugin path: ${m.pluginPath ?? 'unknown'}`)
    for (const w of m.warnings) lines.push(`  warning: ${w}`)
    // The one-plugin proof's versions; its packages are the conflict with the server above.
    for (const l of proofDetails(m.proof)) if (/^ {2}(Go|C library):/.test(l)) lines.push(l)
  }
  for (const w of p.warnings) lines.push(`warning: ${w}`)
  return lines
}
