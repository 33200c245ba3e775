// The server binary inside a real image of a foreign platform (linux/arm64),
// found without running anything: through the ENTRYPOINT, or by searching the
// image's files when the ENTRYPOINT is a script. Images only the local engine
// has count as their one platform.
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { hostGoVersion } from '../support/action-harness.js'
import { serverReleaseAssets } from '../support/fixture-server.js'
import { type GoProxy, startGoProxy } from '../support/goproxy.js'
import { findServerBinary } from '../../src/server-image/server-binary.js'
import { offeredImages } from '../../src/server-image/registry.js'

const run = promisify(execFile)
const docker = async (...args: string[]): Promise<string> => (await run('docker', args, { env: { ...process.env, DOCKER_BUILDKIT: '0' } })).stdout.trim()
// A registry address nothing listens on: the image exists only in the local engine.
const PREFIX = '127.0.0.1:1/go-plugin-build-test'

let proxy: GoProxy
let dir: string
const images: string[] = []
const containers: string[] = []

beforeAll(async () => {
  proxy = await startGoProxy()
  const [server] = await serverReleaseAssets(['linux-arm64'], { goVersion: await hostGoVersion() }, proxy.url)
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'image-binary-'))
  fs.copyFileSync(server.binaryPath, path.join(dir, 'gotify-app'))
  fs.writeFileSync(path.join(dir, 'entrypoint.sh'), '#!/bin/sh\nexec /app/gotify-app "$@"\n', { mode: 0o755 })
  // Big and executable, but no ELF: the search must pass over it.
  fs.writeFileSync(path.join(dir, 'blob'), Buffer.alloc(3 << 20, 7), { mode: 0o755 })
  const build = async (name: string, lines: string[]): Promise<void> => {
    fs.writeFileSync(path.join(dir, `Dockerfile.${name}`), ['FROM scratch', ...lines, ''].join('\n'))
    await docker('build', '--quiet', '--platform', 'linux/arm64', '-f', path.join(dir, `Dockerfile.${name}`), '-t', `${PREFIX}/${name}:1`, dir)
    images.push(`${PREFIX}/${name}:1`)
  }
  await build('entrypoint', ['COPY gotify-app /app/gotify-app', 'WORKDIR /app', 'ENTRYPOINT ["./gotify-app"]'])
  await build('script', ['COPY gotify-app /srv/bin/gotify-app', 'COPY entrypoint.sh /entrypoint.sh', 'COPY blob /usr/bin/blob', 'ENTRYPOINT ["/entrypoint.sh"]'])
  await build('none', ['COPY entrypoint.sh /entrypoint.sh', 'COPY blob /usr/bin/blob', 'ENTRYPOINT ["/entrypoint.sh"]'])
}, 600_000)
afterAll(async () => {
  for (const c of containers) await docker('rm', '--force', c).catch(() => undefined)
  for (const i of images) await docker('image', 'rm', i).catch(() => undefined)
  await proxy?.close()
  if (dir) fs.rmSync(dir, { recursive: true, force: true })
})

async function find(name: string): Promise<{ result: Awaited<ReturnType<typeof findServerBinary>>; log: string[] }> {
  const image = `${PREFIX}/${name}:1`
  const config = JSON.parse(await docker('image', 'inspect', '--format', '{{json .Config}}', image))
  const container = await docker('create', image)
  containers.push(container)
  const log: string[] = []
  const result = await findServerBinary({ container, config, dir: path.join(dir, `work-${name}`), imageName: image, log: l => log.push(l) })
  return { result, log }
}

test('the ENTRYPOINT ./gotify-app, relative to WORKDIR, is the server', async () => {
  const { result, log } = await find('entrypoint')
  expect(result).toMatchObject({ found: true, path: '/app/gotify-app', how: 'entrypoint' })
  if (!result.found) return
  expect(result.facts.goarch).toBe('arm64')
  expect(result.facts.fingerprints.has('example.com/dep')).toBe(true)
  expect(log).toEqual([])
})

test('an ENTRYPOINT script: the image\'s files are searched for the program that loads plugins', async () => {
  const { result, log } = await find('script')
  expect(result).toMatchObject({ found: true, path: '/srv/bin/gotify-app', how: 'search' })
  expect(log.join('\n')).toMatch(/its ENTRYPOINT\/CMD \(\/entrypoint\.sh\) is no Go program that loads plugins; searching its files/)
})

test('an image without a program that loads plugins says so', async () => {
  const { result } = await find('none')
  expect(result).toEqual({ found: false, why: expect.stringMatching(/none of its executables exports package fingerprints .*: it cannot load plugins$/) })
})

test('an image only the local engine has offers its own platform', async () => {
  const offered = await offeredImages(`${PREFIX}/entrypoint:1`, `${PREFIX}/entrypoint`, true)
  expect(offered).toEqual([{ platform: { os: 'linux', architecture: 'arm64' }, ref: expect.stringMatching(/^sha256:[a-f0-9]{64}$/) }])
  await expect(offeredImages(`${PREFIX}/missing:1`, `${PREFIX}/missing`, true)).rejects.toThrow(/^server-image 127\.0\.0\.1:1\/go-plugin-build-test\/missing:1 cannot be read: .*; check the name and tag/)
})
