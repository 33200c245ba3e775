import { type ChildProcess, execFile, spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { type GitHubServer, createGitHubServer } from './github-server.js'
import { type GoProxy, startGoProxy } from './goproxy.js'
import { type ServerAsset, serverReleaseAssets } from './fixture-server.js'
import { inPrivateGo } from './private-go.js'

/**
 * Runs the bundled action (dist/index.js) the way a runner does: INPUT_*
 * variables, an event file, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files,
 * against a fake GitHub on 127.0.0.1, the fixture GOPROXY and the local Docker
 * engine with build images tagged like gotify's (scripts/ci/build-images.sh).
 */
export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..')
export const FIXTURES = path.join(ROOT, '__tests__', 'fixtures')
/** The bundle the harness runs: dist/, or ACTION_DIST (a bundle of a branch's src/ made elsewhere, dist/ being the lead's). */
export const DIST = process.env.ACTION_DIST || path.join(ROOT, 'dist')

export interface ActionRun {
  code: number
  /** Everything the action printed (stdout and stderr). */
  log: string
  outputs: Record<string, string>
  summary: string
  /** `::error ...::message` lines, the annotations a user sees. */
  errors: string[]
  /** Wall-clock seconds of the main step's process. */
  seconds: number
  /** What the main step saved for its post step (GITHUB_STATE). */
  state: Record<string, string>
  /** The post step (dist/post/index.js), when `post` was asked for. */
  post?: { code: number; log: string; seconds: number; pid?: number }
  /** The main step's process id. */
  pid?: number
}

export interface RunOptions {
  inputs: Record<string, string>
  workspace: string
  event?: { name: string; payload?: object }
  /** owner/name of the plugin repository. */
  repository?: string
  apiUrl: string
  env?: Record<string, string>
  /** Reuse a RUNNER_TEMP (and so the action's GOCACHE) across runs; kept afterwards. */
  runnerTemp?: string
  /** Reuse a RUNNER_TOOL_CACHE (downloaded server binaries) across runs; kept afterwards. */
  toolCache?: string
  /** Run the action as this (non-root) user, as GitHub runners do; needs root. */
  user?: string
  /** Then run the post step, as the runner does at the end of the job: same environment, the state the main step saved. */
  post?: boolean
  /** A folder the action's processes see at /go (a private mount namespace, support/private-go.ts); the machine's /go is left alone. */
  privateGo?: string
  /** Called with the main step's process once it started (to signal it, as a cancelled job does). */
  onStart?: (child: ChildProcess) => void
  /** Start with an empty GOCACHE even where the suite's shared one could be used (see goCacheSeed). */
  coldGoCache?: boolean
}

const run = promisify(execFile)

/** The Go of the local build images: the host's (build-images.sh copies it in). */
export async function hostGoVersion(): Promise<string> {
  const { stdout } = await run('go', ['env', 'GOVERSION'])
  return stdout.trim().replace(/^go/, '')
}

export function parseOutputFile(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<=]+)<<(.+)$/.exec(lines[i])
    if (!m) continue
    const value: string[] = []
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i])
    out[m[1]] = value.join('\n')
  }
  return out
}

/**
 * The suite's GOCACHE (jest's globalSetup, support/go-cache-seed.mjs): a run in
 * a RUNNER_TEMP of the harness's own starts with hard links to every build
 * output earlier runs made, and adds its own afterwards. Go's build cache is
 * content-addressed, so a warm cache changes no result, only how long a
 * build takes (the standard library for -buildmode=plugin, per platform, is
 * most of a cold run). Runs with a RUNNER_TEMP or user of the test's own, and
 * coldGoCache ones, keep a cache of their own as before.
 */
const GO_CACHE_SEED = process.env.GO_PLUGIN_BUILD_TEST_GOCACHE_SEED

async function withGoCacheSeed<T>(opts: RunOptions, runnerTemp: string, body: () => Promise<T>): Promise<T> {
  if (!GO_CACHE_SEED || opts.runnerTemp !== undefined || opts.user !== undefined || opts.coldGoCache) return body()
  const cache = path.join(runnerTemp, 'go-plugin-build', 'gocache')
  fs.mkdirSync(cache, { recursive: true })
  await run('cp', ['-a', '-l', `${GO_CACHE_SEED}/.`, cache]).catch(() => undefined)
  try {
    return await body()
  } finally {
    // Hard links again (-n: an entry the seed has is the same bytes).
    await run('cp', ['-a', '-l', '-n', `${cache}/.`, GO_CACHE_SEED]).catch(() => undefined)
  }
}

export async function runAction(opts: RunOptions): Promise<ActionRun> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'action-run-'))
  const files = { event: path.join(tmp, 'event.json'), output: path.join(tmp, 'output'), summary: path.join(tmp, 'summary.md'), state: path.join(tmp, 'state') }
  fs.writeFileSync(files.event, JSON.stringify(opts.event?.payload ?? {}))
  for (const f of [files.output, files.summary, files.state]) fs.writeFileSync(f, '')
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? tmp,
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: opts.event?.name ?? 'push',
    GITHUB_EVENT_PATH: files.event,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_STATE: files.state,
    GITHUB_REPOSITORY: opts.repository ?? 'someone/plugin',
    GITHUB_API_URL: opts.apiUrl,
    GITHUB_WORKSPACE: opts.workspace,
    RUNNER_TEMP: opts.runnerTemp ?? path.join(tmp, 'runner-temp'),
    RUNNER_TOOL_CACHE: opts.toolCache ?? path.join(tmp, 'tool-cache'),
    ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
    ...opts.env
  }
  fs.mkdirSync(env.RUNNER_TEMP, { recursive: true })
  for (const [k, v] of Object.entries(opts.inputs)) env[`INPUT_${k.toUpperCase()}`] = v
  let dist = DIST
  if (opts.user) {
    // The checkout may not be readable by that user: run a copy of the bundle.
    fs.cpSync(DIST, path.join(tmp, 'dist'), { recursive: true })
    dist = path.join(tmp, 'dist')
    // The runner's user owns the workspace and the runner's files, as on GitHub.
    for (const dir of [tmp, opts.workspace]) await run('chown', ['-R', `${opts.user}:`, dir])
    fs.chmodSync(tmp, 0o755)
  }
  const step = async (entry: string, stepEnv: Record<string, string>, onStart?: (child: ChildProcess) => void): Promise<{ code: number; log: string; seconds: number; pid?: number }> => {
    const started = Date.now()
    const node = [process.execPath, path.join(dist, entry)]
    const [cmd, ...args] = inPrivateGo(opts.privateGo, opts.user ? ['runuser', '-u', opts.user, '--', ...node] : node)
    const child = spawn(cmd, args, { cwd: opts.workspace, env: stepEnv, stdio: ['ignore', 'pipe', 'pipe'] })
    onStart?.(child)
    let log = ''
    child.stdout.on('data', (c: Buffer) => (log += c.toString()))
    child.stderr.on('data', (c: Buffer) => (log += c.toString()))
    const code = await new Promise<number>(resolve => child.on('close', c => resolve(c ?? 1)))
    return { code, log, seconds: (Date.now() - started) / 1000, pid: child.pid }
  }
  const { code, log, seconds, pid } = await withGoCacheSeed(opts, env.RUNNER_TEMP, () => step('index.js', env, opts.onStart))
  // The runner turns the main step's GITHUB_STATE into STATE_<name> variables of the post step.
  const state = parseOutputFile(fs.readFileSync(files.state, 'utf8'))
  const stateEnv = Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v]))
  const post = opts.post ? await step(path.join('post', 'index.js'), { ...env, ...stateEnv }) : undefined
  const result: ActionRun = {
    code,
    log,
    outputs: parseOutputFile(fs.readFileSync(files.output, 'utf8')),
    summary: fs.readFileSync(files.summary, 'utf8'),
    errors: log.split('\n').filter(l => l.startsWith('::error')),
    seconds,
    state,
    pid,
    ...(post ? { post } : {})
  }
  // The module cache is read-only by design; make it removable.
  await run('chmod', ['-R', 'u+w', tmp]).catch(() => undefined)
  fs.rmSync(tmp, { recursive: true, force: true })
  return result
}

/** A copy of a fixture plugin in a fresh workspace, as a checkout would be. */
export function checkoutPlugin(fixture: string): string {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'workspace-'))
  fs.cpSync(path.join(FIXTURES, 'plugins', fixture), path.join(workspace, 'plugin'), { recursive: true })
  return workspace
}

/**
 * Makes the plugin in `dir` link example.com/logs at `logs` (a module the fixture server does not link),
 * under a module path of its own: plugins that differ only there load alone but not together.
 */
export function linkLogs(dir: string, module: string, logs: string): void {
  fs.writeFileSync(path.join(dir, 'logs.go'), 'package main\n\nimport "example.com/logs"\n\nvar _ = logs.Version\n')
  const goMod = fs.readFileSync(path.join(dir, 'go.mod'), 'utf8').replace(/^module .*$/m, `module ${module}`)
  fs.writeFileSync(path.join(dir, 'go.mod'), `${goMod}\nrequire example.com/logs ${logs}\n`)
}

/** Every file, folder and link under `dir`, with its content: what "nothing written" is checked against. */
export function fileTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {}
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name)
      const rel = path.relative(dir, p)
      if (e.isSymbolicLink()) out[rel] = `link -> ${fs.readlinkSync(p)}`
      else if (e.isDirectory()) {
        out[rel] = 'folder'
        walk(p)
      } else out[rel] = fs.readFileSync(p, 'utf8')
    }
  }
  walk(dir)
  return out
}

/** Stacks only in debug output: no "    at ..." line outside ::debug::, and no unexpected error. */
export function expectNoStack(log: string): void {
  const visible = log.split('\n').filter(l => !l.startsWith('::debug::'))
  expect(visible.filter(l => /^\s+at /.test(l) || /%0A\s+at /.test(l))).toEqual([])
  expect(log).not.toMatch(/unexpected error/)
}

/** The fake GitHub with a server repository like gotify/server, and the fixture GOPROXY. */
export interface World {
  github: GitHubServer
  proxy: GoProxy
  goVersion: string
  /** go-env input that makes Go commands use the fixture proxy. */
  goEnv: string
  /** The release binaries attached to every server release (none when the world has none). */
  serverAssets: ServerAsset[]
  close(): Promise<void>
}

/** `serverGoMod`: the server's go.mod at every tag (default: the fixture server's); `proxyTls`: the module proxy speaks HTTPS. */
/** The platforms the fixture server is released for, like gotify's release assets. */
export const SERVER_PLATFORMS = ['linux-amd64', 'linux-arm-7', 'linux-arm64', 'linux-386', 'linux-riscv64']

export interface WorldOptions {
  serverRepo?: string
  tags?: string[]
  /** Another go.mod for the server's tags; then no release binaries unless asked (they link the fixture server's modules). */
  serverGoMod?: string
  /** Attach the fixture server's release binaries (gotify-linux-<arch>.zip) to every release. */
  serverBinaries?: boolean
  proxyTls?: { key: Buffer; cert: Buffer }
  /** The server module (its go.mod at every tag, its release binaries built from it); default the fixture server. */
  serverSource?: string
  /** A GOPROXY to use instead of the fixture modules' (startModuleMirror: real modules); closed with the world. */
  proxy?: GoProxy
}

export async function startWorld(opts: WorldOptions = {}): Promise<World> {
  const github = await createGitHubServer()
  const proxy = opts.proxy ?? (await startGoProxy(undefined, { tls: opts.proxyTls }))
  const goVersion = await hostGoVersion()
  const repo = opts.serverRepo ?? 'gotify/server'
  const serverGoMod = opts.serverGoMod ?? fs.readFileSync(path.join(opts.serverSource ?? path.join(FIXTURES, 'server'), 'go.mod'), 'utf8')
  const withBinaries = opts.serverBinaries ?? opts.serverGoMod === undefined
  // Built once per content and cached (see fixture-server.ts); a TLS world still builds them over plain HTTP.
  const plainProxy = opts.proxyTls && withBinaries ? await startGoProxy() : undefined
  const assets = withBinaries ? await serverReleaseAssets(SERVER_PLATFORMS, { goVersion, source: opts.serverSource }, (plainProxy ?? proxy).url) : []
  await plainProxy?.close()
  for (const tag of opts.tags ?? ['v2.9.0', 'v2.9.1']) {
    github.state.addTag(repo, tag, { GO_VERSION: `${goVersion}\n`, 'go.mod': serverGoMod })
    const release = github.state.addRelease(repo, tag)
    for (const a of assets) github.state.addAsset(release, a.name, a.zip)
  }
  return {
    github,
    proxy,
    goVersion,
    goEnv: `GOPROXY=${proxy.url}\nGOSUMDB=off`,
    serverAssets: assets,
    close: async () => {
      await github.close()
      await proxy.close()
    }
  }
}

/** Builds the fixture host (the "server") in an image and runs it on a .so: what a user of the server does. */
export async function loadInFixtureHost(image: string, soPath: string, goEnv: Record<string, string>): Promise<{ code: number; output: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'host-'))
  fs.cpSync(path.join(FIXTURES, 'server'), path.join(dir, 'server'), { recursive: true })
  fs.copyFileSync(soPath, path.join(dir, 'plugin.so'))
  const envArgs = Object.entries({ ...goEnv, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local', GOCACHE: '/tmp/gocache', HOME: '/tmp' }).flatMap(([k, v]) => ['-e', `${k}=${v}`])
  const args = ['run', '--rm', '--network', 'host', ...envArgs, '-v', `${dir}:/w`, '-v', `${dir}/modcache:/go/pkg/mod`, '-w', '/w/server', image]
  const script = 'go build -ldflags "-w -s" -o /w/host . && /w/host /w/plugin.so'
  try {
    const r = await run('docker', [...args, 'sh', '-c', script]).then(
      x => ({ code: 0, output: x.stdout + x.stderr }),
      (e: { code?: number; stdout?: string; stderr?: string }) => ({ code: e.code ?? 1, output: (e.stdout ?? '') + (e.stderr ?? '') })
    )
    return r
  } finally {
    await run('chmod', ['-R', 'u+w', dir]).catch(() => undefined)
    fs.rmSync(dir, { recursive: true, force: true })
  }
}
