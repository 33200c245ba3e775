/** The edge of reporting: step outputs, the job summary, compat-report.json in output-dir. */
import * as core from '@actions/core'
import { writeFile } from 'node:fs/promises'
import * as path from 'node:path'
import { REPORT_NAME, claimOutputs, recordOutputs } from '../output-dir.js'
import { compatReport } from './compat-report.js'
import { type RunOutcome, isCompatible, serverGoVersion } from './outcome.js'
import { summaryMarkdown } from './summary.js'

/** Sets every output and writes the summary and the JSON report; returns the report's path. */
export async function publishReport(o: RunOutcome, outputDir: string): Promise<string> {
  const reportPath = path.join(outputDir, REPORT_NAME)
  await claimOutputs(outputDir, [REPORT_NAME])
  await writeFile(reportPath, JSON.stringify(compatReport(o), null, 2) + '\n')
  await recordOutputs(outputDir, [REPORT_NAME])
  core.setOutput('server-version', o.server.tag)
  core.setOutput('go-version', serverGoVersion(o))
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
  core.setOutput('images', JSON.stringify(o.serverImage?.pushed ?? []))
  if (process.env.GITHUB_STEP_SUMMARY) await core.summary.addRaw(summaryMarkdown(o)).write()
  return reportPath
}
