import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { type Mount, runContainer, runnerUser } from '../../src/container/docker.js'
import { findRunnerCaFiles, planCaMounts } from '../../src/container/runner-certificates.js'
import { hostGoVersion } from '../support/action-harness.js'
import { type GoProxy, startGoProxy } from '../support/goproxy.js'
import { type TestCa, makeTestCa } from '../support/test-ca.js'

// Real Go in a real build image against module proxies over HTTPS on 127.0.0.1:
// one signed by a CA the image trusts, one by a CA only the runner trusts.
let dir: string
let goVersion: string
let imageCa: TestCa
let runnerCa: TestCa
let imageProxy: GoProxy
let runnerProxy: GoProxy

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-ca-'))
  goVersion = await hostGoVersion()
  imageCa = await makeTestCa(path.join(dir, 'image-ca'), 'image CA')
  runnerCa = await makeTestCa(path.join(dir, 'runner-ca'), 'company proxy CA')
  imageProxy = await startGoProxy(undefined, { tls: imageCa })
  runnerProxy = await startGoProxy(undefined, { tls: runnerCa })
})
afterAll(async () => {
  await imageProxy.close()
  await runnerProxy.close()
  fs.rmSync(dir, { recursive: true, force: true })
})

/** `go mod download` in the linux-amd64 build image, its bundle file standing for the image's own roots (image CA). */
async function download(proxy: GoProxy, ca: { mounts: Mount[]; env: Record<string, string> }): Promise<{ code: number; output: string }> {
  const imageRoots: Mount = { host: imageCa.caFile, container: '/etc/ssl/certs/ca-certificates.crt', readOnly: true }
  const r = await runContainer({
    image: `gotify/build:${goVersion}-linux-amd64`,
    command: ['go', 'mod', 'download', 'example.com/dep@v1.0.0'],
    env: { GOPROXY: proxy.url, GOSUMDB: 'off', GOTOOLCHAIN: 'local', GOMODCACHE: '/tmp/modcache', GOCACHE: '/tmp/gocache', HOME: '/tmp', GOFLAGS: '-modcacherw', ...ca.env },
    mounts: [imageRoots, ...ca.mounts],
    user: runnerUser()
  })
  return { code: r.code, output: r.output }
}

test('without the runner\'s CA, Go in the image fails on the runner\'s proxy with an x509 error', async () => {
  const r = await download(runnerProxy, { mounts: [], env: {} })
  expect(r.output).toContain('x509: certificate signed by unknown authority')
  expect(r.code).not.toBe(0)
})

test('SSL_CERT_FILE on the runner: its file is trusted in the container, and the image\'s own roots still are', async () => {
  const found = findRunnerCaFiles({ SSL_CERT_FILE: runnerCa.caFile })
  const ca = planCaMounts(found.files, goVersion)
  expect(ca.mounts.every(m => m.readOnly)).toBe(true)
  const viaRunner = await download(runnerProxy, ca)
  expect(viaRunner.output).toBe('')
  expect(viaRunner.code).toBe(0)
  const viaImage = await download(imageProxy, ca)
  expect(viaImage.output).toBe('')
  expect(viaImage.code).toBe(0)
})

test('SSL_CERT_DIR like a system folder (links to files elsewhere, hash links) and NODE_EXTRA_CA_CERTS', async () => {
  const certs = path.join(dir, 'certs')
  fs.mkdirSync(certs)
  // As update-ca-certificates makes them: name.pem -> elsewhere, <hash>.0 -> name.pem.
  fs.symlinkSync(runnerCa.caFile, path.join(certs, 'company.pem'))
  fs.symlinkSync('company.pem', path.join(certs, '1a2b3c4d.0'))
  const fromDir = planCaMounts(findRunnerCaFiles({ SSL_CERT_DIR: certs }).files, goVersion)
  expect(fromDir.mounts).toHaveLength(1)
  expect((await download(runnerProxy, fromDir)).code).toBe(0)
  const fromNode = planCaMounts(findRunnerCaFiles({ NODE_EXTRA_CA_CERTS: runnerCa.caFile }).files, goVersion)
  const r = await download(runnerProxy, fromNode)
  expect(r.output).toBe('')
  expect(r.code).toBe(0)
  expect((await download(imageProxy, fromNode)).code).toBe(0)
})
