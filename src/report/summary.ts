/** The job summary: what a plugin author reads after a run. Pure. */
import { type SharedModule, differs, unaligned } from '../alignment/plan.js'
import type { VerifyResult } from '../verify/witness.js'
import { type RunOutcome, isCompatible, serverGoVersion, serverGoVersionSource } from './outcome.js'
import { serverImageSection } from '../server-image/result.js'

const code = (s: string): string => `<code>${s.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</code>`
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ')

/** The "loads" cell: the verdict and who gave it. */
function loadsCell(v: VerifyResult | undefined): string {
  if (!v) return '-'
  if (v.status === 'loaded') return v.method === 'static' ? `yes: ${cell(v.detail)}` : `yes (${v.witness}, ${v.method})`
  if (v.status === 'failed') return `**no** (${v.witness}): ${cell(v.detail)}`
  return `not verified: ${cell(v.detail)}`
}

const glibcCell = (v: VerifyResult | undefined): string =>
  !v?.glibc.plugin ? '-' : v.glibc.server ? `${v.glibc.plugin} (server ${v.glibc.server})` : v.glibc.plugin

/** Every differing package of a refused platform, with its module on both sides. */
function differingSection(results: VerifyResult[]): string[] {
  const out: string[] = []
  for (const v of results.filter(r => r.differing && r.differing.length > 0)) {
    out.push(`<details><summary>${v.platform}: ${v.differing?.length} packages differ from the server's (Go: server ${v.goVersions?.server ?? '?'}, plugin ${v.goVersions?.plugin ?? '?'})</summary>`, '')
    out.push('| package | module | server | plugin |', '| --- | --- | --- | --- |')
    for (const d of v.differing ?? []) out.push(`| ${code(d.package)} | ${code(d.module)} | ${d.server ? cell(describe(d.server)) : '-'} | ${d.plugin ? cell(describe(d.plugin)) : '-'} |`)
    out.push('', '</details>', '')
  }
  return out
}

const describe = (v: { version?: string; replace?: string }): string => `${v.version ?? ''}${v.replace ? ` => ${v.replace}` : ''}`.trim() || '?'

export function summaryMarkdown(o: RunOutcome): string {
  const lines: string[] = ['## Go plugin build', '']
  lines.push(`Server **${o.server.owner}/${o.server.name} ${o.server.tag}**, Go **${serverGoVersion(o)}** (from ${serverGoVersionSource(o)}).`, '')
  for (const note of o.serverBuild?.notes ?? []) lines.push(`- :warning: ${note}`)
  if (o.serverBuild?.notes.length) lines.push('')
  const a = o.alignment
  if (a) {
    lines.push(`### go.mod alignment (${a.mode})`, '')
    if (a.changes.length === 0) lines.push('No change.', '')
    else {
      lines.push('| module | from | to |', '| --- | --- | --- |', ...a.changes.map(c => `| ${code(c.path)} | ${c.from} | ${c.to} |`), '')
    }
    for (const c of a.conflicts) lines.push(`- :x: ${c.message}`)
    const conflicting = new Set(a.conflicts.map(c => c.path))
    const others = unaligned(a.shared).filter(x => !conflicting.has(x.path))
    if (a.conflicts.length === 0) for (const s of others) lines.push(`- :warning: ${code(s.path)} is ${s.plugin} in the plugin but ${s.server} in the server`)
    // With a conflict the files were restored: the other linked modules only wait for it to be solved.
    else if (others.length > 0) lines.push(`- Also linked at other versions than the server's in this go.mod; alignment moves them once the conflicts above are solved: ${others.map(s => code(s.path)).join(', ')}`)
    if (a.diff.trim() !== '') {
      const intro = o.goFilesRestored ? 'The run failed, so go.mod and go.sum were left as they were; alignment changes go.mod like this:' : 'Commit this change to the plugin\'s go.mod:'
      lines.push('', intro, '', '```diff', a.diff.trimEnd(), '```')
    }
    lines.push('', ...notLinkedSection(a.shared))
  }
  lines.push('### Platforms', '', '| platform | image | build | seconds | loads | C library | file | size | sha256 | release |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
  for (const b of o.builds) {
    const v = o.verification.find(x => x.platform === b.job.platform.id)
    const art = o.artifacts.find(x => x.platform === b.job.platform.id)
    const release = art?.url ? `[${art.upload}](${art.url})` : '-'
    lines.push(
      `| ${b.job.platform.id} | ${code(b.job.image)} | ${b.ok ? 'ok' : '**failed**'} | ${b.seconds.toFixed(1)} | ${loadsCell(v)} | ${glibcCell(v)} | ${art ? code(art.name) : '-'} | ${art?.size ?? '-'} | ${art ? code(art.sha256) : '-'} | ${release} |`
    )
  }
  lines.push('')
  for (const v of o.verification) for (const w of v.warnings) lines.push(`- :warning: ${v.platform}: ${w}`)
  if (o.verification.some(v => v.warnings.length > 0)) lines.push('')
  lines.push(...differingSection(o.verification))
  if (o.serverImage) lines.push(...serverImageSection(o.serverImage))
  if (o.releaseUrl) {
    lines.push(`Release: ${o.releaseUrl}`, '', '| asset | status |', '| --- | --- |')
    for (const a of o.releaseAssets ?? []) lines.push(`| [${a.name}](${a.url}) | ${a.status} |`)
  }
  else if (o.uploadNote) lines.push(o.uploadNote.replace(/^not uploading/, 'Not uploaded'))
  if (o.failure) lines.push('', `:x: The run failed: ${o.failure}`)
  lines.push('', isCompatible(o) ? '**Compatible.**' : '**Not compatible** with this server release (or not proven so).')
  return lines.join('\n') + '\n'
}

/** Shared modules no linked package comes from, apart: they cannot make plugin.Open fail. */
function notLinkedSection(shared: SharedModule[]): string[] {
  const notLinked = shared.filter(s => !s.linked)
  const other = notLinked.filter(differs)
  if (other.length === 0) return []
  const same = notLinked.length - other.length
  return [
    '#### Shared, not linked: cannot affect loading',
    '',
    `In both build lists, but the plugin's package links none of their packages (on any platform built), so the server never compares them${same > 0 ? `; ${same} more at the server's version` : ''}.`,
    '',
    '| module | plugin | server |',
    '| --- | --- | --- |',
    ...other.map(s => `| ${code(s.path)} | ${s.replace !== undefined ? `${s.plugin} => ${s.replace}` : s.plugin} | ${s.server} |`),
    ''
  ]
}

