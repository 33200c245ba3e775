import { infoSummaryLines } from '../../src/report/info-summary.js'
import { infoCheckOf, judgeInfos } from '../../src/verify/plugin-info.js'

const GOTIFY = { function: 'GetGotifyPluginInfo', unique: 'ModulePath' }

test("one line per server version with each plugin's Info; values from the plugin are escaped", () => {
  const hostile = { type: 'p.Info', fields: [{ name: 'Name', value: '<img src=x>' }, { name: 'ModulePath', value: '[link](http://x) | `code`' }] }
  const j = judgeInfos([{ file: 'a.so', plugin: 'a' }, { file: 'n.so' }], [{ loaded: true, info: hostile }, { loaded: false, refusal: 'plugin.Open failed: x' }], GOTIFY)
  const lines = infoSummaryLines({ infoChecks: [infoCheckOf({ serverVersion: 'v1', platform: 'linux-amd64', method: 'native' }, GOTIFY, j)] })
  expect(lines).toEqual([
    '**Plugin Info** (GetGotifyPluginInfo() called at start by the stand-in host on linux-amd64, server v1): ' +
      'a.so (**a**): Name "&lt;img src=x&gt;", ModulePath "\\[link\\](http://x) \\| \\`code\\`"; n.so: :x: plugin.Open failed: x',
    ''
  ])
  expect(infoSummaryLines({})).toEqual([])
})
