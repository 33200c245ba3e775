import * as stepLog from '../step-log.js'
import * as path from 'node:path'
import { InputError, StepError, asDiskFull } from '../errors.js'
import { GitHubApiError } from '../github/api.js'
import { adviceFor } from '../github/explain.js'
import type { Alignment } from '../alignment/align.js'
import { differs, unaligned } from '../alignment/plan.js'
import type { VerifyResult } from '../verify/witness.js'

/** Annotations take paths relative to the repository root. */
export function repoPath(file: string | undefined, workspace: string = process.env.GITHUB_WORKSPACE || process.cwd()): string | undefined {
  if (!file || !path.isAbsolute(file)) return file
  const rel = path.relative(workspace, file)
  return rel.startsWith('..') || path.isAbsolute(rel) ? file : rel.split(path.sep).join('/')
}

/** How a failure is annotated: a plugin not in required-plugins fails with warnings only. */
export type FailureLevel = 'error' | 'warning'

/** Conflicts point at the plugin's go.mod line that brings the module in. */
export function annotateConflicts(alignment: Alignment, level: FailureLevel = 'error'): void {
  for (const c of alignment.conflicts) stepLog[level](c.message, { title: `cannot align ${c.path}`, file: repoPath(c.location?.file), startLine: c.location?.line })
  // Not warnings: they cannot make plugin.Open fail, and would drown the ones that can.
  const notLinked = alignment.shared.filter(s => !s.linked && differs(s))
  if (notLinked.length > 0) {
    stepLog.info(`Shared, not linked (cannot affect loading): ${notLinked.map(s => `${s.path} ${s.plugin} (server ${s.server})`).join(', ')}`)
  }
  if (alignment.conflicts.length > 0) return
  for (const s of unaligned(alignment.shared)) {
    stepLog.warning(`${s.path} is ${s.plugin} in the plugin but ${s.server} in the server (align: ${alignment.mode})`, { title: 'not aligned' })
  }
}

/** `where`: the server version when the run builds several, the plugin when it builds several. */
export function annotateVerification(results: VerifyResult[], where: { server?: string; plugin?: string } = {}, level: FailureLevel = 'error'): void {
  const named = [where.server ? `server ${where.server}` : undefined, where.plugin ? `plugin ${where.plugin}` : undefined].filter(x => x !== undefined).join(', ')
  const on = named ? ` (${named})` : ''
  const title = (what: string, platform: string): string => `${what} (${[platform, named].filter(x => x !== '').join(', ')})`
  for (const v of results) {
    if (v.status === 'failed') stepLog[level](`${v.platform}${on}: ${v.detail}`, { title: title('plugin does not load', v.platform) })
    if (v.status === 'not-verified') stepLog.warning(`${v.platform}${on}: not verified: ${v.detail}`)
    // A plugin that loads but needs a newer C library (a native build links the runner's) or another Go patch release.
    if (v.status === 'loaded') for (const w of v.warnings) stepLog.warning(`${v.platform}${on}: ${w}`, { title: title('plugin loads with a warning', v.platform) })
  }
}

/**
 * The one line a user reads for a failure. Known failures say what to do;
 * anything else is named as unexpected, and its stack goes to the debug log.
 */
export function failureMessage(e: unknown): string {
  let text: string
  const full = asDiskFull(e, 'writing a file', 'a folder of the run (RUNNER_TEMP, the output folder or the tool cache)')
  if (full !== e) text = (full as StepError).message
  else if (e instanceof InputError || e instanceof StepError) text = e.message
  else if (e instanceof GitHubApiError) text = `GitHub request ${e.method} ${e.route} failed: ${e.detail}; ${adviceFor(e, { kind: 'read', repository: 'the repository' }) || 'see the debug log'}`
  else {
    const why = e instanceof Error ? e.message : String(e)
    text = `unexpected error: ${why}; re-run the job with debug logging on (ACTIONS_STEP_DEBUG) to see where it happened`
  }
  return oneLine(text)
}

function oneLine(text: string): string {
  const line = text.split(/\r?\n/).map(l => l.trim()).filter(l => l !== '').join('; ')
  return line.length > 2000 ? `${line.slice(0, 1997)}...` : line
}

/** Fails the step with one line; stacks only in the debug log. */
export function fail(e: unknown): void {
  if (e instanceof Error && e.stack) stepLog.debug(e.stack)
  const message = failureMessage(e)
  if (e instanceof StepError && e.location) stepLog.error(message, { file: repoPath(e.location.file), startLine: e.location.line })
  stepLog.setFailed(message)
}
