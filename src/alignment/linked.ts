/**
 * Which modules the plugin's package links. Only those decide whether the
 * server can load the plugin: a module that is in both build lists (a test
 * dependency's requirement, say) but provides no linked package leaves no
 * fingerprint for plugin.Open to compare. `go list -deps` loads packages
 * without compiling anything; build tags make the list differ per platform,
 * so it runs once per platform and the union counts.
 */
import { type GoRunner, modModFlag } from '../go-runner/runner.js'
import { type Platform, platformGoEnv } from '../platform.js'
import { type LinkedPackage, goListDepsArgs, parseGoListDeps } from '../verify/loader.js'

export interface LinkingOptions {
  /** The plugin's main package, relative to its go.mod folder (`.`, `./cmd/x`). */
  package: string
  platforms: Platform[]
  /** The build's `-tags` flags (build-args); go-env's GOFLAGS reach go through the environment. */
  tagFlags?: string[]
}

/** Module paths of the linked packages that come from other modules than the plugin's own. */
export function modulesLinked(packages: LinkedPackage[]): Set<string> {
  return new Set(packages.filter(p => !p.standard && !p.mainModule && p.module).map(p => p.module as string))
}

/** One Go environment per distinct target, as the build sets it (cgo on, like the server's images). */
export function listingEnvs(platforms: Platform[]): Array<Record<string, string>> {
  const seen = new Map<string, Record<string, string>>()
  for (const p of platforms) {
    const env = { ...platformGoEnv(p), CGO_ENABLED: '1' }
    seen.set(JSON.stringify(env), env)
  }
  return [...seen.values()]
}

/** The `-tags` of build-args, which decide which files (and so which imports) a build sees. */
export function tagFlagsOf(buildArgs: string[]): string[] {
  const out: string[] = []
  for (let i = 0; i < buildArgs.length; i++) {
    const m = /^--?tags(?:=(.*))?$/s.exec(buildArgs[i])
    if (!m) continue
    out.push(`-tags=${m[1] ?? buildArgs[++i] ?? ''}`)
  }
  return out
}

/** `./x` for go: a bare `x` would name an import path, not the folder. */
const packageArg = (pkg: string): string => (pkg === '.' || pkg.startsWith('./') ? pkg : `./${pkg}`)

/**
 * The union over the platforms of the modules linked into the package.
 * Returns the go error when listing fails (the caller then counts every shared module).
 */
export async function linkedModules(go: GoRunner, dir: string, goVersion: string, opts: LinkingOptions, env: Record<string, string>, signal?: AbortSignal): Promise<Set<string> | { error: string }> {
  const [list, ...rest] = goListDepsArgs(packageArg(opts.package))
  const args = [list, ...modModFlag(goVersion), ...(opts.tagFlags ?? []), ...rest]
  const results = await Promise.all(listingEnvs(opts.platforms).map(async target => ({ target, r: await go.go(args, { dir, env: { ...env, ...target }, signal }) })))
  const failed = results.find(x => x.r.code !== 0)
  if (failed) {
    const why = failed.r.stderr.split('\n').map(l => l.trim()).filter(Boolean).join('; ').slice(0, 400)
    return { error: `go list -deps ${opts.package} for ${failed.target.GOOS}/${failed.target.GOARCH} failed: ${why || 'no output'}` }
  }
  const linked = new Set<string>()
  for (const { r } of results) for (const m of modulesLinked(parseGoListDeps(r.stdout))) linked.add(m)
  return linked
}
