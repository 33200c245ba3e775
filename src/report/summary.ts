/** The job summary: what a plugin author reads after a run, grouped by server version. Pure. */
import { type SharedModule, differs, unaligned } from '../alignment/plan.js'
import { type CompatibilityRow, cellText, loadsBeyondLines } from '../server-versions/compatibility.js'
import type { VerifyResult } from '../verify/witness.js'
import { type RunOutcome, type VersionOutcome, builtVersions, isCompatible, isRequiredVersion, isVersionCompatible, serverGoVersion, serverGoVersionSource } from './outcome.js'
import { serverImageSection } from '../server-image/result.js'
import { markdownText } from '../run/outside-text.js'
import { pluginReportSection } from './plugin-summary.js'
import { infoSummaryLines } from './info-summary.js'

const code = (s: string): string => `<code>${s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\|/g, '\\|')}</code>`
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ')

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
  const multi = o.versions.length > 1
  const lines: string[] = ['## Go plugin build', '']
  if (o.pluginPath) lines.push(`Plugin path (the import path of its main package; one server loads each path once): ${code(o.pluginPath)}`, '')
  if (multi) {
    const first = o.versions[0]?.server
    const tags = [...new Set(o.versions.map(v => markdownText(v.server.tag)))]
    lines.push(`Server versions of **${first?.owner}/${first?.name}** (server-version: ${code(o.request)}), newest first: ${tags.join(', ')}.`, '')
    if (o.plugins) lines.push(`Plugins (one server's plugin folder): ${o.plugins.map(p => `**${p.name}** (${code(p.modulePath)})`).join(', ')}.`, '')
    lines.push(...pluginReportSection(o))
  }
  for (const v of o.versions) lines.push(...versionSection(v, o, multi))
  lines.push(...compatibilitySection(o))
  lines.push(...setSection(o))
  lines.push(...infoSummaryLines(o))
  if (o.releaseUrl) {
    lines.push(`Release: ${o.releaseUrl}`, '', '| asset | status |', '| --- | --- |')
    for (const a of o.releaseAssets ?? []) lines.push(`| [${markdownText(a.name)}](${a.url}) | ${a.status} |`)
  }
  // Nothing uploaded, or (candidate versions withheld) not everything.
  if (o.uploadNote) lines.push(o.uploadNote.replace(/^not uploading/, 'Not uploaded'))
  if (o.failure) lines.push('', `:x: The run failed: ${o.failure}`)
  const failing = [...new Set([...o.versions.filter(v => isRequiredVersion(o, v) && !isVersionCompatible(v)).map(v => `${v.plugin ? `${v.plugin} ` : ''}${markdownText(v.server.tag)}`), ...(o.sets ?? []).filter(s => s.status === 'failed').map(s => `the plugin set of ${markdownText(s.serverVersion)}`)])]
  const verdict = isCompatible(o)
    ? '**Compatible.**'
    : multi && failing.length > 0
      ? `**Not compatible** with ${failing.join(', ')} (or not proven so).`
      : '**Not compatible** with this server release (or not proven so).'
  lines.push('', verdict)
  return lines.join('\n') + '\n'
}

function versionSection(v: VersionOutcome, o: RunOutcome, multi: boolean): string[] {
  // One version: the sections as always; several: one heading per version, its sections below it.
  const h = (level: number): string => '#'.repeat(level + (multi ? 1 : 0))
  const lines: string[] = []
  const name = `${v.server.owner}/${v.server.name} ${markdownText(v.server.tag)}`
  if (multi) lines.push(`### ${v.plugin ? `${v.plugin}: ` : ''}${markdownText(v.server.tag)}`, '')
  if (v.skipped) return [...lines, `Server **${name}**: not built: ${v.skipped}.`, '']
  const where = !multi ? '' : v.alignsWorkspace ? " Its alignment is the workspace's go.mod." : " Built from a copy of the plugin aligned with it (the workspace's go.mod follows the newest version only)."
  lines.push(`Server **${name}**, Go **${serverGoVersion(v)}** (from ${serverGoVersionSource(v)}).${where}`, '')
  for (const note of v.serverBuild?.notes ?? []) lines.push(`- :warning: ${note}`)
  if (v.serverBuild?.notes.length) lines.push('')
  const a = v.alignment
  if (a) {
    lines.push(`${h(3)} go.mod alignment (${a.mode})`, '')
    if (a.changes.length === 0) lines.push('No change.', '')
    else lines.push('| module | from | to |', '| --- | --- | --- |', ...a.changes.map(c => `| ${code(c.path)} | ${c.from} | ${c.to} |`), '')
    for (const c of a.conflicts) lines.push(`- :x: ${markdownText(c.message)}`)
    const conflicting = new Set(a.conflicts.map(c => c.path))
    const others = unaligned(a.shared).filter(x => !conflicting.has(x.path))
    if (a.conflicts.length === 0) for (const s of others) lines.push(`- :warning: ${code(s.path)} is ${s.plugin} in the plugin but ${s.server} in the server`)
    // With a conflict the files were restored: the other linked modules only wait for it to be solved.
    else if (others.length > 0) lines.push(`- Also linked at other versions than the server's in this go.mod; alignment moves them once the conflicts above are solved: ${others.map(s => code(s.path)).join(', ')}`)
    // The diff to commit is the workspace's: the newest version's.
    if (v.alignsWorkspace && a.diff.trim() !== '') {
      const intro = o.goFilesRestored ? 'The run failed, so go.mod and go.sum were left as they were; alignment changes go.mod like this:' : 'Commit this change to the plugin\'s go.mod:'
      lines.push('', intro, '', '```diff', a.diff.trimEnd(), '```')
    }
    lines.push('', ...notLinkedSection(a.shared, h(4)))
  }
  lines.push(`${h(3)} Platforms`, '', '| platform | built in | build | seconds | loads | C library | file | size | sha256 | release |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |')
  for (const b of v.builds) {
    const r = v.verification.find(x => x.platform === b.job.platform.id)
    const art = v.artifacts.find(x => x.platform === b.job.platform.id)
    const release = art?.url ? `[${art.upload}](${art.url})` : '-'
    lines.push(
      `| ${b.job.platform.id} | ${code(b.builtIn ?? b.job.image)} | ${b.ok ? 'ok' : '**failed**'} | ${b.seconds.toFixed(1)} | ${loadsCell(r)} | ${glibcCell(r, b.glibc)} | ${art ? code(art.name) : '-'} | ${art?.size ?? '-'} | ${art ? code(art.sha256) : '-'} | ${release} |`
    )
  }
  lines.push('')
  for (const r of v.verification) for (const w of r.warnings) lines.push(`- :warning: ${r.platform}: ${w}`)
  if (v.verification.some(r => r.warnings.length > 0)) lines.push('')
  lines.push(...differingSection(v.verification))
  if (v.serverImage) lines.push(...serverImageSection(v.serverImage))
  return lines
}

/** Every .so against every server version built: shown once there are two. */
function compatibilitySection(o: RunOutcome): string[] {
  const tags = builtVersions(o).map(v => v.server.tag)
  if (tags.length < 2 || o.compatibility.length === 0) return []
  const row = (r: CompatibilityRow): string => `| ${code(r.artifact)} | ${r.builtFor} | ${tags.map(t => cellText(r, t)).join(' | ')} |`
  return [
    '### Compatibility across server versions',
    '',
    "Every .so of this run, checked against every server version built in it (its release binary where it publishes one, else the stand-in loader); a refusal names the first package that differs.",
    '',
    `| file | built for | ${tags.map(markdownText).join(' | ')} |`,
    `| --- | --- | ${tags.map(() => '---').join(' | ')} |`,
    ...o.compatibility.map(row),
    '',
    ...loadsBeyondLines(o.compatibility).map(l => `- ${l}`),
    ''
  ]
}

/** Shared modules no linked package comes from, apart: they cannot make plugin.Open fail. */
function notLinkedSection(shared: SharedModule[], heading: string): string[] {
  const notLinked = shared.filter(s => !s.linked)
  const other = notLinked.filter(differs)
  if (other.length === 0) return []
  const same = notLinked.length - other.length
  return [
    `${heading} Shared, not linked: cannot affect loading`,
    '',
    `In both build lists, but the plugin's package links none of their packages (on any platform built), so the server never compares them${same > 0 ? `; ${same} more at the server's version` : ''}.`,
    '',
    '| module | plugin | server |',
    '| --- | --- | --- |',
    ...other.map(s => `| ${code(s.path)} | ${s.replace !== undefined ? `${s.plugin} => ${s.replace}` : s.plugin} | ${s.server} |`),
    ''
  ]
}

/** Several plugins: per server version and platform, whether their files load together. */
function setSection(o: RunOutcome): string[] {
  if (!o.sets || o.sets.length === 0) return []
  const status = { loaded: 'yes', failed: '**no**', warned: ':warning: only with a conflict a (warn) neighbour takes part in', 'not-verified': 'not verified' }
  const lines = ['### The plugins together in one server', '', '| server version | platform | files (load order) | load together |', '| --- | --- | --- | --- |']
  for (const s of o.sets) lines.push(`| ${s.serverVersion} | ${s.platform} | ${s.files.map(code).join(', ')} | ${status[s.status]}: ${markdownText(s.detail)} |`)
  lines.push('')
  const differing = o.sets.flatMap(s => s.differing.map(d => ({ ...d, set: `${s.serverVersion} ${s.platform}` })))
  if (differing.length > 0) {
    lines.push('| set | file | differs from | package | module | earlier | file\'s |', '| --- | --- | --- | --- | --- | --- | --- |')
    for (const d of differing) lines.push(`| ${d.set} | ${code(d.file)} | ${code(d.with)} | ${code(d.package)} | ${code(d.module)} | ${d.earlier ?? '-'} | ${d.plugin ?? '-'} |`)
    lines.push('')
  }
  return lines
}
