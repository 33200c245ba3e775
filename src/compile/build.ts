import * as stepLog from '../step-log.js'
import { mkdir, readFile, rm } from 'node:fs/promises'
import * as os from 'node:os'
import * as path from 'node:path'
import { diskFull, namedFolder } from '../errors.js'
import { type Artifact, describeFile } from './artifact.js'
import { type HostDirs, hostFoldersToCreate } from '../container/layout.js'
import type { GoRunner } from '../go-runner/runner.js'
import { ElfFile } from '../binary/elf.js'
import { highestGlibc, versionNeeds } from '../binary/elf-dynamic.js'
import { mapConcurrent } from '../concurrency.js'
import type { BuildJob } from './plan.js'
import { type CompilerError, compiledPackages, parseCompilerErrors } from './compiler-errors.js'

export interface BuildOutcome {
  job: BuildJob
  /** Where go ran: the build image, or the native Go and C compiler. */
  builtIn?: string
  ok: boolean
  seconds: number
  log: string
  errors: CompilerError[]
  artifact?: Artifact
  /** The highest GLIBC_x.y the .so needs: a native build links against the runner's C library. */
  glibc?: string
  /** The cores it was given (GOMAXPROCS) while other builds ran beside it; absent: every core. */
  cores?: number
}

/** A build job, the folders it builds from and how Go runs for it (a server version's own copy of the plugin, when it has one). */
export interface BuildTask {
  job: BuildJob
  dirs: HostDirs
  /** Host folder of the plugin's go.mod, where go build runs. */
  pluginDir: string
  /** How Go runs for the job's platform (src/go-runner/builders.ts). */
  runner: GoRunner
  /** Its plugin folder relative to the repository root, when it is not opts.repoDir (several plugins). */
  repoDir?: string
  /** What must be done before it builds: its build cache's warm-up (src/compile/warm-up.ts). */
  ready?: () => Promise<void> | undefined
  /** Several plugins: which one it builds (named in annotations), and whether its failure only warns (not in required-plugins). */
  plugin?: { name: string; warnOnly: boolean }
  /** Built from a copy under another module path: compiler errors name the plugin's own (its files, which the annotations point at, do). */
  rename?: { from: string; to: string }
}

export interface BuildOptions {
  concurrency: number
  /** The runner's cores, shared by the builds that run at once. */
  cores: number
  /** The plugin folder relative to the repository root, for annotations. */
  repoDir: string
}

/**
 * Builds every platform of every server version in one pool (the per-platform
 * build cache and the module cache are shared); a failing one does not stop the others.
 */
export async function buildPlatforms(tasks: BuildTask[], opts: BuildOptions): Promise<BuildOutcome[]> {
  for (const { job, dirs } of tasks) {
    for (const dir of hostFoldersToCreate(dirs, job.platform.id)) await mkdir(dir, { recursive: true })
    // A stale file from an earlier run must never pass for this run's output.
    await rm(job.outputPath, { force: true })
  }
  return mapConcurrent(tasks, opts.concurrency, async ({ job, pluginDir, runner, repoDir, ready, plugin, rename }, index) => {
    await ready?.()
    const procs = goMaxProcs({ cores: opts.cores, concurrency: opts.concurrency, queued: tasks.length - index - 1, env: job.env })
    const r = await runner.go(job.goArgs, { dir: pluginDir, env: procs ? { ...job.env, GOMAXPROCS: String(procs) } : job.env })
    const outcome: BuildOutcome = { job, builtIn: runner.where, ok: r.code === 0, seconds: r.seconds, log: r.output, errors: [], ...(procs ? { cores: procs } : {}) }
    if (outcome.ok) {
      outcome.artifact = { platform: job.platform.id, path: job.outputPath, name: job.assetName, ...(await describeFile(job.outputPath)) }
      outcome.glibc = await glibcOf(job.outputPath)
    } else {
      outcome.errors = diskFull(r.output)
        ? [{ message: fullDiskMessage(r.output, job.outputPath) }]
        : parseCompilerErrors(r.output, job.workdir, repoDir ?? opts.repoDir).map(e => (rename ? { ...e, message: e.message.split(rename.to).join(rename.from) } : e))
    }
    showBuild(outcome, plugin)
    return outcome
  })
}

/** A build that ran out of disk: go's line, and the folders it writes (its build cache in RUNNER_TEMP, the output folder). */
function fullDiskMessage(output: string, outputPath: string): string {
  const said = output.split('\n').find(l => diskFull(l) !== undefined)?.trim() ?? 'no space left on device'
  const temp = process.env.RUNNER_TEMP || os.tmpdir()
  return `the disk is full (go build: ${said}); free space in ${namedFolder(temp)} and the output folder ${path.dirname(outputPath)} (or give the runner a larger disk) and re-run`
}

/**
 * GOMAXPROCS for a build starting now, or undefined for Go's own (every core).
 * Builds that run side by side each get their share of the cores: a go build
 * with every core already keeps them busy, and two such builds on the same
 * cores cost about an eighth more CPU for nothing (docs/benchmarks.md). The last
 * build to start keeps every core: when the others end it has them alone.
 * A GOMAXPROCS in the workflow's go-env wins.
 */
export function goMaxProcs(o: { cores: number; concurrency: number; queued: number; env: Record<string, string> }): number | undefined {
  if (o.env.GOMAXPROCS !== undefined || o.queued === 0 || o.concurrency <= 1) return undefined
  return Math.max(1, Math.floor(o.cores / o.concurrency))
}

/** The whole log in its own group, printed when the platform is done so logs never interleave. */
function showBuild(o: BuildOutcome, plugin?: BuildTask['plugin']): void {
  const compiled = compiledPackages(o.log).length
  // What a restored build cache saves shows here: only what changed gets compiled.
  const status = o.ok ? `ok in ${o.seconds.toFixed(1)} s, ${compiled} package${compiled === 1 ? '' : 's'} compiled` : 'FAILED'
  stepLog.startGroup(`build ${o.job.platform.id} for ${o.job.serverVersion} (${o.builtIn ?? o.job.image}): ${status}`)
  stepLog.info(`${o.cores ? `GOMAXPROCS=${o.cores} ` : ''}go ${o.job.goArgs.join(' ')}`)
  if (o.log.trim() !== '') stepLog.info(o.log.trimEnd())
  stepLog.endGroup()
  if (o.ok) stepLog.info(`${o.job.platform.id}: the .so needs C library ${o.glibc ?? 'none (no glibc symbol versions)'} (built in ${o.builtIn})`)
  if (o.ok) return
  const found = o.errors.length > 0 ? o.errors : [{ message: o.log.trim().split('\n').slice(-5).join(' | ') || 'go build failed' }]
  const of = plugin ? `, plugin ${plugin.name}` : ''
  for (const e of found.slice(0, 20)) {
    stepLog[plugin?.warnOnly ? 'warning' : 'error'](`${o.job.platform.id} (server ${o.job.serverVersion}${of}): ${e.message}`, {
      title: `go build failed for ${o.job.platform.id}${of}`,
      file: e.file,
      startLine: e.line,
      startColumn: e.column
    })
  }
}

/** The highest GLIBC_x.y a built file needs; undefined when it needs none or cannot be read. */
async function glibcOf(file: string): Promise<string | undefined> {
  try {
    return highestGlibc(versionNeeds(new ElfFile(await readFile(file), file)))
  } catch {
    return undefined
  }
}
