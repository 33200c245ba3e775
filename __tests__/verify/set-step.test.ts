import { type SetOutcome, withInfoCheck } from '../../src/verify/set-step.js'
import { type InfoReading, infoCheckOf, judgeInfos } from '../../src/verify/plugin-info.js'

const GOTIFY = { function: 'GetGotifyPluginInfo', unique: 'ModulePath' }
const info = (modulePath: string): InfoReading => ({ type: 'p.Info', fields: [{ name: 'ModulePath', value: modulePath }] })
const files = [{ file: 'a.so', plugin: 'a' }, { file: 'b.so', plugin: 'b' }, { file: 'n.so' }]
const check = (paths: string[], platform = 'linux-amd64') =>
  infoCheckOf({ serverVersion: 'v1', platform, method: 'native' }, GOTIFY, judgeInfos(files, paths.map(p => ({ loaded: true, info: info(p) })), GOTIFY))

const proven: SetOutcome = {
  serverVersion: 'v1',
  platform: 'linux-amd64',
  status: 'loaded',
  witness: 'release binary gotify-linux-amd64.zip',
  files: ['a.so', 'b.so', 'n.so'],
  detail: '3 plugin files load together',
  differing: [],
  members: ['a.so', 'b.so', 'n.so'].map(file => ({ file, own: file !== 'n.so', status: 'loads' as const })),
  warnings: []
}
const never = (): boolean => false

test('a duplicate fails a set the fingerprints passed; the first refusal is where the server stops; each member gets its Info', () => {
  const s = withInfoCheck(proven, check(['x', 'x', 'y']), never)
  expect(s.status).toBe('failed')
  expect(s.failure?.file).toBe('b.so')
  expect(s.failure?.message).toMatch(/^error while loading plugin b\.so: plugin with module path x is present at least twice: a\.so \(plugin a\) and b\.so \(plugin b\)/)
  expect(s.detail).toMatch(/^the server \(release binary gotify-linux-amd64\.zip\) does not start: error while loading plugin b\.so/)
  expect(s.members?.map(m => [m.file, m.status, m.neverOpened ?? false, m.info?.fields?.[0].value])).toEqual([
    ['a.so', 'loads', false, 'x'],
    ['b.so', 'refused', false, 'x'],
    ['n.so', 'loads', true, 'y']
  ])
  expect(s.infoCheck).toEqual({ function: 'GetGotifyPluginInfo', unique: 'ModulePath', status: 'failed', detail: expect.any(String), method: 'native' })
})

test('a duplicate with a neighbour that only warns is a warning; on another platform only a duplicate counts; a check that did not run changes nothing', () => {
  expect(withInfoCheck(proven, check(['x', 'y', 'x']), f => f === 'n.so').status).toBe('warned')
  // A duplicate is a value of the source: another platform's set is refused too; a check that passed elsewhere changes nothing.
  expect(withInfoCheck(proven, check(['x', 'x', 'y'], 'linux-arm64'), never)).toMatchObject({ status: 'failed', detail: 'the server does not start on any platform: the Info check on linux-arm64 found ModulePath x returned by a.so and b.so (GetGotifyPluginInfo): the same plugins\' values on every platform' })
  expect(withInfoCheck(proven, check(['x', 'y', 'z'], 'linux-arm64'), never)).toBe(proven)
  const notRun = { ...check(['x', 'x', 'y']), status: 'not-verified' as const }
  expect(withInfoCheck(proven, notRun, never)).toBe(proven)
})

test('without a release binary the host proves the set on its platform: loaded, in its load order, by the stand-in host', () => {
  const unproven: SetOutcome = { ...proven, status: 'not-verified', witness: 'none', files: ['n.so', 'b.so', 'a.so'], detail: 'not verified as a set', members: undefined }
  const s = withInfoCheck(unproven, check(['x', 'y', 'z']), never)
  expect(s).toMatchObject({ status: 'loaded', witness: 'stand-in host linux-amd64', files: ['a.so', 'b.so', 'n.so'], detail: expect.stringMatching(/^3 plugin files opened in load order by the stand-in host/) })
  expect(s.members?.map(m => [m.file, m.own])).toEqual([['a.so', true], ['b.so', true], ['n.so', false]])
})
