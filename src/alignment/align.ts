/**
 * Aligns the plugin's go.mod/go.sum with the server's module versions by
 * running go (through a GoRunner: in the action, inside the build image).
 * Go reads and moves the graph with the newest Go at hand (`reading`,
 * go-runner/reading-go.ts), which can read today's graphs where the server's
 * old Go cannot; the `go` and `toolchain` lines are kept as they were, the
 * result is checked against the server's Go (fit.ts), and the server's own Go
 * has the last word: its go mod tidy writes go.mod and go.sum as its builds
 * read them, and its listing is what the mismatches are judged on.
 * Either the files end aligned, or they are restored byte for byte and the
 * conflicts say why.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { StepError } from '../errors.js'
import { type GoRunner, isVersioned, modModFlag } from '../go-runner/runner.js'
import { goReleaseNameOf, sameGoRelease } from '../go-version.js'
import { type GoMod, type ListedModule, type ModuleVersion, parseGoMod, parseModGraph, parseModuleList, unifiedDiff } from '../go-mod.js'
import {
  type AlignMode, type Conflict, type ModuleChange, type SharedModule, buildListChanges, directiveChanges, fullTargets,
  goLineConflict, goRequirementConflict, mismatches, needsComputedBuildList, planAlignment, sharedModules
} from './plan.js'
import { explainMismatches } from './explain.js'
import { fitConflicts } from './fit.js'
import { ALIGN_ENV, GoFailure, goCommand } from './go-command.js'
import { type LinkingOptions, linkedModules } from './linked.js'

export type { Conflict, ModuleChange, SharedModule } from './plan.js'
export type { ModuleVersion } from '../go-mod.js'
export { GoFailure } from './go-command.js'

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
  /** Reads and moves the module graph: a Go at least as new as the server's (reading-go.ts); default the server's own. */
  reading?: GoRunner
  /** Stops every go command when aborted (a trial's time limit). */
  signal?: AbortSignal
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

// full: go get, tidy, list again; more rounds only while other versions bring new linked mismatches.
const MAX_ROUNDS = 4

/** A Go that runs alignment's commands, and the version whose flags it understands. */
interface AligningGo {
  go: GoRunner
  version: () => Promise<string>
}

const aligningGo = (go: GoRunner, fallback: string): AligningGo => ({ go, version: async () => (isVersioned(go) ? go.goVersion() : fallback) })

async function buildList(go: AligningGo, dir: string, signal?: AbortSignal): Promise<{ main: string; modules: ListedModule[] }> {
  // -mod=mod: a plugin's go.sum may lack entries; the caller restores or tidies afterwards.
  return parseModuleList(await goCommand(go.go, dir, ['list', '-m', ...modModFlag(await go.version()), 'all'], { signal }))
}

/** The server's build list: its go.mod from go 1.17 on (complete graph), else computed without its source. */
async function serverBuildList(go: AligningGo, goModText: string, goMod: GoMod, scratchDir: string): Promise<ModuleVersion[]> {
  if (!needsComputedBuildList(goMod)) return goMod.requires.map(r => ({ path: r.path, version: r.version }))
  const dir = path.join(scratchDir, 'server-gomod')
  fs.rmSync(dir, { recursive: true, force: true })
  fs.mkdirSync(dir, { recursive: true })
  fs.writeFileSync(path.join(dir, 'go.mod'), goModText)
  return (await buildList(go, dir)).modules.map(m => ({ path: m.path, version: m.version }))
}

const readOrUndefined = (file: string): Buffer | undefined => (fs.existsSync(file) ? fs.readFileSync(file) : undefined)
const sameBytes = (a?: Buffer, b?: Buffer): boolean => (a === undefined || b === undefined ? a === b : a.equals(b))

export async function alignPlugin(go: GoRunner, opts: AlignOptions): Promise<Alignment> {
  const { mode, pluginDir, log, signal } = opts
  const serverGo = opts.server.goVersion
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
  const server: AligningGo = aligningGo(go, serverGo)
  const reading: AligningGo = aligningGo(opts.reading ?? go, serverGo)
  const pluginMod = parseGoMod(original.mod.toString('utf8'))
  const serverMod = parseGoMod(opts.server.goMod)
  const serverModules = opts.server.modules ?? await serverBuildList(reading, opts.server.goMod, serverMod, opts.scratchDir).catch((e: unknown) => {
    throw e instanceof GoFailure ? new StepError(`Computing the server's build list from its go.mod: ${e.message}`) : e
  })
  const result = (shared: SharedModule[], conflicts: Conflict[]): Alignment => ({
    mode, serverModules, shared, changes: [], conflicts, changed: false, diff: '', goModPath
  })

  // go (with GOTOOLCHAIN=local) refuses such a go.mod: say why instead, without touching it.
  const goConflict = goLineConflict(pluginMod, serverGo, goModPath)
  if (goConflict) return result(sharedModules(pluginMod.requires, serverModules), [goConflict])

  // A newer Go raises the go line to what the graph it reads asks for, and may add a toolchain line:
  // both go back to what the plugin had (a toolchain line naming the server's Go) after each of its commands.
  const keepDirectives = async (): Promise<void> => {
    if (sameGoRelease(await reading.version(), serverGo)) return alignToolchain(reading.go, pluginDir, goModPath, serverGo, log)
    const now = parseGoMod(fs.readFileSync(goModPath, 'utf8'))
    const edits = [
      ...(now.go?.version !== pluginMod.go?.version ? [`-go=${pluginMod.go?.version ?? 'none'}`] : []),
      ...(now.toolchain?.name !== (pluginMod.toolchain ? goReleaseNameOf(serverGo) : undefined) ? [`-toolchain=${pluginMod.toolchain ? goReleaseNameOf(serverGo) : 'none'}`] : [])
    ]
    if (edits.length > 0) await goCommand(reading.go, pluginDir, ['mod', 'edit', ...edits], { signal })
  }
  // The build list and which of its modules the package links. Both move with
  // every version change (a newer gin links other modules), so both are read again each round.
  const observe = async (by: AligningGo): Promise<{ list: { main: string; modules: ListedModule[] }; linked?: Set<string>; shared: SharedModule[] }> => {
    const list = await buildList(by, pluginDir, signal)
    const listed = await linkedModules(by.go, pluginDir, await by.version(), opts.linking, ALIGN_ENV, signal)
    if (!(listed instanceof Set)) log(`${listed.error}; every shared module counts as linked`)
    const linked = listed instanceof Set ? listed : undefined
    if (by === reading) await keepDirectives()
    return { list, linked, shared: sharedModules(list.modules, serverModules, linked) }
  }
  const fit = async (): Promise<Conflict[]> =>
    fitConflicts(reading.go, pluginDir, { serverGo, modFlags: modModFlag(await reading.version()), goMod: pluginMod, goModFile: goModPath, log, signal }).finally(keepDirectives)
  const run = (by: AligningGo, args: string[]): Promise<string> => goCommand(by.go, pluginDir, args, { log, signal })

  try {
    let now = await observe(reading)
    const before = now.list
    const plan = planAlignment(mode, before.modules, pluginMod, serverModules, serverMod, now.linked)
    if (mode === 'off') {
      const tooNew = await fit()
      restore() // listing may have filled go.sum; off means the files stay as they are
      return result(plan.shared, tooNew)
    }

    // go.mod right after the last version move, before tidy: tells what tidy undid.
    let afterMove: GoMod | undefined
    if (mode === 'cap' && plan.targets.length > 0) {
      await run(reading, ['mod', 'edit', ...plan.targets.map(t => `-require=${t.path}@${t.version}`)])
      afterMove = parseGoMod(fs.readFileSync(goModPath, 'utf8'))
    }
    // Whether the server's Go has its own say: a Go other than it read the graph.
    const twoGos = async (): Promise<boolean> => !sameGoRelease(await reading.version(), serverGo)
    const tried = new Set<string>()
    let targets = plan.targets
    for (let round = 0; ; round++) {
      if (mode === 'full' && targets.length > 0) {
        // One command, exact versions: go resolves all moves together and downgrades dependents as needed.
        await run(reading, ['get', ...targets.map(t => `${t.path}@${t.version}`)])
        targets.forEach(t => tried.add(`${t.path}@${t.version}`))
        await keepDirectives()
        afterMove = parseGoMod(fs.readFileSync(goModPath, 'utf8'))
      }
      await run(reading, ['mod', 'tidy'])
      await keepDirectives()
      now = await observe(reading)
      targets = mode === 'full' ? fullTargets(now.shared, pluginMod, tried) : []
      const last = round + 1 >= MAX_ROUNDS
      if (targets.length > 0 && !last) continue
      // The graph as the reading Go leaves it must fit the server's Go; then the server's Go tidies and lists it.
      const tooNew = await fit()
      if (tooNew.length > 0) {
        restore()
        return result(plan.shared, tooNew)
      }
      if (await twoGos()) {
        await run(server, ['mod', 'tidy'])
        now = await observe(server)
        targets = mode === 'full' ? fullTargets(now.shared, pluginMod, tried) : []
      }
      if (targets.length === 0 || last) break
    }

    const left = mismatches(now.shared, plan.checked)
    if (left.length > 0) {
      const edges = parseModGraph(await run(server, ['mod', 'graph']))
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
    // A dependency that needs a newer Go than even the reading Go could get is a conflict, not a crash.
    const c = e instanceof GoFailure ? goRequirementConflict(e.stderr, serverGo, pluginMod, goModPath) : undefined
    if (c) return result(sharedModules(pluginMod.requires, serverModules), [c])
    if (e instanceof GoFailure) throw new StepError(`Aligning ${goModPath}: ${e.message}`, { file: goModPath })
    throw e
  }
}

/** A `toolchain` line, when there is one, names the server's Go: the Go version must never drift. */
async function alignToolchain(go: GoRunner, dir: string, goModPath: string, serverGo: string, log: (line: string) => void): Promise<void> {
  const toolchain = parseGoMod(fs.readFileSync(goModPath, 'utf8')).toolchain
  if (toolchain && !sameGoRelease(toolchain.name, serverGo)) await goCommand(go, dir, ['mod', 'edit', `-toolchain=${goReleaseNameOf(serverGo)}`], { log })
}
