/**
 * The job summary of several plugins (plugin-path lists several folders):
 * first one row per plugin (its folder, its plugin path, its verdict against
 * each server version), then what happened across plugins (moves to one
 * version, the set's warnings), and each plugin's details folded: every step
 * per server version, its go.mod changes and diff headed by its folder, its
 * platforms. A plugin is never named as if it were a server. Pure.
 */
import { markdownText } from '../outside-text.js'
import { code, cut, details, plain, table } from './markdown.js'
import { type RunOutcome, type VersionOutcome, isRequiredVersion, serverGoVersion } from './outcome.js'
import { type PluginRow, pluginRow } from './plugin-report.js'
import type { SummaryBlock } from './summary-cap.js'
import { alignmentLines, notLinkedLines, platformLines, serverLines } from './version-summary.js'

type Plugin = NonNullable<RunOutcome['plugins']>[number]

const mark = (status: string): string => (status === 'ok' ? 'yes' : status === 'failed' ? '**no**' : status)

function provenCell(r: PluginRow): string {
  const p = r.proven
  const by = p.witness ? ` (${markdownText(cut(p.witness, 120))})` : ''
  if (p.status === 'ok') return `yes${by}`
  if (p.status === 'failed') {
    const why = p.differing ? `packages differ: ${p.differing.map(markdownText).join(', ')}` : p.missingSymbols ? `missing symbols: ${p.missingSymbols.map(markdownText).join(', ')}` : markdownText(p.detail ?? '')
    return `**no**${by}: ${why}`
  }
  return p.detail ? `${p.status}: ${markdownText(p.detail)}` : p.status
}

/** The server versions of the run, in its order (newest first). */
export const serverTags = (o: RunOutcome): string[] => [...new Set(o.versions.map(v => v.server.tag))]

const versionsOf = (o: RunOutcome, p: Plugin): VersionOutcome[] => o.versions.filter(v => v.plugin === p.name)
const required = (o: RunOutcome, p: Plugin): boolean => isRequiredVersion(o, { plugin: p.name })
const rowOf = (o: RunOutcome, v: VersionOutcome): PluginRow | undefined => (v.plugin === undefined || v.skipped ? undefined : pluginRow({ ...v, plugin: v.plugin }, isRequiredVersion(o, v)))

/** One version's verdict for one plugin, compactly: passes, fails and why (cut), not built and why. */
function verdictCell(o: RunOutcome, v: VersionOutcome | undefined): string {
  if (!v) return '-'
  if (v.skipped) return `not built: ${markdownText(cut(v.skipped, 80))}`
  const r = rowOf(o, v)
  if (!r) return '-'
  if (r.passed) return r.proven.status === 'not verified' ? 'passes (not verified as loading)' : 'passes'
  return `${r.required ? '**fails**' : 'fails (not required)'}: ${markdownText(cut(r.failure ?? '', 160))}`
}

/** The server versions this plugin fails against (its own failures: required or not). */
const failingTags = (o: RunOutcome, p: Plugin): string[] => versionsOf(o, p).filter(v => rowOf(o, v)?.passed === false).map(v => v.server.tag)

/** The per-plugin table: one row per plugin, a column per server version (one version: named once, in the header). */
export function pluginTableBlock(o: RunOutcome): SummaryBlock {
  const plugins = o.plugins ?? []
  const tags = serverTags(o)
  const header = ['plugin', 'folder', 'plugin path', ...tags.map(t => `server ${markdownText(t)}`)]
  const rows = plugins.map(p => {
    const failing = failingTags(o, p).length > 0
    const name = `${failing && required(o, p) ? ':x: ' : ''}**${markdownText(p.name)}**${required(o, p) ? '' : ' (not required)'}`
    return [name, code(p.path), code(p.pluginPath), ...tags.map(t => verdictCell(o, versionsOf(o, p).find(v => v.server.tag === t)))]
  })
  const [head, sep, ...body] = table(header, rows)
  const intro = `${plugins.length} plugins for one server's plugin folder; the plugin path is the import path of a plugin's main package (a server loads each path once). A failure of a required plugin (required-plugins; every plugin when it is empty) makes the run not compatible; the others are warnings. Each plugin's steps are in its details below.`
  return { name: 'the table of plugins', lines: ['### Plugins', '', intro, '', head, sep], rows: body, after: [''] }
}

/** Moves to one version across plugins, with their reason, and the set's warnings: what the log alone used to say. */
export function acrossPluginsBlock(o: RunOutcome): SummaryBlock | undefined {
  const several = serverTags(o).length > 1
  const moves = o.versions.flatMap(v =>
    (v.alignment?.changes ?? [])
      .filter(c => c.reason)
      .map(c => `- ${several ? `Server ${markdownText(v.server.tag)}: ` : ''}**${markdownText(v.plugin ?? '')}** ${code(c.path)} ${markdownText(c.from)} → ${markdownText(c.to)} (${markdownText(c.reason ?? '')}: one server loads one version of a module its plugins share)`)
  )
  const warnings = setWarningLines(o)
  if (moves.length === 0 && warnings.length === 0) return undefined
  return { name: 'the moves and warnings across plugins', lines: ['### Across plugins', ''], rows: [...moves, ...warnings], after: [''] }
}

/** The sets' warnings, each once with the platforms (and versions) it came from: a file of this run is named by its plugin, so the same warning on every platform is one line. */
export function setWarningLines(o: RunOutcome): string[] {
  const several = serverTags(o).length > 1
  const owner = new Map(o.versions.flatMap(v => v.artifacts.map(a => [a.name, v.plugin] as const)))
  const byPlugin = (text: string, files: string[]): string =>
    [...files].sort((a, b) => b.length - a.length).reduce((t, f) => {
      const plugin = owner.get(f)
      return plugin ? t.split(f).join(`${plugin}'s file`) : t
    }, text)
  const where = new Map<string, string[]>()
  for (const s of o.sets ?? []) {
    const texts = [...s.warnings, ...(s.status === 'warned' ? [s.failure?.message ?? s.detail] : [])].map(w => byPlugin(w, s.files))
    for (const w of texts) where.set(w, [...(where.get(w) ?? []), `${several ? `${s.serverVersion} ` : ''}${s.platform}`])
  }
  return [...where].map(([w, at]) => `- :warning: ${markdownText(w)} (${at.map(markdownText).join(', ')})`)
}

/** Where a plugin is and what it is: room for what the server reports about it. */
export function pluginFacts(p: Plugin): string[] {
  return [`Folder ${code(p.path)}, module ${code(p.modulePath)}, plugin path ${code(p.pluginPath)}.`, '']
}

/** One plugin's details, folded: per server version its steps, alignment, platforms. */
export function pluginDetailsBlock(o: RunOutcome, p: Plugin): SummaryBlock {
  const several = serverTags(o).length > 1
  const failing = failingTags(o, p)
  const status = failing.length === 0 ? 'passes' : `fails against server ${failing.map(markdownText).join(', ')}`
  const lines = [...pluginFacts(p)]
  for (const v of versionsOf(o, p)) {
    if (several) lines.push(`#### Server ${markdownText(v.server.tag)}`, '')
    if (v.skipped) {
      lines.push(`Not built: ${markdownText(v.skipped)}.`, '')
      continue
    }
    const r = rowOf(o, v)
    if (r) lines.push(`Aligned: ${r.aligned.status === 'failed' ? `**no**: ${markdownText(r.aligned.obstacle ?? '')}` : mark(r.aligned.status)}. Built: ${r.built.status === 'failed' ? `**no**: ${markdownText(r.built.error ?? '')}` : mark(r.built.status)}. Loads: ${provenCell(r)}.`, '')
    lines.push(...alignmentLines(v, o, '#####', p.path, true))
    if (v.alignment) lines.push(...notLinkedLines(v.alignment.shared, '#####', true))
    lines.push(...platformLines(v, '#####', true))
  }
  return { name: `the details of plugin ${markdownText(p.name)}`, lines: details(`<b>${markdownText(p.name)}</b> (${code(p.path)}): ${status}`, lines) }
}

/** The servers of the run in a few lines: each version's Go once, and its build's notes once (not per plugin). */
export function serversBlock(o: RunOutcome): SummaryBlock {
  const byTag = serverTags(o).map(t => o.versions.find(v => v.server.tag === t && !v.skipped) ?? o.versions.find(v => v.server.tag === t)!)
  if (byTag.length === 1) return { name: 'the server version', lines: serverLines(byTag[0]) }
  const first = byTag[0].server
  const describe = (v: VersionOutcome): string => (v.skipped ? `${markdownText(v.server.tag)} (not built: ${markdownText(cut(v.skipped, 120))})` : `${markdownText(v.server.tag)} (Go ${serverGoVersion(v)})`)
  const lines = [`Server versions of **${first.owner}/${first.name}** (server-version: ${code(o.request)}), newest first: ${byTag.map(describe).join(', ')}.`, '']
  const notes = [...new Set(byTag.flatMap(v => (v.serverBuild?.notes ?? []).map(n => `${v.server.tag}: ${n}`)))]
  for (const n of notes) lines.push(`- :warning: ${plain(n)}`)
  if (notes.length > 0) lines.push('')
  return { name: 'the server versions', lines }
}
