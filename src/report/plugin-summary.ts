/** The job summary's per-plugin table (plugin-path lists several folders): one row per plugin and server version. Pure. */
import { markdownText } from '../run/outside-text.js'
import { type RunOutcome, isRequiredVersion } from './outcome.js'
import { type PluginRow, goModChangesText, pluginRows } from './plugin-report.js'

const mark = (status: string): string => (status === 'ok' ? 'yes' : status === 'failed' ? '**no**' : status)

function alignedCell(r: PluginRow): string {
  return r.aligned.status === 'failed' ? `**no**: ${markdownText(r.aligned.obstacle ?? '')}` : mark(r.aligned.status)
}

function builtCell(r: PluginRow): string {
  return r.built.status === 'failed' ? `**no**: ${markdownText(r.built.error ?? '')}` : mark(r.built.status)
}

function provenCell(r: PluginRow): string {
  const p = r.proven
  const by = p.witness ? ` (${markdownText(p.witness)})` : ''
  if (p.status === 'ok') return `yes${by}`
  if (p.status === 'failed') {
    const why = p.differing ? `packages differ: ${p.differing.map(markdownText).join(', ')}` : p.missingSymbols ? `missing symbols: ${p.missingSymbols.map(markdownText).join(', ')}` : markdownText(p.detail ?? '')
    return `**no**${by}: ${why}`
  }
  return p.detail ? `${p.status}: ${markdownText(p.detail)}` : p.status
}

/** The table, and what required-plugins made of the failures. */
export function pluginReportSection(o: RunOutcome): string[] {
  const rows = pluginRows(o.versions, name => isRequiredVersion(o, { plugin: name }))
  if (rows.length === 0) return []
  const lines = [
    '### Per plugin',
    '',
    'Each plugin went through every step whatever the others did. A failure of a required plugin (required-plugins; every plugin when it is empty) makes the run not compatible; the others are warnings.',
    '',
    '| plugin | server version | required | aligned | built | loads (proof) | go.mod changes |',
    '| --- | --- | --- | --- | --- | --- | --- |'
  ]
  for (const r of rows) {
    lines.push(`| ${r.passed ? '' : ':x: '}**${markdownText(r.plugin)}** | ${markdownText(r.serverVersion)} | ${r.required ? 'yes' : 'no'} | ${alignedCell(r)} | ${builtCell(r)} | ${provenCell(r)} | ${markdownText(goModChangesText(r))} |`)
  }
  lines.push('')
  return lines
}
