import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

test("README's layout section lists every folder of src/, one line each, and no other", () => {
  const readme = readFileSync(`${root}/README.md`, 'utf8')
  const section = /<!-- layout:start -->\n([\s\S]*?)<!-- layout:end -->/.exec(readme)
  expect(section).not.toBeNull()
  const listed = section![1].split('\n').filter(l => l.trim() !== '').map(l => /^- `([^`/]+)\/`: \S/.exec(l)?.[1] ?? `unreadable line: ${l}`)
  const folders = readdirSync(`${root}/src`, { withFileTypes: true }).filter(e => e.isDirectory()).map(e => e.name)
  expect([...listed].sort()).toEqual([...folders].sort())
  expect(new Set(listed).size).toBe(listed.length)
})
