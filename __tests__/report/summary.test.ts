// The job summary at a plugin collection's size, under a hard cap, and its wording with several plugins.
import { compatReport } from '../../src/report/compat-report.js'
import type { RunOutcome } from '../../src/report/outcome.js'
import { summaryMarkdown } from '../../src/report/summary.js'
import { GITHUB_SUMMARY_LIMIT, SUMMARY_CAP, fitSummary } from '../../src/report/summary-cap.js'
import { markdownProblems, tableCells } from '../support/markdown-shape.js'
import { realisticRun } from '../support/report-outcomes.js'

const bytes = (s: string): number => Buffer.byteLength(s, 'utf8')
/** The lines before the first fold: what a reader sees first. */
const top = (md: string): string => md.slice(0, md.indexOf('<details>'))

test('20 plugins x 4 platforms x 3 server versions: well under GitHub\'s limit, well-formed, nothing cut, every plugin path on top', () => {
  const o = realisticRun({ plugins: 20, platforms: 4, versions: 3 })
  const md = summaryMarkdown(o)
  expect(bytes(md)).toBeLessThan(SUMMARY_CAP)
  // About a quarter of GitHub's limit (271 KiB when written).
  expect(bytes(md)).toBeLessThan(GITHUB_SUMMARY_LIMIT / 3)
  expect(markdownProblems(md)).toEqual([])
  expect(md).not.toContain(':scissors:')
  for (const p of o.plugins ?? []) expect(top(md)).toContain(`<code>${p.pluginPath}</code>`)
  // One row per plugin, a column per server version.
  const header = '| plugin | folder | plugin path | server v2.9.1 | server v2.9.0 | server v2.8.0 |'
  expect(md).toContain(header)
  const rows = md.split('\n').filter(l => /^\| (:x: )?\*\*plugin-\d+\*\*/.test(l))
  expect(rows).toHaveLength(20)
  for (const r of rows) expect(tableCells(r)).toHaveLength(6)
  // Everything is in compat-report.json: each plugin's go.mod diff too.
  const report = compatReport(o) as { versions: Array<{ plugin: string; goModDiff?: string }> }
  expect(report.versions.filter(v => v.goModDiff).map(v => v.plugin)).toHaveLength(20)
})

test('a run too big for the cap: the blocks that do not fit are left out with a note, the table of plugins and the verdict stay, nothing is broken', () => {
  const o = realisticRun({ plugins: 20, platforms: 4, versions: 3 })
  const cap = 64 * 1024
  const md = summaryMarkdown(o, cap)
  expect(bytes(md)).toBeLessThanOrEqual(cap)
  expect(markdownProblems(md)).toEqual([])
  expect(md).toMatch(/:scissors: This summary stops short of GitHub's 1 MiB limit for a step summary \(kept under 64 KiB\); left out: .*the details of plugin plugin-\d+.*\. compat-report\.json has everything\./)
  expect(md.split('\n').filter(l => /^\| (:x: )?\*\*plugin-\d+\*\*/.test(l))).toHaveLength(20)
  expect(md.trimEnd().split('\n').pop()).toMatch(/^\*\*(Compatible\.|Not compatible)/)
  // Too many plugins for the cap: even the table is cut, by whole rows; the verdict names 20 and counts the rest.
  const many = summaryMarkdown(realisticRun({ plugins: 400, platforms: 1, versions: 1 }), 32 * 1024)
  expect(bytes(many)).toBeLessThanOrEqual(32 * 1024)
  expect(markdownProblems(many)).toEqual([])
  expect(many).toMatch(/\(\d+ more rows of this table: see compat-report\.json\)/)
  expect(many).toMatch(/; and 60 more \(see above\)\.$/m)
})

test('the cap never splits a block: a fold is whole or absent', () => {
  const fold = ['<details><summary>x</summary>', '', 'y'.repeat(5000), '', '</details>', '']
  const md = fitSummary([{ name: 'a', lines: ['# a', ''] }, { name: 'the big fold', lines: fold }, { name: 'small', lines: ['small', ''] }], ['verdict'], 4096)
  expect(md).not.toContain('<details>')
  expect(md).toContain('small')
  expect(md).toContain('left out: the big fold.')
  expect(md.trimEnd().endsWith('verdict')).toBe(true)
})

const one = (): RunOutcome => realisticRun({ plugins: 3, platforms: 2, versions: 1 })

test('one server version: no table across versions, the version named once in the header and never per plugin', () => {
  const md = summaryMarkdown(one())
  expect(md).not.toContain('Compatibility across server versions')
  expect(md).toContain('Server **gotify/server v2.9.1**, Go **1.25.7** (from release binary gotify-linux-amd64.zip).')
  const table = md.split('\n').filter(l => /^\| (:x: )?\*\*plugin-\d+\*\*/.test(l))
  expect(table).toHaveLength(3)
  for (const row of table) expect(row).not.toContain('v2.9.1')
  expect(md).not.toMatch(/^#+ .*v2\.9\.1/m)
  // Several versions: the table across them, folded.
  expect(summaryMarkdown(realisticRun({ plugins: 4, platforms: 2, versions: 2 }))).toContain('<details><summary>Every .so against every server version (16 files)</summary>')
})

test('a plugin is never worded as a server: the verdict and the details name plugins as plugins and servers as servers', () => {
  const o = realisticRun({ plugins: 8, platforms: 1, versions: 3 })
  const md = summaryMarkdown(o)
  expect(md).toContain('**Not compatible** (or not proven so): plugin **plugin-3** against server v2.8.0; plugin **plugin-4** against server v2.8.0.')
  expect(md).not.toMatch(/with plugin-\d/)
  expect(md).toContain('<details><summary><b>plugin-4</b> (<code>plugins/gotify-plugin-4</code>): fails against server v2.8.0</summary>')
  expect(md).toContain('| :x: **plugin-4** | <code>plugins/gotify-plugin-4</code> | <code>github.com/owner4/gotify-plugin-4</code> | passes | passes | **fails**: does not load (release binary gotify-linux-amd64.zip): packages differ: ')
})

test('each plugin\'s go.mod diff is headed by its folder; moves across plugins and the set\'s warnings are in the summary with their reason', () => {
  const md = summaryMarkdown(one())
  expect(md).toContain('Commit this change to <code>plugins/gotify-plugin-1/go.mod</code>:')
  expect(md).toContain('--- a/plugins/gotify-plugin-1/go.mod\n+++ b/plugins/gotify-plugin-1/go.mod')
  expect(md).not.toContain('--- a/go.mod')
  expect(md).toContain('### Across plugins')
  expect(md).toContain('- **plugin-1** <code>github.com/pkg/errors</code> v0.8.1 → v0.9.1 (one version across plugins: plugin-1 v0.8.1, plugin-2 v0.9.1: one server loads one version of a module its plugins share)')
  // The same warning on every platform: once, with where.
  const warning = md.split('\n').filter(l => l.includes('are built from one module'))
  expect(warning).toEqual([
    "- :warning: plugin-0's file, plugin-1's file are built from one module (github.com/gotify/plugin-template): if their GetGotifyPluginInfo reports it as ModulePath, gotify refuses all but the first (\\`present at least twice\\`) (linux-amd64, linux-arm-7)"
  ])
  // The image: which platforms started, which only proven, and the start's warning.
  expect(md).toContain('Proven, not started: linux-arm-7 (the runner starts only its own platform')
  expect(md).toMatch(/- :warning: linux-amd64 started: plugin-3-linux-amd64\.so .*the plugin says: "webhook url must be set"/)
})

test('outside text in the plugin table stays text', () => {
  const o = one()
  o.plugins![0] = { ...o.plugins![0], name: 'x|<img src=y>', path: 'a|b' }
  for (const v of o.versions.filter(x => x.plugin === 'plugin-0')) v.plugin = 'x|<img src=y>'
  const md = summaryMarkdown(o)
  expect(markdownProblems(md)).toEqual([])
  expect(md).not.toContain('<img')
  expect(md).toContain('| **x\\|&lt;img src=y&gt;** | <code>a\\|b</code> |')
})

test('one plugin beside neighbours (with-plugins): the sets\' warnings are in the summary too, once each', () => {
  const o = realisticRun({ plugins: 1, platforms: 2, versions: 1 })
  const only = { ...o, plugins: undefined, versions: o.versions.map(v => ({ ...v, plugin: undefined })) }
  only.sets = (o.sets ?? []).map(s => ({ ...s, warnings: ['other.so: the plugin path "example.com/other" is a placeholder (example.com) other plugins use too'] }))
  const md = summaryMarkdown(only)
  expect(md.split('\n').filter(l => l.includes('is a placeholder'))).toEqual(['- :warning: other.so: the plugin path "example.com/other" is a placeholder (example.com) other plugins use too (linux-amd64, linux-arm-7)'])
  expect(markdownProblems(md)).toEqual([])
})
