import { parseInputs } from '../../src/run/inputs.js'
import type { ActionContext } from '../../src/run/context.js'
import { planRunSetup, planVersionBuild } from '../../src/run/plan.js'
import { planServerVersions } from '../../src/server-versions/plan.js'
import { SERVER_BUILD_FLAGS_UNKNOWN } from '../../src/compile/fingerprint-flags.js'
import type { Server } from '../../src/server/server.js'

const release = (tag: string) => ({ owner: 'gotify', name: 'server', tag, origin: { kind: 'release' as const }, goVersion: '1.26.8', goVersionSource: 'GO_VERSION' as const, goMod: '' })
const server = (tag: string): Server => ({ release: release(tag), binaries: new Map(), build: { goVersion: '1.26.8', goVersionSource: 'GO_VERSION', flags: SERVER_BUILD_FLAGS_UNKNOWN, notes: [] } })

function plan(pluginPath: string) {
  const inputs = parseInputs(name => ({ 'server-repository': 'gotify/server', 'plugin-path': pluginPath, platforms: 'linux-amd64', token: 't' })[name], { workspace: '/ws', runnerTemp: '/rt' })
  const ctx: ActionContext = { inputs, eventName: 'push', repository: { owner: 'me', name: 'p' }, workspace: '/ws', runnerTemp: '/rt' }
  const plugin = { dir: inputs.pluginPath, goModPath: `${inputs.pluginPath}/go.mod`, modulePath: 'example.com/p', name: 'p', pluginPath: 'example.com/p' }
  const setup = planRunSetup(ctx)
  const [newest, older] = planServerVersions({ releases: [release('v2.9.1'), release('v2.8.0')], platforms: inputs.platforms, assetName: inputs.assetName, pluginName: 'p' })
  return { setup, newest: planVersionBuild(ctx, plugin, server('v2.9.1'), setup, newest), older: planVersionBuild(ctx, plugin, server('v2.8.0'), setup, older) }
}

test('the newest version builds the workspace; an older one its copy, mounted over the plugin folder; each has its own scratch', () => {
  const { setup, newest, older } = plan('plugin')
  const scratch = setup.layout.dirs.scratch
  expect(newest).toMatchObject({ pluginDir: '/ws/plugin', dirs: { source: '/ws', scratch: `${scratch}/server-1` } })
  expect(newest.dirs.pluginCopy).toBeUndefined()
  expect(older).toMatchObject({ pluginDir: `${scratch}/server-2/plugin`, dirs: { source: '/ws', scratch: `${scratch}/server-2`, pluginCopy: { host: `${scratch}/server-2/plugin`, container: '/proj/plugin' } } })
  // Same container paths, so the same command builds either.
  expect(older.jobs[0].workdir).toBe(newest.jobs[0].workdir)
  expect(older.jobs[0].assetName).toBe('p-linux-amd64-for-gotify-v2.8.0.so')
  // The module cache and the build caches are the run's, shared by every version.
  expect([older.dirs.goModCache, older.dirs.goCacheRoot]).toEqual([newest.dirs.goModCache, newest.dirs.goCacheRoot])
})

test('a plugin at the workspace root: the copy takes the place of the whole source mount (one mount point cannot hold two)', () => {
  const { older } = plan('.')
  expect(older.dirs.source).toBe(older.pluginDir)
  expect(older.dirs.pluginCopy).toBeUndefined()
})
