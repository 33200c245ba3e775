/**
 * The world the documentation's workflows run in under act: the test GitHub (a
 * gotify/server repository with releases v2.9.0 and v2.9.1, their GO_VERSION,
 * go.mod and release binaries, and a master branch), the fixture module proxy,
 * git repositories of plugins (what actions/checkout clones), the action bundled
 * from this checkout's src/, and one runner: a home folder, a RUNNER_TEMP, a tool
 * cache and a cache service that every workflow of the world shares, as on a
 * self-hosted runner.
 */
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { type ActRun, requireAct, runAct } from './act.js'
import { FIXTURES, ROOT, type World, startWorld } from './action-harness.js'
import { actionCopy } from './bundle.js'
import { type GhesFront, startGhesFront } from './ghes-front.js'
import { type Registry, removeImagesFrom, startRegistry } from './registry.js'
import { pushStandInServerImage } from './server-images.js'
import { type WorldChanges, type YamlBlock, inTestWorld } from './readme-workflows.js'

const run = promisify(execFile)

export const TOKEN = 'act-world-token'
export const SERVER = 'gotify/server'

export interface WorkflowRun extends ActRun {
  /** The workflow as act ran it (the documentation's, with the world's changes). */
  workflow: string
  /** What the run wrote to the test GitHub (POST, PATCH, DELETE, PUT), in order. */
  writes: string[]
  /** Every API request the run made carried the job's token. */
  tokenOnEveryRequest: boolean
}

export interface RunRequest {
  block: YamlBlock
  /** owner/name of the world's repository the workflow runs in (the act workdir). */
  repository: string
  event: string
  payload: object
  changes?: Pick<WorldChanges, 'inputs' | 'registry'>
  /** More variables of every step. */
  env?: Record<string, string>
  timeoutMs?: number
}

export interface ActWorld extends World {
  root: string
  /** The runner's home: `$HOME/go/pkg/mod` of a workflow's own docker run. */
  home: string
  /**
   * What the GitHub CLI needs to reach the test GitHub (GH_HOST, and
   * SSL_CERT_FILE naming the CA of its https front, see ghes-front.ts).
   */
  ghEnv: Record<string, string>
  /**
   * A git repository of the world (one commit on `main` holding `files`, then
   * `tags`, then a commit of `later` files), from files given as text or as
   * folders to copy; returns its folder.
   */
  repository(fullName: string, files: Record<string, string | { copyOf: string }>, tags?: string[], later?: Record<string, string>): Promise<string>
  /**
   * The server's own repository as its maintainers have it: the fixture server's
   * source with GO_VERSION and a go.sum, and its modules in the runner's
   * `$HOME/go/pkg/mod` (the world's modules exist only on its proxy, which a
   * workflow's own `docker run` does not name).
   */
  serverCheckout(): Promise<string>
  /**
   * The world's registry on 127.0.0.1 (started on first use), holding
   * gotify/server:2.9.1, the stand-in server image for linux/amd64 and linux/arm64.
   */
  registry(): Promise<Registry>
  run(r: RunRequest): Promise<WorkflowRun>
  close(): Promise<void>
}

const git = (dir: string, ...args: string[]): Promise<unknown> => run('git', ['-C', dir, '-c', 'user.name=test', '-c', 'user.email=test@example.invalid', ...args])

export async function startActWorld(): Promise<ActWorld> {
  requireAct()
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'act-world-'))
  const dirs = { home: path.join(root, 'home'), repos: path.join(root, 'repos'), runnerTemp: path.join(root, 'runner-temp'), cache: path.join(root, 'cache-service'), act: path.join(root, 'act') }
  for (const d of Object.values(dirs)) fs.mkdirSync(d, { recursive: true })
  // Bundled first: nothing is left listening when bundling fails.
  const actionDir = await actionCopy(path.join(root, 'action')).catch((e: unknown) => {
    fs.rmSync(root, { recursive: true, force: true })
    throw e
  })
  const world = await startWorld({ serverRepo: SERVER, tags: ['v2.9.0', 'v2.9.1'] })
  const ghes: GhesFront = await startGhesFront(world.github.url)
  const standIns = path.join(ROOT, '__tests__', 'support', 'actions')
  // The server's branch for `ref:master`: the released files at a commit of its own.
  const released = world.github.state.repo(SERVER).files.get('v2.9.1')!
  world.github.state.addCommit(SERVER, Object.fromEntries(released), 'master')

  const repository: ActWorld['repository'] = async (fullName, files, tags = [], later = {}) => {
    const dir = path.join(dirs.repos, ...fullName.split('/'))
    // One world, one repository of a name: workflows that check out the same one share it.
    if (fs.existsSync(path.join(dir, '.git'))) return dir
    fs.mkdirSync(dir, { recursive: true })
    for (const [name, content] of Object.entries(files)) {
      const target = path.join(dir, name)
      fs.mkdirSync(path.dirname(target), { recursive: true })
      if (typeof content === 'string') fs.writeFileSync(target, content)
      else fs.cpSync(path.join(FIXTURES, content.copyOf), target, { recursive: true })
    }
    await run('git', ['init', '--quiet', '--initial-branch=main', dir])
    await git(dir, 'add', '--all')
    await git(dir, 'commit', '--quiet', '--message', 'the plugin')
    for (const tag of tags) await git(dir, 'tag', tag)
    if (Object.keys(later).length > 0) {
      // The default branch moves on after the tags.
      for (const [name, content] of Object.entries(later)) fs.writeFileSync(path.join(dir, name), content)
      await git(dir, 'add', '--all')
      await git(dir, 'commit', '--quiet', '--message', 'after the release')
    }
    return dir
  }

  let registry: Promise<Registry> | undefined
  const startImages = async (): Promise<Registry> => {
    const started = await startRegistry()
    await pushStandInServerImage({ name: `${started.host}/${SERVER}:2.9.1`, platforms: ['linux-amd64', 'linux-arm64'], goVersion: world.goVersion, goproxy: world.proxy.url })
    return started
  }

  return {
    ...world,
    root,
    home: dirs.home,
    ghEnv: { GH_HOST: ghes.host, SSL_CERT_FILE: ghes.caFile },
    repository,
    registry: () => (registry ??= startImages()),
    async serverCheckout() {
      const dir = await repository(SERVER, { '.': { copyOf: 'server' }, GO_VERSION: `${world.goVersion}\n` })
      if (fs.existsSync(path.join(dir, 'go.sum'))) return dir
      const env = { ...process.env, GOPROXY: world.proxy.url, GOSUMDB: 'off', GOFLAGS: '-mod=mod -modcacherw', GOMODCACHE: path.join(dirs.home, 'go', 'pkg', 'mod'), GOTOOLCHAIN: 'local' }
      await run('go', ['mod', 'tidy'], { cwd: dir, env })
      await run('go', ['mod', 'download', 'all'], { cwd: dir, env })
      await git(dir, 'add', 'go.sum')
      await git(dir, 'commit', '--quiet', '--message', 'go.sum')
      return dir
    },
    async run(r) {
      const workdir = path.join(dirs.repos, ...r.repository.split('/'))
      const workflow = inTestWorld(r.block, { goEnv: world.goEnv, runnerTemp: dirs.runnerTemp, ...r.changes })
      const file = path.join('.github', 'workflows', `${r.block.id}.yml`)
      fs.mkdirSync(path.join(workdir, '.github', 'workflows'), { recursive: true })
      fs.writeFileSync(path.join(workdir, file), workflow)
      // Committed, as a workflow is: the checkout a job gets is clean.
      await git(workdir, 'add', file)
      await git(workdir, 'commit', '--quiet', '--message', `workflow ${r.block.id}`)
      const logged = world.github.log.length
      const result = await runAct({
        workdir,
        workflow: file,
        event: r.event,
        payload: r.payload,
        env: { HOME: dirs.home, GITHUB_API_URL: world.github.url, GITHUB_REPOSITORY: r.repository, ACT_TEST_REPOSITORIES: dirs.repos, ...r.env },
        secrets: { GITHUB_TOKEN: TOKEN },
        actions: {
          'go-plugin-build/action@v1': actionDir,
          'actions/checkout@v4': path.join(standIns, 'checkout'),
          'docker/login-action@v3': path.join(standIns, 'docker-login')
        },
        home: dirs.act,
        cacheDir: dirs.cache,
        timeoutMs: r.timeoutMs ?? 420_000
      })
      const requests = world.github.log.slice(logged)
      const api = requests.filter(e => e.path.startsWith('/repos/') || e.path.startsWith('/uploads/'))
      return {
        ...result,
        workflow,
        writes: requests.filter(e => ['POST', 'PATCH', 'DELETE', 'PUT'].includes(e.method)).map(e => `${e.method} ${e.url}`),
        tokenOnEveryRequest: api.length > 0 && api.every(e => e.headers.authorization === `Bearer ${TOKEN}` || e.headers.authorization === `token ${TOKEN}`)
      }
    },
    async close() {
      const images = await registry?.catch(() => undefined)
      if (images) {
        // The images the runs pulled from it (the action keeps the server images it pulled).
        await removeImagesFrom(images)
        await images.close()
      }
      await ghes.close()
      await world.close()
      // The module cache is read-only by design; the runner's files may be a container's (root).
      await run('chmod', ['-R', 'u+w', root]).catch(() => undefined)
      fs.rmSync(root, { recursive: true, force: true })
    }
  }
}

/** A release event's payload, as GitHub sends it when a release is published. */
export const releaseEvent = (repository: string, tag: string): object => ({ action: 'published', release: { tag_name: tag, name: tag, draft: false, prerelease: false }, repository: { full_name: repository } })

/** A pull request's payload (opened), as GitHub sends it. */
export const pullRequestEvent = (repository: string): object => ({ action: 'opened', number: 7, pull_request: { number: 7, head: { ref: 'change', sha: '0'.repeat(40) }, base: { ref: 'main' } }, repository: { full_name: repository } })

/** A scheduled run's payload. */
export const scheduleEvent = (cron: string): object => ({ schedule: cron })
