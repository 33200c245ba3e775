// End to end (issue 17, part 3): three plugins of one run (set-a, set-b and
// basic, each with a module path of its own) in ONE server image, on the real
// engine with a local registry holding a stand-in gotify/server image for
// linux-amd64 (it loads every file of its plugin folder in name order with the
// real plugin.Open, panics on the first failure, lists the loaded plugins on
// GET /plugin). The image is proven as a set against the binary inside it,
// started (every plugin listed), then pushed. A with-plugins neighbour that
// conflicts with one of them makes the run refuse before anything is pushed,
// and the stand-in server with those files really fails to start.
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { FIXTURES, type World, checkoutPlugin, linkLogs, runAction, startWorld } from './support/action-harness.js'
import { type Registry, removeImagesFrom, startRegistry } from './support/registry.js'
import { pushStandInServerImage } from './support/server-images.js'

const run = promisify(execFile)
const docker = async (...args: string[]): Promise<string> => (await run('docker', args, { maxBuffer: 64 << 20 })).stdout

let world: World
let registry: Registry
let runnerTemp: string
let neighbour: string
const MODULES = ['example.com/plugins/basic', 'example.com/plugins/seta', 'example.com/plugins/setb']

/** set-a in plugin/, set-b in b/, basic (linking logs v1.0.0) in c/. */
function threePlugins(): string {
  const workspace = checkoutPlugin('set-a')
  fs.cpSync(path.join(FIXTURES, 'plugins', 'set-b'), path.join(workspace, 'b'), { recursive: true })
  fs.cpSync(path.join(FIXTURES, 'plugins', 'basic'), path.join(workspace, 'c'), { recursive: true })
  linkLogs(path.join(workspace, 'c'), 'example.com/plugins/basic', 'v1.0.0')
  return workspace
}

const inputs = (extra: Record<string, string> = {}): Record<string, string> => ({
  'server-repository': 'gotify/server',
  'server-version': 'v2.9.1',
  'plugin-path': 'plugin\nb\nc',
  token: 'test-token',
  'go-env': world.goEnv,
  platforms: 'linux-amd64',
  'server-image': `${registry.host}/gotify/server:{server-version-bare}`,
  'image-tags': `${registry.host}/someone/server-with-plugins:{server-version-bare}`,
  ...extra
})

beforeAll(async () => {
  world = await startWorld()
  registry = await startRegistry()
  await pushStandInServerImage({ name: `${registry.host}/gotify/server:2.9.1`, platforms: ['linux-amd64'], goVersion: world.goVersion, goproxy: world.proxy.url })
  runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-temp-'))
  // Another plugin a user runs beside them, built by the action (as its author's release would): it links logs v1.2.0.
  const other = checkoutPlugin('set-b')
  linkLogs(path.join(other, 'plugin'), 'github.com/acme/other', 'v1.2.0')
  const built = await runAction({ inputs: { ...inputs({ 'plugin-path': 'plugin', 'plugin-name': 'other' }), 'server-image': '', 'image-tags': '' }, workspace: other, apiUrl: world.github.url, runnerTemp })
  expect(built.errors).toEqual([])
  neighbour = (JSON.parse(built.outputs.artifacts) as Array<{ path: string }>)[0].path
}, 900_000)
afterAll(async () => {
  if (registry) await removeImagesFrom(registry)
  await registry?.close()
  await world?.close()
  if (runnerTemp) fs.rmSync(runnerTemp, { recursive: true, force: true })
})

async function registryState(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {}
  for (const repo of await registry.catalog()) out[repo] = (await registry.tags(repo)).sort()
  return out
}

async function pluginApi(address: string): Promise<Array<{ name: string; modulePath: string }>> {
  for (let i = 0; i < 100; i++) {
    const r = await fetch(`http://${address}/plugin`, { headers: { authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` } }).catch(() => undefined)
    if (r?.ok) return (await r.json()) as Array<{ name: string; modulePath: string }>
    await new Promise(resolve => setTimeout(resolve, 200))
  }
  throw new Error(`nothing answered on ${address}`)
}

interface ImageReport {
  serverImage: { pluginDir?: string; files: string[]; pushed: unknown[]; failure?: string; platforms: Array<{ status: string; files?: string[]; conflicts?: Array<{ file: string; with: string; package: string }> }> }
}

test('three plugins in one run: one image holds all three under their asset names, proven as a set, started with every plugin listed, pushed', async () => {
  world.github.state.addRelease('someone/plugins', 'v1.0.0')
  const r = await runAction({
    inputs: inputs(),
    workspace: threePlugins(),
    apiUrl: world.github.url,
    repository: 'someone/plugins',
    event: { name: 'release', payload: { action: 'published', release: { tag_name: 'v1.0.0' } } },
    runnerTemp
  })
  expect(r.errors).toEqual([])
  expect(r.code).toBe(0)
  const names = ['basic', 'seta', 'setb'].map(p => `${p}-linux-amd64-for-gotify-v2.9.1.so`)
  const inImage = names.map(n => `/app/data/plugins/${n}`)
  expect(r.log).toMatch(/\[server image linux-amd64\] 3 plugin files load together into \/app\/gotify-app of .*gotify\/server:2\.9\.1 \(linux\/amd64\)/)
  expect(r.log).toContain(`[server image linux-amd64] ${inImage.join(', ')} added: `)
  expect(r.log).toContain(`[server image linux-amd64] starting it with 3 plugin files`)
  expect(r.log).toContain(`[server image linux-amd64] loaded: it answers on 80/tcp and GET /plugin lists all 3: ${MODULES.join(', ')}`)
  const report = JSON.parse(fs.readFileSync(r.outputs['compat-report'], 'utf8')) as ImageReport & { versions: Array<{ serverImage?: unknown }> }
  // One image for the version: reported once, with every file it holds.
  expect(report.versions.filter(v => v.serverImage)).toHaveLength(1)
  const serverImage = (report.versions.find(v => v.serverImage) as ImageReport).serverImage
  expect(serverImage).toMatchObject({ pluginDir: '/app/data/plugins', files: inImage })
  expect(r.summary).toContain(`- linux-amd64: ${names.map(n => `<code>${n}</code>`).join(', ')}`)

  // What a user does: pull the pushed tag and start it; the server lists all three.
  const images = JSON.parse(r.outputs.images) as Array<{ tag: string }>
  expect(images.map(i => i.tag)).toEqual([`${registry.host}/someone/server-with-plugins:2.9.1`])
  const manifest = await registry.manifest('someone/server-with-plugins', '2.9.1')
  expect((manifest.body.manifests as unknown[]).length).toBe(1)
  await docker('pull', '--platform', 'linux/amd64', images[0].tag)
  const container = (await docker('run', '--detach', '--publish', '127.0.0.1::80', images[0].tag)).trim()
  try {
    const address = (await docker('port', container, '80/tcp')).trim().split('\n')[0]
    expect((await pluginApi(address)).map(p => [p.name, p.modulePath])).toEqual(names.map((n, k) => [n, MODULES[k]]))
  } finally {
    await docker('rm', '--force', container)
    await docker('image', 'rm', images[0].tag)
  }
}, 600_000)

test('a neighbour conflicting with one of them: the image proof refuses, naming both files and the package, nothing is pushed; the real server with those files does not start', async () => {
  const workspace = threePlugins()
  // basic's go.mod refuses the neighbour's logs v1.2.0, so the action cannot move it there (it would: main-with-plugins.int.test.ts).
  fs.appendFileSync(path.join(workspace, 'c', 'go.mod'), '\nexclude example.com/logs v1.2.0\n')
  fs.mkdirSync(path.join(workspace, 'neighbours'))
  fs.copyFileSync(neighbour, path.join(workspace, 'neighbours', 'other.so'))
  world.github.state.addRelease('someone/plugins', 'v1.1.0')
  const before = await registryState()
  // verify off: the release binary's set step is skipped, so the image's own binary is the judge.
  const r = await runAction({
    inputs: inputs({ 'with-plugins': 'neighbours/other.so', verify: 'false' }),
    workspace,
    apiUrl: world.github.url,
    repository: 'someone/plugins',
    event: { name: 'release', payload: { action: 'published', release: { tag_name: 'v1.1.0' } } },
    runnerTemp
  })
  expect(r.code).toBe(1)
  const basic = 'basic-linux-amd64-for-gotify-v2.9.1.so'
  expect(r.errors.join('\n')).toMatch(new RegExp(`server image: linux-amd64: the server \\(/app/gotify-app of .*\\) does not start: error while loading plugin other\\.so: .*from ${basic.replace(/\./g, '\\.')} \\(example\\.com/logs\\).*nothing was pushed`))
  expect(await registryState()).toEqual(before)
  expect(world.github.state.assets('someone/plugins', 'v1.1.0').size).toBe(0)
  const report = JSON.parse(fs.readFileSync(r.outputs['compat-report'], 'utf8')) as ImageReport & { versions: Array<{ serverImage?: ImageReport['serverImage'] }> }
  const platform = report.versions.find(v => v.serverImage)?.serverImage?.platforms[0]
  expect(platform?.status).toBe('refused')
  expect(platform?.conflicts).toEqual([expect.objectContaining({ file: 'other.so', with: basic, package: 'example.com/logs' })])

  // The stand-in server itself (real plugin.Open) with the same four files: it stops at other.so.
  const artifacts = JSON.parse(r.outputs.artifacts) as Array<{ name: string; path: string }>
  const folder = fs.mkdtempSync(path.join(os.tmpdir(), 'plugin-folder-'))
  fs.mkdirSync(path.join(folder, 'data', 'plugins'), { recursive: true })
  for (const a of artifacts) fs.copyFileSync(a.path, path.join(folder, 'data', 'plugins', a.name))
  fs.copyFileSync(neighbour, path.join(folder, 'data', 'plugins', 'other.so'))
  const base = `${registry.host}/gotify/server:2.9.1`
  await docker('pull', '--platform', 'linux/amd64', base)
  const container = (await docker('create', base)).trim()
  try {
    await docker('cp', path.join(folder, 'data'), `${container}:/app/`)
    await docker('start', container)
    expect((await docker('wait', container)).trim()).not.toBe('0')
    const { stdout, stderr } = await run('docker', ['logs', container])
    expect(`${stdout}${stderr}`).toMatch(/error while loading plugin other\.so: .*different version of package example\.com\/logs/)
  } finally {
    await docker('rm', '--force', container)
    fs.rmSync(folder, { recursive: true, force: true })
  }
}, 600_000)
