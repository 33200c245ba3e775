import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'
import { INPUT_DEFAULTS } from '../src/run/inputs.js'
// @ts-expect-error: a plain .mjs script, tested as it runs in `npm run docs`
import { renderTables, updateReadme } from '../scripts/readme-tables.mjs'

const root = fileURLToPath(new URL('..', import.meta.url))
const actionYml = readFileSync(`${root}/action.yml`, 'utf8')
const action = parse(actionYml) as { inputs: Record<string, { default?: string; required?: boolean }>; outputs: Record<string, unknown>; runs: { using: string; main: string; post?: string; 'post-if'?: string } }

test('README tables are what action.yml says (run `npm run docs` when this fails)', () => {
  const readme = readFileSync(`${root}/README.md`, 'utf8')
  expect(updateReadme(readme, renderTables(actionYml))).toBe(readme)
})

test('defaults used without the runner are the ones action.yml declares', () => {
  const declared = Object.fromEntries(
    Object.entries(action.inputs)
      .filter(([name, i]) => !i.required && name !== 'token')
      .map(([name, i]) => [name, String(i.default ?? '')])
  )
  expect(INPUT_DEFAULTS).toEqual(declared)
})

test('the action runs the committed bundle on node24, and its post step saves the caches whatever the outcome', () => {
  expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js', post: 'dist/post/index.js', 'post-if': 'always()' })
  expect(Object.keys(action.outputs).sort()).toEqual(
    ['artifacts', 'by-server-version', 'cache-hit', 'compat-report', 'compatible', 'go-mod-changed', 'go-version', 'images', 'matrix', 'matrix-jobs', 'release-url', 'server-version', 'server-versions', 'server-versions-to-build'].sort()
  )
})
