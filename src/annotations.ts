import * as core from '@actions/core'
import * as path from 'node:path'
import { InputError, StepError } from './errors.js'
import type { Alignment } from './alignment/align.js'
import { differs, unaligned } from './alignment/plan.js'
import type { VerifyResult } from './verify/verify.js'

/** Annotations take paths relative to the repository root. */
export function repoPath(file: string | undefined, workspace: string = process.env.GITHUB_WORKSPACE || process.cwd()): string | undefined {
  if (!file || !path.isAbsolute(file)) return file
  const rel = path.relative(workspace, file)
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel.split(path.sep).join('/')
}

/** Conflicts point at the plugin's go.mod line that brings the module in. */
export function annotateConflicts(alignment: Alignment): void {
  for (const c of alignment.conflicts) core.error(c.message, { title: `cannot align ${c.path}`, file: repoPath(c.location?.file), startLine: c.location?.line })
  // Not warnings: they cannot make plugin.Open fail, and would drown the ones that can.
  const notLinked = alignment.shared.filter(s => !s.linked && differs(s))
  if (notLinked.length > 0) {
    core.info(`Shared, not linked (cannot affect loading): ${notLinked.map(s => `${s.path} ${s.plugin} (server ${s.server})`).join(', ')}`)
  }
  if (alignment.conflicts.length > 0) return
  for (const s of unaligned(alignment.shared)) {
    core.warning(`${s.path} is ${s.plugin} in the plugin but ${s.server} in the server (align: ${alignment.mode})`, { title: 'not aligned' })
  }
}

export function annotateVerification(results: VerifyResult[]): void {
  for (const v of results) {
    if (v.status === 'failed') core.error(`${v.platform}: ${v.detail}`, { title: `plugin does not load (${v.platform})` })
    if (v.status === 'not-verified') core.warning(`${v.platform}: not verified: ${v.detail}`)
  }
}

/** Known failures are one line; anything else keeps its stack for a bug report. */
export function fail(e: unknown): void {
  if (e instanceof StepError && e.location) core.error(e.message, { file: repoPath(e.location.file), startLine: e.location.line })
  if (e instanceof InputError || e instanceof StepError) core.setFailed(e.message)
  else core.setFailed(`unexpected error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`)
}
