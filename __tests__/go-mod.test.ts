import { formatNode, parseGoMod, parseModGraph, parseModuleList, unifiedDiff } from '../src/go-mod.js'

const GO_MOD = `// the plugin
module "example.com/plugins/x"

go 1.22.1

toolchain go1.24.3

require example.com/single v1.2.3 // indirect

require (
	github.com/a/b v0.1.0
	github.com/c/d v1.0.0 // indirect
	"github.com/e/f" v2.0.0+incompatible // indirect; used by tests
	github.com/g/h v1.0.0 // not indirect
)

replace github.com/a/b => ../b

replace (
	github.com/c/d v1.0.0 => github.com/fork/d v1.0.1
)

exclude github.com/g/h v1.1.0

retract v0.0.1
godebug default=go1.21
`

describe('parseGoMod', () => {
  const mod = parseGoMod(GO_MOD)
  test('module, go and toolchain lines with their line numbers', () => {
    expect(mod.module).toBe('example.com/plugins/x')
    expect(mod.go).toEqual({ version: '1.22.1', line: 4 })
    expect(mod.toolchain).toEqual({ name: 'go1.24.3', line: 6 })
  })
  test('requires in single-line and block form, with // indirect and lines', () => {
    expect(mod.requires).toEqual([
      { path: 'example.com/single', version: 'v1.2.3', indirect: true, line: 8 },
      { path: 'github.com/a/b', version: 'v0.1.0', indirect: false, line: 11 },
      { path: 'github.com/c/d', version: 'v1.0.0', indirect: true, line: 12 },
      { path: 'github.com/e/f', version: 'v2.0.0+incompatible', indirect: true, line: 13 },
      { path: 'github.com/g/h', version: 'v1.0.0', indirect: false, line: 14 }
    ])
  })
  test('replace (to a directory or a module version) and exclude', () => {
    expect(mod.replaces).toEqual([
      { old: { path: 'github.com/a/b' }, new: { path: '../b' }, line: 17 },
      { old: { path: 'github.com/c/d', version: 'v1.0.0' }, new: { path: 'github.com/fork/d', version: 'v1.0.1' }, line: 20 }
    ])
    expect(mod.excludes).toEqual([{ path: 'github.com/g/h', version: 'v1.1.0', line: 23 }])
  })
  test('CRLF line ends, no go line, empty file', () => {
    const crlf = parseGoMod('module m\r\n\r\nrequire (\r\n\tx.org/y v1.0.0 // indirect\r\n)\r\n')
    expect(crlf.requires).toEqual([{ path: 'x.org/y', version: 'v1.0.0', indirect: true, line: 4 }])
    expect(crlf.go).toBeUndefined()
    expect(parseGoMod('')).toEqual({ requires: [], replaces: [], excludes: [] })
  })
})

describe('parseModuleList', () => {
  test('main module first, then path version, replacements kept', () => {
    const out = 'example.com/plugins/x\nexample.com/dep v1.1.0\nexample.com/lib v1.0.0 => ../lib\nexample.com/c v1.0.0 => example.com/fork v1.0.1\n'
    expect(parseModuleList(out)).toEqual({
      main: 'example.com/plugins/x',
      modules: [
        { path: 'example.com/dep', version: 'v1.1.0' },
        { path: 'example.com/lib', version: 'v1.0.0', replace: '../lib' },
        { path: 'example.com/c', version: 'v1.0.0', replace: 'example.com/fork v1.0.1' }
      ]
    })
  })
})

describe('parseModGraph', () => {
  test('edges from main and from modules; go and toolchain nodes dropped', () => {
    const out = ['m example.com/dep@v1.1.0', 'm go@1.21', 'example.com/newlib@v1.0.0 example.com/dep@v1.1.0', 'go@1.21 toolchain@go1.21', ''].join('\n')
    const edges = parseModGraph(out)
    expect(edges.map(e => `${formatNode(e.from)} ${formatNode(e.to)}`)).toEqual(['m example.com/dep@v1.1.0', 'example.com/newlib@v1.0.0 example.com/dep@v1.1.0'])
    expect(edges[0].from).toEqual({ path: 'm' })
  })
})

describe('unifiedDiff', () => {
  test('equal texts give nothing', () => {
    expect(unifiedDiff('a\n', 'a\n', 'go.mod')).toBe('')
  })
  test('one changed line with context', () => {
    const before = 'module m\n\ngo 1.21\n\nrequire example.com/dep v1.1.0\n'
    const after = 'module m\n\ngo 1.21\n\nrequire example.com/dep v1.0.0\n'
    expect(unifiedDiff(before, after, 'go.mod')).toBe(
      '--- a/go.mod\n+++ b/go.mod\n@@ -2,4 +2,4 @@\n \n go 1.21\n \n-require example.com/dep v1.1.0\n+require example.com/dep v1.0.0\n'
    )
  })
  test('distant changes make two hunks; pure additions count from the line before', () => {
    const a = Array.from({ length: 20 }, (_, i) => `l${i}`)
    const b = [...a]
    b[1] = 'X'
    b.splice(15, 0, 'new')
    const diff = unifiedDiff(a.join('\n'), b.join('\n'), 'f')
    expect(diff.split('\n').filter(l => l.startsWith('@@'))).toEqual(['@@ -1,5 +1,5 @@', '@@ -13,6 +13,7 @@'])
    expect(unifiedDiff('', 'x', 'f')).toContain('@@ -0,0 +1,1 @@')
  })
})
