// End to end (issue 28 item 4): the server image's start check judges what the
// server does. On the real engine and a local registry, the stand-in gotify
// image (linux-amd64 and linux-arm64) with two plugins of one run: one whose
// default config its own check rejects (the stand-in server, like gotify, keeps
// it loaded and listed but disabled, and logs a WRN line with the plugin's
// error) passes with a warning carrying that message and is pushed; one whose
// instance constructor panics (the server stops at start, though every static
// proof passes) fails, and nothing is pushed. The arm64 image is proven, not
// started, and the summary and compat-report.json say so.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { FIXTURES, type World, checkoutPlugin, runAction, startWorld } from './support/action-harness.js'
import { type Registry, removeImagesFrom, startRegistry } from './support/registry.js'
import { pushStandInServerImage } from './support/server-images.js'

let world: World
let registry: Registry
let runnerTemp: string
beforeAll(async () => {
  world = await startWorld()
  registry = await startRegistry()
  await pushStandInServerImage({ name: `${registry.host}/gotify/server:2.9.1`, platforms: ['linux-amd64', 'linux-arm64'], goVersion: world.goVersion, goproxy: world.proxy.url })
  runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), 'runner-temp-'))
}, 900_000)
afterAll(async () => {
  if (registry) await removeImagesFrom(registry)
  await registry?.close()
  await world?.close()
  if (runnerTemp) fs.rmSync(runnerTemp, { recursive: true, force: true })
})

const REPO = 'someone/plugins'
const inputs = (): Record<string, string> => ({
  'server-repository': 'gotify/server',
  'server-version': 'v2.9.1',
  'plugin-path': 'plugin\nother',
  token: 'test-token',
  'go-env': world.goEnv,
  platforms: 'linux-amd64,linux-arm64',
  'server-image': `${registry.host}/gotify/server:{server-version-bare}`,
  'image-tags': `${registry.host}/someone/server-with-plugins:{server-version-bare}`
})

/** basic in plugin/, and the other fixture in other/. */
function twoPlugins(other: string): string {
  const workspace = checkoutPlugin('basic')
  fs.cpSync(path.join(FIXTURES, 'plugins', other), path.join(workspace, 'other'), { recursive: true })
  return workspace
}

async function registryState(): Promise<Record<string, string[]>> {
  const out: Record<string, string[]> = {}
  for (const repo of await registry.catalog()) out[repo] = (await registry.tags(repo)).sort()
  return out
}

interface StartReport {
  versions: Array<{
    serverImage?: {
      start?: { platform: string; files: number; status: string; warnings: string[]; listed: Array<{ modulePath: string; enabled: boolean }> }
      started: string[]
      provenOnly: string[]
      pushed: unknown[]
      failure?: string
    }
  }>
}
const imageOf = (file: string): NonNullable<StartReport['versions'][number]['serverImage']> =>
  (JSON.parse(fs.readFileSync(file, 'utf8')) as StartReport).versions.find(v => v.serverImage)?.serverImage ?? { started: [], provenOnly: [], pushed: [] }

test('a plugin whose default config the server rejects at start: loaded, listed, disabled; the run passes with a warning carrying its message, and pushes', async () => {
  world.github.state.addRelease(REPO, 'v1.0.0')
  const r = await runAction({
    inputs: inputs(),
    workspace: twoPlugins('rejects-config'),
    apiUrl: world.github.url,
    repository: REPO,
    event: { name: 'release', payload: { action: 'published', release: { tag_name: 'v1.0.0' } } },
    runnerTemp
  })
  expect(r.errors).toEqual([])
  expect(r.code).toBe(0)
  expect(r.log).toContain('[server image linux-amd64] starting it with 2 plugin files')
  expect(r.log).toContain(
    '[server image linux-amd64] loaded: it answers on 80/tcp and GET /plugin lists all 2: example.com/plugins/basic, example.com/plugins/rejectsconfig (disabled); 1 disabled by the server (warnings)'
  )
  // A warning annotation with the server's words and the plugin's own.
  const message = /the plugin says: "webhook url: must not be empty \(set webhookurl in the plugin's config\)"/
  const warning = r.log.split('\n').find(l => l.startsWith('::warning::server image'))
  expect(warning).toMatch(/^::warning::server image linux-amd64: rejectsconfig-linux-amd64-for-gotify-v2\.9\.1\.so \(example\.com\/plugins\/rejectsconfig\): loaded and listed by GET \/plugin, but disabled by the server; its log: "WRN Plugin failed to initialize because it rejected the current config\./)
  expect(warning).toMatch(message)

  const image = imageOf(r.outputs['compat-report'])
  expect(image.start).toMatchObject({ platform: 'linux-amd64', files: 2, status: 'loaded', listed: [{ modulePath: 'example.com/plugins/basic', enabled: true }, { modulePath: 'example.com/plugins/rejectsconfig', enabled: false }] })
  expect(image.start?.warnings).toEqual([expect.stringMatching(message)])
  expect(image.started).toEqual(['linux-amd64'])
  expect(image.provenOnly).toEqual(['linux-arm64'])
  expect(image.pushed).toHaveLength(1)
  expect((JSON.parse(r.outputs.images) as Array<{ tag: string }>).map(i => i.tag)).toEqual([`${registry.host}/someone/server-with-plugins:2.9.1`])

  expect(r.summary).toContain('Started linux-amd64 with 2 plugin files: the server runs and lists its plugins: ')
  expect(r.summary).toMatch(/- :warning: linux-amd64 started: rejectsconfig-linux-amd64-for-gotify-v2\.9\.1\.so \(example\.com/)
  expect(r.summary).toContain('Proven, not started: linux-arm64 (the runner starts only its own platform')
  expect(r.summary).toMatch(/\| linux-arm64 \| .* \| yes: 2 plugin files load together into .* \| no: proven only \(not the runner's platform\) \|/)
}, 600_000)

test('a plugin that stops the server at start (its instance constructor panics): the run fails naming the panic, nothing is pushed', async () => {
  world.github.state.addRelease(REPO, 'v1.1.0')
  const before = await registryState()
  const r = await runAction({
    inputs: inputs(),
    workspace: twoPlugins('crashes-at-start'),
    apiUrl: world.github.url,
    repository: REPO,
    event: { name: 'release', payload: { action: 'published', release: { tag_name: 'v1.1.0' } } },
    runnerTemp
  })
  expect(r.code).toBe(1)
  // Every static proof passed: only starting the server shows it.
  expect(r.log).toMatch(/\[server image linux-amd64\] 2 plugin files load together into \/app\/gotify-app/)
  expect(r.errors.join('\n')).toMatch(
    /server image linux-amd64, started with 2 plugin files: the server exited \(code 2\) \d+ s after starting with 2 plugin files in its folder: panic: assignment to entry in nil map; nothing was pushed/
  )
  expect(await registryState()).toEqual(before)
  expect(world.github.state.assets(REPO, 'v1.1.0').size).toBe(0)
  expect(r.outputs.images).toBe('[]')
  const image = imageOf(r.outputs['compat-report'])
  expect(image.start).toMatchObject({ status: 'failed', files: 2 })
  expect(r.summary).toContain('Started linux-amd64 with 2 plugin files: **the check failed**: the server exited (code 2)')
}, 600_000)
