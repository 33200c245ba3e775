// Adding the .so to a real image of a foreign platform (linux/arm64) with
// nothing run: the config and the existing folders stay as they were, and a
// folder under a VOLUME (or a link into one) is refused instead of losing the file.
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { addPlugin } from '../../src/server-image/add-plugin.js'
import { listTar } from '../../src/server-image/tar-listing.js'
import { readContainerFileSystem } from '../../src/server-image/engine.js'

const run = promisify(execFile)
const docker = async (...args: string[]): Promise<string> => (await run('docker', args, { env: { ...process.env, DOCKER_BUILDKIT: '0' } })).stdout.trim()
const IMAGE = '127.0.0.1:1/go-plugin-build-test/add-plugin:arm64'

let dir: string
const made = { containers: [] as string[], images: [] as string[] }
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'add-plugin-'))
  const context = path.join(dir, 'context')
  fs.mkdirSync(path.join(context, 'app'), { recursive: true })
  fs.writeFileSync(path.join(context, 'app', 'server'), 'a server\n', { mode: 0o755 })
  fs.symlinkSync('data', path.join(context, 'app', 'linked'))
  fs.writeFileSync(
    path.join(context, 'Dockerfile'),
    ['FROM scratch', 'COPY --chown=1000:1000 app/ /app/', 'WORKDIR /app', 'VOLUME /app/data', 'USER 1000', 'ENTRYPOINT ["./server"]', ''].join('\n')
  )
  await docker('build', '--quiet', '--platform', 'linux/arm64', '-t', IMAGE, context)
  fs.writeFileSync(path.join(dir, 'plugin.so'), Buffer.from('the plugin bytes\n'))
}, 120_000)
afterAll(async () => {
  for (const c of made.containers) await docker('rm', '--force', '--volumes', c).catch(() => undefined)
  for (const i of made.images) await docker('image', 'rm', '--force', i).catch(() => undefined)
  await docker('image', 'rm', IMAGE).catch(() => undefined)
  fs.rmSync(dir, { recursive: true, force: true })
})

async function add(pluginFile: string): Promise<{ imageId: string } | { refused: string }> {
  const config = JSON.parse(await docker('image', 'inspect', '--format', '{{json .Config}}', IMAGE))
  const container = await docker('create', IMAGE)
  made.containers.push(container)
  return addPlugin({ container, config, soPath: path.join(dir, 'plugin.so'), pluginFile, workDir: path.join(dir, 'work'), imageName: IMAGE, made })
}

test('a new folder is made for the .so; the image keeps its platform, its config and its folders\' owners', async () => {
  const added = await add('/app/plugins/myplugin.so')
  if (!('imageId' in added)) throw new Error(added.refused)
  const image = JSON.parse(await docker('image', 'inspect', '--format', '{{json .}}', added.imageId)) as { Architecture: string; Config: { Entrypoint: string[]; User: string; WorkingDir: string; Volumes: object } }
  expect(image.Architecture).toBe('arm64')
  expect(image.Config).toMatchObject({ Entrypoint: ['./server'], User: '1000', WorkingDir: '/app', Volumes: { '/app/data': {} } })
  const container = await docker('create', added.imageId)
  made.containers.push(container)
  const entries = new Map((await readContainerFileSystem(container, listTar, 'listing')).map(e => [e.path, e]))
  expect(entries.get('/app/plugins/myplugin.so')).toMatchObject({ type: 'file', size: 17 })
  expect(entries.get('/app/plugins')).toMatchObject({ type: 'dir', mode: 0o755 })
  // /app itself still belongs to uid 1000: the first header of its archive, uid in octal at offset 108.
  const archive = await run('docker', ['cp', `${container}:/app`, '-'], { encoding: 'buffer', maxBuffer: 16 << 20 })
  expect(archive.stdout.subarray(0, 4).toString()).toBe('app/')
  expect(parseInt(archive.stdout.subarray(108, 116).toString(), 8)).toBe(1000)
})

test('a plugin folder under a VOLUME is refused, and so is a link into one', async () => {
  expect(await add('/app/data/plugins/myplugin.so')).toEqual({ refused: expect.stringMatching(/^\/app\/data\/plugins\/myplugin\.so is under the image's VOLUME \/app\/data, .*set server-image-plugin-dir to a folder outside it/) })
  expect(await add('/app/linked/myplugin.so')).toEqual({ refused: expect.stringMatching(/^\/app\/linked\/myplugin\.so is not in the committed image/) })
})

test('several files go in with one archive and one commit: one layer more, each file as given', async () => {
  fs.writeFileSync(path.join(dir, 'second.so'), Buffer.from('the second plugin\n'))
  fs.writeFileSync(path.join(dir, 'third.so'), Buffer.from('a neighbour\n'))
  const config = JSON.parse(await docker('image', 'inspect', '--format', '{{json .Config}}', IMAGE))
  const container = await docker('create', IMAGE)
  made.containers.push(container)
  const more = [
    { soPath: path.join(dir, 'second.so'), pluginFile: '/app/plugins/b.so' },
    { soPath: path.join(dir, 'third.so'), pluginFile: '/app/plugins/c.so' }
  ]
  const added = await addPlugin({ container, config, soPath: path.join(dir, 'plugin.so'), pluginFile: '/app/plugins/a.so', more, workDir: path.join(dir, 'work'), imageName: IMAGE, made })
  if (!('imageId' in added)) throw new Error(added.refused)
  const layers = async (image: string): Promise<number> => (JSON.parse(await docker('image', 'inspect', '--format', '{{json .RootFS.Layers}}', image)) as string[]).length
  expect(await layers(added.imageId)).toBe((await layers(IMAGE)) + 1)
  const check = await docker('create', added.imageId)
  made.containers.push(check)
  const entries = new Map((await readContainerFileSystem(check, listTar, 'listing')).map(e => [e.path, e]))
  expect(['/app/plugins/a.so', '/app/plugins/b.so', '/app/plugins/c.so'].map(f => entries.get(f)?.size)).toEqual([17, 18, 12])
  // One file of the set under a VOLUME refuses the whole image.
  const refused = await addPlugin({ container, config, soPath: path.join(dir, 'plugin.so'), pluginFile: '/app/plugins/a.so', more: [{ soPath: path.join(dir, 'third.so'), pluginFile: '/app/data/c.so' }], workDir: path.join(dir, 'work'), imageName: IMAGE, made })
  expect(refused).toEqual({ refused: expect.stringMatching(/^\/app\/data\/c\.so is under the image's VOLUME \/app\/data/) })
})
