import { newestFitting, olderVersions, parseGoLines, serverChecksGoLines, tooNewConflict, tooNewFor, tooNewNote } from '../../src/alignment/fit.js'
import { parseGoMod } from '../../src/go-mod.js'

const LISTED = 'example.com/plugin\t\t1.21\ttrue\nexample.com/crypto\tv1.1.0\t1.26\tfalse\nexample.com/dep\tv1.0.0\t1.21\tfalse\nexample.com/old\tv0.1.0\t\tfalse\n'

test('the build list with each module\'s go line; the plugin itself is the main module', () => {
  expect(parseGoLines(LISTED)).toEqual([
    { path: 'example.com/plugin', version: '', go: '1.21', main: true },
    { path: 'example.com/crypto', version: 'v1.1.0', go: '1.26', main: false },
    { path: 'example.com/dep', version: 'v1.0.0', go: '1.21', main: false },
    { path: 'example.com/old', version: 'v0.1.0', go: '', main: false }
  ])
})

test('too new for the server\'s Go: a go line above it (a module without one, and the plugin itself, never)', () => {
  expect(tooNewFor('1.21.1', parseGoLines(LISTED)).map(m => m.path)).toEqual(['example.com/crypto'])
  expect(tooNewFor('1.26.8', parseGoLines(LISTED))).toEqual([])
  // 1.21 is the language version of 1.21.0: it fits Go 1.21.0; 1.21.1 does not.
  expect(tooNewFor('1.21.0', parseGoLines('m\tv1.0.0\t1.21\tfalse\nn\tv1.0.0\t1.21.1\tfalse\n')).map(m => m.path)).toEqual(['n'])
})

test('Go checks go lines from 1.21 on; before, a newer line is a note for the log', () => {
  expect(serverChecksGoLines('1.21.1')).toBe(true)
  expect(serverChecksGoLines('1.16')).toBe(false)
  expect(tooNewNote('1.16', parseGoLines('a\tv1.2.0\t1.18\tfalse\n'))).toBe("a v1.2.0 (go 1.18): newer go line than the server's Go 1.16, which does not check them (Go before 1.21): the build shows whether it compiles")
  expect(tooNewNote('1.16', [])).toBeUndefined()
})

test('the versions below looked at, newest first, and the newest that fits', () => {
  expect(olderVersions(['v1.0.0', 'v1.1.0', 'v1.2.0', 'v0.9.0'], 'v1.2.0', 2)).toEqual(['v1.1.0', 'v1.0.0'])
  expect(olderVersions(['v1.0.0'], 'v0.0.0-20240101000000-abcdefabcdef', 5)).toEqual([])
  expect(newestFitting('1.21.1', [{ version: 'v1.1.0', go: '1.23' }, { version: 'v1.0.0', go: '1.18' }, { version: 'v0.9.0', go: '' }])).toBe('v1.0.0')
  expect(newestFitting('1.21.1', [{ version: 'v1.1.0', go: '1.23' }])).toBeUndefined()
})

test('the refusal names the module, its go line, what requires it, the version that fits, and points at the go.mod line', () => {
  const goMod = parseGoMod('module example.com/p\n\ngo 1.21\n\nrequire example.com/kit v1.2.0\n')
  const [m] = tooNewFor('1.21.1', parseGoLines('example.com/lib\tv2.0.0\t1.24\tfalse\n'))
  const c = tooNewConflict(m, { serverGo: '1.21.1', chain: ['example.com/p', 'example.com/kit@v1.2.0', 'example.com/lib@v2.0.0'], fits: 'v1.9.0', looked: 3, goMod, goModFile: '/w/go.mod' })
  expect(c).toEqual({
    path: 'example.com/lib', server: 'go 1.21.1', plugin: 'v2.0.0', chain: ['example.com/p', 'example.com/kit@v1.2.0', 'example.com/lib@v2.0.0'],
    message: "example.com/lib v2.0.0 (required through example.com/kit@v1.2.0) says go 1.24 in its go.mod, newer than the server's Go 1.21.1, which refuses to build it: example.com/lib v1.9.0 is the newest version that fits Go 1.21.1; use it, or build for a server release with a newer Go",
    location: { file: '/w/go.mod', line: 5 }
  })
  expect(tooNewConflict(m, { serverGo: '1.21.1', chain: [], looked: 4, goMod, goModFile: '/w/go.mod' }).message).toContain('none of the 4 versions of example.com/lib below it fits Go 1.21.1')
  expect(tooNewConflict(m, { serverGo: '1.21.1', chain: [], looked: 0, goMod, goModFile: '/w/go.mod' }).message).toContain('the module proxy lists no older version of example.com/lib')
})
