import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { type World, checkoutPlugin, runAction, startWorld } from './support/action-harness.js'
import { type TestCa, makeTestCa } from './support/test-ca.js'

// End to end: a runner behind a TLS-inspecting proxy. The module proxy speaks
// HTTPS on 127.0.0.1 with a certificate from a CA made here, which only the
// runner trusts (its environment names the CA file); the build images do not.
let world: World
let ca: TestCa
let dir: string
let runnerTemp: string
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tls-world-'))
  ca = await makeTestCa(path.join(dir, 'ca'), 'company proxy CA')
  world = await startWorld({ proxyTls: ca })
  // Shared by the runs: a warm GOCACHE. Each run has its own module cache, so each downloads over TLS.
  runnerTemp = path.join(dir, 'runner-temp')
})
afterAll(async () => {
  await world.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

const run = (env: Record<string, string>): ReturnType<typeof runAction> => {
  const workspace = checkoutPlugin('basic')
  return runAction({
    inputs: { 'server-repository': 'gotify/server', 'plugin-path': 'plugin', token: 't', 'go-env': world.goEnv, platforms: 'linux-amd64', verify: 'false', 'go-mod-cache': 'gomodcache' },
    workspace,
    apiUrl: world.github.url,
    env,
    runnerTemp
  })
}

test.each(['SSL_CERT_FILE', 'NODE_EXTRA_CA_CERTS'])('with %s naming the CA on the runner, the Go commands in the containers trust it', async variable => {
  expect(world.proxy.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
  const served = world.proxy.log.length
  const r = await run({ [variable]: ca.caFile })
  expect(r.errors).toEqual([])
  expect(r.code).toBe(0)
  expect(r.log).toContain(`Runner CA certificates from ${variable} (1 file) mounted read-only at /etc/go-plugin-build/ca in every container`)
  expect(r.outputs.compatible).toBe('true')
  expect(JSON.parse(r.outputs.artifacts)).toHaveLength(1)
  expect(world.proxy.log.slice(served)).toContain('/example.com/dep/@v/v1.0.0.zip')
})

test('without it, the run fails with the x509 error on one line', async () => {
  const r = await run({})
  expect(r.code).toBe(1)
  // The failure, annotated on the go.mod it was aligning, then as the step's error.
  expect(r.errors).toEqual([expect.stringMatching(/^::error file=plugin\/go\.mod::Aligning /), expect.stringMatching(/^::error::Aligning /)])
  for (const e of r.errors) {
    expect(e).toMatch(/x509: certificate signed by unknown authority.*set one of them on the runner/)
    // Annotations escape newlines; a one-line message has none.
    expect(e).not.toContain('%0A')
  }
})
