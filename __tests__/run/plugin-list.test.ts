import { parsePluginList } from '../../src/run/plugin-list.js'

const WS = '/ws'
const ASSET = '{plugin}-{platform}.so'
const parse = (paths: string, o: { packages?: string; names?: string; assetName?: string } = {}): ReturnType<typeof parsePluginList> =>
  parsePluginList({ paths, packages: o.packages ?? '.', names: o.names ?? '', assetName: o.assetName ?? ASSET }, WS)

test('one folder: as before', () => {
  expect(parse('plugin')).toEqual([{ pluginPath: '/ws/plugin', package: '.' }])
  expect(parse('.', { names: 'x', packages: './cmd' })).toEqual([{ pluginPath: '/ws', package: './cmd', pluginName: 'x' }])
})

test('one folder a line; one package for all or one each; names one each', () => {
  expect(parse('a\nb\n', { packages: './cmd' })).toEqual([
    { pluginPath: '/ws/a', package: './cmd' },
    { pluginPath: '/ws/b', package: './cmd' }
  ])
  expect(parse('a\nb', { packages: '., ./cmd', names: 'one,two' })).toEqual([
    { pluginPath: '/ws/a', package: '.', pluginName: 'one' },
    { pluginPath: '/ws/b', package: './cmd', pluginName: 'two' }
  ])
})

test('bad lists are one-line input errors', () => {
  expect(() => parse('a\nb', { names: 'one' })).toThrow("Input 'plugin-name': 1 names for 2 plugins; accepted: empty (each named after its module path), or one name per plugin-path entry, in the same order")
  expect(() => parse('a\nb\nc', { packages: '.,.' })).toThrow("Input 'package': 2 packages for 3 plugins")
  expect(() => parse('a\nb', { assetName: '{platform}.so' })).toThrow(/^Input 'asset-name': "\{platform\}\.so" names the files of every plugin alike, and plugin-path lists 2; accepted: with several plugins, a name with \{plugin\}/)
  expect(() => parse('a\n./a')).toThrow(`Input 'plugin-path': "./a" is listed twice; accepted: each plugin folder once`)
  expect(() => parse('a\n../b')).toThrow(/^Input 'plugin-path': "\.\.\/b" is outside the workspace \/ws/)
})

test('plugin-name: an empty entry keeps that plugin its default name; a comma at a line end is no entry', () => {
  expect(parse('a\nb\nc', { names: 'one,,three' }).map(p => p.pluginName)).toEqual(['one', undefined, 'three'])
  expect(parse('a\nb\nc', { names: ',two,' }).map(p => p.pluginName)).toEqual([undefined, 'two', undefined])
  expect(parse('a\nb', { names: 'one,\ntwo' }).map(p => p.pluginName)).toEqual(['one', 'two'])
  expect(() => parse('a\nb', { names: 'one,,two' })).toThrow(/^Input 'plugin-name': 3 names for 2 plugins/)
})
