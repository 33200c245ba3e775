import { assetNameMatcher, byLoadOrder, chooseFile, platformNamedBy, pluginFileNameProblem } from '../../src/neighbours/choice.js'
import { parsePlatform } from '../../src/platform.js'

const p = parsePlatform

test('a name names the platform spelled as whole dash parts, the longest spelling first', () => {
  expect(platformNamedBy('x-linux-arm-7.so')).toBe('linux-arm-7')
  expect(platformNamedBy('x-linux-arm64.so')).toBe('linux-arm64')
  expect(platformNamedBy('x-linux-arm.so')).toBe('linux-arm')
  expect(platformNamedBy('x-linux-arm-v2.so')).toBe('linux-arm')
  expect(platformNamedBy('x-linux-amd64-v3.so')).toBe('linux-amd64-v3')
  expect(platformNamedBy('x.so')).toBeUndefined()
  expect(platformNamedBy('xlinux-amd64.so')).toBeUndefined()
})

test('a glob without {platform} picks per platform the file naming it; linux-arm is not linux-arm-7 nor linux-arm64', () => {
  const names = ['p-linux-arm-7.so', 'p-linux-arm64.so', 'p-linux-amd64.so', 'p-linux-arm.so', 'p-linux-arm64.so.sha256']
  expect(chooseFile(names, p('linux-arm-7'), false)).toEqual({ kind: 'chosen', name: 'p-linux-arm-7.so' })
  expect(chooseFile(names, p('linux-arm'), false)).toEqual({ kind: 'chosen', name: 'p-linux-arm.so' })
  expect(chooseFile(names, p('linux-arm64'), false)).toEqual({ kind: 'chosen', name: 'p-linux-arm64.so' })
  expect(chooseFile(names, p('linux-386'), false)).toMatchObject({ kind: 'missing', why: expect.stringContaining('no file naming linux-386') })
  expect(chooseFile(['p.so'], p('linux-386'), false)).toEqual({ kind: 'chosen', name: 'p.so' })
  expect(chooseFile(['a-linux-386.so', 'b-linux-386.so'], p('linux-386'), false)).toMatchObject({ kind: 'ambiguous' })
  expect(chooseFile([], p('linux-386'), false)).toEqual({ kind: 'missing', why: 'matches nothing' })
  expect(chooseFile(['p.zip'], p('linux-386'), true)).toMatchObject({ kind: 'missing', why: expect.stringContaining('no .so file') })
})

test('an entry with {platform} takes its single match as is', () => {
  expect(chooseFile(['odd-name.so'], p('linux-arm-7'), true)).toEqual({ kind: 'chosen', name: 'odd-name.so' })
})

test('asset globs: * and ? are wildcards; placeholder values and other characters are literal', () => {
  const m = assetNameMatcher('p-{platform}-*.so', { platform: 'linux-arm-7' })
  expect(m('p-linux-arm-7-v1.so')).toBe(true)
  expect(m('p-linux-arm64-v1.so')).toBe(false)
  expect(assetNameMatcher('p?.so', {})('pX.so')).toBe(true)
  expect(assetNameMatcher('p.so', {})('pXso')).toBe(false)
  expect(assetNameMatcher('{server-version}.so', { 'server-version': 'v1.0+x' })('v1.0+x.so')).toBe(true)
  expect(assetNameMatcher('{server-version}.so', { 'server-version': 'v1.0+x' })('v1.00x.so')).toBe(false)
})

test('names from outside must be plain .so file names', () => {
  expect(pluginFileNameProblem('a-linux-amd64.so')).toBeUndefined()
  expect(pluginFileNameProblem('../a.so')).toBe('contains a path separator')
  expect(pluginFileNameProblem('..')).toBe('starts with "."')
  expect(pluginFileNameProblem('x/../a.so')).toBe('contains a path separator')
  expect(pluginFileNameProblem('x\\a.so')).toBe('contains a path separator')
  expect(pluginFileNameProblem('.hidden.so')).toBe('starts with "."')
  expect(pluginFileNameProblem('a\n::error::x.so')).toBe('contains a control character')
  expect(pluginFileNameProblem('a.so.zip')).toBe('does not end in .so')
})

test('load order is the server folder order: bytewise by file name', () => {
  const names = ['b.so', 'B.so', 'a-2.so', 'a.so', 'é.so', 'z.so']
  expect(byLoadOrder(names.map(fileName => ({ fileName }))).map(x => x.fileName)).toEqual(['B.so', 'a-2.so', 'a.so', 'b.so', 'z.so', 'é.so'])
})
