/**
 * Why a plugin's packages differ from the server's, from evidence only: the
 * two sides' Go build info (Go version, module versions with replacements,
 * build settings). FIELD-NOTES §1 lists the causes; each diagnosis names the
 * one the evidence shows, never a guess.
 */
import { buildSetting } from '../binary/go-buildinfo.js'
import type { GoBuildSetting, GoModule } from '../binary/go-modinfo.js'

/**
 * What is known of how one side was built: a binary's build info, or the
 * loader's recipe (no settings recorded; -trimpath is only ever recorded when on).
 */
export interface BuildSide {
  goVersion?: string
  main?: GoModule
  deps: GoModule[]
  settings: GoBuildSetting[]
  /** Only some settings are known (the loader's recipe): the others are not compared. */
  partialSettings?: boolean
}

export const STANDARD_LIBRARY = 'Go standard library'

export type DiagnosisKind = 'go-version' | 'trimpath' | 'module-versions' | 'build-settings' | 'module-cache-or-flags' | 'unknown'

export interface Diagnosis {
  kind: DiagnosisKind
  message: string
}

/** A module's version on one side, as a user reads it: `v1.0.0`, `v1.0.0 => example.com/fork v1.0.1 (replaced)`, `go1.26.8`. */
export interface SideVersion {
  version: string
  replaced?: { path: string; version: string }
}

const modulesOf = (s: BuildSide | undefined): GoModule[] => (s ? [...(s.main ? [s.main] : []), ...s.deps] : [])

/** The module a package belongs to: the longest module path (of either side) that prefixes it. */
export function moduleOfPackage(pkg: string, sides: Array<BuildSide | undefined>): string {
  let best = ''
  for (const m of sides.flatMap(modulesOf)) {
    if ((pkg === m.path || pkg.startsWith(`${m.path}/`)) && m.path.length > best.length) best = m.path
  }
  if (best) return best
  // Standard packages have no dot in their first element (runtime, net/http, vendor/golang.org/x/...).
  return pkg.split('/')[0].includes('.') ? `unknown module of ${pkg}` : STANDARD_LIBRARY
}

/** The version of `module` on one side (replacement applied), undefined when that side does not link it. */
export function versionOn(side: BuildSide | undefined, module: string): SideVersion | undefined {
  if (module === STANDARD_LIBRARY) return side?.goVersion ? { version: side.goVersion } : undefined
  const m = modulesOf(side).find(x => x.path === module)
  if (!m) return undefined
  const version = m === side?.main && (m.version === '' || m.version === '(devel)') ? '(devel), the main module' : m.version
  return m.replace ? { version, replaced: { path: m.replace.path, version: m.replace.version } } : { version }
}

export function describeVersion(v: SideVersion | undefined): string {
  if (!v) return 'not linked'
  if (!v.replaced) return v.version
  const to = v.replaced.version ? `${v.replaced.path} ${v.replaced.version}` : `the directory ${v.replaced.path}`
  return `${v.version} => ${to} (replaced)`
}

/** What actually gets compiled: the replacement when there is one. */
const effective = (v: SideVersion | undefined): string => (v ? (v.replaced ? `${v.replaced.path}@${v.replaced.version}` : v.version) : '')

const trimpath = (s: BuildSide): boolean => buildSetting(s, '-trimpath') === 'true'

// Settings recorded in build info that change what the compiler produces (-ldflags -X does not).
const COMPILE_SETTINGS = ['-asmflags', '-gcflags', '-tags', 'GOEXPERIMENT', 'GOAMD64', 'GO386', 'GOARM', 'GOARM64', 'GORISCV64', 'CGO_ENABLED']

function goVersionDiagnosis(server: string, plugin: string): Diagnosis {
  return { kind: 'go-version', message: `the Go versions differ: the plugin was built with ${plugin}, the server with ${server}; build the plugin with ${server}` }
}

/**
 * One diagnosis for a set of differing packages. Order: Go versions when
 * standard packages differ; -trimpath on one side only; module versions;
 * Go versions otherwise; other compile settings; else the module cache path.
 */
export function diagnoseDifference(packages: string[], server: BuildSide | undefined, plugin: BuildSide | undefined): Diagnosis {
  if (!server || !plugin) {
    const missing = !plugin ? 'the plugin' : 'the server'
    return { kind: 'unknown', message: `${missing} has no Go build info to tell why (another Go version, module version, -trimpath or module cache path)` }
  }
  const modules = [...new Set(packages.map(p => moduleOfPackage(p, [server, plugin])))]
  const goDiffers = !!server.goVersion && !!plugin.goVersion && server.goVersion !== plugin.goVersion
  if (goDiffers && modules.includes(STANDARD_LIBRARY)) return goVersionDiagnosis(server.goVersion!, plugin.goVersion!)
  if (trimpath(plugin) !== trimpath(server)) {
    return trimpath(plugin)
      ? { kind: 'trimpath', message: "the plugin was built with -trimpath and the server without: remove -trimpath from build-args and from go-env's GOFLAGS" }
      : // The build-args check accepts -trimpath when the server's build info records it (src/compile/fingerprint-flags.ts).
        { kind: 'trimpath', message: 'the server was built with -trimpath and the plugin without: build the plugin with it too, set build-args: -trimpath' }
  }
  const moved = modules
    .filter(m => m !== STANDARD_LIBRARY)
    .map(m => ({ m, s: versionOn(server, m), p: versionOn(plugin, m) }))
    .filter(x => x.s && x.p && effective(x.s) !== effective(x.p))
  if (moved.length > 0) {
    const list = moved.map(x => `${x.m} ${describeVersion(x.p)} in the plugin, ${describeVersion(x.s)} in the server`).join('; ')
    return { kind: 'module-versions', message: `module versions differ: ${list}; build with the server's versions` }
  }
  if (goDiffers) return goVersionDiagnosis(server.goVersion!, plugin.goVersion!)
  // An empty list means none were recorded (the loader's recipe): nothing to compare.
  const recorded = server.settings.length > 0 && plugin.settings.length > 0 && !server.partialSettings && !plugin.partialSettings
  const settings = COMPILE_SETTINGS.filter(k => recorded && (buildSetting(server, k) ?? '') !== (buildSetting(plugin, k) ?? ''))
  if (settings.length > 0) {
    const show = (v: string | undefined): string => (v ? JSON.stringify(v) : 'unset')
    const list = settings.map(k => `${k} (${show(buildSetting(plugin, k))} in the plugin, ${show(buildSetting(server, k))} in the server)`).join(', ')
    return { kind: 'build-settings', message: `build settings differ: ${list}` }
  }
  return { kind: 'module-cache-or-flags', message: "the module cache path or build flags differ (the server's release build has the module cache at /go/pkg/mod)" }
}
