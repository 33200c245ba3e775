/**
 * The job summary under a hard size cap. GitHub refuses a step summary over
 * 1 MiB; the summary is built as blocks in reading order (each one whole: a
 * table, a closed `<details>`, a list), and the blocks that do not fit are
 * left out, or a table keeps as many rows as fit, with a note naming what was
 * left out and pointing to compat-report.json, which has everything. So a cut
 * never leaves a broken table or an unclosed fold. Pure.
 */

/** GitHub's limit for one step's summary. */
export const GITHUB_SUMMARY_LIMIT = 1024 * 1024

/** Ours: half of GitHub's, so the summary stays readable and far from the limit. */
export const SUMMARY_CAP = 512 * 1024

export interface SummaryBlock {
  /** What the block shows, for the note when it is left out: `the details of plugin alpha`. */
  name: string
  lines: string[]
  /** A table whose rows may be cut: the rows (the block's `lines` come before them, `after` after them). */
  rows?: string[]
  after?: string[]
}

const bytes = (lines: string[]): number => lines.reduce((n, l) => n + Buffer.byteLength(l, 'utf8') + 1, 0)

/** Every line of a block, in order. */
export const blockLines = (b: SummaryBlock): string[] => [...b.lines, ...(b.rows ?? []), ...(b.after ?? [])]

/**
 * The blocks in order within `cap` bytes, `trailer` (the verdict) always at
 * the end. A block that does not fit is left out (a later, smaller one may
 * still fit); a table keeps the rows that fit when its head does.
 */
export function fitSummary(blocks: SummaryBlock[], trailer: string[], cap = SUMMARY_CAP): string {
  const all = [...blocks.flatMap(blockLines), ...trailer]
  if (bytes(all) <= cap) return all.join('\n') + '\n'
  // Room for the note itself: one line naming what was left out, cut to a fixed length.
  const noteRoom = 2048
  let budget = cap - bytes(trailer) - noteRoom
  const out: string[] = []
  const leftOut: string[] = []
  for (const b of blocks) {
    const whole = blockLines(b)
    const size = bytes(whole)
    if (size <= budget) {
      out.push(...whole)
      budget -= size
      continue
    }
    const head = [...b.lines, ...(b.after ?? [])]
    if (b.rows && bytes(head) + 200 < budget) {
      const kept: string[] = []
      let left = budget - bytes(head) - 200
      for (const r of b.rows) {
        const n = bytes([r])
        if (n > left) break
        kept.push(r)
        left -= n
      }
      const cutRows = b.rows.length - kept.length
      out.push(...b.lines, ...kept, ...(b.after ?? []), `(${cutRows} more row${cutRows === 1 ? '' : 's'} of this table: see compat-report.json)`, '')
      budget = left
      leftOut.push(`${cutRows} rows of ${b.name}`)
      continue
    }
    leftOut.push(b.name)
  }
  const named = leftOut.join(', ')
  const note = `:scissors: This summary stops short of GitHub's ${GITHUB_SUMMARY_LIMIT / 1024 / 1024} MiB limit for a step summary (kept under ${cap / 1024} KiB); left out: ${named.length > 1500 ? `${named.slice(0, 1500)}... (${leftOut.length} in all)` : named}. compat-report.json has everything.`
  return [...out, note, '', ...trailer].join('\n') + '\n'
}
