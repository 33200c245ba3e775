/**
 * The aligned build list against the server's Go. Alignment reads with a
 * newer Go than the server's (go-runner/reading-go.ts), so a build list it
 * leaves may hold a module whose go.mod says a newer `go` line than the
 * server's Go: from Go 1.21 on, go refuses to build with it (`requires go >=`).
 * That is the right refusal, and it names the module, its version, what holds
 * it and the newest version of it that fits. Go before 1.21 does not check
 * the lines: such a module is only noted (the build shows whether it compiles).
 */
import type { GoRunner } from '../go-runner/runner.js'
import { compareGoVersions as compareGo, goAtLeast, parseGoVersion } from '../go-version.js'
import { compareGoVersions as compareModuleVersions } from './across-plugins.js'
import { findChain } from './explain.js'
import { GoFailure, goCommand } from './go-command.js'
import { type GoMod, type ModuleVersion, parseModGraph } from '../go-mod.js'
import { type Conflict, lineOf } from './plan.js'

/** A module of the build list with the `go` line of its go.mod ('' when it has none). */
export interface ModuleGoLine extends ModuleVersion {
  go: string
  main: boolean
}

/** `go list -m -f` format of `parseGoLines`: the go line of a replaced module is its replacement's. */
export const GO_LINES_FORMAT = '{{.Path}}\t{{.Version}}\t{{if .Replace}}{{.Replace.GoVersion}}{{else}}{{.GoVersion}}{{end}}\t{{.Main}}'

export function parseGoLines(text: string): ModuleGoLine[] {
  return text.split('\n').flatMap(l => {
    const [p, version, go, main] = l.trim().split('\t')
    return p && version !== undefined && go !== undefined ? [{ path: p, version, go, main: main === 'true' }] : []
  })
}

const above = (line: string, goVersion: string): boolean => {
  const [x, y] = [parseGoVersion(line), parseGoVersion(goVersion)]
  return x !== undefined && y !== undefined && compareGo(x, y) > 0
}

/** Modules (not the plugin itself) whose go line is newer than the server's Go. */
export function tooNewFor(serverGo: string, modules: ModuleGoLine[]): ModuleGoLine[] {
  return modules.filter(m => !m.main && m.go !== '' && above(m.go, serverGo))
}

/** Go checks the go lines of a build list from 1.21 on: only then does a newer line stop the build. */
export const serverChecksGoLines = (serverGo: string): boolean => goAtLeast(serverGo, 21)

/** The versions below `version` to look at for one that fits, newest first (at most `limit`). */
export function olderVersions(versions: string[], version: string, limit: number): string[] {
  return versions.filter(v => compareModuleVersions(v, version) < 0).sort((a, b) => compareModuleVersions(b, a)).slice(0, limit)
}

/** The newest of `candidates` (newest first, with their go lines) that the server's Go builds. */
export function newestFitting(serverGo: string, candidates: Array<{ version: string; go: string }>): string | undefined {
  return candidates.find(c => !above(c.go, serverGo))?.version
}

/** The refusal: the module, its version and go line, what holds it, and the newest version that fits. */
export function tooNewConflict(m: ModuleGoLine, o: { serverGo: string; chain: string[]; fits?: string; looked: number; goMod: GoMod; goModFile: string }): Conflict {
  const held = o.chain.length > 2 ? ` (required through ${o.chain.slice(1, -1).join(' → ')})` : ''
  const fit = o.fits
    ? `${m.path} ${o.fits} is the newest version that fits Go ${o.serverGo}`
    : o.looked === 0
      ? `the module proxy lists no older version of ${m.path}`
      : `none of the ${o.looked} versions of ${m.path} below it fits Go ${o.serverGo}`
  const line = lineOf(o.goMod, [m.path, ...o.chain.slice(1, -1).map(n => n.slice(0, n.lastIndexOf('@')))])
  return {
    path: m.path, server: `go ${o.serverGo}`, plugin: m.version, chain: o.chain,
    message: `${m.path} ${m.version}${held} says go ${m.go} in its go.mod, newer than the server's Go ${o.serverGo}, which refuses to build it: ${fit}; use it, or build for a server release with a newer Go`,
    location: line === undefined ? { file: o.goModFile } : { file: o.goModFile, line }
  }
}

/** Go before 1.21 builds such modules as long as they compile: one line for the log. */
export function tooNewNote(serverGo: string, modules: ModuleGoLine[]): string | undefined {
  if (modules.length === 0) return undefined
  return `${modules.map(m => `${m.path} ${m.version} (go ${m.go})`).join(', ')}: newer go line${modules.length > 1 ? 's' : ''} than the server's Go ${serverGo}, which does not check them (Go before 1.21): the build shows whether ${modules.length > 1 ? 'they compile' : 'it compiles'}`
}

// Versions below the refused one looked at for one that fits, and refused modules explained, per alignment.
const VERSIONS_LOOKED_AT = 20
const MODULES_EXPLAINED = 5

export interface FitOptions {
  serverGo: string
  /** `-mod=mod` where the reading Go takes it. */
  modFlags: string[]
  goMod: GoMod
  goModFile: string
  log: (line: string) => void
  signal?: AbortSignal
}

/** The build list in `dir` (read by `go`, the reading Go) against the server's Go: one conflict per module it refuses. */
export async function fitConflicts(go: GoRunner, dir: string, o: FitOptions): Promise<Conflict[]> {
  const run = (args: string[]): Promise<string> => goCommand(go, dir, args, { signal: o.signal })
  const listed = parseGoLines(await run(['list', '-m', ...o.modFlags, '-f', GO_LINES_FORMAT, 'all']))
  const tooNew = tooNewFor(o.serverGo, listed)
  if (!serverChecksGoLines(o.serverGo)) {
    const note = tooNewNote(o.serverGo, tooNew)
    if (note) o.log(note)
    return []
  }
  if (tooNew.length === 0) return []
  const edges = parseModGraph(await run(['mod', 'graph']))
  const main = listed.find(m => m.main)?.path ?? ''
  const selected = new Map(listed.filter(m => !m.main).map(m => [m.path, m.version]))
  const conflicts: Conflict[] = []
  for (const m of tooNew.slice(0, MODULES_EXPLAINED)) {
    const versions = await run(['list', '-m', ...o.modFlags, '-versions', m.path]).then(
      out => out.trim().split(/\s+/).slice(1),
      (e: unknown) => {
        if (e instanceof GoFailure) return []
        throw e
      }
    )
    const older = olderVersions(versions, m.version, VERSIONS_LOOKED_AT)
    // -e: a version go cannot read (its go line is newer still) is an entry with an error, not a failure.
    const candidates = older.length === 0 ? [] : parseGoLines(await run(['list', '-m', '-e', ...o.modFlags, '-f', `{{.Path}}\t{{.Version}}\t{{if .Error}}?{{else}}{{.GoVersion}}{{end}}\tfalse`, ...older.map(v => `${m.path}@${v}`)]))
    const fits = newestFitting(o.serverGo, candidates.filter(c => c.go !== '?').sort((a, b) => compareModuleVersions(b.version, a.version)))
    conflicts.push(tooNewConflict(m, { serverGo: o.serverGo, chain: findChain(edges, main, m, selected), fits, looked: older.length, goMod: o.goMod, goModFile: o.goModFile }))
  }
  if (tooNew.length > MODULES_EXPLAINED) o.log(`${tooNew.length - MODULES_EXPLAINED} more modules say a newer go line than the server's Go ${o.serverGo}: ${tooNew.slice(MODULES_EXPLAINED).map(m => `${m.path} ${m.version} (go ${m.go})`).join(', ')}`)
  return conflicts
}
