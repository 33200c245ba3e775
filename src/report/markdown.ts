/** Pieces of the job summary's markdown: code spans, table cells, folded details. Pure. */

/** A value as code: HTML-escaped, and a `|` cannot end a table cell. */
export const code = (s: string): string => `<code>${s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/\|/g, '\\|')}</code>`

/** Text of our own (or already escaped) in a table cell: one line, no cell break. */
export const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ')

/** Our own sentence holding outside values (asset names, versions): no tag, no cell break, one line; markdown emphasis left as is. */
export const plain = (s: string): string => cell(s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;'))

/** Cut before escaping, so an entity or an escape is never cut in two. */
export const cut = (s: string, max: number): string => (s.length > max ? `${s.slice(0, max - 3)}...` : s)

/** A folded section: its summary line (already escaped), then its lines; always closed. */
export const details = (summary: string, lines: string[]): string[] => [`<details><summary>${summary}</summary>`, '', ...lines, '', '</details>', '']

/** A table: the header's cells, then one row per entry with as many cells. */
export function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map(r => `| ${r.join(' | ')} |`)]
}
