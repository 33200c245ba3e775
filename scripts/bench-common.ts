// What both benchmarks share: medians, and putting a table into README.md.
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

/** Puts `table` between `<!-- <marker>:start -->` and `<!-- <marker>:end -->` in README.md. */
export function writeReadme(marker: string, table: string): void {
  const readme = path.join(ROOT, 'README.md')
  const re = new RegExp(`(<!-- ${marker}:start -->\\n)[\\s\\S]*?(<!-- ${marker}:end -->)`)
  fs.writeFileSync(readme, fs.readFileSync(readme, 'utf8').replace(re, `$1${table}\n$2`))
}
