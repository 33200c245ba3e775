import * as core from '@actions/core'
import { mkdir, rm } from 'node:fs/promises'
import { type Artifact, describeFile } from '../artifact.js'
import { type HostDirs, containerMounts, hostFoldersToCreate } from '../container-layout.js'
import { runContainer, runnerUser } from '../docker.js'
import { mapConcurrent } from '../concurrency.js'
import type { BuildJob } from './plan.js'
import { type CompilerError, compiledPackages, parseCompilerErrors } from './compiler-errors.js'

export interface BuildOutcome {
  job: BuildJob
  ok: boolean
  seconds: number
  log: string
  errors: CompilerError[]
  artifact?: Artifact
}

export interface BuildOptions {
  dirs: HostDirs
  concurrency: number
  /** The plugin folder relative to the repository root, for annotations. */
  repoDir: string
}

/** Builds every platform; a failing one does not stop the others. */
export async function buildPlatforms(jobs: BuildJob[], opts: BuildOptions): Promise<BuildOutcome[]> {
  for (const job of jobs) {
    for (const dir of hostFoldersToCreate(opts.dirs, job.platform.id)) await mkdir(dir, { recursive: true })
    // A stale file from an earlier run must never pass for this run's output.
    await rm(job.outputPath, { force: true })
  }
  return mapConcurrent(jobs, opts.concurrency, async job => {
    const r = await runContainer({
      image: job.image,
      command: ['go', ...job.goArgs],
      env: job.env,
      mounts: containerMounts(opts.dirs, job.platform.id),
      workdir: job.workdir,
      user: runnerUser()
    })
    const outcome: BuildOutcome = { job, ok: r.code === 0, seconds: r.seconds, log: r.output, errors: [] }
    if (outcome.ok) {
      outcome.artifact = { platform: job.platform.id, path: job.outputPath, name: job.assetName, ...(await describeFile(job.outputPath)) }
    } else {
      outcome.errors = parseCompilerErrors(r.output, job.workdir, opts.repoDir)
    }
    showBuild(outcome)
    return outcome
  })
}

/** The whole log in its own group, printed when the platform is done so logs never interleave. */
function showBuild(o: BuildOutcome): void {
  const compiled = compiledPackages(o.log).length
  // What a restored build cache saves shows here: only what changed gets compiled.
  const status = o.ok ? `ok in ${o.seconds.toFixed(1)} s, ${compiled} package${compiled === 1 ? '' : 's'} compiled` : 'FAILED'
  core.startGroup(`build ${o.job.platform.id} (${o.job.image}): ${status}`)
  core.info(`go ${o.job.goArgs.join(' ')}`)
  if (o.log.trim() !== '') core.info(o.log.trimEnd())
  core.endGroup()
  if (o.ok) return
  const found = o.errors.length > 0 ? o.errors : [{ message: o.log.trim().split('\n').slice(-5).join(' | ') || 'go build failed' }]
  for (const e of found.slice(0, 20)) {
    core.error(`${o.job.platform.id}: ${e.message}`, { title: `go build failed for ${o.job.platform.id}`, file: e.file, startLine: e.line, startColumn: e.column })
  }
}
