/**
 * Several server versions: one row per version (and plugin) with its verdict
 * in one line, built and loads, or refused with the reason (a go line, a
 * module too new for its Go, a tag the action cannot build for). What a
 * plugin's users read to know which of their servers it serves. Pure.
 */
import { markdownText } from '../outside-text.js'
import { type RunOutcome, isVersionCompatible, serverGoVersion, versionVerdict } from './outcome.js'

const cell = (s: string): string => markdownText(s).replace(/\|/g, '\\|').replace(/\n/g, ' ')

export function versionTableSection(o: RunOutcome): string[] {
  if (o.versions.length < 2) return []
  const lines = ['| server version | Go | verdict |', '| --- | --- | --- |']
  for (const v of o.versions) {
    const tag = `${v.plugin ? `${cell(v.plugin)} ` : ''}${cell(v.server.tag)}`
    const go = serverGoVersion(v) || '-'
    const verdict = v.skipped ? `skipped: ${cell(v.skipped)}` : isVersionCompatible(v) ? 'built, loads' : `**refused**: ${cell(versionVerdict(v) ?? 'not proven')}`
    lines.push(`| ${tag} | ${cell(go)} | ${verdict} |`)
  }
  return [...lines, '']
}
