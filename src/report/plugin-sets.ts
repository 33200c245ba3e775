/** How the plugins a server runs together fared, for the job summary and compat-report.json. Pure. */
import type { SetResult } from '../verify/set-witness.js'

const code = (s: string): string => `<code>${s.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</code>`
const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ')

const STATUS: Record<SetResult['status'], string> = {
  loaded: 'all load',
  warned: ':warning: conflict (warn only)',
  failed: '**the server does not start**',
  'not-verified': 'not verified'
}

/** One table: per platform, each file in the server's load order and its verdict. */
export function setsSection(sets: SetResult[] | undefined, heading: string): string[] {
  if (!sets || sets.length === 0) return []
  const lines = [`${heading} Beside the other plugins (with-plugins)`, '', '| platform | set | files in load order |', '| --- | --- | --- |']
  for (const s of sets) {
    const files = s.members.map(m => `${m.own ? '**' : ''}${code(m.file)}${m.own ? '**' : ''}: ${m.status === 'loads' ? 'loads' : `refused${m.neverOpened ? ' (never opened)' : ''}`}`)
    lines.push(`| ${s.platform} | ${STATUS[s.status]} | ${files.join('<br>')} |`)
  }
  lines.push('')
  for (const s of sets.filter(x => x.status !== 'loaded')) lines.push(`- ${s.platform}: ${cell(s.detail)}`)
  for (const s of sets) for (const w of s.warnings) lines.push(`- :warning: ${s.platform}: ${cell(w)}`)
  if (sets.some(s => s.status !== 'loaded' || s.warnings.length > 0)) lines.push('')
  return lines
}

export const setsReport = (sets: SetResult[]): object[] =>
  sets.map(s => ({ platform: s.platform, status: s.status, witness: s.witness, detail: s.detail, files: s.members, warnings: s.warnings }))
