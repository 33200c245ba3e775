/**
 * The warm-up's plan: which standard library packages to compile for each
 * platform's build cache, and with which command, while alignment and the
 * module download still run. Pure.
 *
 * Compiled standard library packages depend only on the Go version, the
 * platform, the C compiler and the build flags, all known once the server
 * release is resolved: not on go.mod nor on the plugin. `-buildmode=plugin`
 * compiles every package with -dynlink, so a plain `go build std` leaves
 * nothing the plugin build can use; `go list -export -deps` with the build's
 * own flags compiles (without linking) exactly what the build looks up.
 */
import type { Platform } from '../platform.js'
import type { BuildJob } from './plan.js'

/** What every plugin links, whatever it imports (cgo is on in every build). */
export const ALWAYS_LINKED = ['runtime', 'runtime/cgo']

/** How long one platform's warm-up may run: past it, it is stopped and its build compiles the rest. */
export const WARM_UP_SECONDS = 300

/** One platform's warm-up: the build cache it fills and the `go` command that fills it. */
export interface WarmUp {
  platform: Platform
  /** The build job it prepares (its image, its environment: the same cache keys). */
  job: BuildJob
  /** The host folder of the platform's build cache (shared by the versions with the same Go). */
  goCache: string
  packages: string[]
  goArgs: string[]
}

/** Why a platform gets no warm-up. */
export interface NoWarmUp {
  platform: Platform
  why: string
}

/** A standard library package as a linked binary names it: no dot in its first element (and not main or a vendored copy). */
export function isStdPackage(importPath: string): boolean {
  const first = importPath.split('/')[0]
  return /^[a-z0-9][A-Za-z0-9_./-]*$/.test(importPath) && !first.includes('.') && first !== 'main' && first !== 'vendor' && importPath !== 'command-line-arguments'
}

/**
 * The standard library packages to compile: what every plugin links, and
 * those the server's release binaries link (a plugin links mostly what its
 * host does: the host's API, its web framework). Sorted, once each.
 */
export function stdPackagesToWarm(serverPackages: Iterable<string>): string[] {
  return [...new Set([...ALWAYS_LINKED, ...[...serverPackages].filter(isStdPackage)])].sort()
}

/**
 * The build's flags (`go build` arguments without the command, -v, -o and
 * the package), or undefined when a warm-up cannot help: `-a` compiles
 * every package again whatever the cache holds.
 */
export function buildFlagsOf(goArgs: string[]): string[] | undefined {
  const out = goArgs.indexOf('-o')
  if (goArgs[0] !== 'build' || out < 0) return undefined
  const flags = goArgs.slice(1, out).filter(a => a !== '-v')
  return flags.some(a => a === '-a' || a === '--a' || /^--?a=(true|1)$/i.test(a)) ? undefined : flags
}

/** `go list` compiling the packages as the build would (-e: a package this Go lacks is skipped, not fatal); prints one line per package. */
export function warmUpArgs(flags: string[], packages: string[]): string[] {
  return ['list', '-e', '-export', '-deps', '-f', '{{if .Error}}{{.ImportPath}}: {{.Error}}{{else}}ok{{end}}', ...flags, ...packages]
}

export interface WarmUpInput {
  /** Every build of the run, in the build pool's order, with its platform's build cache folder. */
  builds: Array<{ job: BuildJob; goCache: string }>
  /** The std packages the server links on a platform (its release binary's), by build cache folder. */
  serverPackages: (goCache: string) => Iterable<string>
  /** The build cache folder holds something already (restored, or the runner's own): the build finds std there. */
  hasContent: (goCache: string) => boolean
}

/**
 * One warm-up per build cache folder (versions with the same Go share it),
 * in the order the build pool takes its builds, so the first builds find
 * theirs done first.
 */
export function planWarmUps(i: WarmUpInput): { warmUps: WarmUp[]; skipped: NoWarmUp[] } {
  const warmUps: WarmUp[] = []
  const skipped: NoWarmUp[] = []
  const seen = new Set<string>()
  for (const { job, goCache } of i.builds) {
    if (seen.has(goCache)) continue
    seen.add(goCache)
    const flags = buildFlagsOf(job.goArgs)
    if (!flags) skipped.push({ platform: job.platform, why: 'the build compiles every package again (-a)' })
    else if (i.hasContent(goCache)) skipped.push({ platform: job.platform, why: 'its build cache came back' })
    else {
      const packages = stdPackagesToWarm(i.serverPackages(goCache))
      warmUps.push({ platform: job.platform, job, goCache, packages, goArgs: warmUpArgs(flags, packages) })
    }
  }
  return { warmUps, skipped }
}

/** What `go list` printed: packages ready, and those it could not compile (a package this Go does not have). */
export function warmUpCounts(stdout: string): { ready: number; failed: number } {
  const lines = stdout.split('\n').filter(l => l.trim() !== '')
  const ready = lines.filter(l => l === 'ok').length
  return { ready, failed: lines.length - ready }
}
