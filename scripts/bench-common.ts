// What the benchmarks share: medians, and putting a table into docs/benchmarks.md.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { ROOT } from '../__tests__/support/action-harness.js'

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2
}

/** The value of `--<name> N`, else `fallback`. */
export function numberArg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i >= 0 ? Number(process.argv[i + 1]) : fallback
}

/** The page the benchmarks' tables are in, with what they measure. */
export const BENCHMARKS_PAGE = path.join(ROOT, 'docs', 'benchmarks.md')

/** Puts `table` between `<!-- <marker>:start -->` and `<!-- <marker>:end -->` in docs/benchmarks.md. */
export function writeBenchmarksPage(marker: string, table: string): void {
  const re = new RegExp(`(<!-- ${marker}:start -->\\n)[\\s\\S]*?(<!-- ${marker}:end -->)`)
  const page = fs.readFileSync(BENCHMARKS_PAGE, 'utf8')
  if (!re.test(page)) throw new Error(`docs/benchmarks.md has no <!-- ${marker}:start --> ... <!-- ${marker}:end --> block`)
  fs.writeFileSync(BENCHMARKS_PAGE, page.replace(re, `$1${table}\n$2`))
}
