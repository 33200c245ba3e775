import * as fs from 'node:fs'
import { type World, checkoutPlugin, runAction, startWorld } from './support/action-harness.js'

// End to end: a plugin whose tests (not its package) bring an older version of a
// module the server links, like testcontainers -> containerd -> golang.org/x/oauth2.
let world: World
beforeAll(async () => {
  const serverGoMod = 'module example.com/server/v2\n\ngo 1.21\n\nrequire (\n\texample.com/dep v1.0.0\n\texample.com/oauth v0.3.0\n)\n'
  world = await startWorld({ serverGoMod })
})
afterAll(async () => world.close())

test('a shared module the plugin does not link is no conflict: it builds, loads, and the summary shows the module as not linked', async () => {
  const workspace = checkoutPlugin('test-only-dep')
  const run = await runAction({
    inputs: { 'server-repository': 'gotify/server', 'plugin-path': 'plugin', token: 't', 'go-env': world.goEnv, platforms: 'linux-amd64' },
    workspace,
    apiUrl: world.github.url
  })
  expect(run.errors).toEqual([])
  // No warning about the module it does not link (the fixture's example.com plugin path is warned about, rightly).
  expect(run.log.split('\n').filter(l => l.startsWith('::warning') && !l.includes('the plugin path'))).toEqual([])
  expect(run.code).toBe(0)
  expect(run.outputs.compatible).toBe('true')
  expect(run.summary).toContain('#### Shared, not linked: cannot affect loading')
  expect(run.summary).toContain('| <code>example.com/oauth</code> | v0.1.0 | v0.3.0 |')
  expect(run.summary).toContain('**Compatible.**')
  expect(run.log).toContain('Shared, not linked (cannot affect loading): example.com/oauth v0.1.0 (server v0.3.0)')
  const report = JSON.parse(fs.readFileSync(run.outputs['compat-report'], 'utf8'))
  expect(report.shared).toEqual([{ path: 'example.com/dep', plugin: 'v1.0.0', server: 'v1.0.0' }])
  expect(report.sharedNotLinked).toEqual([{ path: 'example.com/oauth', plugin: 'v0.1.0', server: 'v0.3.0' }])
  expect(report.conflicts).toEqual([])
  // The server's loader links dep v1.0.0 like the server: the .so loads.
  expect(report.platforms).toEqual([expect.objectContaining({ platform: 'linux-amd64', built: true, verification: expect.objectContaining({ status: 'loaded' }) })])
})
