/** One server version's sections of the job summary: its go.mod alignment, its platforms, what differs from the server. Pure. */
import { type SharedModule, differs, unaligned } from '../alignment/plan.js'
import { markdownText } from '../outside-text.js'
import type { VerifyResult } from '../verify/witness.js'
import { code, cell, details, plain, table } from './markdown.js'
import { type RunOutcome, type VersionOutcome, serverGoVersion, serverGoVersionSource } from './outcome.js'

/** The "loads" cell: the verdict and who gave it. */
function loadsCell(v: VerifyResult | undefined): string {
  if (!v) return '-'
  if (v.status === 'loaded') return v.method === 'static' ? `yes: ${cell(v.detail)}` : `yes (${v.witness}, ${v.method})`
  if (v.status === 'failed') return `**no** (${v.witness}): ${cell(v.detail)}`
  return `not verified: ${cell(v.detail)}`
}

/** The C library the .so needs (from verification, else from the build), beside the server binary's. */
function glibcCell(v: VerifyResult | undefined, built: string | undefined): string {
  const plugin = v?.glibc.plugin ?? built
  if (!plugin) return '-'
  return v?.glibc.server ? `${plugin} (server ${v.glibc.server})` : plugin
}

const describe = (v: { version?: string; replace?: string }): string => `${v.version ?? ''}${v.replace ? ` => ${v.replace}` : ''}`.trim() || '?'

/** Every differing package of a refused platform, with its module on both sides, folded; platforms that differ alike share one table. */
export function differingLines(results: VerifyResult[]): string[] {
  const groups = new Map<string, VerifyResult[]>()
  for (const r of results.filter(x => x.differing && x.differing.length > 0)) {
    const key = JSON.stringify([r.differing, r.goVersions])
    groups.set(key, [...(groups.get(key) ?? []), r])
  }
  return [...groups.values()].flatMap(rs => {
    const [v] = rs
    return details(
      `${rs.map(r => r.platform).join(', ')}: ${v.differing?.length} packages differ from the server's (Go: server ${v.goVersions?.server ?? '?'}, plugin ${v.goVersions?.plugin ?? '?'})`,
      table(['package', 'module', 'server', 'plugin'], (v.differing ?? []).map(d => [code(d.package), code(d.module), d.server ? cell(describe(d.server)) : '-', d.plugin ? cell(describe(d.plugin)) : '-']))
    )
  })
}

/** Shared modules no linked package comes from, apart: they cannot make plugin.Open fail. `brief`: one line, the table left to compat-report.json. */
export function notLinkedLines(shared: SharedModule[], heading: string, brief = false): string[] {
  const notLinked = shared.filter(s => !s.linked)
  const other = notLinked.filter(differs)
  if (other.length === 0) return []
  const same = notLinked.length - other.length
  if (brief) return [`${other.length} modules in both build lists are at other versions but not linked by the plugin's package: they cannot affect loading (compat-report.json: sharedNotLinked).`, '']
  return [
    `${heading} Shared, not linked: cannot affect loading`,
    '',
    `In both build lists, but the plugin's package links none of their packages (on any platform built), so the server never compares them${same > 0 ? `; ${same} more at the server's version` : ''}.`,
    '',
    ...table(['module', 'plugin', 'server'], other.map(s => [code(s.path), s.replace !== undefined ? `${s.plugin} => ${s.replace}` : s.plugin, s.server])),
    ''
  ]
}

// A go.mod diff longer than this (a go.mod rewritten) is left to compat-report.json.
const MAX_DIFF = 16 * 1024

/** The diff's file names made the folder's (`a/webhook/go.mod`), so several plugins' diffs cannot be confused. */
export function diffForFolder(diff: string, folder: string | undefined): string {
  if (!folder || folder === '.') return diff
  return diff.replace(/^--- a\/go\.mod$/m, `--- a/${folder}/go.mod`).replace(/^\+\+\+ b\/go\.mod$/m, `+++ b/${folder}/go.mod`)
}

/** The alignment: what changed (and why, for a move across plugins), conflicts, the diff to commit. */
export function alignmentLines(v: VersionOutcome, o: Pick<RunOutcome, 'goFilesRestored'>, heading: string, folder?: string, brief = false): string[] {
  const a = v.alignment
  if (!a) return []
  const lines = [`${heading} go.mod alignment (${a.mode})`, '']
  const why = a.changes.some(c => c.reason)
  if (a.changes.length === 0) lines.push('No change.', '')
  // A copy's changes (another version than the workspace's, several plugins): one line; the table is for what the user commits.
  else if (brief && !v.alignsWorkspace) lines.push(`In this version's copy: ${a.changes.map(c => `${code(c.path)} ${markdownText(c.from)} → ${markdownText(c.to)}${c.reason ? ` (${markdownText(c.reason)})` : ''}`).join(', ')}.`, '')
  else lines.push(...table(['module', 'from', 'to', ...(why ? ['why'] : [])], a.changes.map(c => [code(c.path), c.from, c.to, ...(why ? [c.reason ? markdownText(c.reason) : 'the server\'s version'] : [])])), '')
  for (const c of a.conflicts) lines.push(`- :x: ${markdownText(c.message)}`)
  const conflicting = new Set(a.conflicts.map(c => c.path))
  const others = unaligned(a.shared).filter(x => !conflicting.has(x.path))
  if (a.conflicts.length === 0) for (const s of others) lines.push(`- :warning: ${code(s.path)} is ${s.plugin} in the plugin but ${s.server} in the server`)
  // With a conflict the files were restored: the other linked modules only wait for it to be solved.
  else if (others.length > 0) lines.push(`- Also linked at other versions than the server's in this go.mod; alignment moves them once the conflicts above are solved: ${others.map(s => code(s.path)).join(', ')}`)
  // The diff to commit is the workspace's: the newest version's.
  if (v.alignsWorkspace && a.diff.trim() !== '') {
    const file = folder && folder !== '.' ? `${folder}/go.mod` : 'go.mod'
    const intro = o.goFilesRestored ? `The run failed, so ${code(file)} and go.sum were left as they were; alignment changes it like this:` : `Commit this change to ${code(file)}:`
    const diff = diffForFolder(a.diff.trimEnd(), folder)
    if (diff.length > MAX_DIFF) lines.push('', `${intro.replace(/:$/, '')}: ${diff.split('\n').length} lines of diff, in compat-report.json (goModDiff).`)
    else lines.push('', intro, '', '```diff', diff, '```')
  }
  lines.push('')
  return lines
}

/** One row per platform: where it was built, whether it loads, the file. `compact` (several plugins): without the build's image, time and C library. */
export function platformLines(v: VersionOutcome, heading: string, compact = false): string[] {
  const rows = v.builds.map(b => {
    const r = v.verification.find(x => x.platform === b.job.platform.id)
    const art = v.artifacts.find(x => x.platform === b.job.platform.id)
    const release = art?.url ? `[${art.upload}](${art.url})` : '-'
    const file = [art ? code(art.name) : '-', String(art?.size ?? '-'), art ? code(art.sha256) : '-', release]
    return compact ? [b.job.platform.id, b.ok ? 'ok' : '**failed**', loadsCell(r), ...file] : [b.job.platform.id, code(b.builtIn ?? b.job.image), b.ok ? 'ok' : '**failed**', b.seconds.toFixed(1), loadsCell(r), glibcCell(r, b.glibc), ...file]
  })
  const header = compact ? ['platform', 'build', 'loads', 'file', 'size', 'sha256', 'release'] : ['platform', 'built in', 'build', 'seconds', 'loads', 'C library', 'file', 'size', 'sha256', 'release']
  const lines = [`${heading} Platforms`, '', ...table(header, rows), '']
  for (const r of v.verification) for (const w of r.warnings) lines.push(`- :warning: ${r.platform}: ${plain(w)}`)
  if (v.verification.some(r => r.warnings.length > 0)) lines.push('')
  return [...lines, ...differingLines(v.verification)]
}

/** The server of a version in one line, and its build's notes. */
export function serverLines(v: VersionOutcome, where = ''): string[] {
  const name = `${v.server.owner}/${v.server.name} ${markdownText(v.server.tag)}`
  if (v.skipped) return [`Server **${name}**: not built: ${markdownText(v.skipped)}.`, '']
  if (v.refused !== undefined) return [`Server **${name}**: :x: not built: ${markdownText(v.refused)}.`, '']
  const lines = [`Server **${name}**, Go **${serverGoVersion(v)}** (from ${serverGoVersionSource(v)}).${where}`, '']
  for (const note of v.serverBuild?.notes ?? []) lines.push(`- :warning: ${plain(note)}`)
  if (v.serverBuild?.notes.length) lines.push('')
  return lines
}

/** One plugin's whole section for one version (one plugin per run): the server, the alignment, the platforms. */
export function versionSection(v: VersionOutcome, o: RunOutcome, multi: boolean): string[] {
  // One version: the sections as always; several: one heading per version, its sections below it.
  const h = (level: number): string => '#'.repeat(level + (multi ? 1 : 0))
  const lines: string[] = []
  if (multi) lines.push(`### ${markdownText(v.server.tag)}`, '')
  const where = !multi || v.skipped || v.refused !== undefined ? '' : v.alignsWorkspace ? " Its alignment is the workspace's go.mod." : " Built from a copy of the plugin aligned with it (the workspace's go.mod follows the newest version only)."
  lines.push(...serverLines(v, where))
  if (v.skipped || v.refused !== undefined) return lines
  lines.push(...alignmentLines(v, o, h(3)))
  if (v.alignment) lines.push(...notLinkedLines(v.alignment.shared, h(4)))
  return [...lines, ...platformLines(v, h(3))]
}
