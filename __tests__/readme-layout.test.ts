import { readFileSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))

function layoutList(): string[] {
  const readme = readFileSync(`${root}/README.md`, 'utf8')
  const section = /<!-- layout:start -->\n([\s\S]*?)<!-- layout:end -->/.exec(readme)
  expect(section).not.toBeNull()
  return section![1].split('\n').filter(l => l.trim() !== '').map(l => /^- `([^`/]+)\/`: \S/.exec(l)?.[1] ?? `unreadable line: ${l}`)
}

test("README's layout section lists every folder of src/, one line each, and no other", () => {
  const listed = layoutList()
  const folders = readdirSync(`${root}/src`, { withFileTypes: true }).filter(e => e.isDirectory()).map(e => e.name)
  expect([...listed].sort()).toEqual([...folders].sort())
  expect(new Set(listed).size).toBe(listed.length)
})

test("README's layout list is in the floors' order that dependency-cruiser enforces", () => {
  const { floors } = createRequire(import.meta.url)(`${root}/.dependency-cruiser.cjs`) as { floors: { groundFolders: string[]; parts: string[]; top: string[] } }
  expect(layoutList()).toEqual([...floors.groundFolders, ...floors.parts, ...floors.top])
})
