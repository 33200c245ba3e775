/**
 * Aligns the plugin's go.mod/go.sum with the server's module versions by
 * running go (through a GoRunner: in the action, inside the build image).
 * Either the files end aligned, or they are restored byte for byte and the
 * conflicts say why.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { StepError } from '../errors.js'
import { type GoRunner, modModFlag } from '../go-runner.js'
import { goReleaseNameOf, sameGoRelease } from '../go-version.js'
import type { AlignMode } from '../inputs.js'
import { type GoMod, type ListedModule, type ModuleVersion, parseGoMod, parseModGraph, parseModuleList, unifiedDiff } from './gomod.js'
import {
  type Conflict, type ModuleChange, type SharedModule, buildListChanges, directiveChanges, explainMismatches,
  goLineConflict, goRequirementConflict, mismatches, needsComputedBuildList, planAlignment, sharedModules
} from './plan.js'

export type { Conflict, ModuleChange, SharedModule } from './plan.js'
export type { ModuleVersion } from './gomod.js'

export interface AlignOptions {
  mode: AlignMode
  /** Host folder of the plugin's go.mod. */
  pluginDir: string
  /** Host folder for the server's go.mod copy (must be mounted like pluginDir). */
  scratchDir: string
  server: { goMod: string; goVersion: string }
  log: (line: string) => void
}

export interface Alignment {
  mode: AlignMode
  /** The server's build list (also what verification links). */
  serverModules: ModuleVersion[]
  /** Shared modules as the plugin's files now stand (after alignment, or restored). */
  shared: SharedModule[]
  changes: ModuleChange[]
  conflicts: Conflict[]
  changed: boolean
  /** Unified diff of go.mod ('' when unchanged). */
  diff: string
  goModPath: string
}

// A go.work above the plugin would change what go resolves; alignment is per module.
const ENV = { GOWORK: 'off' }
// full: go get, tidy, check; again only when tidy brought in new mismatches.
const MAX_ROUNDS = 3

/** A go command failed: its stderr, reduced to one line, without progress noise. */
class GoFailure extends StepError {
  constructor(readonly args: string[], readonly stderr: string) {
    const lines = stderr.split('\n').map(l => l.trim()).filter(l => l !== '' && !/^go: (downloading|finding|found|upgraded|downgraded|added|removed) /.test(l))
    super(`go ${args.join(' ')} failed: ${lines.join('; ').slice(0, 600) || 'no output'}`)
  }
}

async function run(go: GoRunner, dir: string, args: string[], log?: (line: string) => void): Promise<string> {
  log?.(`go ${args.join(' ')}`)
  const r = await go.go(args, { dir, env: ENV })
  if (r.code !== 0) throw new GoFailure(args, r.stderr)
  return r.stdout
}

async function buildList(go: GoRunner, dir: string, goVersion: string): Promise<{ main: string; modules: ListedModule[] }> {
  // -mod=mod: a plugin's go.sum may lack entries; the caller restores or tidies afterwards.
  return parseModuleList(await run(go, dir, ['list', '-m', ...modModFlag(goVersion), 'all']))
}

/** The server's build list: its go.mod from go 1.17 on (complete graph), else computed without its source. */
async function serverBuildList(go: GoRunner, goModText: string, goMod: GoMod, scratchDir: string, goVersion: string): Promise<ModuleVersion[]> {
  if (!needsComputedBuildList(goMod)) return goMod.requires.map(r => ({ path: r.path, version: r.version }))
  const dir = path.join(scratchDir, 'server-gomod')
  fs.rmSync(dir, { recursive: true, force: true })
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, 'go.mod'), goModText)
  return (await buildList(go, dir, goVersion)).modules.map(m => ({ path: m.path, version: m.version }))
}

const readOrUndefined = (file: string): Buffer | undefined => (fs.existsSync(file) ? fs.readFileSync(file) : undefined)
const sameBytes = (a?: Buffer, b?: Buffer): boolean => (a === undefined || b === undefined ? a === b : a.equals(b))

export async function alignPlugin(go: GoRunner, opts: AlignOptions): Promise<Alignment> {
  const { mode, pluginDir, log } = opts
  const goModPath = path.join(pluginDir, 'go.mod')
  const goSumPath = path.join(pluginDir, 'go.sum')
  if (!fs.existsSync(goModPath)) throw new StepError(`No go.mod in ${pluginDir}: the plugin must be a Go module`)
  const original = { mod: fs.readFileSync(goModPath), sum: readOrUndefined(goSumPath) }
  // Writes only what differs, so an untouched plugin keeps its files as they were.
  const restore = (): void => {
    if (!sameBytes(readOrUndefined(goModPath), original.mod)) fs.writeFileSync(goModPath, original.mod)
    if (original.sum === undefined) fs.rmSync(goSumPath, { force: true })
    else if (!sameBytes(readOrUndefined(goSumPath), original.sum)) fs.writeFileSync(goSumPath, original.sum)
  }
  const pluginMod = parseGoMod(original.mod.toString('utf8'))
  const serverMod = parseGoMod(opts.server.goMod)
  const serverModules = await serverBuildList(go, opts.server.goMod, serverMod, opts.scratchDir, opts.server.goVersion).catch((e: unknown) => {
    throw e instanceof GoFailure ? new StepError(`Computing the server's build list from its go.mod: ${e.message}`) : e
  })
  const result = (shared: SharedModule[], conflicts: Conflict[]): Alignment => ({
    mode, serverModules, shared, changes: [], conflicts, changed: false, diff: '', goModPath
  })

  // go (with GOTOOLCHAIN=local) refuses such a go.mod: say why instead, without touching it.
  const goConflict = goLineConflict(pluginMod, opts.server.goVersion, goModPath)
  if (goConflict) return result(sharedModules(pluginMod.requires, serverModules), [goConflict])

  try {
    const before = await buildList(go, pluginDir, opts.server.goVersion)
    const plan = planAlignment(mode, before.modules, pluginMod, serverModules, serverMod)
    if (mode === 'off') {
      restore() // listing may have filled go.sum; off means the files stay as they are
      return result(plan.shared, [])
    }

    if (mode === 'cap' && plan.targets.length > 0) {
      await run(go, pluginDir, ['mod', 'edit', ...plan.targets.map(t => `-require=${t.path}@${t.version}`)], log)
    }
    // full checks every module shared now (tidy may bring in new ones); cap only its require lines.
    const checkedIn = (shared: SharedModule[]): Set<string> => (mode === 'full' ? new Set(shared.map(s => s.path)) : plan.checked)
    let targets = mode === 'full' ? plan.targets : []
    const tried = new Set<string>()
    let after = before
    let shared = plan.shared
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (targets.length > 0) {
        // One command: go resolves all moves together and downgrades dependents as needed.
        await run(go, pluginDir, ['get', ...targets.map(t => `${t.path}@${t.version}`)], log)
        targets.forEach(t => tried.add(`${t.path}@${t.version}`))
      }
      await alignToolchain(go, pluginDir, goModPath, opts.server.goVersion, log)
      await run(go, pluginDir, ['mod', 'tidy'], log)
      after = await buildList(go, pluginDir, opts.server.goVersion)
      shared = sharedModules(after.modules, serverModules)
      const left = mismatches(shared, checkedIn(shared))
      const fresh = left.filter(s => s.replace === undefined && !tried.has(`${s.path}@${s.server}`))
      if (mode !== 'full' || fresh.length === 0) break
      targets = left.filter(s => s.replace === undefined).map(s => ({ path: s.path, version: s.server }))
    }

    const left = mismatches(shared, checkedIn(shared))
    if (left.length > 0) {
      const edges = parseModGraph(await run(go, pluginDir, ['mod', 'graph']))
      const conflicts = explainMismatches(left, { goMod: pluginMod, goModFile: goModPath, main: after.main, edges, selected: after.modules })
      restore()
      return result(plan.shared, conflicts)
    }

    const finalMod = fs.readFileSync(goModPath)
    const changes = [...buildListChanges(before.modules, after.modules), ...directiveChanges(pluginMod, parseGoMod(finalMod.toString('utf8')))]
    for (const c of changes) log(`${c.path}: ${c.from} → ${c.to}`)
    const changed = !sameBytes(finalMod, original.mod) || !sameBytes(readOrUndefined(goSumPath), original.sum)
    return { mode, serverModules, shared, changes, conflicts: [], changed, diff: unifiedDiff(original.mod.toString('utf8'), finalMod.toString('utf8'), 'go.mod'), goModPath }
  } catch (e) {
    restore()
    // A dependency that needs a newer Go than the server's is a conflict, not a crash.
    const c = e instanceof GoFailure ? goRequirementConflict(e.stderr, opts.server.goVersion, pluginMod, goModPath) : undefined
    if (c) return result(sharedModules(pluginMod.requires, serverModules), [c])
    if (e instanceof GoFailure) throw new StepError(`Aligning ${goModPath}: ${e.message}`, { file: goModPath })
    throw e
  }
}

/** A `toolchain` line, when there is one, names the server's Go: the Go version must never drift. */
async function alignToolchain(go: GoRunner, dir: string, goModPath: string, serverGo: string, log: (line: string) => void): Promise<void> {
  const toolchain = parseGoMod(fs.readFileSync(goModPath, 'utf8')).toolchain
  if (toolchain && !sameGoRelease(toolchain.name, serverGo)) await run(go, dir, ['mod', 'edit', `-toolchain=${goReleaseNameOf(serverGo)}`], log)
}
