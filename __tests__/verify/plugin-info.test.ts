import { type HostFileResult, type InfoReading, describeInfo, fieldWords, infoCheckOf, judgeInfos, parseInfoReading, parseInfoSettings, pluginInfoOutcomes, uniqueValue } from '../../src/verify/plugin-info.js'
import { parseLoaderResults, RESULT_MARKER, loaderArgs } from '../../src/verify/loader-program.js'
import { platformPreference } from '../../src/verify/info-host.js'
import { parsePlatform } from '../../src/platform.js'

const GOTIFY = { function: 'GetGotifyPluginInfo', unique: 'ModulePath' }
const info = (modulePath: string, name = 'n'): InfoReading => ({ type: 'github.com/gotify/plugin-api.Info', fields: [{ name: 'Name', value: name }, { name: 'ModulePath', value: modulePath }] })
const read = (i: InfoReading): HostFileResult => ({ loaded: true, info: i })
const files = ['a.so', 'b.so', 'c.so'].map((file, i) => ({ file, plugin: `p${i}`, pluginPath: `example.com/p${i}` }))

test('settings: gotify by default; empty function switches the check off; names must be Go identifiers', () => {
  expect(parseInfoSettings('GetGotifyPluginInfo', 'ModulePath')).toEqual(GOTIFY)
  expect(parseInfoSettings(' Info ', '')).toEqual({ function: 'Info' })
  expect(parseInfoSettings('', 'ModulePath')).toBeUndefined()
  expect(() => parseInfoSettings('Get-Info', '')).toThrow("Input 'info-function': \"Get-Info\" is not a Go identifier; accepted: the name of a function the plugin exports, such as GetGotifyPluginInfo, or empty for none")
  expect(() => parseInfoSettings('Info', 'modulePath')).toThrow(/^Input 'info-unique-field': "modulePath" is not an exported Go field name/)
})

test('a ModulePath seen before refuses the later file, in gotify words, naming both files and plugins; later files are never opened', () => {
  const j = judgeInfos(files, [read(info('x/shared', 'A')), read(info('x/shared', 'B')), read(info('x/c'))], GOTIFY)
  expect(j.members.map(m => [m.file, m.status, m.duplicateOf, m.neverOpened])).toEqual([
    ['a.so', 'read', undefined, undefined],
    ['b.so', 'refused', 'a.so', undefined],
    ['c.so', 'read', undefined, undefined]
  ])
  expect(j.failure).toEqual({
    file: 'b.so',
    message:
      'error while loading plugin b.so: plugin with module path x/shared is present at least twice: a.so (plugin p0, example.com/p0) and b.so (plugin p1, example.com/p1) both return it from GetGotifyPluginInfo; ' +
      "the ModulePath is a value in the plugin's source, not its go.mod: change what GetGotifyPluginInfo returns in one of them"
  })
})

test('every value returned twice is named in one report, though the server stops at the first', () => {
  const four = [...files, { file: 'd.so', plugin: 'p3' }]
  const j = judgeInfos(four, [read(info('x')), read(info('y')), read(info('x')), read(info('y'))], GOTIFY)
  expect(j.members.map(m => m.duplicateOf)).toEqual([undefined, undefined, 'a.so', 'b.so'])
  expect(j.failure?.file).toBe('c.so')
  expect(j.failure?.message).toMatch(/^error while loading plugin c\.so: plugin with module path x is present at least twice: .* \(the server stops there; also returned twice: d\.so repeats ModulePath y of b\.so\)$/)
})

test("the server's order of checks: not opened, then the info function failing, then the unique value; a crash leaves the rest unknown", () => {
  const results: Array<HostFileResult | undefined> = [{ loaded: false, refusal: 'plugin.Open failed: x' }, read({ type: 'func() int', error: 'panicked: boom' }), undefined]
  const j = judgeInfos(files, results, GOTIFY)
  expect(j.members.map(m => [m.status, m.reason, m.neverOpened ?? false, m.unreached ?? false])).toEqual([
    ['refused', 'plugin.Open failed: x', false, false],
    ['refused', 'GetGotifyPluginInfo: panicked: boom; the server calls it at start', true, false],
    ['refused', expect.stringMatching(/^the host stopped before it/), true, true]
  ])
  expect(j.failure?.file).toBe('a.so')
  // A plugin's own outcome for its version: its own fault is refused; a file the host never reached is not read.
  const own = pluginInfoOutcomes(infoCheckOf({ serverVersion: 'v1', platform: 'linux-amd64', method: 'native' }, GOTIFY, j))
  expect([...own.values()].map(o => o.status)).toEqual(['refused', 'refused', 'not-read'])
})

test('no unique field, or results without it: nothing compared; a string is a string; warnings only where there is something to compare', () => {
  const strings = [read({ type: 'string', text: 'same' }), read({ type: 'string', text: 'same' })]
  expect(judgeInfos(files.slice(0, 2), strings, GOTIFY).failure).toBeUndefined()
  expect(judgeInfos(files.slice(0, 2), [read(info('x')), read(info('x'))], { function: 'F' }).failure).toBeUndefined()
  const check = infoCheckOf({ serverVersion: 'v1', platform: 'linux-amd64', method: 'native' }, GOTIFY, judgeInfos(files.slice(0, 2), strings, GOTIFY))
  expect(check).toMatchObject({ status: 'passed', detail: '2 plugin files opened in load order by the stand-in host on linux-amd64 (native, sandboxed), GetGotifyPluginInfo called in each, every ModulePath differs' })
  expect(check.warnings).toEqual(["a.so: GetGotifyPluginInfo returns a string, which has no field ModulePath: not compared with the other plugins'", "b.so: GetGotifyPluginInfo returns a string, which has no field ModulePath: not compared with the other plugins'"])
  const alone = infoCheckOf({ serverVersion: 'v1', platform: 'linux-amd64', method: 'native' }, GOTIFY, judgeInfos(files.slice(0, 1), strings.slice(0, 1), GOTIFY))
  expect(alone.warnings).toEqual([])
})

test("the loader's lines are data: parsed by file, checked for shape, values clipped", () => {
  const long = 'x'.repeat(5000)
  const out = [
    'plugin init says hi',
    `${RESULT_MARKER}{"file":"./000.so","loaded":true,"info":{"type":"p.Info","fields":[{"name":"ModulePath","value":"m"},{"name":1,"value":"bad"}]}}`,
    `${RESULT_MARKER}{"file":"./001.so","loaded":false,"error":"plugin.Open(\\"./001\\"): no"}`,
    `${RESULT_MARKER}{"file":"./002.so","loaded":true,"info":{"type":"string","text":"${long}"}}`,
    `${RESULT_MARKER}{"file":"./003.so","loaded":"yes"}`,
    `${RESULT_MARKER}not json`
  ].join('\n')
  const r = parseLoaderResults(out)
  expect([...r.keys()]).toEqual(['./000.so', './001.so', './002.so'])
  expect(r.get('./000.so')?.info).toEqual({ type: 'p.Info', fields: [{ name: 'ModulePath', value: 'm' }] })
  expect(r.get('./002.so')?.info?.text).toHaveLength(1027)
  expect(parseInfoReading({ fields: [] })).toBeUndefined()
  expect(loaderArgs(['./000.so'], { symbols: ['A', 'B'], info: 'GetInfo' })).toEqual(['-symbols=A,B', '-info=GetInfo', '--', './000.so'])
  expect(() => loaderArgs(['./000.so'], { symbols: ['A;rm'] })).toThrow(/not a Go identifier/)
})

test('words and values: ModulePath is "module path"; an Info in one line', () => {
  expect(fieldWords('ModulePath')).toBe('module path')
  expect(fieldWords('ID')).toBe('id')
  expect(uniqueValue(info('m'), 'ModulePath')).toBe('m')
  expect(uniqueValue({ type: 'string', text: 'm' }, 'ModulePath')).toBeUndefined()
  expect(describeInfo(info('m', ''))).toBe('ModulePath "m"')
  expect(describeInfo({ type: 'string', text: 'hi' })).toBe('"hi"')
  expect(describeInfo({ type: 'func()', error: 'is not a function without parameters and with one result' })).toBe('not read: is not a function without parameters and with one result')
})

test("the host's platform: the runner's own, then 386 on amd64, then emulated; never one it cannot run or without files", () => {
  const c = (id: string, n = 1): { platform: ReturnType<typeof parsePlatform>; files: string[] } => ({ platform: parsePlatform(id), files: Array(n).fill('f') })
  const order = (cs: ReturnType<typeof c>[], arch: string): string[] => platformPreference(cs, arch, 'linux').map(x => x.platform.id)
  expect(order([c('linux-arm64'), c('linux-386'), c('linux-amd64'), c('darwin-arm64')], 'amd64')).toEqual(['linux-amd64', 'linux-386', 'linux-arm64'])
  expect(order([c('linux-amd64'), c('linux-arm64')], 'arm64')).toEqual(['linux-arm64', 'linux-amd64'])
  expect(order([c('linux-amd64', 0), c('linux-arm-7')], 'amd64')).toEqual(['linux-arm-7'])
})
