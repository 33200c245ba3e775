/**
 * What readme-workflows.int.test.ts does with each workflow of the
 * documentation (by its marker's id): the world it needs, the event it runs on,
 * and what a user would check afterwards. A workflow that cannot run here is in
 * NOT_RUN with the reason; readme-workflows.test.ts checks every workflow is in
 * one or the other.
 */
import { createHash } from 'node:crypto'
import { type ActWorld, SERVER, type WorkflowRun, pullRequestEvent, releaseEvent, scheduleEvent } from './act-world.js'
import { jobResults, stepResults, tail } from './act.js'
import type { WorldChanges } from './readme-workflows.js'

export const PLATFORMS = ['linux-amd64', 'linux-arm-7', 'linux-arm64', 'linux-386']

export interface Case {
  id: string
  /** What this run of the workflow shows, when an id runs more than once. */
  variant?: string
  event: 'release' | 'pull_request' | 'schedule'
  setUp(w: ActWorld): Promise<{ repository: string; payload: object; changes?: Pick<WorldChanges, 'inputs' | 'registry'>; env?: Record<string, string> }>
  check(r: WorkflowRun, w: ActWorld, repository: string): void | Promise<void>
}

/** Workflows of the documentation this machine cannot run, and why. */
export const NOT_RUN: Record<string, string> = {
  native:
    'as written it downloads Go from go.dev/dl (go-download-base-url), which this machine cannot reach (only package registries are), unless the tool cache is seeded; its first step runs `sudo apt-get update` and `apt-get install` on the machine that runs the tests; and builder: native points the machine-wide /go/pkg/mod at its module cache, which the native builder tests own under a lock. The native builder is tested end to end by __tests__/main-native.int.test.ts'
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex')
const soNames = (plugin: string, versions: string[]): string[] => versions.flatMap(v => PLATFORMS.map(p => `${plugin}-${p}-for-gotify-${v}.so`))

/** Every job of the run succeeded (the log's tail in the message otherwise). */
export function expectJobsSucceeded(r: WorkflowRun, jobs: number): void {
  const results = jobResults(r.log)
  const failedSteps = stepResults(r.log).filter(s => s.result === 'failure').map(s => `${s.job}: ${s.step}`)
  const ok = r.code === 0 && Object.keys(results).length === jobs && failedSteps.length === 0
  expect({ code: r.code, results, failedSteps, log: ok ? '' : tail(r.log) }).toEqual({ code: 0, results: Object.fromEntries(Object.keys(results).map(j => [j, 'succeeded'])), failedSteps: [], log: '' })
  expect(Object.keys(results)).toHaveLength(jobs)
}

/** The release holds exactly `names` and a SHA256SUMS file listing each with its bytes' digest. */
function expectReleaseAssets(w: ActWorld, repository: string, tag: string, names: string[]): void {
  const assets = w.github.state.assets(repository, tag)
  expect([...assets.keys()].sort()).toEqual([...names, 'SHA256SUMS'].sort())
  const sums = assets.get('SHA256SUMS')!.toString('utf8').trim().split('\n').sort()
  expect(sums).toEqual(names.map(n => `${sha256(assets.get(n)!)}  ${n}`).sort())
}

/** The plugin repository of a single plugin: a fixture's files at its root. */
const pluginFiles = (fixture: string, extra: Record<string, string> = {}): Record<string, string | { copyOf: string }> => ({ '.': { copyOf: `plugins/${fixture}` }, ...extra })

/** Writes (uploads, deletes) the run made on the test GitHub: none for a pull request. */
function expectNothingWritten(r: WorkflowRun): void {
  expect(r.writes).toEqual([])
}

/** A pull request check: every step succeeded, nothing uploaded, and `moves` the alignment shown once per check. */
function expectPullRequestChecks(r: WorkflowRun, moves: string[], checks: number): void {
  expectJobsSucceeded(r, 1)
  expectNothingWritten(r)
  // Each check starts from the committed go.mod files, so each shows the same moves.
  for (const move of moves) expect({ move, times: r.log.split(move).length - 1 }).toEqual({ move, times: checks })
  expect(r.log.split('go-mod-changed=true').length - 1).toBe(checks)
}

/** The registry holds `repository` with `tags` (and the per-platform tags an index needs), its index listing the stand-in's two platforms. */
async function expectImage(w: ActWorld, repository: string, tags: string[]): Promise<void> {
  const registry = await w.registry()
  const pushed = await registry.tags(repository)
  expect(pushed).toEqual(expect.arrayContaining(tags))
  const index = await registry.manifest(repository, tags[0])
  const platforms = (index.body.manifests as Array<{ platform: { os: string; architecture: string } }>).map(m => `${m.platform.os}/${m.platform.architecture}`)
  expect(platforms.sort()).toEqual(['linux/amd64', 'linux/arm64'])
}

export const CASES: Case[] = [
  {
    id: 'release',
    event: 'release',
    async setUp(w) {
      await w.repository('someone/release-plugin', pluginFiles('basic'), ['v1.0.0'])
      w.github.state.addRelease('someone/release-plugin', 'v1.0.0')
      return { repository: 'someone/release-plugin', payload: releaseEvent('someone/release-plugin', 'v1.0.0') }
    },
    check(r, w, repository) {
      expectJobsSucceeded(r, 1)
      expectReleaseAssets(w, repository, 'v1.0.0', soNames('basic', ['v2.9.1']))
      expect(r.tokenOnEveryRequest).toBe(true)
    }
  },
  {
    id: 'pull-request',
    variant: 'the plugin at the root, pinned to v2.9.0',
    event: 'pull_request',
    async setUp(w) {
      await w.repository('someone/pr-plugin', pluginFiles('basic', { SERVER_VERSION: 'v2.9.0\n' }))
      return { repository: 'someone/pr-plugin', payload: pullRequestEvent('someone/pr-plugin') }
    },
    check: r => expectPullRequestChecks(r, ['example.com/dep: v1.1.0 → v1.0.0'], 2)
  },
  {
    id: 'pull-request',
    variant: 'two plugins in folders (plugin-path given to both steps, as the README says)',
    event: 'pull_request',
    async setUp(w) {
      await w.repository('someone/pr-plugins', { 'plugins/basic': { copyOf: 'plugins/basic' }, 'plugins/seta': { copyOf: 'plugins/set-a' }, SERVER_VERSION: 'v2.9.0\n' })
      return { repository: 'someone/pr-plugins', payload: pullRequestEvent('someone/pr-plugins'), changes: { inputs: { 'plugin-path': 'plugins/basic\nplugins/seta\n' } } }
    },
    check: r => expectPullRequestChecks(r, ['example.com/dep: v1.1.0 → v1.0.0'], 2)
  },
  {
    id: 'several-plugins',
    event: 'release',
    async setUp(w) {
      await w.repository('me/gotify-webhook', pluginFiles('basic'))
      await w.repository('me/gotify-matrix', pluginFiles('set-a'))
      await w.repository('me/gotify-ntfy', pluginFiles('set-b'))
      await w.repository('me/plugins', { 'README.md': 'the collection\n' }, ['v1.0.0'])
      w.github.state.addRelease('me/plugins', 'v1.0.0')
      return { repository: 'me/plugins', payload: releaseEvent('me/plugins', 'v1.0.0') }
    },
    check(r, w, repository) {
      expectJobsSucceeded(r, 1)
      expectReleaseAssets(w, repository, 'v1.0.0', ['basic', 'seta', 'setb'].flatMap(p => soNames(p, ['v2.9.1'])))
    }
  },
  {
    id: 'server-image',
    event: 'release',
    async setUp(w) {
      const registry = await w.registry()
      await w.repository('you/image-plugin', pluginFiles('basic'), ['v1.0.0'])
      w.github.state.addRelease('you/image-plugin', 'v1.0.0')
      return { repository: 'you/image-plugin', payload: releaseEvent('you/image-plugin', 'v1.0.0'), changes: { registry: registry.host } }
    },
    async check(r, w, repository) {
      expectJobsSucceeded(r, 1)
      expectReleaseAssets(w, repository, 'v1.0.0', soNames('basic', ['v2.9.1']))
      await expectImage(w, 'you/basic-server', ['2.9.1', 'latest'])
    }
  },
  {
    id: 'several-plugins-image',
    event: 'release',
    async setUp(w) {
      const registry = await w.registry()
      await w.repository('me/gotify-webhook', pluginFiles('basic'))
      await w.repository('me/gotify-matrix', pluginFiles('set-a'))
      await w.repository('me/gotify-ntfy', pluginFiles('set-b'))
      await w.repository('me/gotify-images', { 'README.md': 'the server with the plugins\n' }, ['v1.0.0'])
      w.github.state.addRelease('me/gotify-images', 'v1.0.0')
      return { repository: 'me/gotify-images', payload: releaseEvent('me/gotify-images', 'v1.0.0'), changes: { registry: registry.host } }
    },
    async check(r, w, repository) {
      expectJobsSucceeded(r, 1)
      expectReleaseAssets(w, repository, 'v1.0.0', ['basic', 'seta', 'setb'].flatMap(p => soNames(p, ['v2.9.1'])))
      await expectImage(w, 'me/gotify-with-plugins', ['2.9.1', 'latest'])
    }
  },
  {
    id: 'daily-cron',
    event: 'schedule',
    async setUp(w) {
      // The default branch no longer builds after the release: the job must build the release's sources.
      await w.repository('someone/cron-plugin', pluginFiles('basic'), ['v1.0.0'], { 'plugin.go': 'package main\n\nthis does not compile\n' })
      w.github.state.addRelease('someone/cron-plugin', 'v1.0.0')
      return { repository: 'someone/cron-plugin', payload: scheduleEvent('17 4 * * *'), env: w.ghEnv }
    },
    check(r, w, repository) {
      expectJobsSucceeded(r, 1)
      // Every server release from 2.7.0 on, added to the plugin's latest release.
      expectReleaseAssets(w, repository, 'v1.0.0', soNames('basic', ['v2.9.1', 'v2.9.0']))
    }
  },
  {
    id: 'plan-matrix',
    event: 'release',
    async setUp(w) {
      await w.repository('someone/matrix-plugin', pluginFiles('basic'), ['v1.0.0'])
      w.github.state.addRelease('someone/matrix-plugin', 'v1.0.0')
      return { repository: 'someone/matrix-plugin', payload: releaseEvent('someone/matrix-plugin', 'v1.0.0') }
    },
    check(r, w, repository) {
      // The plan job and one build job per server version (>=2.7.0: v2.9.1 and v2.9.0).
      expectJobsSucceeded(r, 3)
      expectReleaseAssets(w, repository, 'v1.0.0', soNames('basic', ['v2.9.1', 'v2.9.0']))
    }
  },
  {
    id: 'platform-matrix',
    event: 'release',
    async setUp(w) {
      await w.repository('someone/platform-plugin', pluginFiles('basic'), ['v1.0.0'])
      w.github.state.addRelease('someone/platform-plugin', 'v1.0.0')
      return { repository: 'someone/platform-plugin', payload: releaseEvent('someone/platform-plugin', 'v1.0.0') }
    },
    check(r, w, repository) {
      // The plan job and one build job per platform.
      expectJobsSucceeded(r, 1 + PLATFORMS.length)
      expectReleaseAssets(w, repository, 'v1.0.0', soNames('basic', ['v2.9.1']))
    }
  },
  {
    id: 'server-pull-request',
    event: 'pull_request',
    async setUp(w) {
      await w.serverCheckout()
      await w.repository('me/gotify-webhook', pluginFiles('basic'))
      await w.repository('me/gotify-matrix', pluginFiles('set-a'))
      await w.repository('me/gotify-ntfy', pluginFiles('set-b'))
      return { repository: SERVER, payload: pullRequestEvent(SERVER) }
    },
    check(r) {
      expectJobsSucceeded(r, 1)
      expectNothingWritten(r)
      // One row per plugin against the checkout (its short SHA), each proven against the binary the job built.
      for (const plugin of ['basic', 'seta', 'setb']) {
        expect(r.log).toMatch(new RegExp(`Plugin ${plugin}, server [0-9a-f]{7}: passes`))
        expect(r.log).toContain(`[verify ${plugin} linux-amd64] proven against ./build/gotify-linux-amd64: `)
      }
      expect(r.log).toContain('3 plugin files load together into ./build/gotify-linux-amd64')
    }
  },
  {
    id: 'nightly-master',
    event: 'schedule',
    async setUp(w) {
      await w.repository('someone/nightly-plugin', pluginFiles('basic'))
      return { repository: 'someone/nightly-plugin', payload: scheduleEvent('23 3 * * *') }
    },
    check(r, w) {
      expectJobsSucceeded(r, 1)
      expectNothingWritten(r)
      // Both the latest release and the branch's pinned commit were built and proven.
      const master = w.github.state.repo(SERVER).branches.get('master')!.slice(0, 7)
      expect(r.log).toContain(`master-${master}`)
      expect(r.log).toContain('v2.9.1')
    }
  }
]

/** The ids of the workflows CASES run. */
export const RUN_IDS = [...new Set(CASES.map(c => c.id))]
