// Real Docker, the real build images, real go: builds that share the runner's
// cores each get their share (GOMAXPROCS) and the compiler collects garbage less
// often (GOGC), and neither changes a byte of the .so a plain `go build` makes.
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import { buildPlatforms } from '../../src/compile/build.js'
import { parsePlatform } from '../../src/platform.js'
import { stdPluginBuilds, stdPluginRunner, stdPluginSuite } from '../support/std-plugin.js'

const PLATFORMS = ['linux-amd64', 'linux-arm64'].map(id => parsePlatform(id))
const LONG = 600_000
const sha256 = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex')

const suite = stdPluginSuite('build-int-', PLATFORMS, LONG)

test('two builds on two cores: the first gets one core, the last every core, and each .so is byte for byte a plain build\'s', async () => {
  const tuned = stdPluginBuilds(suite.root, 'tuned', PLATFORMS, suite.goVersion)
  const tasks = tuned.jobs.map(job => ({ job, dirs: tuned.dirs, pluginDir: tuned.pluginDir, runner: stdPluginRunner(tuned.dirs, job, suite.goVersion) }))
  const outcomes = await buildPlatforms(tasks, { concurrency: 2, cores: 2, repoDir: '.' })
  expect(outcomes.map(o => ({ platform: o.job.platform.id, ok: o.ok, cores: o.cores, gogc: o.job.env.GOGC }))).toEqual([
    { platform: 'linux-amd64', ok: true, cores: 1, gogc: '400' },
    { platform: 'linux-arm64', ok: true, cores: undefined, gogc: '400' }
  ])

  // The same plugin, the same image and flags, Go's own GOGC and GOMAXPROCS, build caches of its own.
  const plain = stdPluginBuilds(suite.root, 'plain', PLATFORMS, suite.goVersion)
  for (const job of plain.jobs) {
    const { GOGC, ...env } = job.env
    expect(GOGC).toBe('400')
    const r = await stdPluginRunner(plain.dirs, job, suite.goVersion).go(job.goArgs, { dir: plain.pluginDir, env })
    expect({ platform: job.platform.id, code: r.code }).toEqual({ platform: job.platform.id, code: 0 })
  }
  expect(plain.jobs.map(j => ({ platform: j.platform.id, sha256: sha256(j.outputPath) }))).toEqual(outcomes.map(o => ({ platform: o.job.platform.id, sha256: o.artifact?.sha256 })))
}, LONG)
