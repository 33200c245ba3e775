// Starting a real server image (the stand-in gotify of __tests__/fixtures/image-server,
// linux-amd64) the way the server image step does: a server that refuses to
// start because a file of its plugin folder does not load, and one that never
// answers on its port, both fail with what the server said.
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { hostGoVersion } from '../support/action-harness.js'
import { type GoProxy, startGoProxy } from '../support/goproxy.js'
import { buildStandInServerImage } from '../support/server-images.js'
import { startAndCheck } from '../../src/server-image/start-check.js'

const run = promisify(execFile)
const docker = async (...args: string[]): Promise<string> => (await run('docker', args, { env: { ...process.env, DOCKER_BUILDKIT: '0' } })).stdout.trim()
const BASE = '127.0.0.1:1/go-plugin-build-test/stand-in:amd64'
const plugin = { file: '/app/data/plugins/myplugin.so', modulePath: 'example.com/plugins/myplugin' }

let proxy: GoProxy
let dir: string
const images: string[] = []
beforeAll(async () => {
  proxy = await startGoProxy()
  await buildStandInServerImage({ tag: BASE, platform: 'linux-amd64', goVersion: await hostGoVersion(), goproxy: proxy.url })
  images.push(BASE)
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'start-check-'))
}, 600_000)
afterAll(async () => {
  for (const i of images.reverse()) await docker('image', 'rm', i).catch(() => undefined)
  await proxy?.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

/** The stand-in with Dockerfile lines added. */
async function variant(name: string, lines: string[], files: Record<string, Buffer> = {}): Promise<string> {
  const context = path.join(dir, name)
  fs.mkdirSync(context, { recursive: true })
  for (const [file, data] of Object.entries(files)) fs.writeFileSync(path.join(context, file), data)
  fs.writeFileSync(path.join(context, 'Dockerfile'), [`FROM ${BASE}`, ...lines, ''].join('\n'))
  const tag = `127.0.0.1:1/go-plugin-build-test/stand-in:${name}`
  await docker('build', '--quiet', '-t', tag, context)
  images.push(tag)
  return tag
}

const configOf = async (image: string): Promise<object> => JSON.parse(await docker('image', 'inspect', '--format', '{{json .Config}}', image))
const leftovers = async (image: string): Promise<string> => docker('ps', '--all', '--quiet', '--filter', `ancestor=${image}`)

test('a file of the plugin folder that does not load: the server exits, and the check says why', async () => {
  const image = await variant('broken', ['COPY myplugin.so /app/data/plugins/myplugin.so'], { 'myplugin.so': Buffer.from('not an ELF file\n') })
  const log: string[] = []
  const check = await startAndCheck({ image, config: await configOf(image), plugin, log: l => log.push(l) })
  expect(check).toMatchObject({
    status: 'failed',
    detail: expect.stringMatching(/^the server exited \(code 2\) \d+ s after starting with 1 plugin file in its folder: panic: error while loading plugin myplugin\.so: plugin\.Open\("data\/plugins\/myplugin\.so"\): \/app\/data\/plugins\/myplugin\.so: .+$/)
  })
  expect(check.evidence).toContain('Loading plugin data/plugins/myplugin.so')
  expect(log.join('\n')).toContain('  | Loading plugin data/plugins/myplugin.so')
  expect(await leftovers(image)).toBe('')
})

test('a server that never answers on its exposed port fails after the timeout', async () => {
  const image = await variant('elsewhere', ['ENV GOTIFY_SERVER_PORT=8080'])
  const check = await startAndCheck({ image, config: await configOf(image), plugin, timeoutSeconds: 3, log: () => undefined })
  expect(check).toEqual({ status: 'failed', detail: 'the server did not answer within 3 s with 1 plugin file in its folder; its last line: Started listening on port 8080', evidence: [], warnings: [] })
  expect(await leftovers(image)).toBe('')
})
