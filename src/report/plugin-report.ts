/**
 * The per-plugin report (plugin-path lists several folders): one row per
 * plugin and server version, with each step's verdict in one line: aligned
 * (or the obstacle), built (or the compiler's first error), proven against
 * the server's binary or the stand-in loader (or the differing packages),
 * and the go.mod changes the plugin's author would commit. Which plugins
 * must pass (required-plugins) decides whether a failure fails the run or
 * is a warning. Pure.
 */
import { unaligned } from '../alignment/plan.js'
import type { BuildOutcome } from '../compile/build.js'
import type { VerifyResult } from '../verify/witness.js'
import type { VersionOutcome } from './outcome.js'

export type StepStatus = 'ok' | 'failed' | 'not run'

export interface PluginRow {
  plugin: string
  serverVersion: string
  /** Listed in required-plugins (every plugin when it is empty): a failure fails the run. */
  required: boolean
  aligned: { status: StepStatus; obstacle?: string }
  built: { status: StepStatus; error?: string }
  proven: { status: StepStatus | 'not verified'; witness?: string; differing?: string[]; missingSymbols?: string[]; detail?: string }
  /** go.mod changes alignment made (module, from, to): what the plugin's author would commit. */
  goModChanges: Array<{ module: string; from: string; to: string; reason?: string }>
  /** Every step passed (a proof that could not be made does not fail it, as elsewhere in the report). */
  passed: boolean
  /** The first step that failed, in one line. */
  failure?: string
}

const first = (lines: string[]): string | undefined => (lines.length === 0 ? undefined : lines.length === 1 ? lines[0] : `${lines[0]} (and ${lines.length - 1} more)`)

function alignedOf(v: VersionOutcome): PluginRow['aligned'] {
  const a = v.alignment
  if (!a) return { status: 'not run' }
  if (a.conflicts.length > 0) return { status: 'failed', obstacle: first(a.conflicts.map(c => c.message)) }
  // align: cap or off can leave a linked module at another version than the server's.
  const left = unaligned(a.shared).map(s => `${s.path} is ${s.plugin} in the plugin, ${s.server} in the server (align: ${a.mode})`)
  return left.length > 0 ? { status: 'failed', obstacle: first(left) } : { status: 'ok' }
}

/** A failed build's first compiler error (file:line: message), else the last line of its log. */
export function firstBuildError(b: BuildOutcome): string {
  const e = b.errors[0]
  if (e) return `${b.job.platform.id}: ${e.file ? `${e.file}${e.line !== undefined ? `:${e.line}` : ''}: ` : ''}${e.message}`
  const last = b.log.trim().split('\n').map(l => l.trim()).filter(l => l !== '').pop()
  return `${b.job.platform.id}: ${last ?? 'go build failed'}`
}

function builtOf(v: VersionOutcome): PluginRow['built'] {
  if (v.builds.length === 0) return { status: 'not run' }
  const failed = v.builds.filter(b => !b.ok)
  return failed.length > 0 ? { status: 'failed', error: firstBuildError(failed[0]) } : { status: 'ok' }
}

const unique = (xs: string[]): string[] => [...new Set(xs)]

function provenOf(results: VerifyResult[]): PluginRow['proven'] {
  if (results.length === 0) return { status: 'not run' }
  const witness = unique(results.map(r => r.witness)).join(', ')
  const failed = results.filter(r => r.status === 'failed')
  if (failed.length > 0) {
    const differing = unique(failed.flatMap(r => (r.differing ?? []).map(d => d.package)))
    const missingSymbols = unique(failed.flatMap(r => r.missingSymbols ?? []))
    return {
      status: 'failed',
      witness,
      ...(differing.length > 0 ? { differing } : {}),
      ...(missingSymbols.length > 0 ? { missingSymbols } : {}),
      detail: `${failed[0].platform}: ${failed[0].detail}`
    }
  }
  const unproven = results.find(r => r.status === 'not-verified')
  if (unproven) return { status: 'not verified', witness, detail: `${unproven.platform}: ${unproven.detail}` }
  return { status: 'ok', witness }
}

/** The row of one plugin and server version (a version built, not skipped). */
export function pluginRow(v: VersionOutcome & { plugin: string }, required: boolean): PluginRow {
  const aligned = alignedOf(v)
  const built = builtOf(v)
  const proven = provenOf(v.verification)
  const steps =
    aligned.status === 'failed'
      ? `cannot be aligned: ${aligned.obstacle}`
      : built.status === 'failed'
        ? `does not build: ${built.error}`
        : proven.status === 'failed'
          ? `does not load (${proven.witness}): ${proven.differing ? `packages differ: ${proven.differing.join(', ')}` : proven.missingSymbols ? `missing symbols: ${proven.missingSymbols.join(', ')}` : proven.detail}`
          : v.leftOut && v.leftOut.length > 0
            ? `is ${v.leftOut[0]}`
            : aligned.status === 'not run'
            ? 'was not aligned'
            : built.status === 'not run'
              ? 'was not built (the run stopped before its build)'
              : undefined
  const failure = v.refused !== undefined ? `cannot be built for: ${v.refused}` : steps
  const goModChanges = aligned.status === 'ok' ? (v.alignment?.changes ?? []).map(c => ({ module: c.path, from: c.from, to: c.to, ...(c.reason ? { reason: c.reason } : {}) })) : []
  return { plugin: v.plugin, serverVersion: v.server.tag, required, aligned, built, proven, goModChanges, passed: failure === undefined, ...(failure ? { failure } : {}) }
}

/** Every plugin and server version built, in the run's order; empty unless plugin-path lists several plugins. */
export function pluginRows(versions: VersionOutcome[], required: (plugin: string) => boolean): PluginRow[] {
  return versions.flatMap(v => (v.plugin === undefined || v.skipped ? [] : [pluginRow({ ...v, plugin: v.plugin }, required(v.plugin))]))
}

/** The go.mod changes in one line: `module from -> to, ...`, or none. */
export const goModChangesText = (r: PluginRow): string =>
  r.goModChanges.length === 0 ? (r.aligned.status === 'ok' ? 'none' : '-') : r.goModChanges.map(c => `${c.module} ${c.from} -> ${c.to}`).join(', ')

/** One log line per row: what a reader of the step log scans for. */
export function pluginRowLine(r: PluginRow): string {
  const verdict = r.passed ? 'passes' : `fails${r.required ? '' : ' (not required)'}: ${r.failure}`
  return `Plugin ${r.plugin}, server ${r.serverVersion}: ${verdict}; go.mod changes: ${goModChangesText(r)}`
}
