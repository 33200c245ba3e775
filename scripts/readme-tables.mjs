#!/usr/bin/env node
// Renders the inputs and outputs tables of README.md from action.yml, so the
// two never drift. `--write` rewrites README.md; `--check` (default) fails
// when README.md is not what --write would make.
import { readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { parse } from 'yaml'

const root = fileURLToPath(new URL('..', import.meta.url))
const cell = s => String(s ?? '').replace(/\|/g, '\\|').replace(/\n+/g, ' ').trim()

export function renderTables(actionYml) {
  const action = parse(actionYml)
  const inputs = Object.entries(action.inputs).map(([name, i]) => {
    const def = i.required ? '(required)' : i.default === '' ? '(empty)' : `\`${cell(i.default)}\``
    return `| \`${name}\` | ${def} | ${cell(i.description)} |`
  })
  const outputs = Object.entries(action.outputs).map(([name, o]) => `| \`${name}\` | ${cell(o.description)} |`)
  return {
    inputs: ['| input | default | meaning |', '| --- | --- | --- |', ...inputs].join('\n'),
    outputs: ['| output | meaning |', '| --- | --- |', ...outputs].join('\n')
  }
}

export function updateReadme(readme, tables) {
  let out = readme
  for (const [key, table] of Object.entries(tables)) {
    const re = new RegExp(`(<!-- ${key}:start -->\\n)[\\s\\S]*?(<!-- ${key}:end -->)`)
    if (!re.test(out)) throw new Error(`README.md has no <!-- ${key}:start --> ... <!-- ${key}:end --> block`)
    out = out.replace(re, `$1${table}\n$2`)
  }
  return out
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const readme = readFileSync(`${root}/README.md`, 'utf8')
  const next = updateReadme(readme, renderTables(readFileSync(`${root}/action.yml`, 'utf8')))
  if (process.argv.includes('--write')) {
    writeFileSync(`${root}/README.md`, next)
  } else if (next !== readme) {
    console.error('README.md tables differ from action.yml: run `npm run docs`')
    process.exit(1)
  }
}
