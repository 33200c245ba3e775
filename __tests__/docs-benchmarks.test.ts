// The benchmark scripts write their tables into docs/benchmarks.md (`--write`):
// every marker a script writes to is there, once, as a start and end pair.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { ROOT } from './support/action-harness.js'

const scripts = fs.readdirSync(path.join(ROOT, 'scripts')).filter(f => /^bench.*\.ts$/.test(f))
const markers = scripts.flatMap(f => [...fs.readFileSync(path.join(ROOT, 'scripts', f), 'utf8').matchAll(/writeBenchmarksPage\('([a-z-]+)'/g)].map(m => m[1]))
const page = fs.readFileSync(path.join(ROOT, 'docs', 'benchmarks.md'), 'utf8')

test('the benchmark scripts write four tables', () => {
  expect([...markers].sort()).toEqual(['bench', 'bench-info', 'bench-plugins', 'bench-versions'])
})

test.each(markers)('docs/benchmarks.md holds the %s table between its markers, once', marker => {
  const count = (s: string): number => page.split(s).length - 1
  expect({ start: count(`<!-- ${marker}:start -->\n`), end: count(`<!-- ${marker}:end -->`) }).toEqual({ start: 1, end: 1 })
  expect(page.indexOf(`<!-- ${marker}:start -->`)).toBeLessThan(page.indexOf(`<!-- ${marker}:end -->`))
})
