import * as core from '@actions/core'
import { writeFile } from 'node:fs/promises'
import * as path from 'node:path'
import type { Artifact } from './artifact.js'
import type { Alignment } from './alignment/align.js'
import { type SharedModule, differs, unaligned } from './alignment/plan.js'
import type { BuildOutcome } from './build/build.js'
import type { VerifyResult } from './verify/verify.js'
import type { ServerRelease } from './server-release.js'
import { REPORT_NAME, claimOutputs, recordOutputs } from './output-dir.js'

/** Everything the run learnt, for the outputs, the job summary and compat-report.json. */
export interface RunOutcome {
  server: ServerRelease
  alignment?: Alignment
  builds: BuildOutcome[]
  verification: VerifyResult[]
  artifacts: Artifact[]
  releaseUrl?: string
  /** Release assets this run wrote or found, SHA256SUMS included. */
  releaseAssets?: Array<{ name: string; url: string; status: string }>
  /** Why nothing was uploaded, when nothing was. */
  uploadNote?: string
  /** Set when a step failed before the run could finish. */
  failure?: string
  /** The run failed, so the plugin's go.mod and go.sum were put back as they were. */
  goFilesRestored?: boolean
}

/**
 * Compatible: every platform built, no conflict, every shared module the
 * plugin links at the server's version, no platform that failed to load. A
 * shared module the plugin does not link cannot affect loading and never counts.
 */
export function isCompatible(o: Pick<RunOutcome, 'alignment' | 'verification' | 'failure' | 'builds'>): boolean {
  if (o.failure) return false
  const a = o.alignment
  const aligned = !a || (a.conflicts.length === 0 && unaligned(a.shared).length === 0)
  return aligned && o.builds.every(b => b.ok) && o.verification.every(v => v.status !== 'failed')
}

const moduleEntry = (s: SharedModule): object => ({ path: s.path, plugin: s.plugin, server: s.server, ...(s.replace !== undefined ? { replace: s.replace } : {}) })

export function compatReport(o: RunOutcome): object {
  return {
    server: { repository: `${o.server.owner}/${o.server.name}`, tag: o.server.tag },
    goVersion: o.server.goVersion,
    goVersionSource: o.server.goVersionSource,
    align: o.alignment?.mode,
    // Linked shared modules decide loading; the others are listed apart.
    shared: (o.alignment?.shared ?? []).filter(s => s.linked).map(moduleEntry),
    sharedNotLinked: (o.alignment?.shared ?? []).filter(s => !s.linked).map(moduleEntry),
    changes: o.alignment?.changes ?? [],
    conflicts: (o.alignment?.conflicts ?? []).map(c => ({ module: c.path, server: c.server, plugin: c.plugin, chain: c.chain, cause: c.message })),
    platforms: o.builds.map(b => {
      const v = o.verification.find(x => x.platform === b.job.platform.id)
      return {
        platform: b.job.platform.id,
        image: b.job.image,
        built: b.ok,
        buildSeconds: Number(b.seconds.toFixed(1)),
        verification: v ? { status: v.status, method: v.method, detail: v.detail } : { status: 'skipped' }
      }
    }),
    compatible: isCompatible(o)
  }
}

const code = (s: string): string => `<code>${s.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</code>`

export function summaryMarkdown(o: RunOutcome): string {
  const lines: string[] = ['## Go plugin build', '']
  lines.push(`Server **${o.server.owner}/${o.server.name} ${o.server.tag}**, Go **${o.server.goVersion}** (from ${o.server.goVersionSource}).`, '')
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
  lines.push('### Platforms', '', '| platform | image | build | seconds | loads | file | size | sha256 | release |', '| --- | --- | --- | --- | --- | --- | --- | --- | --- |')
  for (const b of o.builds) {
    const v = o.verification.find(x => x.platform === b.job.platform.id)
    const art = o.artifacts.find(x => x.platform === b.job.platform.id)
    const loads = !v ? '-' : v.status === 'loaded' ? `yes (${v.method})` : v.status === 'failed' ? `**no**: ${v.detail}` : `not verified: ${v.detail}`
    const release = art?.url ? `[${art.upload}](${art.url})` : '-'
    lines.push(
      `| ${b.job.platform.id} | ${code(b.job.image)} | ${b.ok ? 'ok' : '**failed**'} | ${b.seconds.toFixed(1)} | ${loads} | ${art ? code(art.name) : '-'} | ${art?.size ?? '-'} | ${art ? code(art.sha256) : '-'} | ${release} |`
    )
  }
  lines.push('')
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

/** Sets every output and writes the summary and the JSON report; returns the report's path. */
export async function publishReport(o: RunOutcome, outputDir: string): Promise<string> {
  const reportPath = path.join(outputDir, REPORT_NAME)
  await claimOutputs(outputDir, [REPORT_NAME])
  await writeFile(reportPath, JSON.stringify(compatReport(o), null, 2) + '\n')
  await recordOutputs(outputDir, [REPORT_NAME])
  core.setOutput('server-version', o.server.tag)
  core.setOutput('go-version', o.server.goVersion)
  core.setOutput('go-mod-changed', String((o.alignment?.changed ?? false) && !o.goFilesRestored))
  core.setOutput(
    'artifacts',
    JSON.stringify(
      o.artifacts.map(a => ({ platform: a.platform, path: a.path, name: a.name, size: a.size, sha256: a.sha256, ...(a.url ? { url: a.url, upload: a.upload } : {}) }))
    )
  )
  core.setOutput('compatible', String(isCompatible(o)))
  core.setOutput('compat-report', reportPath)
  core.setOutput('release-url', o.releaseUrl ?? '')
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(summaryMarkdown(o)).write()
  return reportPath
}
