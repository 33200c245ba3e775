/**
 * Builds a stand-in host (src/verify/loader.ts, loader-program.ts) through a
 * platform's GoRunner, like the server's release: the server's Go, its module
 * versions, the module cache at /go/pkg/mod, -w -s and its fingerprint flags.
 * The build compiles generated code and the server's modules only: no plugin
 * code runs, so it keeps the builder's own container; running the result is
 * sandboxed (src/container/sandbox.ts).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { SERVER_BUILD_FLAGS_UNKNOWN, type ServerBuildFlags, serverFlagArgs } from '../compile/fingerprint-flags.js'
import { type GoRunner, modModFlag } from '../go-runner/runner.js'
import { type LinkedPackage, type Loader, type ModuleVersion, makeLoader } from './loader.js'
import { loaderDrift, moduleOf, packageDir } from './server-packages.js'

export interface LoaderBuild {
  runner: GoRunner
  /** The Go environment of the build (loader-witness.ts loaderEnv). */
  env: Record<string, string>
  /** A folder of the action's own: the generated module goes to `src/`, the binary to `loader`. */
  work: string
  /** What the plugins link: the loader links the server's versions of those the server's modules provide. */
  packages: LinkedPackage[]
  serverModules: ModuleVersion[]
  serverGoVersion: string
  serverFlags?: ServerBuildFlags
  /** The host folder of the module cache. */
  goModCache: string
  log: (line: string) => void
}

export type BuiltLoader = { ok: true; bin: string; loader: Loader; flags: string[]; seconds: number } | { ok: false; why: string }

const tail = (text: string, n = 6): string => text.trim().split('\n').slice(-n).join(' | ')

export async function buildLoader(o: LoaderBuild): Promise<BuiltLoader> {
  const started = Date.now()
  const src = path.join(o.work, 'src')
  fs.mkdirSync(src, { recursive: true })
  const loaderOf = (exclude: string[]): Loader => makeLoader({ serverModules: o.serverModules, serverGoVersion: o.serverGoVersion, packages: o.packages, exclude })
  const full = loaderOf([])
  fs.writeFileSync(path.join(src, 'go.mod'), full.goMod)
  // Packages missing from the server's module versions: the server cannot link them either.
  const absent = await packagesAbsentFromServer(full.imports, o, () => o.runner.go(['mod', 'download', ...modulesOf(full.imports, o.serverModules)], { dir: src, env: o.env }))
  if (typeof absent === 'string') return { ok: false, why: absent }
  for (const a of absent) o.log(`the server's ${a.module} has no package ${a.importPath}: not linked by the loader`)
  const loader = absent.length === 0 ? full : loaderOf(absent.map(a => a.importPath))
  fs.writeFileSync(path.join(src, 'main.go'), loader.mainGo)
  o.log(`loader links the server's ${loader.imports.join(', ') || '(no shared packages)'}`)

  const bin = path.join(o.work, 'loader')
  const flags = serverFlagArgs(o.serverFlags ?? SERVER_BUILD_FLAGS_UNKNOWN)
  if (flags.length > 0) o.log(`loader built with the server's ${flags.join(' ')}`)
  const build = await o.runner.go(['build', ...modModFlag(o.serverGoVersion), ...flags, '-ldflags', '-w -s', '-o', o.runner.pathOf(bin), '.'], { dir: src, env: o.env, onLine: o.log })
  if (build.code !== 0) return { ok: false, why: `building the loader (the server's versions of the shared packages) failed: ${tail(build.output)}` }
  const drift = loaderDrift(fs.readFileSync(path.join(src, 'go.mod'), 'utf8'), o.serverModules)
  if (drift.length > 0) return { ok: false, why: `the loader could not be built from the server's module versions alone (${drift.join('; ')})` }
  return { ok: true, bin, loader, flags, seconds: (Date.now() - started) / 1000 }
}

/** The server's versions of the modules the loader imports from. */
function modulesOf(imports: string[], serverModules: ModuleVersion[]): string[] {
  const modules = new Set<string>()
  for (const i of imports) {
    const m = moduleOf(i, serverModules)
    if (m) modules.add(`${m.path}@${m.version}`)
  }
  return [...modules]
}

/** Downloads the server's versions of the modules the loader imports from, and lists the imports they lack. */
async function packagesAbsentFromServer(
  imports: string[],
  o: Pick<LoaderBuild, 'serverModules' | 'goModCache'>,
  download: () => Promise<{ code: number; output: string }>
): Promise<Array<{ importPath: string; module: string }> | string> {
  if (modulesOf(imports, o.serverModules).length === 0) return []
  const dl = await download()
  if (dl.code !== 0) return `downloading the server's versions of the shared modules failed: ${tail(dl.output)}`
  const hasGo = (dir: string): boolean => {
    try {
      return fs.readdirSync(dir).some(f => f.endsWith('.go') && !f.endsWith('_test.go'))
    } catch {
      return false
    }
  }
  return imports.flatMap(importPath => {
    const m = moduleOf(importPath, o.serverModules)
    return m && !hasGo(packageDir(o.goModCache, m, importPath)) ? [{ importPath, module: `${m.path}@${m.version}` }] : []
  })
}

/**
 * The packages a plugin file links, read from its package fingerprints (one
 * per linked package, FIELD-NOTES §1): for files without their source (a
 * with-plugins neighbour) as for the run's own. Its main module's packages and
 * its main package are its own code. Pure.
 */
export function packagesOfFile(fingerprinted: string[], o: { mainModule?: string; symbolPath?: string; serverModules: ModuleVersion[] }): LinkedPackage[] {
  const own = (p: string): boolean => o.mainModule !== undefined && (p === o.mainModule || p.startsWith(`${o.mainModule}/`))
  return fingerprinted.map(importPath => {
    const module = moduleOf(importPath, o.serverModules)?.path
    return { importPath, name: importPath === o.symbolPath ? 'main' : 'linked', standard: !importPath.split('/')[0].includes('.'), module, mainModule: own(importPath) }
  })
}
