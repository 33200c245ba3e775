/**
 * Aligns the plugin's go.mod/go.sum with the server's module versions by
 * running go (through a GoRunner: in the action, inside the build image).
 * Either the files end aligned, or they are restored byte for byte and the
 * conflicts say why.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { StepError } from '../errors.js'
import { type GoRunner, modModFlag } from '../go-runner/runner.js'
import { goReleaseNameOf, sameGoRelease } from '../go-version.js'
import { type GoMod, type ListedModule, type ModuleVersion, parseGoMod, parseModGraph, parseModuleList, unifiedDiff } from './gomod.js'
import {
  type AlignMode, type Conflict, type ModuleChange, type SharedModule, buildListChanges, directiveChanges, fullTargets,
  goLineConflict, goRequirementConflict, mismatches, needsComputedBuildList, planAlignment, sharedModules
} from './plan.js'
import { explainMismatches } from './explain.js'
import { type LinkingOptions, linkedModules } from './linked.js'
import { x509Hint } from '../container/runner-certificates.js'

export type { Conflict, ModuleChange, SharedModule } from './plan.js'
export type { ModuleVersion } from './gomod.js'

export interface AlignOptions {
  mode: AlignMode
  /** Host folder of the plugin's go.mod. */
  pluginDir: string
  /** Host folder for the server's go.mod copy (must be mounted like pluginDir). */
  scratchDir: string
  /** The server's go.mod and Go; `modules`, when its release binary is known, are what it really links (they win over go.mod). */
  server: { goMod: string; goVersion: string; modules?: ModuleVersion[] }
  /** The package built and its platforms: which modules it links decides what must be aligned. */
  linking: LinkingOptions
  log: (line: string) => void
}

export interface Alignment {
  mode: AlignMode
  /** The server's build list (also what verification links). */
  serverModules: ModuleVersion[]
  /** Shared modules as the plugin's files now stand (after alignment, or restored); `linked` tells which can matter. */
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
// full: go get, tidy, list again; more rounds only while other versions bring new linked mismatches.
const MAX_ROUNDS = 4

/** A go command failed: its stderr, reduced to one line, without progress noise; `dir` names where it ran, when that helps. */
export class GoFailure extends StepError {
  constructor(readonly args: string[], readonly stderr: string, dir?: string) {
    const lines = stderr.split('\n').map(l => l.trim()).filter(l => l !== '' && !/^go: (downloading|finding|found|upgraded|downgraded|added|removed) /.test(l))
    super(`go ${args.join(' ')}${dir ? ` in ${dir}` : ''} failed: ${lines.join('; ').slice(0, 600) || 'no output'}${x509Hint(stderr)}`)
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
  const serverModules = opts.server.modules ?? await serverBuildList(go, opts.server.goMod, serverMod, opts.scratchDir, opts.server.goVersion).catch((e: unknown) => {
    throw e instanceof GoFailure ? new StepError(`Computing the server's build list from its go.mod: ${e.message}`) : e
  })
  const result = (shared: SharedModule[], conflicts: Conflict[]): Alignment => ({
    mode, serverModules, shared, changes: [], conflicts, changed: false, diff: '', goModPath
  })

  // go (with GOTOOLCHAIN=local) refuses such a go.mod: say why instead, without touching it.
  const goConflict = goLineConflict(pluginMod, opts.server.goVersion, goModPath)
  if (goConflict) return result(sharedModules(pluginMod.requires, serverModules), [goConflict])

  // The build list and which of its modules the package links. Both move with
  // every version change (a newer gin links other modules), so both are read again each round.
  const observe = async (): Promise<{ list: { main: string; modules: ListedModule[] }; linked?: Set<string>; shared: SharedModule[] }> => {
    const list = await buildList(go, pluginDir, opts.server.goVersion)
    const listed = await linkedModules(go, pluginDir, opts.server.goVersion, opts.linking, ENV)
    if (!(listed instanceof Set)) log(`${listed.error}; every shared module counts as linked`)
    const linked = listed instanceof Set ? listed : undefined
    return { list, linked, shared: sharedModules(list.modules, serverModules, linked) }
  }

  try {
    let now = await observe()
    const before = now.list
    const plan = planAlignment(mode, before.modules, pluginMod, serverModules, serverMod, now.linked)
    if (mode === 'off') {
      restore() // listing may have filled go.sum; off means the files stay as they are
      return result(plan.shared, [])
    }

    // go.mod right after the last version move, before tidy: tells what tidy undid.
    let afterMove: GoMod | undefined
    if (mode === 'cap' && plan.targets.length > 0) {
      await run(go, pluginDir, ['mod', 'edit', ...plan.targets.map(t => `-require=${t.path}@${t.version}`)], log)
      afterMove = parseGoMod(fs.readFileSync(goModPath, 'utf8'))
    }
    const tried = new Set<string>()
    let targets = plan.targets
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (mode === 'full' && targets.length > 0) {
        // One command: go resolves all moves together and downgrades dependents as needed.
        await run(go, pluginDir, ['get', ...targets.map(t => `${t.path}@${t.version}`)], log)
        targets.forEach(t => tried.add(`${t.path}@${t.version}`))
        afterMove = parseGoMod(fs.readFileSync(goModPath, 'utf8'))
      }
      await alignToolchain(go, pluginDir, goModPath, opts.server.goVersion, log)
      await run(go, pluginDir, ['mod', 'tidy'], log)
      now = await observe()
      if (mode !== 'full') break
      targets = fullTargets(now.shared, pluginMod, tried)
      if (targets.length === 0) break
    }

    const left = mismatches(now.shared, plan.checked)
    if (left.length > 0) {
      const edges = parseModGraph(await run(go, pluginDir, ['mod', 'graph']))
      const final = parseGoMod(fs.readFileSync(goModPath, 'utf8'))
      const conflicts = explainMismatches(left, { mode, goMod: pluginMod, goModFile: goModPath, main: now.list.main, edges, selected: now.list.modules, afterMove, final })
      restore()
      return result(plan.shared, conflicts)
    }

    const finalMod = fs.readFileSync(goModPath)
    const changes = [...buildListChanges(before.modules, now.list.modules), ...directiveChanges(pluginMod, parseGoMod(finalMod.toString('utf8')))]
    for (const c of changes) log(`${c.path}: ${c.from} → ${c.to}`)
    const changed = !sameBytes(finalMod, original.mod) || !sameBytes(readOrUndefined(goSumPath), original.sum)
    return { mode, serverModules, shared: now.shared, changes, conflicts: [], changed, diff: unifiedDiff(original.mod.toString('utf8'), finalMod.toString('utf8'), 'go.mod'), goModPath }
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
