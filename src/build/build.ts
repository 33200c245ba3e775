import * as core from '@actions/core'
import { mkdir, readFile, rm } from 'node:fs/promises'
import { type Artifact, describeFile } from '../artifact.js'
import type { HostDirs } from '../container-layout.js'
import type { GoRunner } from '../go-runner/runner.js'
import type { Platform } from '../platform.js'
import { ElfFile } from '../binary/elf.js'
import { highestGlibc, versionNeeds } from '../binary/elf-dynamic.js'
import { mapConcurrent } from '../concurrency.js'
import type { BuildJob } from './plan.js'
import { type CompilerError, parseCompilerErrors } from './compiler-errors.js'

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
}

export interface BuildOptions {
  dirs: HostDirs
  concurrency: number
  /** The plugin folder relative to the repository root, for annotations. */
  repoDir: string
  /** Host folder of the plugin's go.mod, where go build runs. */
  pluginDir: string
  /** How Go runs for each platform (src/go-runner/builders.ts). */
  runnerFor: (p: Platform) => GoRunner
}

/** Builds every platform; a failing one does not stop the others. */
export async function buildPlatforms(jobs: BuildJob[], opts: BuildOptions): Promise<BuildOutcome[]> {
  if (opts.dirs.outputDir) await mkdir(opts.dirs.outputDir, { recursive: true })
  // A stale file from an earlier run must never pass for this run's output.
  for (const job of jobs) await rm(job.outputPath, { force: true })
  return mapConcurrent(jobs, opts.concurrency, async job => {
    const runner = opts.runnerFor(job.platform)
    const r = await runner.go(job.goArgs, { dir: opts.pluginDir, env: job.env })
    const outcome: BuildOutcome = { job, builtIn: runner.where, ok: r.code === 0, seconds: r.seconds, log: r.output, errors: [] }
    if (outcome.ok) {
      outcome.artifact = { platform: job.platform.id, path: job.outputPath, name: job.assetName, ...(await describeFile(job.outputPath)) }
      outcome.glibc = await glibcOf(job.outputPath)
    } else {
      outcome.errors = parseCompilerErrors(r.output, job.workdir, opts.repoDir)
    }
    showBuild(outcome)
    return outcome
  })
}

/** The whole log in its own group, printed when the platform is done so logs never interleave. */
function showBuild(o: BuildOutcome): void {
  const status = o.ok ? `ok in ${o.seconds.toFixed(1)} s` : 'FAILED'
  core.startGroup(`build ${o.job.platform.id} (${o.builtIn ?? o.job.image}): ${status}`)
  core.info(`go ${o.job.goArgs.join(' ')}`)
  if (o.log.trim() !== '') core.info(o.log.trimEnd())
  core.endGroup()
  if (o.ok) core.info(`${o.job.platform.id}: the .so needs C library ${o.glibc ?? 'none (no glibc symbol versions)'} (built in ${o.builtIn})`)
  if (o.ok) return
  const found = o.errors.length > 0 ? o.errors : [{ message: o.log.trim().split('\n').slice(-5).join(' | ') || 'go build failed' }]
  for (const e of found.slice(0, 20)) {
    core.error(`${o.job.platform.id}: ${e.message}`, { title: `go build failed for ${o.job.platform.id}`, file: e.file, startLine: e.line, startColumn: e.column })
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
