/** The edge of reporting: step outputs, the job summary, compat-report.json in output-dir. */
import * as core from '@actions/core'
import { writeFile } from 'node:fs/promises'
import * as path from 'node:path'
import { asDiskFull } from '../errors.js'
import type { Artifact } from '../compile/artifact.js'
import { REPORT_NAME, claimOutputs, recordOutputs } from '../release/output-dir.js'
import { compatReport } from './compat-report.js'
import { type RunOutcome, type VersionOutcome, builtVersions, isCompatible, isVersionCompatible, serverGoVersion } from './outcome.js'
import { summaryMarkdown } from './summary.js'
import { markdownText } from '../outside-text.js'
import type { MatrixPlan, MatrixSplit } from '../server-versions/matrix.js'
import * as stepLog from '../step-log.js'

const artifactJson = (tag: string, a: Artifact, plugin?: string): object => ({
  ...(plugin !== undefined ? { plugin } : {}),
  serverVersion: tag,
  platform: a.platform,
  path: a.path,
  name: a.name,
  size: a.size,
  sha256: a.sha256,
  ...(a.url ? { url: a.url, upload: a.upload } : {})
})

const statusOf = (v: VersionOutcome): string => (v.skipped ? 'skipped' : v.refused !== undefined ? 'refused' : isVersionCompatible(v) ? 'built' : 'failed')

/** The server-version outputs: what a plan job (resolve-only) hands to a matrix. */
export function setVersionOutputs(versions: Array<Pick<VersionOutcome, 'server' | 'serverBuild' | 'skipped' | 'refused'>>): void {
  core.setOutput('server-version', versions[0]?.server.tag ?? '')
  core.setOutput('server-versions', JSON.stringify(versions.map(v => v.server.tag)))
  core.setOutput('server-versions-to-build', JSON.stringify(versions.filter(v => !v.skipped && v.refused === undefined).map(v => v.server.tag)))
  core.setOutput('go-version', versions[0] ? serverGoVersion(versions[0]) : '')
}

/** Sets every output and writes the summary and the JSON report; returns the report's path. */
export async function publishReport(o: RunOutcome, outputDir: string): Promise<string> {
  const reportPath = path.join(outputDir, REPORT_NAME)
  try {
    await claimOutputs(outputDir, [REPORT_NAME])
    await writeFile(reportPath, JSON.stringify(compatReport(o), null, 2) + '\n')
    await recordOutputs(outputDir, [REPORT_NAME])
  } catch (e) {
    throw asDiskFull(e, `writing ${REPORT_NAME}`, `the output folder ${outputDir}`)
  }
  // Several plugins: one entry per server version all the same (the first plugin's stands for its release).
  const firstPlugin = o.versions[0]?.plugin
  setVersionOutputs(o.versions.filter(v => v.plugin === firstPlugin))
  const workspace = builtVersions(o).filter(v => v.alignsWorkspace)
  core.setOutput('go-mod-changed', String(workspace.some(v => v.alignment?.changed ?? false) && !o.goFilesRestored))
  core.setOutput('artifacts', JSON.stringify(o.versions.flatMap(v => v.artifacts.map(a => artifactJson(v.server.tag, a, v.plugin)))))
  const tags = [...new Set(o.versions.map(v => v.server.tag))]
  const byTag = (tag: string): VersionOutcome[] => o.versions.filter(v => v.server.tag === tag)
  const statusOfAll = (vs: VersionOutcome[]): string =>
    vs.some(v => statusOf(v) === 'failed') ? 'failed' : vs.every(v => v.refused !== undefined) ? 'refused' : vs.every(v => v.skipped) ? 'skipped' : 'built'
  core.setOutput(
    'by-server-version',
    JSON.stringify(
      Object.fromEntries(
        tags.map(tag => {
          const vs = byTag(tag)
          const artifacts = vs.flatMap(v => v.artifacts.map(a => artifactJson(tag, a, v.plugin)))
          return [tag, { goVersion: serverGoVersion(vs[0]), status: statusOfAll(vs), compatible: isCompatible({ ...o, versions: vs, sets: (o.sets ?? []).filter(s => s.serverVersion === tag) }), artifacts }]
        })
      )
    )
  )
  core.setOutput('compatible', String(isCompatible(o)))
  core.setOutput('compat-report', reportPath)
  core.setOutput('release-url', o.releaseUrl ?? '')
  core.setOutput('images', JSON.stringify(o.versions.flatMap(v => v.serverImage?.pushed ?? [])))
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(summaryMarkdown(o)).write()
  return reportPath
}

/** resolve-only: the server-version outputs, the matrix of the jobs to run, and a short summary; nothing else is written. */
export async function publishResolution(request: string, versions: Array<Pick<VersionOutcome, 'server' | 'skipped' | 'refused'>>, matrix: MatrixPlan & { split: MatrixSplit }): Promise<void> {
  setVersionOutputs(versions)
  // One line of JSON: strategy.matrix takes it through fromJSON; no job at all is `{"include":[]}` and matrix-jobs 0.
  core.setOutput('matrix', JSON.stringify({ include: matrix.include }))
  core.setOutput('matrix-jobs', String(matrix.include.length))
  const jobs = matrix.include.length === 0 ? 'no job, everything is on the release' : `${matrix.include.length} job${matrix.include.length === 1 ? '' : 's'}: ${matrix.include.map(e => e.name).join('; ')}`
  stepLog.info(`Matrix (matrix-split: ${matrix.split}): ${jobs}`)
  if (!process.env.GITHUB_STEP_SUMMARY) return
  const first = versions[0]?.server
  const lines = [
    '## Go plugin build: server versions',
    '',
    `${first?.owner}/${first?.name}, server-version \`${request}\` (resolve-only: nothing built).`,
    '',
    '| server version | Go (GO_VERSION) | to build |',
    '| --- | --- | --- |',
    ...versions.map(v => `| ${markdownText(v.server.tag)} | ${v.server.goVersion} | ${v.skipped ? `no: ${v.skipped}` : v.refused !== undefined ? `no, refused: ${markdownText(v.refused)}` : 'yes'} |`),
    '',
    `Matrix (matrix-split: ${matrix.split}): ${markdownText(jobs)}.`
  ]
  await core.summary.addRaw(lines.join('\n') + '\n').write()
}
