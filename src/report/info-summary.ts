/** The job summary's lines for the Info check: per server version, what each plugin's info function returned. Pure. */
import { markdownText } from '../outside-text.js'
import { describeInfo } from '../verify/plugin-info.js'
import type { RunOutcome } from './outcome.js'

/** One line per server version; every value came from a plugin's own code, so all of it is escaped. */
export function infoSummaryLines(o: Pick<RunOutcome, 'infoChecks'>): string[] {
  return (o.infoChecks ?? []).flatMap(c => {
    const head = `**Plugin Info** (${markdownText(c.function)}() called at start by the stand-in host${c.platform ? ` on ${c.platform}` : ''}, server ${markdownText(c.serverVersion)})`
    if (c.status === 'not-verified') return [`${head}: not checked: ${markdownText(c.detail)}`, '']
    const parts = c.members.map(m => {
      const who = `${markdownText(m.file)}${m.plugin ? ` (**${markdownText(m.plugin)}**)` : ''}`
      const what = m.reason ? `:x: ${m.neverOpened ? '(never opened) ' : ''}${markdownText(m.reason)}` : markdownText(describeInfo(m.info))
      return `${who}: ${what}`
    })
    return [`${head}: ${parts.join('; ')}`, '']
  })
}
