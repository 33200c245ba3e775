// Measures the action against the way plugin authors build today, side by side
// in one run, on a plugin of real weight: __tests__/fixtures/plugins/gin-webhook,
// a gotify plugin serving a webhook with gin (about 75 non-standard packages:
// gin, protobuf, validator, msgpack, toml, yaml, x/net/http2), for a gin server
// (__tests__/fixtures/gin-server) whose release binaries the fake GitHub
// publishes, so verification is the default static proof. The modules are
// real: fetched once through the machine's Go module proxy, then served from
// 127.0.0.1 (support/module-mirror.ts) so network time does not blur the ratios.
// Medians over --runs runs (default 3) of:
//   1. the copied Makefile: go mod download, then one `docker run ... go build -a`
//      per platform, one after another, each in a fresh container;
//   2. the action on a fresh runner with no cache anywhere (its post step saves the caches);
//   3. the action on a fresh runner for a new commit of the plugin, its caches restored;
//   4. the time the action spends outside Go and Docker (the rest of its process's wall time);
//   5. one platform's job alone, cold: the platform whose Makefile build took longest in the round,
//      and what a four-job matrix (one job per platform) would take: that job plus a runner's
//      start-up, an assumption (RUNNER_START_UP_S), since the jobs of a matrix run side by side on
//      runners of their own.
//   npm run bench [-- --runs 3] [-- --write]   (--write puts the table into docs/benchmarks.md)
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { type ActionRun, FIXTURES, runAction, startWorld } from '../__tests__/support/action-harness.js'
import { median, numberArg, writeBenchmarksPage } from './bench-common.js'
import { startCacheServer } from '../__tests__/support/cache-server.js'
import { startModuleMirror } from '../__tests__/support/module-mirror.js'

const exec = promisify(execFile)
const PLATFORMS = ['linux-amd64', 'linux-arm-7', 'linux-arm64', 'linux-386']
const RUNS = numberArg('runs', 3)
const FIXTURE = 'gin-webhook'
/** Assumed: what a matrix job costs before its first step (a hosted runner's start-up and checkout), in seconds. */
const RUNNER_START_UP_S = 20

const mirror = await startModuleMirror()
const world = await startWorld({ serverSource: path.join(FIXTURES, 'gin-server'), proxy: mirror })
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'))
const uid = `${process.getuid?.() ?? 0}:${process.getgid?.() ?? 0}`
const image = (p: string): string => `gotify/build:${world.goVersion}-${p}`

interface Sample {
  /** The 1-minute load average when the round started and ended (other jobs share the machine). */
  load: [number, number]
  makefile: number
  makefileCpu: number
  cold: number
  coldPost: number
  coldOutside: number
  restored: number
  restoredOutside: number
  restoredCaches: number
  /** The slowest platform's job alone, cold, and the four-job matrix it stands for. */
  single: number
  matrix: number
  slowest: string
}
const samples: Sample[] = []


/** A fresh runner: the same paths every time (as a new VM has them), nothing in them. */
function freshRunner(commit: string): { workspace: string; runnerTemp: string; toolCache: string } {
  const dirs = { workspace: path.join(tmp, 'work'), runnerTemp: path.join(tmp, 'temp'), toolCache: path.join(tmp, 'tool-cache') }
  for (const d of Object.values(dirs)) fs.rmSync(d, { recursive: true, force: true })
  fs.cpSync(path.join(FIXTURES, 'plugins', FIXTURE), path.join(dirs.workspace, 'plugin'), { recursive: true })
  fs.appendFileSync(path.join(dirs.workspace, 'plugin', 'plugin.go'), `\nconst commit = ${JSON.stringify(commit)}\n`)
  return dirs
}

/** Runs the action (and its post step); wall seconds of each, and the run's own account of its time. */
async function action(commit: string, cacheEnv: Record<string, string>, platforms: string[] = PLATFORMS): Promise<{ run: ActionRun; wall: number; postWall: number; goAndDocker: number; caches: number; workspace: string }> {
  const dirs = freshRunner(commit)
  const run = await runAction({
    inputs: { 'server-repository': 'gotify/server', 'plugin-path': 'plugin', token: 't', 'go-env': world.goEnv, platforms: platforms.join(',') },
    ...dirs,
    apiUrl: world.github.url,
    env: cacheEnv,
    post: true
  })
  if (run.code !== 0 || run.outputs.compatible !== 'true') throw new Error(`the action failed:\n${run.log}`)
  const times = /^time: ([\d.]+) s; Go and Docker ([\d.]+) s, caches ([\d.]+) s/m.exec(run.log)
  if (!times) throw new Error('the action printed no time line')
  if (run.post?.code !== 0) throw new Error(`the post step failed:\n${run.post?.log}`)
  return { run, wall: run.seconds, postWall: run.post.seconds, goAndDocker: Number(times[2]), caches: Number(times[3]), workspace: dirs.workspace }
}

/** The copied Makefile (gotify's plugin template): modules fetched first, then -a builds one after another, module cache read-only. */
async function makefileWay(pluginDir: string): Promise<{ wall: number; cpu: number; perPlatform: Map<string, number> }> {
  const modCache = path.join(tmp, 'makefile-gomodcache')
  fs.rmSync(modCache, { recursive: true, force: true })
  fs.mkdirSync(modCache)
  const env = ['-e', 'GOTOOLCHAIN=local', '-e', `GOPROXY=${mirror.url}`, '-e', 'GOSUMDB=off', '-e', 'HOME=/tmp', '-e', 'GOFLAGS=-modcacherw']
  const t0 = Date.now()
  await exec('docker', ['run', '--rm', '--network', 'host', '--user', uid, ...env, '-v', `${pluginDir}:/proj`, '-v', `${modCache}:/go/pkg/mod`, '-w', '/proj', image('linux-amd64'), 'go', 'mod', 'download'])
  let cpu = 0
  const perPlatform = new Map<string, number>()
  for (const p of PLATFORMS) {
    const started = Date.now()
    // bash's time keyword reports the build's CPU seconds (user and system), the work any schedule must do.
    const { stderr } = await exec('docker', [
      'run', '--rm', '--network', 'host', '-v', `${pluginDir}:/proj:ro`, '-v', `${modCache}:/go/pkg/mod:ro`, '-w', '/proj',
      '-e', 'GOTOOLCHAIN=local', '-e', 'GOCACHE=/tmp/gocache', '-e', 'GOFLAGS=', '-e', 'TIMEFORMAT=cpu %U %S', image(p),
      'bash', '-c', 'time "$@"', 'bash', 'go', 'build', '-mod=readonly', '-a', '-installsuffix', 'cgo', '-ldflags=-w -s', '-buildmode=plugin', '-o', `/tmp/${p}.so`, '.'
    ], { maxBuffer: 64 << 20 })
    const m = /cpu ([\d.]+) ([\d.]+)/.exec(stderr)
    cpu += m ? Number(m[1]) + Number(m[2]) : 0
    perPlatform.set(p, (Date.now() - started) / 1000)
  }
  return { wall: (Date.now() - t0) / 1000, cpu, perPlatform }
}

try {
  for (let i = 0; i < RUNS; i++) {
    // No cache anywhere: a new cache service per round.
    const service = await startCacheServer()
    try {
      const loadBefore = os.loadavg()[0]
      // The Makefile builds the go.mod the action aligns (what gomod-cap and go mod tidy would have made);
      // every other round it runs first, so a load that drifts during a round favours neither side.
      const aligned = path.join(tmp, 'makefile-plugin')
      const makefileFirst = i % 2 === 1 && fs.existsSync(aligned)
      const makefileRun = makefileFirst ? await makefileWay(aligned) : undefined
      const cold = await action(`cold-${i}`, service.env())
      fs.rmSync(aligned, { recursive: true, force: true })
      fs.cpSync(path.join(cold.workspace, 'plugin'), aligned, { recursive: true })
      const makefile = makefileRun ?? (await makefileWay(aligned))
      // One platform's job alone, cold (a cache service of its own): the platform the Makefile took longest over.
      const slowest = [...makefile.perPlatform.entries()].sort((a, b) => b[1] - a[1])[0][0]
      const own = await startCacheServer()
      const single = await action(`single-${i}`, own.env(), [slowest]).finally(() => own.close())
      const restored = await action(`restored-${i}`, service.env())
      if (restored.run.outputs['cache-hit'] !== 'true') throw new Error(`round ${i}: the caches did not come back whole (cache-hit ${restored.run.outputs['cache-hit']})`)
      samples.push({
        load: [loadBefore, os.loadavg()[0]],
        makefile: makefile.wall,
        makefileCpu: makefile.cpu,
        cold: cold.wall,
        coldPost: cold.postWall,
        coldOutside: cold.wall - cold.goAndDocker - cold.caches,
        restored: restored.wall,
        restoredOutside: restored.wall - restored.goAndDocker - restored.caches,
        restoredCaches: restored.caches,
        single: single.wall,
        matrix: single.wall + RUNNER_START_UP_S,
        slowest
      })
      const s = samples[samples.length - 1]
      // Where each run's time went, step by step (its last log line).
      for (const [name, r] of [['cold', cold.run], ['restored', restored.run], [`${slowest} alone`, single.run]] as const) console.error(`round ${i + 1} ${name}: ${/^time: .*$/m.exec(r.log)?.[0] ?? 'no time line'}`)
      console.error(
        `round ${i + 1}/${RUNS} (load ${s.load.map(l => l.toFixed(1)).join(' -> ')}): Makefile ${s.makefile.toFixed(1)} s (CPU ${s.makefileCpu.toFixed(0)} s), cold ${s.cold.toFixed(1)} s (+ post ${s.coldPost.toFixed(1)} s), restored ${s.restored.toFixed(1)} s, ${s.slowest} alone ${s.single.toFixed(1)} s, outside Go and Docker ${s.restoredOutside.toFixed(2)} s`
      )
    } finally {
      await service.close()
    }
  }
  type Timed = Exclude<keyof Sample, 'load' | 'slowest'>
  const m = (k: Timed): number => median(samples.map(s => s[k]))
  const runs = (k: Timed): string => samples.map(s => s[k].toFixed(1)).join(', ')
  const base = m('makefile')
  const cpus = os.cpus()
  // The ratio is the median of each round's own ratio: both sides of a round ran under about the same load.
  const ratio = (k: Timed): string => `${median(samples.map(s => s[k] / s.makefile)).toFixed(2)} (${samples.map(s => (s[k] / s.makefile).toFixed(2)).join(', ')})`
  const row = (name: string, k: Timed, target: string): string => `| ${name} | ${m(k).toFixed(1)} | ${runs(k)} | ${ratio(k)} | ${target} |`
  const table = [
    `Four platforms (${PLATFORMS.join(', ')}) of \`__tests__/fixtures/plugins/${FIXTURE}\` (a gotify plugin with gin: ${'~'}75 non-standard packages), ${RUNS} rounds; ratio = time / the Makefile way of the same round, median (per round).`,
    `Machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(os.totalmem() / 2 ** 30)} GB, ${os.type()} ${os.release()}, 1-minute load average at each round's start→end: ${samples.map(s => s.load.map(l => l.toFixed(1)).join('→')).join(', ')} (the action's two concurrent builds alone make about 4).`,
    '',
    '| scenario | median s | runs (s) | ratio | target |',
    '| --- | --- | --- | --- | --- |',
    row('1. Makefile way: go mod download, then sequential `docker run ... go build -a` per platform', 'makefile', ''),
    row('2. action, first run ever (no cache anywhere), verification on', 'cold', '<= 0.92'),
    row('   its post step, saving the caches', 'coldPost', ''),
    row('3. action, new commit, caches restored', 'restored', '<= 0.1'),
    `| 4. action's time outside Go and Docker (run 3; of run 2: ${m('coldOutside').toFixed(2)} s) | ${m('restoredOutside').toFixed(2)} | ${samples.map(s => s.restoredOutside.toFixed(2)).join(', ')} | | < 1 s |`,
    `|    caches restored in run 3 | ${m('restoredCaches').toFixed(1)} | ${runs('restoredCaches')} | | |`,
    row(`5. action, one platform's job alone, cold (the slowest in the Makefile's builds: ${[...new Set(samples.map(s => s.slowest))].join(', ')})`, 'single', ''),
    row(`   a four-job matrix: the slowest job + ${RUNNER_START_UP_S} s of a runner's start-up (assumed)`, 'matrix', ''),
    '',
    `Compiling the four platforms cold takes ${m('makefileCpu').toFixed(0)} CPU seconds (the Makefile builds' user + system time); on ${cpus.length} cores no schedule of those compiles finishes them in under ${(m('makefileCpu') / cpus.length).toFixed(0)} s, ${(m('makefileCpu') / cpus.length / base).toFixed(2)}x the Makefile way; the action's compiles need less CPU (GOGC=400, see below).`
  ].join('\n')
  console.log(table)
  console.error(`modules fetched from the upstream proxy during the benchmark: ${mirror.fetched.length}`)
  if (process.argv.includes('--write')) writeBenchmarksPage('bench', table)
} finally {
  await world.close()
  await exec('chmod', ['-R', 'u+w', tmp]).catch(() => undefined)
  fs.rmSync(tmp, { recursive: true, force: true })
}
