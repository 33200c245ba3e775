import { startVerdict } from '../../src/server-image/start-check.js'

const plugin = { file: '/app/data/plugins/myplugin.so', modulePath: 'github.com/me/myplugin' }
const gotifyLog = 'Starting Gotify version 2.9.1\nLoading plugin data/plugins/myplugin.so\nStarted Listening for plain HTTP connection on tcp [::]:80\n'

test('gotify up, and its API lists the module path', () => {
  expect(startVerdict({ answered: '80/tcp', seconds: 2, log: gotifyLog, apiModulePaths: ['github.com/me/myplugin'] }, plugin)).toEqual({
    status: 'loaded',
    detail: 'it answers on 80/tcp and GET /plugin lists github.com/me/myplugin',
    evidence: ['Loading plugin data/plugins/myplugin.so']
  })
})

test('up, and the log names the plugin (the API answered with another module path, or not at all)', () => {
  expect(startVerdict({ answered: '80/tcp', seconds: 2, log: gotifyLog, apiModulePaths: ['github.com/me/renamed'] }, plugin)).toMatchObject({
    status: 'loaded',
    detail: 'it answers on 80/tcp and its log says: Loading plugin data/plugins/myplugin.so'
  })
  expect(startVerdict({ keptRunning: true, seconds: 5, log: gotifyLog }, plugin)).toMatchObject({ status: 'loaded', detail: expect.stringMatching(/^it keeps running and its log says/) })
})

test('gotify refuses to start: the exit and the line naming the plugin', () => {
  const log = `${gotifyLog.split('\n')[1]}\npanic: error while loading plugin myplugin.so: plugin.Open("data/plugins/myplugin"): plugin was built with a different version of package github.com/gin-gonic/gin\n\ngoroutine 1 [running]:`
  expect(startVerdict({ exited: 2, seconds: 1, log }, plugin)).toMatchObject({
    status: 'failed',
    detail: expect.stringMatching(/^the server exited \(code 2\) 1 s after starting with the plugin in its folder: panic: error while loading plugin myplugin\.so: .*different version of package github\.com\/gin-gonic\/gin$/)
  })
})

test('a server that keeps running but logs a failed load, one that never answers, one that never names the plugin', () => {
  expect(startVerdict({ answered: '80/tcp', seconds: 1, log: 'could not load myplugin.so: invalid ELF header\nlistening' }, plugin)).toMatchObject({
    status: 'failed',
    detail: "the server's log reports a problem with the plugin: could not load myplugin.so: invalid ELF header"
  })
  expect(startVerdict({ timedOutAfter: 60, seconds: 61.7, log: 'Loading plugin data/plugins/myplugin.so\nmigrating database' }, plugin)).toMatchObject({
    status: 'failed',
    detail: 'the server did not answer within 60 s; its last line: migrating database'
  })
  expect(startVerdict({ answered: '8080/tcp', seconds: 1, log: 'ready', apiModulePaths: [] }, plugin)).toMatchObject({
    status: 'failed',
    detail: 'it answers on 8080/tcp, but neither its log nor its API names myplugin.so or github.com/me/myplugin (GET /plugin lists nothing)'
  })
})

test('several plugins: every one must be listed by GET /plugin or named by the log', () => {
  const three = [
    { file: '/app/data/plugins/a-linux-amd64.so', modulePath: 'example.com/a' },
    { file: '/app/data/plugins/b-linux-amd64.so', modulePath: 'example.com/b' },
    { file: '/app/data/plugins/other.so' }
  ]
  const log = 'Loading plugin data/plugins/a-linux-amd64.so\nLoading plugin data/plugins/b-linux-amd64.so\nLoading plugin data/plugins/other.so\nlistening'
  expect(startVerdict({ answered: '80/tcp', seconds: 1, log, apiModulePaths: ['example.com/a', 'example.com/b', 'example.com/other'] }, three)).toMatchObject({
    status: 'loaded',
    detail: 'it answers on 80/tcp, GET /plugin lists example.com/a, example.com/b and its log names other.so'
  })
  expect(startVerdict({ answered: '80/tcp', seconds: 1, log, apiModulePaths: ['example.com/a', 'example.com/b', 'example.com/c'] }, three.map(p => ({ ...p, modulePath: p.modulePath ?? 'example.com/c' })))).toMatchObject({
    status: 'loaded',
    detail: 'it answers on 80/tcp and GET /plugin lists example.com/a, example.com/b, example.com/c'
  })
  // The API lists two of three and the log never names the third: not every plugin is confirmed.
  const quiet = 'Loading plugin data/plugins/a-linux-amd64.so\nlistening'
  expect(startVerdict({ answered: '80/tcp', seconds: 1, log: quiet, apiModulePaths: ['example.com/a', 'example.com/b'] }, three)).toEqual({
    status: 'failed',
    detail: 'it answers on 80/tcp, but neither its log nor its API names other.so (GET /plugin lists example.com/a, example.com/b)',
    evidence: ['Loading plugin data/plugins/a-linux-amd64.so']
  })
  const panic = `${log.split('\n').slice(0, 2).join('\n')}\npanic: error while loading plugin b-linux-amd64.so: plugin was built with a different version of package example.com/logs`
  expect(startVerdict({ exited: 2, seconds: 1, log: panic }, three)).toMatchObject({
    status: 'failed',
    detail: expect.stringMatching(/^the server exited \(code 2\) 1 s after starting with 3 plugins in its folder: panic: error while loading plugin b-linux-amd64\.so: .*example\.com\/logs$/)
  })
})
