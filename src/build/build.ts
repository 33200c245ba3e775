import * as core from '@actions/core'
import { mkdir, rm } from 'node:fs/promises'
import { type Artifact, describeFile } from '../artifact.js'
import { type HostDirs, containerMounts, hostFoldersToCreate } from '../container-layout.js'
import { runContainer, runnerUser } from '../docker.js'
import { mapConcurrent } from '../concurrency.js'
import type { BuildJob } from './plan.js'
import { type CompilerError, parseCompilerErrors } from './compiler-errors.js'

export interface BuildOutcome {
  job: BuildJob
  ok: boolean
  seconds: number
  log: string
  errors: CompilerError[]
  artifact?: Artifact
}

/** A build job and the folders it builds from (a server version's own copy of the plugin, when it has one). */
export interface BuildTask {
  job: BuildJob
  dirs: HostDirs
}

export interface BuildOptions {
  concurrency: number
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
  return mapConcurrent(tasks, opts.concurrency, async ({ job, dirs }) => {
    const r = await runContainer({
      image: job.image,
      command: ['go', ...job.goArgs],
      env: job.env,
      mounts: containerMounts(dirs, job.platform.id),
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
  const status = o.ok ? `ok in ${o.seconds.toFixed(1)} s` : 'FAILED'
  core.startGroup(`build ${o.job.platform.id} for ${o.job.serverVersion} (${o.job.image}): ${status}`)
  core.info(`go ${o.job.goArgs.join(' ')}`)
  if (o.log.trim() !== '') core.info(o.log.trimEnd())
  core.endGroup()
  if (o.ok) return
  const found = o.errors.length > 0 ? o.errors : [{ message: o.log.trim().split('\n').slice(-5).join(' | ') || 'go build failed' }]
  for (const e of found.slice(0, 20)) {
    core.error(`${o.job.platform.id} (server ${o.job.serverVersion}): ${e.message}`, { title: `go build failed for ${o.job.platform.id}`, file: e.file, startLine: e.line, startColumn: e.column })
  }
}
