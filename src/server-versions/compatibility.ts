/**
 * The compatibility table: every .so built in the run, judged by every server
 * version built in it (its release binary, else the stand-in loader). The
 * cell of a .so's own version is its verification; the others tell the
 * plugin's users which server versions a published file also works with. Pure.
 */
import type { VerifyResult } from '../verify/witness.js'

export interface CompatibilityCheck {
  serverVersion: string
  status: 'loads' | 'refused' | 'not-verified'
  /** Who judged: `release binary gotify-linux-amd64.zip` or `stand-in loader`. */
  witness: string
  /** The first package whose fingerprint differs, when that is why it is refused. */
  firstDifference?: string
  detail: string
}

export interface CompatibilityRow {
  /** The file (asset) name. */
  artifact: string
  platform: string
  /** The server version it was built for. */
  builtFor: string
  /** One per server version judged, in the run's order (newest first). */
  checks: CompatibilityCheck[]
  /** Other server versions it loads into. */
  alsoLoadsInto: string[]
}

export interface JudgedArtifact {
  name: string
  platform: string
  builtFor: string
}

// plugin.Open's own message, which the stand-in loader reports word for word.
const GO_RUNTIME_REFUSAL = /different version of package (\S+?)[:;,)]?(?:\s|$)/

export function checkOf(serverVersion: string, v: VerifyResult): CompatibilityCheck {
  const status = v.status === 'loaded' ? 'loads' : v.status === 'failed' ? 'refused' : 'not-verified'
  const firstDifference = status === 'refused' ? (v.differing?.[0]?.package ?? GO_RUNTIME_REFUSAL.exec(v.detail)?.[1]) : undefined
  return { serverVersion, status, witness: v.witness, ...(firstDifference ? { firstDifference } : {}), detail: v.detail }
}

/**
 * `judges`: per server version (newest first), its verdict on each artifact
 * by name; a version that judged nothing (verification off) is left out.
 */
export function compatibilityRows(artifacts: JudgedArtifact[], judges: Array<{ serverVersion: string; results: Map<string, VerifyResult> }>): CompatibilityRow[] {
  return artifacts.map(a => {
    const checks = judges.flatMap(j => {
      const v = j.results.get(a.name)
      return v ? [checkOf(j.serverVersion, v)] : []
    })
    const alsoLoadsInto = checks.filter(c => c.status === 'loads' && c.serverVersion !== a.builtFor).map(c => c.serverVersion)
    return { artifact: a.name, platform: a.platform, builtFor: a.builtFor, checks, alsoLoadsInto }
  })
}

/** The table's cell: `loads`, `refused: <package>`, `not verified`; the file's own version says so. */
export function cellText(row: CompatibilityRow, serverVersion: string): string {
  const c = row.checks.find(x => x.serverVersion === serverVersion)
  if (!c) return '-'
  const own = serverVersion === row.builtFor ? ' (own)' : ''
  if (c.status === 'loads') return `loads${own}`
  if (c.status === 'not-verified') return `not verified${own}`
  return `**refused**${own}${c.firstDifference ? `: ${c.firstDifference}` : ''}`
}

/** One line per .so that also loads into other versions, or one line saying none does. */
export function loadsBeyondLines(rows: CompatibilityRow[]): string[] {
  const beyond = rows.filter(r => r.alsoLoadsInto.length > 0)
  if (rows.length === 0) return []
  if (beyond.length === 0) return ['No .so loads into another server version than its own: each server version needs its own build.']
  return beyond.map(r => `${r.artifact} (built for ${r.builtFor}) also loads into ${r.alsoLoadsInto.join(', ')}.`)
}
