// Real Docker, the real build images (scripts/ci/build-images.sh), real go: after
// the warm-up, each platform's plugin build compiles no standard library
// package (`go build -v` names every package it compiled rather than found
// in the build cache); without it, the same build compiles them.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { type HostDirs, goCacheDir } from '../../src/container/layout.js'
import type { DockerGoRunner } from '../../src/go-runner/docker.js'
import { startWarmUps } from '../../src/compile/warm-up.js'
import { hasContent } from '../../src/cache/store.js'
import { parsePlatform } from '../../src/platform.js'
import { type StdPluginJob, stdPluginBuilds, stdPluginRunner, stdPluginSuite } from '../support/std-plugin.js'

const PLATFORMS = ['linux-amd64', 'linux-386', 'linux-arm-7', 'linux-arm64'].map(id => parsePlatform(id))
const LONG = 900_000

const suite = stdPluginSuite('warm-up-int-', PLATFORMS, LONG)

/** The packages `go build -v` compiled that belong to the standard library (no dot in the first path element). */
const stdCompiled = (output: string): string[] =>
  output
    .split('\n')
    .map(l => l.trim())
    .filter(l => /^[A-Za-z0-9_./-]+$/.test(l) && !l.split('/')[0].includes('.') && l !== 'command-line-arguments')

const setUp = (name: string): ReturnType<typeof stdPluginBuilds> => stdPluginBuilds(suite.root, name, PLATFORMS, suite.goVersion)
const runnerOf = (dirs: HostDirs, job: StdPluginJob): DockerGoRunner => stdPluginRunner(dirs, job, suite.goVersion)

test('after the warm-up, the plugin build of every platform (arm-7 and 386 too) compiles only the plugin\'s own package', async () => {
  const { dirs, jobs, pluginDir } = setUp('warmed')
  const lines: string[] = []
  const builds = jobs.map(job => ({ job, goCache: goCacheDir(dirs, job.platform.id) }))
  // What the server's binary would name: packages the plugin imports, one this Go lacks, and a module's (skipped).
  const warmUps = startWarmUps(
    { builds, serverPackages: () => ['fmt', 'strings', 'nosuch/pkg', 'github.com/gin-gonic/gin', 'main'], hasContent },
    goCache => ({ runner: runnerOf(dirs, builds.find(b => b.goCache === goCache)!.job), scratch: dirs.scratch }),
    l => lines.push(l)
  )
  try {
    // Every platform warmed up first (in a run, the first build stops those not started yet).
    await warmUps.finished()
    for (const job of jobs) {
      await warmUps.before(goCacheDir(dirs, job.platform.id))
      const r = await runnerOf(dirs, job).go(job.goArgs, { dir: pluginDir, env: job.env })
      expect({ platform: job.platform.id, code: r.code, output: r.code === 0 ? '' : r.output }).toEqual({ platform: job.platform.id, code: 0, output: '' })
      expect({ platform: job.platform.id, std: stdCompiled(r.output) }).toEqual({ platform: job.platform.id, std: [] })
      expect(r.output).toMatch(/^example\.com\/warm$/m)
    }
  } finally {
    // A failure above leaves the other platforms' warm-ups running: stopped, so nothing outlives the test.
    await warmUps.stop()
  }
  expect(lines.filter(l => /standard library packages compiled/.test(l))).toHaveLength(PLATFORMS.length)
  expect(lines.join('\n')).toMatch(/\(1 not in this Go\)/)

  // A second run with these build caches restored: nothing to warm up.
  const again: string[] = []
  await startWarmUps({ builds, serverPackages: () => ['fmt'], hasContent }, () => { throw new Error('no warm-up expected') }, l => again.push(l)).stop()
  expect(again).toEqual([`warm-up: none for ${PLATFORMS.map(p => `${p.id} (its build cache came back)`).join(', ')}`])
}, LONG)

test('without the warm-up (or with a plain `go build std`), the same build compiles the standard library itself', async () => {
  const { dirs, jobs, pluginDir } = setUp('cold')
  const job = jobs.find(j => j.platform.id === 'linux-arm-7')!
  const runner = runnerOf(dirs, job)
  // Not -buildmode=plugin: other cache keys (the plugin build compiles every package with -dynlink).
  fs.mkdirSync(path.join(dirs.scratch, 'plain'), { recursive: true })
  fs.writeFileSync(path.join(dirs.scratch, 'plain', 'go.mod'), 'module plain\n')
  expect((await runner.go(['build', 'fmt', 'strings'], { dir: path.join(dirs.scratch, 'plain'), env: job.env })).code).toBe(0)
  const r = await runner.go(job.goArgs, { dir: pluginDir, env: job.env })
  expect(r.code).toBe(0)
  expect(stdCompiled(r.output)).toEqual(expect.arrayContaining(['runtime', 'fmt', 'strings']))
}, LONG)
