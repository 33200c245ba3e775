/**
 * The loader: a tiny program that stands for the server. It links the
 * server's versions of every package the plugin shares with the server, then
 * plugin.Open()s the .so, so the Go runtime's package-hash check (FIELD-NOTES
 * §1) runs exactly as it would in the real server. Pure: text in, text out.
 */
import { StepError } from '../errors.js'
import { goAtLeast } from '../go-version.js'
import { type BuildSide, diagnoseDifference } from './diagnosis.js'
import { type LoaderOutcome, checkImportPath, loaderMainGo } from './loader-program.js'

export { type LoaderOutcome, RESULT_MARKER, loaderMainGo, parseLoaderOutput } from './loader-program.js'

export interface ModuleVersion {
  path: string
  version: string
}

/** One package linked into the plugin, as `go list -deps` reports it. */
export interface LinkedPackage {
  importPath: string
  /** Package name: `main` for the plugin itself. */
  name: string
  standard: boolean
  /** Module path, when the package belongs to a module. */
  module?: string
  /** The package belongs to the main module (or a go.work module): the plugin's own code. */
  mainModule: boolean
}

export const LOADER_MODULE = 'gopluginbuild/loader'

// `-f` works with every Go since modules (1.11); `-json=fields` needs 1.19.
const GO_LIST_FORMAT = '{{.ImportPath}}\t{{.Name}}\t{{.Standard}}\t{{with .Module}}{{.Path}}\t{{.Main}}{{end}}'

/** Arguments of `go` listing every package linked into the plugin package `pkg`. */
export function goListDepsArgs(pkg: string): string[] {
  return ['list', '-deps', '-f', GO_LIST_FORMAT, pkg]
}

export function parseGoListDeps(stdout: string): LinkedPackage[] {
  return stdout
    .split('\n')
    .map(l => l.replace(/\r$/, ''))
    .filter(l => l.trim() !== '')
    .map(l => {
      const [importPath, name, standard, module, main] = l.split('\t')
      return { importPath, name, standard: standard === 'true', module: module || undefined, mainModule: main === 'true' }
    })
}

// Module and import paths end up in go.mod and in Go string literals: only
// the characters Go itself allows in them (module.CheckImportPath), so no
// odd build list can inject text.
const VERSION = /^v[0-9A-Za-z.+-]+$/
const checkPath = checkImportPath

const isInternal = (importPath: string): boolean => importPath.split('/').includes('internal')

/**
 * Packages the loader must blank-import: those of the plugin that belong to a
 * module of the server's build list. Not `main` packages, not `internal` ones
 * (the loader may not import them; their importers bring them in), not the
 * plugin's own module, not the standard library (the loader links the same Go).
 */
export function loaderImports(packages: LinkedPackage[], serverModules: ModuleVersion[]): string[] {
  const server = new Set(serverModules.filter(m => m.version).map(m => m.path))
  const out = new Set<string>()
  for (const p of packages) {
    if (p.standard || p.mainModule || !p.module || p.name === 'main') continue
    if (!server.has(p.module) || isInternal(p.importPath)) continue
    checkPath(p.importPath, 'package')
    out.add(p.importPath)
  }
  return [...out].sort()
}

/** `go` directive for a Go version: major.minor is valid for every Go release. */
export function goDirective(goVersion: string): string {
  const m = /^(?:go)?(\d+)\.(\d+)/.exec(goVersion.trim())
  if (!m) throw new StepError(`verify: "${goVersion}" is not a Go version`)
  return `${m[1]}.${m[2]}`
}

/**
 * go.mod requiring every module of the server's build list at the server's
 * version: minimal version selection then picks exactly those versions (the
 * build list is already closed under its requirements). Entries without a
 * version (the server's main module) are left out.
 */
export function loaderGoMod(serverModules: ModuleVersion[], serverGoVersion: string): string {
  const mods = serverModules.filter(m => m.version && m.path !== LOADER_MODULE)
  const seen = new Map<string, string>()
  for (const m of mods) {
    checkPath(m.path, 'module')
    if (!VERSION.test(m.version)) throw new StepError(`verify: module ${m.path} has an invalid version "${m.version}"`)
    const prev = seen.get(m.path)
    if (prev && prev !== m.version) throw new StepError(`verify: the server's build list holds ${m.path} twice (${prev}, ${m.version})`)
    seen.set(m.path, m.version)
  }
  const lines = [`// Generated: stands for the server when loading the plugin.`, `module ${LOADER_MODULE}`, '', `go ${goDirective(serverGoVersion)}`, '']
  if (seen.size > 0) {
    lines.push('require (')
    for (const [p, v] of [...seen].sort(([a], [b]) => a.localeCompare(b))) lines.push(`\t${p} ${v}`)
    lines.push(')', '')
  }
  return lines.join('\n')
}

export interface Loader {
  goMod: string
  mainGo: string
  /** The packages blank-imported, for logs. */
  imports: string[]
}

export function makeLoader(opts: { serverModules: ModuleVersion[]; serverGoVersion: string; packages: LinkedPackage[]; exclude?: string[] }): Loader {
  const imports = loaderImports(opts.packages, opts.serverModules).filter(i => !(opts.exclude ?? []).includes(i))
  // debug/buildinfo exists since Go 1.18; older servers get plugin.Open's own check only.
  const checkGoVersion = goAtLeast(goDirective(opts.serverGoVersion), 18)
  return { goMod: loaderGoMod(opts.serverModules, opts.serverGoVersion), mainGo: loaderMainGo(imports, { checkGoVersion }), imports }
}

/**
 * How the loader was built, as evidence for diagnoseDifference: the server's Go
 * and module versions, and -trimpath when the server's build used it (the
 * only setting it records).
 */
export function loaderBuildSide(serverModules: ModuleVersion[], serverGoVersion: string, trimpath = false): BuildSide {
  const settings = trimpath ? [{ key: '-trimpath', value: 'true' }] : []
  return { goVersion: `go${serverGoVersion.replace(/^go/, '')}`, deps: serverModules.filter(m => m.version), settings, partialSettings: true }
}

/**
 * One-line explanation of a failed load. With `evidence` (the loader's recipe
 * and the .so's build info) the package plugin.Open names is diagnosed from it;
 * without, the possible causes are listed, none guessed.
 */
export function describeOutcome(o: LoaderOutcome, evidence?: { server: BuildSide; plugin?: BuildSide }): string {
  if (o.loaded) return 'plugin.Open succeeded and every symbol was found'
  if (o.missing && o.missing.length > 0) return `plugin.Open succeeded but the plugin lacks ${o.missing.join(', ')}`
  const pkg = /different version of package (\S+)/.exec(o.error ?? '')?.[1]
  const hint = !pkg
    ? ''
    : evidence
      ? ` (${diagnoseDifference([pkg], evidence.server, evidence.plugin).message})`
      : pkg.split('/')[0].includes('.')
        ? ` (the plugin links another build of ${pkg}: another module version than the server's, -trimpath, or a module cache not at /go/pkg/mod)`
        : ` (${pkg} is part of Go: another Go version than the server's, or -trimpath on one side only)`
  return `plugin.Open failed: ${o.error ?? 'unknown error'}${hint}`
}
