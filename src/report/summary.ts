/**
 * The job summary: what a plugin author reads after a run. One plugin: its
 * path, then per server version its alignment and platforms. Several plugins
 * (plugin-summary.ts): a row per plugin first, each one's details folded.
 * Either way it is built as blocks under a hard size cap (summary-cap.ts):
 * what does not fit is named in a note and left to compat-report.json. Pure.
 */
import { type CompatibilityRow, cellText, loadsBeyondLines } from '../server-versions/compatibility.js'
import { type RunOutcome, builtVersions, isCompatible, isRequiredVersion, isVersionCompatible } from './outcome.js'
import { serverImageSection } from '../server-image/result.js'
import { markdownText } from '../outside-text.js'
import { code, cut, details, plain, table } from './markdown.js'
import { acrossPluginsBlock, pluginDetailsBlock, pluginTableBlock, serverTags, serversBlock, setWarningLines } from './plugin-summary.js'
import { SUMMARY_CAP, type SummaryBlock, fitSummary } from './summary-cap.js'
import { versionSection } from './version-summary.js'
import { versionTableSection } from './version-table.js'
import { infoSummaryLines } from './info-summary.js'

export function summaryMarkdown(o: RunOutcome, cap = SUMMARY_CAP): string {
  const blocks = o.plugins ? pluginsBlocks(o) : onePluginBlocks(o)
  return fitSummary([...blocks, ...releaseBlocks(o)], verdictLines(o), cap)
}

function onePluginBlocks(o: RunOutcome): SummaryBlock[] {
  const multi = o.versions.length > 1
  const head = ['## Go plugin build', '']
  if (o.pluginPath) head.push(`Plugin path (the import path of its main package; one server loads each path once): ${code(o.pluginPath)}`, '')
  head.push(...builtAsLines(o))
  if (multi) {
    const first = o.versions[0]?.server
    head.push(`Server versions of **${first?.owner}/${first?.name}** (server-version: ${code(o.request)}), newest first: ${serverTags(o).map(markdownText).join(', ')}.`, '')
    // Which of them this plugin serves, one line each (refusals with their reason).
    head.push(...versionTableSection(o))
  }
  const blocks: SummaryBlock[] = [{ name: 'the head', lines: head }]
  for (const v of o.versions) {
    blocks.push({ name: `the section of server ${markdownText(v.server.tag)}`, lines: versionSection(v, o, multi) })
    if (v.serverImage) blocks.push({ name: `the server image of ${markdownText(v.server.tag)}`, lines: serverImageSection(v.serverImage) })
  }
  // One plugin with neighbours (with-plugins): the sets' warnings below their table.
  const warnings = setWarningLines(o)
  return [...blocks, ...optional(compatibilityBlock(o)), ...setBlocks(o), ...optional(infoBlock(o)), ...(warnings.length > 0 ? [{ name: "the sets' warnings", lines: [...warnings, ''] }] : [])]
}

function pluginsBlocks(o: RunOutcome): SummaryBlock[] {
  return [
    { name: 'the head', lines: ['## Go plugin build', '', ...builtAsLines(o)] },
    serversBlock(o),
    pluginTableBlock(o),
    ...optional(acrossPluginsBlock(o)),
    ...setBlocks(o),
    ...optional(infoBlock(o)),
    ...optional(compatibilityBlock(o)),
    // One image per server version, on its first plugin's outcome.
    ...o.versions.flatMap(v => (v.serverImage ? [{ name: `the server image of ${markdownText(v.server.tag)}`, lines: [...serverImageSection(v.serverImage)] }] : [])),
    { name: 'the details heading', lines: ['### Each plugin', ''] },
    ...(o.plugins ?? []).map(p => pluginDetailsBlock(o, p))
  ]
}

/** Plugins built from a copy under a module path of their own (rewrite-module-paths). */
function builtAsLines(o: RunOutcome): string[] {
  if (!o.builtAs) return []
  return [`Built under a module path of their own (rewrite-module-paths; their files keep theirs): ${o.builtAs.map(b => `**${markdownText(b.plugin)}** as ${code(b.pluginPath)}`).join(', ')}.`, '']
}

/** What each plugin's info function returned (the Info check), a line per server version. */
function infoBlock(o: RunOutcome): SummaryBlock | undefined {
  const lines = infoSummaryLines(o)
  return lines.length > 0 ? { name: 'the Info check', lines } : undefined
}

const optional = (b: SummaryBlock | undefined): SummaryBlock[] => (b ? [b] : [])

/** Every .so against every server version built: shown once there are two, folded (a row per file). */
function compatibilityBlock(o: RunOutcome): SummaryBlock | undefined {
  const tags = [...new Set(builtVersions(o).map(v => v.server.tag))]
  if (tags.length < 2 || o.compatibility.length === 0) return undefined
  const row = (r: CompatibilityRow): string[] => [code(r.artifact), markdownText(r.builtFor), ...tags.map(t => cellText(r, t))]
  const rows = table(['file', 'built for', ...tags.map(markdownText)], o.compatibility.map(row))
  const beyond = loadsBeyondLines(o.compatibility).map(l => `- ${markdownText(l)}`)
  const intro = 'Every .so of this run, checked against every server version built in it (its release binary where it publishes one, else the stand-in loader); a refusal names the first package that differs.'
  // Short enough: open; else folded.
  const body = [...rows, '', ...beyond]
  const lines = o.compatibility.length <= 12 ? [...body, ''] : details(`Every .so against every server version (${o.compatibility.length} files)`, body)
  return { name: 'the compatibility table across server versions', lines: ['### Compatibility across server versions', '', intro, '', ...lines] }
}

/** Per server version and platform, whether the plugin folder's files load together. */
function setBlocks(o: RunOutcome): SummaryBlock[] {
  if (!o.sets || o.sets.length === 0) return []
  const several = new Set(o.sets.map(s => s.serverVersion)).size > 1
  const status = { loaded: 'yes', failed: '**no**', warned: ':warning: only with a conflict a (warn) neighbour takes part in', 'not-verified': 'not verified' }
  const files = (f: string[]): string => (f.length <= 5 ? f.map(code).join(', ') : `${f.length} files (compat-report.json: sets)`)
  const rows = o.sets.map(s => [...(several ? [markdownText(s.serverVersion)] : []), s.platform, files(s.files), `${status[s.status]}: ${plain(cut(s.detail, 300))}`])
  const [head, sep, ...body] = table([...(several ? ['server version'] : []), 'platform', 'files (load order)', 'load together'], rows)
  const blocks: SummaryBlock[] = [{ name: 'the table of the plugins together', lines: ['### The plugins together in one server', '', head, sep], rows: body, after: [''] }]
  const differing = o.sets.flatMap(s => s.differing.map(d => ({ ...d, set: `${s.serverVersion} ${s.platform}` })))
  if (differing.length > 0) {
    const [dh, ds, ...db] = table(['set', 'file', 'differs from', 'package', 'module', 'earlier', "file's"], differing.map(d => [markdownText(d.set), code(d.file), code(d.with), code(d.package), code(d.module), d.earlier ?? '-', d.plugin ?? '-']))
    blocks.push({ name: 'the packages the plugins disagree on', lines: [dh, ds], rows: db, after: [''] })
  }
  return blocks
}

function releaseBlocks(o: RunOutcome): SummaryBlock[] {
  if (!o.releaseUrl) return []
  const assets = o.releaseAssets ?? []
  // Several plugins: each file's upload is in its platform row; here the count by status.
  if (o.plugins) {
    const counts = [...new Set(assets.map(a => a.status))].map(s => `${assets.filter(a => a.status === s).length} ${s}`)
    return [{ name: 'the release', lines: [`Release: ${o.releaseUrl} (${assets.length} assets: ${counts.join(', ')}; each plugin's files in its details).`, ''] }]
  }
  const [head, sep, ...rows] = table(['asset', 'status'], assets.map(a => [`[${markdownText(a.name)}](${a.url})`, a.status]))
  return [{ name: 'the release assets', lines: [`Release: ${o.releaseUrl}`, '', head, sep], rows, after: [''] }]
}

const MAX_NAMED = 20

/** The end, always shown: why nothing was uploaded, the failure, the verdict naming plugins as plugins and servers as servers. */
function verdictLines(o: RunOutcome): string[] {
  const lines: string[] = []
  // Nothing uploaded, or (candidate versions withheld) not everything.
  if (o.uploadNote) lines.push(o.uploadNote.replace(/^not uploading/, 'Not uploaded'))
  if (o.failure) lines.push('', `:x: The run failed: ${cut(o.failure, 4000)}`)
  const versions = o.versions.filter(v => isRequiredVersion(o, v) && !isVersionCompatible(v))
  const failing = [
    ...new Set([
      ...versions.map(v => (v.plugin ? `plugin **${markdownText(v.plugin)}** against server ${markdownText(v.server.tag)}` : `server ${markdownText(v.server.tag)}`)),
      ...(o.sets ?? []).filter(s => s.status === 'failed').map(s => `the plugins together in server ${markdownText(s.serverVersion)} (${s.platform})`)
    ])
  ]
  const several = o.plugins !== undefined || o.versions.length > 1
  // The verdict is never cut by the size cap: a long list ends with a count.
  const named = failing.length > MAX_NAMED ? [...failing.slice(0, MAX_NAMED), `and ${failing.length - MAX_NAMED} more (see above)`] : failing
  const verdict = isCompatible(o)
    ? '**Compatible.**'
    : several && failing.length > 0
      ? `**Not compatible** (or not proven so): ${named.join('; ')}.`
      : '**Not compatible** with this server release (or not proven so).'
  lines.push('', verdict)
  return lines
}
