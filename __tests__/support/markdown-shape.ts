/**
 * What makes a job summary well-formed, checked as a reader's renderer would
 * need it: every `<details>` closed (and none closed before it opens), code
 * fences paired, and every table row with as many cells as its header (a
 * `|` escaped as `\|` stays inside its cell).
 */

/** The cells of a table line: split on unescaped pipes, without the outer ones. */
export function tableCells(line: string): string[] {
  const cells: string[] = []
  let current = ''
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\\' && i + 1 < line.length) {
      current += line[i] + line[i + 1]
      i++
    } else if (line[i] === '|') {
      cells.push(current)
      current = ''
    } else current += line[i]
  }
  cells.push(current)
  return cells.slice(1, -1)
}

/** Every problem found, one line each; empty when the markdown is well-formed. */
export function markdownProblems(md: string): string[] {
  const problems: string[] = []
  const lines = md.split('\n')
  let open = 0
  let fence = false
  let columns: number | undefined
  for (const [n, line] of lines.entries()) {
    if (line.startsWith('```')) fence = !fence
    if (fence || line.startsWith('```')) {
      columns = undefined
      continue
    }
    open += (line.match(/<details>/g) ?? []).length
    open -= (line.match(/<\/details>/g) ?? []).length
    if (open < 0) problems.push(`line ${n + 1}: </details> without <details>`)
    const next = lines[n + 1] ?? ''
    if (columns === undefined && line.startsWith('|') && /^\|( ?:?-+:? ?\|)+$/.test(next.replace(/\s+/g, ' '))) {
      columns = tableCells(line).length
      if (tableCells(next).length !== columns) problems.push(`line ${n + 2}: the separator has ${tableCells(next).length} cells, the header ${columns}`)
      continue
    }
    if (columns !== undefined) {
      if (!line.startsWith('|')) columns = undefined
      else if (!/^\|( ?:?-+:? ?\|)+$/.test(line.replace(/\s+/g, ' ')) && tableCells(line).length !== columns) problems.push(`line ${n + 1}: ${tableCells(line).length} cells, the header has ${columns}: ${line.slice(0, 120)}`)
    }
  }
  if (fence) problems.push('a code fence is not closed')
  if (open !== 0) problems.push(`${open} <details> not closed`)
  return problems
}
