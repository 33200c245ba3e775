import { compiledPackages, parseCompilerErrors } from '../../src/compile/compiler-errors.js'

test('go build errors become annotations on repository paths', () => {
  const log = ['# example.com/plugins/x', './plugin.go:12:3: undefined: foo', 'sub/a.go:4:1: syntax error', '/go/pkg/mod/example.com/dep@v1.0.0/dep.go:3:1: bad'].join('\n')
  expect(parseCompilerErrors(log, '/proj/plugin', 'plugin')).toEqual([
    { file: 'plugin/plugin.go', line: 12, column: 3, message: 'undefined: foo' },
    { file: 'plugin/sub/a.go', line: 4, column: 1, message: 'syntax error' },
    { file: undefined, line: 3, column: 1, message: '/go/pkg/mod/example.com/dep@v1.0.0/dep.go:3: bad' }
  ])
})

test('module errors without a position are kept as messages', () => {
  expect(parseCompilerErrors('go: example.com/dep@v1.0.0: missing go.sum entry', '/proj', '.')).toEqual([{ message: 'go: example.com/dep@v1.0.0: missing go.sum entry' }])
})

test('go build -v names the packages it compiled, nothing else of the log', () => {
  const log = ['go: downloading example.com/dep v1.0.0', 'internal/goarch', 'runtime', 'example.com/dep', '# example.com/plugins/x', './plugin.go:12:3: undefined: foo', 'example.com/plugins/x'].join('\n')
  expect(compiledPackages(log)).toEqual(['internal/goarch', 'runtime', 'example.com/dep', 'example.com/plugins/x'])
  expect(compiledPackages('')).toEqual([])
})
