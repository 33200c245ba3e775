// A pull request's files run nothing that holds the token (issue 27). End to end, on the real engine:
// - a server-source folder carrying git internals (HEAD, objects/, refs/, a config naming an fsmonitor, hooks, a clean
//   filter and an external diff, each a script leaving a marker): no script runs, the run goes on;
// - every program the run starts (docker, git, tar and zstd of the cache worker, ...) is fronted on PATH by a wrapper
//   that writes down its environment and its parent's: no secret of the runner appears in any, and the cache
//   service still got its token (over IPC, not the environment).
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { FIXTURES, type World, checkoutPlugin, runAction, startWorld } from './support/action-harness.js'
import { type CacheServer, startCacheServer } from './support/cache-server.js'
import { serverReleaseAssets } from './support/fixture-server.js'
import { git, hostileFolder } from './support/hostile-git.js'

const SECRETS = {
  INPUT_TOKEN: 'secret-input-token-5f1c',
  GITHUB_TOKEN: 'secret-github-token-8a2d',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'secret-oidc-token-3b7e',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://secret-oidc-url-9c4f.example/',
  MY_DEPLOY_KEY: 'secret-workflow-env-2e6a'
}
const RUNTIME_TOKEN = 'secret-runtime-token-7d0b'
// What a run of the docker builder starts through PATH, and what those start (zstd by tar).
const WRAPPED = ['docker', 'git', 'go', 'tar', 'zstd', 'xz', 'gzip', 'sudo', 'gcc', 'cc']

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

/** Wrappers named like the programs, in front of PATH: each appends its environment and its parent's to `log`, then runs the real one. */
function wrapPath(dir: string, log: string): string {
  fs.mkdirSync(dir, { recursive: true })
  for (const name of WRAPPED) {
    let real: string
    try {
      real = execFileSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).trim()
    } catch {
      continue
    }
    const script = [
      '#!/bin/sh',
      `{ echo "=== ${name} ppid=$PPID"; env; echo "=== parent of ${name} ppid=$PPID"; tr '\\0' '\\n' < /proc/$PPID/environ; echo "=== end"; } >> '${log}' 2>/dev/null`,
      `exec '${real}' "$@"`
    ].join('\n')
    fs.writeFileSync(path.join(dir, name), `${script}\n`, { mode: 0o755 })
  }
  return `${dir}:${process.env.PATH}`
}

/** The log's records: which program, its parent's pid, and what it saw (its own environment, or its parent's). */
function records(log: string): Array<{ program: string; ppid: number; parent: boolean; text: string }> {
  return fs
    .readFileSync(log, 'utf8')
    .split(/^(?==== (?:parent of )?\S+ ppid=)/m)
    .filter(r => r.startsWith('=== '))
    .map(r => {
      const m = /^=== (parent of )?(\S+) ppid=(\d+)/.exec(r) as RegExpExecArray
      return { program: m[2], ppid: Number(m[3]), parent: m[1] !== undefined, text: r.replace(/=== end\n?$/, '') }
    })
}

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
    env: { ...SECRETS, ...cache.env(), PATH: wrapPath(path.join(root, 'bin'), log) },
    post: true
  })
  expect(run.errors).toEqual([])
  expect(run.code).toBe(0)
  // The cache worker still reached the service with its token: the post step saved.
  expect(run.post?.code).toBe(0)
  expect(cache.entries.length).toBeGreaterThan(0)

  const seen = records(log)
  const programs = new Set(seen.map(r => r.program))
  // Not vacuous: the docker CLI, git (the checkout's commit) and the cache worker's tar ran through the wrappers.
  for (const p of ['docker', 'git', 'tar']) expect(programs).toContain(p)
  const steps = [run.pid, run.post?.pid]
  // A parent that is the action's own step holds the secrets the runner gave it; every other process must not.
  const checked = seen.filter(r => !(r.parent && steps.includes(r.ppid)))
  const leaks = checked.flatMap(r => [...Object.values(SECRETS), RUNTIME_TOKEN].filter(s => r.text.includes(s)).map(s => `${r.parent ? 'parent of ' : ''}${r.program}: ${s}`))
  expect(leaks).toEqual([])
  // The cache worker (tar's parent) was among the processes checked.
  expect(checked.some(r => r.parent && r.program === 'tar')).toBe(true)
  fs.rmSync(root, { recursive: true, force: true })
}, 600_000)
