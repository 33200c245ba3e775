import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { anchorLocalReplaces, rewriteBuildCopy, writeBackGoFiles } from '../../src/plugin/build-copy.js'

const TEMPLATE = 'github.com/gotify/plugin-template'

function tree(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'build-copy-'))
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true })
    fs.writeFileSync(path.join(root, rel), text)
  }
  return root
}

const imports = (...paths: string[]): string => `package x\n\nimport (\n${paths.map(p => `\t_ "${p}"`).join('\n')}\n)\n`

test("the copy's module line and its own packages' imports are rewritten; nested modules, vendor, testdata and ignored folders are not", () => {
  const dir = tree({
    'go.mod': `module ${TEMPLATE}\n\ngo 1.21\n\nrequire ${TEMPLATE}/tools v0.0.0\n\nreplace ${TEMPLATE}/tools => ./tools\n`,
    'plugin.go': imports(`${TEMPLATE}/config`, `${TEMPLATE}/tools/gen`, 'example.com/dep'),
    'config/config.go': imports(`${TEMPLATE}/internal/x`),
    'internal/x/x.go': 'package x\n',
    'tools/go.mod': `module ${TEMPLATE}/tools\n`,
    'tools/gen/gen.go': imports(`${TEMPLATE}/tools/other`),
    'vendor/example.com/dep/dep.go': imports(`${TEMPLATE}/config`),
    'testdata/a.go': imports(`${TEMPLATE}/config`),
    '_old/a.go': imports(`${TEMPLATE}/config`),
    'README.md': `module ${TEMPLATE}\n`
  })
  fs.chmodSync(path.join(dir, 'config/config.go'), 0o444)
  const before = (rel: string): string => fs.readFileSync(path.join(dir, rel), 'utf8')
  const untouched = ['tools/go.mod', 'tools/gen/gen.go', 'vendor/example.com/dep/dep.go', 'testdata/a.go', '_old/a.go', 'README.md'].map(f => [f, before(f)])
  const r = rewriteBuildCopy(dir, { from: TEMPLATE, to: `${TEMPLATE}~a` })
  expect(r.files.sort()).toEqual(['config/config.go', 'plugin.go'])
  expect(before('go.mod')).toBe(`module ${TEMPLATE}~a\n\ngo 1.21\n\nrequire ${TEMPLATE}/tools v0.0.0\n\nreplace ${TEMPLATE}/tools => ./tools\n`)
  expect(before('plugin.go')).toBe(imports(`${TEMPLATE}~a/config`, `${TEMPLATE}/tools/gen`, 'example.com/dep'))
  expect(before('config/config.go')).toBe(imports(`${TEMPLATE}~a/internal/x`))
  for (const [f, text] of untouched) expect([f, before(f)]).toEqual([f, text])
})

test('a symbolic link to a .go file is never written through', () => {
  const outside = tree({ 'shared.go': imports(`${TEMPLATE}/config`) })
  const dir = tree({ 'go.mod': `module ${TEMPLATE}\n` })
  fs.symlinkSync(path.join(outside, 'shared.go'), path.join(dir, 'shared.go'))
  expect(rewriteBuildCopy(dir, { from: TEMPLATE, to: `${TEMPLATE}~a` }).files).toEqual([])
  expect(fs.readFileSync(path.join(outside, 'shared.go'), 'utf8')).toBe(imports(`${TEMPLATE}/config`))
})

test('natively, replacements by folders outside the plugin become absolute in the copy, and are written back as the user wrote them', () => {
  const ws = tree({
    'plugin/go.mod': 'module example.com/p\n\ngo 1.21\n\nrequire (\n\texample.com/lib v0.0.0\n\texample.com/in v0.0.0\n)\n\nreplace example.com/lib => ../lib // sibling\n\nreplace (\n\texample.com/in => ./in\n\texample.com/lib2 v1.0.0 => "../lib 2"\n)\n',
    'lib/go.mod': 'module example.com/lib\n'
  })
  const plugin = path.join(ws, 'plugin')
  const copy = path.join(ws, 'copy')
  fs.cpSync(plugin, copy, { recursive: true })
  const anchored = anchorLocalReplaces(copy, plugin)
  expect(anchored).toEqual([
    { relative: '../lib', absolute: path.join(ws, 'lib') },
    { relative: '../lib 2', absolute: path.join(ws, 'lib 2') }
  ])
  const goMod = fs.readFileSync(path.join(copy, 'go.mod'), 'utf8')
  expect(goMod).toContain(`replace example.com/lib => ${path.join(ws, 'lib')} // sibling\n`)
  expect(goMod).toContain('\texample.com/in => ./in\n')
  expect(goMod).toContain(`\texample.com/lib2 v1.0.0 => ${JSON.stringify(path.join(ws, 'lib 2'))}\n`)
  // Alignment changed the copy (go may drop the quotes): the user's go.mod gets the change, with its own replacements.
  const original = fs.readFileSync(path.join(plugin, 'go.mod'), 'utf8')
  fs.writeFileSync(path.join(copy, 'go.mod'), goMod.replace('example.com/lib v0.0.0', 'example.com/lib v0.0.0\n\texample.com/new v1.0.0').replace(path.join(ws, 'lib'), JSON.stringify(path.join(ws, 'lib'))))
  fs.writeFileSync(path.join(copy, 'go.sum'), 'example.com/new v1.0.0 h1:x\n')
  expect(writeBackGoFiles(copy, plugin, anchored)).toBe(true)
  expect(fs.readFileSync(path.join(plugin, 'go.mod'), 'utf8')).toBe(original.replace('example.com/lib v0.0.0', 'example.com/lib v0.0.0\n\texample.com/new v1.0.0'))
  expect(fs.readFileSync(path.join(plugin, 'go.sum'), 'utf8')).toBe('example.com/new v1.0.0 h1:x\n')
  expect(writeBackGoFiles(copy, plugin, anchored)).toBe(false)
})
