import { listedPlugins } from '../../src/server-image/start-check.js'
import { logField, logMessage, startVerdict } from '../../src/server-image/start-verdict.js'

const plugin = { file: '/app/data/plugins/myplugin.so', modulePath: 'github.com/me/myplugin' }
const gotifyLog = 'Starting Gotify version 2.9.1\nLoading plugin data/plugins/myplugin.so\nStarted Listening for plain HTTP connection on tcp [::]:80\n'
const listed = (...paths: string[]) => paths.map(modulePath => ({ modulePath, enabled: true }))
// gotify v3's console log (zerolog) when a plugin rejects its config at start: it keeps the plugin loaded and listed, disabled.
const REJECTED =
  '2026-12-07T10:00:01Z WRN Plugin failed to initialize because it rejected the current config. It might be outdated. A default config is used and the user would need to enable it again. error="webhook url: must not be empty" module_path=example.com/b user_id=1'

test('gotify up, and its API lists the module path', () => {
  expect(startVerdict({ answered: '80/tcp', seconds: 2, log: gotifyLog, listed: listed('github.com/me/myplugin') }, plugin)).toEqual({
    status: 'loaded',
    detail: 'it answers on 80/tcp and GET /plugin lists github.com/me/myplugin',
    evidence: ['Loading plugin data/plugins/myplugin.so'],
    warnings: [],
    listed: listed('github.com/me/myplugin')
  })
})

test('the API lists the plugin under the module path its info reports: paired by count; without a list the log must name the file', () => {
  expect(startVerdict({ answered: '80/tcp', seconds: 2, log: gotifyLog, listed: listed('github.com/me/renamed') }, plugin)).toMatchObject({
    status: 'loaded',
    detail: 'it answers on 80/tcp and GET /plugin lists github.com/me/renamed'
  })
  expect(startVerdict({ keptRunning: true, seconds: 5, log: gotifyLog }, plugin)).toMatchObject({ status: 'loaded', detail: 'it keeps running and its log says: Loading plugin data/plugins/myplugin.so' })
})

test('gotify refuses to start: the exit, the count of files, and the line naming the plugin (not the last line of the stack trace)', () => {
  const log = `${gotifyLog.split('\n')[1]}\npanic: error while loading plugin myplugin.so: plugin.Open("data/plugins/myplugin"): plugin was built with a different version of package github.com/gin-gonic/gin\n\ngoroutine 1 [running]:\n/usr/local/go/src/runtime/panic.go:787 +0x132`
  expect(startVerdict({ exited: 2, seconds: 1, log }, plugin)).toMatchObject({
    status: 'failed',
    detail: expect.stringMatching(/^the server exited \(code 2\) 1 s after starting with 1 plugin file in its folder: panic: error while loading plugin myplugin\.so: .*different version of package github\.com\/gin-gonic\/gin$/)
  })
  const crash = 'Loading plugin data/plugins/a.so\npanic: runtime error: invalid memory address\n\ngoroutine 1 [running]:\nexample.com/a.NewGotifyPluginInstance()\n/usr/local/go/src/runtime/panic.go:787 +0x132'
  expect(startVerdict({ exited: 2, seconds: 1, log: crash }, [{ file: '/p/a.so' }, { file: '/p/b.so' }]).detail).toBe(
    'the server exited (code 2) 1 s after starting with 2 plugin files in its folder: panic: runtime error: invalid memory address'
  )
})

test('a server that never answers says the files it had; without a list, a failed load in the log or a file never named fails', () => {
  expect(startVerdict({ timedOutAfter: 60, seconds: 61.7, log: 'Loading plugin data/plugins/myplugin.so\nmigrating database' }, plugin)).toMatchObject({
    status: 'failed',
    detail: 'the server did not answer within 60 s with 1 plugin file in its folder; its last line: migrating database'
  })
  expect(startVerdict({ answered: '80/tcp', seconds: 1, log: 'could not load myplugin.so: invalid ELF header\nlistening' }, plugin)).toMatchObject({
    status: 'failed',
    detail: 'it answers on 80/tcp, but its log reports a problem with the plugin (GET /plugin answered with no list to judge by): could not load myplugin.so: invalid ELF header'
  })
  expect(startVerdict({ keptRunning: true, seconds: 1, log: 'ready' }, [plugin, { file: '/app/data/plugins/other.so' }])).toMatchObject({
    status: 'failed',
    detail: 'it keeps running, but its log never names myplugin.so (github.com/me/myplugin), other.so'
  })
})

test('the API lists fewer plugins than files: a failure that says what the server listed', () => {
  expect(startVerdict({ answered: '8080/tcp', seconds: 1, log: 'ready', listed: [] }, plugin)).toMatchObject({
    status: 'failed',
    detail: 'it answers on 8080/tcp, but GET /plugin lists 0 plugins for 1 plugin file (nothing); not among them: myplugin.so (github.com/me/myplugin)'
  })
  const three = ['a', 'b', 'c'].map(x => ({ file: `/app/data/plugins/${x}-linux-amd64.so`, modulePath: `example.com/${x}` }))
  expect(startVerdict({ answered: '80/tcp', seconds: 1, log: '', listed: [...listed('example.com/a'), { modulePath: 'example.com/b', enabled: false }] }, three)).toMatchObject({
    status: 'failed',
    detail: 'it answers on 80/tcp, but GET /plugin lists 2 plugins for 3 plugin files (example.com/a, example.com/b (disabled)); not among them: c-linux-amd64.so (example.com/c)'
  })
})

test('words are not the verdict: every plugin listed passes, a disabled one is a warning carrying its own message', () => {
  const three = ['a', 'b', 'c'].map(x => ({ file: `/app/data/plugins/${x}-linux-amd64.so`, modulePath: `example.com/${x}` }))
  const log = `${three.map(p => `2026-12-07T10:00:00Z INF Loading plugin path=data/plugins/${p.file.split('/').pop()}`).join('\n')}\n\u001b[33m${REJECTED}\u001b[0m\nStarted listening`
  const check = startVerdict({ answered: '80/tcp', seconds: 1, log, listed: [...listed('example.com/a'), { modulePath: 'example.com/b', name: 'Bee', enabled: false }, ...listed('example.com/c')] }, three)
  expect(check.status).toBe('loaded')
  expect(check.detail).toBe('it answers on 80/tcp and GET /plugin lists all 3: example.com/a, example.com/b (disabled), example.com/c; 1 disabled by the server (warnings)')
  expect(check.warnings).toEqual([
    'b-linux-amd64.so (example.com/b): loaded and listed by GET /plugin, but disabled by the server; its log: "WRN Plugin failed to initialize because it rejected the current config. It might be outdated. A default config is used and the user would need to enable it again."; the plugin says: "webhook url: must not be empty"'
  ])
  // Listed under its info's module path (another than its Go module's), disabled without a word in the log.
  const renamed = startVerdict({ answered: '80/tcp', seconds: 1, log: 'Started', listed: [{ modulePath: 'https://github.com/x/y', name: 'Y', enabled: false }] }, plugin)
  expect(renamed).toMatchObject({ status: 'loaded', warnings: ['myplugin.so (github.com/me/myplugin), listed as Y (https://github.com/x/y): loaded and listed by GET /plugin, but disabled by the server; its log does not say why'] })
  // Enabled (or the API does not say), but a line naming it reports trouble: a warning too, never a failure.
  const quiet = startVerdict({ answered: '80/tcp', seconds: 1, log: 'ERR could not reach the webhook module_path=github.com/me/myplugin', listed: [{ modulePath: 'github.com/me/myplugin' }] }, plugin)
  expect(quiet).toMatchObject({ status: 'loaded', warnings: ['myplugin.so (github.com/me/myplugin): loaded and listed by GET /plugin, but its log: "ERR could not reach the webhook"'] })
})

test('a plugin named with a word of failure (rejects-config, error-hook) is not trouble: only the words of the line itself count', () => {
  const p = { file: '/app/data/plugins/rejects-config-linux-amd64.so', modulePath: 'example.com/plugins/error-hook' }
  const log = 'INF Loading plugin path=data/plugins/rejects-config-linux-amd64.so\nINF registered example.com/plugins/error-hook\nStarted'
  expect(startVerdict({ answered: '80/tcp', seconds: 1, log, listed: listed('example.com/plugins/error-hook') }, p)).toMatchObject({ status: 'loaded', warnings: [] })
  expect(startVerdict({ keptRunning: true, seconds: 1, log }, p)).toMatchObject({ status: 'loaded' })
})

test('several files listed by count: the entries speak for themselves', () => {
  const two = [{ file: '/p/a.so', modulePath: 'github.com/gotify/plugin-template' }, { file: '/p/b.so', modulePath: 'github.com/gotify/plugin-template' }]
  const check = startVerdict({ answered: '80/tcp', seconds: 1, log: REJECTED.replace('example.com/b', 'https://github.com/me/b'), listed: [{ modulePath: 'https://github.com/me/a', enabled: true }, { modulePath: 'https://github.com/me/b', enabled: false }] }, two)
  expect(check).toMatchObject({ status: 'loaded', warnings: [expect.stringMatching(/^https:\/\/github\.com\/me\/b: loaded and listed by GET \/plugin, but disabled by the server; its log: "WRN Plugin failed .*"; the plugin says: "webhook url: must not be empty"$/)] })
})

test('zerolog console fields and messages; GET /plugin answers read field by field', () => {
  expect(logField(REJECTED, 'error')).toBe('webhook url: must not be empty')
  expect(logField(REJECTED, 'user_id')).toBe('1')
  expect(logField('error="bad \\x01 quote \\" here" x=1', 'error')).toBe('bad \\x01 quote \\" here')
  expect(logField('no fields', 'error')).toBeUndefined()
  expect(logMessage('2026/12/07 10:00:00 Plugin x for user 1 failed to initialize')).toBe('Plugin x for user 1 failed to initialize')
  expect(listedPlugins([{ modulePath: 'a', name: 'A', enabled: false, token: 'secret' }, { modulePath: 7 }, null, 'x', { modulePath: '' }])).toEqual([{ modulePath: 'a', name: 'A', enabled: false }])
  expect(listedPlugins({ error: 'Unauthorized' })).toBeUndefined()
})
