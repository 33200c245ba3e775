// A pull request's files run nothing that holds the token (issue 27). End to end, on the real engine:
// - a server-source folder carrying git internals (HEAD, objects/, refs/, a config naming an fsmonitor, hooks, a clean
//   filter and an external diff, each a script leaving a marker): no script runs, the run goes on;
// - every program the run starts (docker, git, tar and zstd of the cache worker, ...) is fronted on PATH by a wrapper
//   that writes down its environment and its parent's: no secret of the runner appears in any, and the cache
//   service still got its token (over IPC, not the environment).
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { FIXTURES, type World, checkoutPlugin, runAction, startWorld } from './support/action-harness.js'
import { type CacheServer, startCacheServer } from './support/cache-server.js'
import { serverReleaseAssets } from './support/fixture-server.js'
import { git, hostileFolder } from './support/hostile-git.js'
import { leaksIn, wrapPath } from './support/env-wrappers.js'

const SECRETS = {
  INPUT_TOKEN: 'secret-input-token-5f1c',
  GITHUB_TOKEN: 'secret-github-token-8a2d',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'secret-oidc-token-3b7e',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://secret-oidc-url-9c4f.example/',
  MY_DEPLOY_KEY: 'secret-workflow-env-2e6a'
}
const RUNTIME_TOKEN = 'secret-runtime-token-7d0b'

let world: World
let serverBinary: string
let cache: CacheServer
beforeAll(async () => {
  world = await startWorld({ serverBinaries: false, tags: [] })
  ;[{ binaryPath: serverBinary }] = await serverReleaseAssets(['linux-amd64'], { goVersion: world.goVersion }, world.proxy.url)
  cache = await startCacheServer({ token: RUNTIME_TOKEN })
}, 600_000)
afterAll(async () => {
  await world?.close()
  await cache?.close()
})

/** A workspace with the plugin, the server's folder (from `makeServer`) and the server binary at build/gotify. */
function serverWorkspace(makeServer: (folder: string) => void): string {
  const workspace = checkoutPlugin('basic')
  const folder = path.join(workspace, 'server')
  fs.cpSync(path.join(FIXTURES, 'server'), folder, { recursive: true })
  fs.writeFileSync(path.join(folder, 'GO_VERSION'), `${world.goVersion}\n`)
  makeServer(folder)
  fs.mkdirSync(path.join(workspace, 'build'))
  fs.copyFileSync(serverBinary, path.join(workspace, 'build', 'gotify'))
  fs.chmodSync(path.join(workspace, 'build', 'gotify'), 0o755)
  return workspace
}

const inputs = (): Record<string, string> => ({
  'server-repository': 'gotify/server',
  'server-source': 'server',
  'server-binary': './build/gotify',
  'plugin-path': 'plugin',
  token: SECRETS.INPUT_TOKEN,
  'go-env': world.goEnv,
  platforms: 'linux-amd64'
})
const pullRequest = { name: 'pull_request', payload: { pull_request: { number: 27 } } }

test('a server-source folder carrying git internals is no repository: its fsmonitor, hooks, filter and diff never run, and the run goes on', async () => {
  const marker = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'git-marker-')), 'ran')
  const workspace = serverWorkspace(folder => hostileFolder(folder, marker))
  const run = await runAction({ inputs: inputs(), workspace, apiUrl: world.github.url, event: pullRequest })
  expect(fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8') : 'nothing ran').toBe('nothing ran')
  expect(run.errors).toEqual([])
  expect(run.code).toBe(0)
  expect(run.outputs.compatible).toBe('true')
  expect(run.log).toContain('Server version of gotify/server: local, the checkout server (not a git repository) (server-source: server)')
  fs.rmSync(path.dirname(marker), { recursive: true, force: true })
}, 600_000)

test('no program the run starts, nor a program those start, sees the token, the runtime or OIDC token, or a workflow secret', async () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'child-env-'))
  const log = path.join(root, 'env.log')
  const workspace = serverWorkspace(folder => {
    git(folder, 'init', '-q')
    git(folder, 'add', '.')
    git(folder, 'commit', '-qm', 'server')
  })
  const run = await runAction({
    inputs: inputs(),
    workspace,
    apiUrl: world.github.url,
    event: pullRequest,
    env: { ...SECRETS, ...cache.env(), PATH: wrapPath(path.join(root, 'bin'), log, ['docker', 'git', 'go', 'tar', 'zstd', 'xz', 'gzip', 'sudo', 'gcc', 'cc']) },
    post: true
  })
  expect(run.errors).toEqual([])
  expect(run.code).toBe(0)
  // The cache worker still reached the service with its token: the post step saved.
  expect(run.post?.code).toBe(0)
  expect(cache.entries.length).toBeGreaterThan(0)

  const { programs, leaks, checkedParents } = leaksIn(log, [...Object.values(SECRETS), RUNTIME_TOKEN], [run.pid, run.post?.pid])
  // Not vacuous: the docker CLI, git (the checkout's commit) and the cache worker's tar ran through the wrappers.
  for (const p of ['docker', 'git', 'tar']) expect(programs).toContain(p)
  expect(leaks).toEqual([])
  // The cache worker (tar's parent) was among the processes checked.
  expect(checkedParents).toContain('tar')
  fs.rmSync(root, { recursive: true, force: true })
}, 600_000)
