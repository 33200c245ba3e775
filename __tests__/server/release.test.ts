import { pickGoVersion, toolchainOf } from '../../src/server/release.js'

const pick = (goMod: string, goVersionFile?: string): ReturnType<typeof pickGoVersion> => pickGoVersion('gotify/server', 'v3.0.0', goVersionFile, goMod)

test('the toolchain line gives the Go version when there is no GO_VERSION', () => {
  expect(pick('module m\n\ngo 1.22\n\ntoolchain go1.22.4 // pinned\n')).toEqual({ goVersion: '1.22.4', source: 'toolchain' })
  expect(toolchainOf('module m\n\ntoolchain go1.22.4\n')).toEqual({ value: 'go1.22.4', words: 1, line: 3, text: 'toolchain go1.22.4' })
})

test('a malformed toolchain line is called malformed, with its line, not missing', () => {
  const goMod = 'module github.com/gotify/server/v2\n\ngo 1.26\n\ntoolchain go1.26.8 extra words\n'
  expect(() => pick(goMod)).toThrow(
    'go.mod of gotify/server at v3.0.0 has a malformed toolchain line (line 5: "toolchain go1.26.8 extra words"), so it names no Go version; accepted: "toolchain" followed by one Go version such as go1.22.5, or a GO_VERSION file'
  )
  expect(() => pick('module m\ntoolchain\n')).toThrow(/malformed toolchain line \(line 2: "toolchain"\)/)
  expect(() => pick('module m\ntoolchain default\n')).toThrow('go.mod of gotify/server at v3.0.0 has toolchain "default", not a Go version (line 2); accepted: go followed by digits and dots such as go1.22.5')
})

test('no toolchain line at all is still reported as missing; GO_VERSION wins over the line', () => {
  expect(() => pick('module m\n\ngo 1.22\n')).toThrow(/has no GO_VERSION file and its go\.mod has no toolchain line/)
  expect(pick('module m\ntoolchain go1.26.8 extra words\n', '1.26.8\n')).toEqual({ goVersion: '1.26.8', source: 'GO_VERSION' })
})
