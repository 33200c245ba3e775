import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { goCaches } from '../../src/pipeline/cache-specs.js'
import { parsePlatform } from '../../src/platform.js'
import type { RunSetup, VersionBuildPlan } from '../../src/run/plan.js'

// The native builder needs no image ids, so the specs come from the plan alone.
const plugin = fs.mkdtempSync(path.join(os.tmpdir(), 'specs-'))
fs.writeFileSync(path.join(plugin, 'go.mod'), 'module example.com/p\n\ngo 1.22\n')
const pluginModule = { dir: plugin, goModPath: path.join(plugin, 'go.mod'), modulePath: 'example.com/p', name: 'p', pluginPath: 'example.com/p' }
const setup = { builder: { builder: 'native', compilers: new Map() }, layout: { dirs: { goModCache: '/rt/mod' } } } as unknown as RunSetup
const platforms = ['linux-amd64', 'linux-arm64'].map(p => parsePlatform(p))

const run = (tag: string, goVersion: string) => ({
  server: { release: { owner: 'gotify', name: 'server', tag }, build: { goVersion } },
  build: { jobs: platforms.map(platform => ({ platform, image: 'unused' })), dirs: { goCacheRoot: `/rt/gocache/go${goVersion}` } } as unknown as VersionBuildPlan
})

afterAll(() => fs.rmSync(plugin, { recursive: true, force: true }))

test('one module cache for the run; a build cache per platform and Go version, shared by the server versions with that Go', async () => {
  const specs = await goCaches([run('v3.0.0', '1.26.8'), run('v2.9.1', '1.26.8'), run('v2.8.0', '1.25.0')], setup, pluginModule)
  expect(specs.filter(s => s.kind === 'modules').map(s => s.paths)).toEqual([['/rt/mod']])
  expect(specs.filter(s => s.kind === 'build').map(s => [s.scope, s.paths[0]])).toEqual([
    ['linux-amd64 go1.26.8', '/rt/gocache/go1.26.8/linux-amd64'],
    ['linux-arm64 go1.26.8', '/rt/gocache/go1.26.8/linux-arm64'],
    ['linux-amd64 go1.25.0', '/rt/gocache/go1.25.0/linux-amd64'],
    ['linux-arm64 go1.25.0', '/rt/gocache/go1.25.0/linux-arm64']
  ])
  // Keys never collide, so no save overwrites another's entry.
  expect(new Set(specs.map(s => s.key)).size).toBe(specs.length)
})

test('the keys change with the server versions built and with the plugin go.mod', async () => {
  const key = async (tags: string[]): Promise<string> => (await goCaches(tags.map(t => run(t, '1.26.8')), setup, pluginModule))[0].key
  const one = await key(['v3.0.0'])
  expect(await key(['v3.0.0', 'v2.9.1'])).not.toBe(one)
  fs.appendFileSync(path.join(plugin, 'go.mod'), 'require example.com/dep v1.0.0\n')
  expect(await key(['v3.0.0'])).not.toBe(one)
})
