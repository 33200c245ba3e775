// What the Info check (src/verify/info-host.ts) costs beside the rest of a run:
// gin-webhook (gotify's plugin-api Info, gin: ~75 non-standard packages) for
// the gin server of scripts/bench.ts (release binaries on the fake GitHub, so
// the per-file proof is the static one), one platform (linux-amd64: the Info
// check runs on one platform whatever the run builds), cold (fresh RUNNER_TEMP)
// then warm (the same RUNNER_TEMP: its build caches). From each run's own time
// line: the build step, the static proof (verify) and the Info check (info:
// building the sandboxed host with the server's versions of the shared
// packages, then opening the files and calling GetGotifyPluginInfo), side by
// side in the same run; ratio = Info check / build, and Info check / whole run.
//   npm run bench:info [-- --runs N] [-- --write]
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { FIXTURES, runAction, startWorld } from '../__tests__/support/action-harness.js'
import { startModuleMirror } from '../__tests__/support/module-mirror.js'
import { median, numberArg, writeBenchmarksPage } from './bench-common.js'

const exec = promisify(execFile)
const RUNS = numberArg('runs', 2)
const mirror = await startModuleMirror()
const world = await startWorld({ serverSource: path.join(FIXTURES, 'gin-server'), proxy: mirror })
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-info-'))

interface Timing {
  wall: number
  build: number
  verify: number
  info: number
  /** The host's own line: its build, and opening the files with the info function called. */
  hostBuild: number
  hostRun: number
}

const span = (log: string, step: string): number => {
  const m = new RegExp(`steps \\(s from the start\\):.*\\b${step} ([\\d.]+)-([\\d.]+)`).exec(log)
  return m ? Number(m[2]) - Number(m[1]) : NaN
}

async function once(runnerTemp: string, label: string): Promise<Timing> {
  const workspace = path.join(tmp, 'work')
  await exec('chmod', ['-R', 'u+w', workspace]).catch(() => undefined)
  fs.rmSync(workspace, { recursive: true, force: true })
  fs.cpSync(path.join(FIXTURES, 'plugins', 'gin-webhook'), path.join(workspace, 'plugin'), { recursive: true })
  const run = await runAction({
    inputs: { 'server-repository': 'gotify/server', 'plugin-path': 'plugin', token: 't', 'go-env': world.goEnv, platforms: 'linux-amd64' },
    workspace,
    runnerTemp,
    apiUrl: world.github.url
  })
  if (run.code !== 0 || run.outputs.compatible !== 'true') throw new Error(`${label}: the action failed:\n${run.log}`)
  const host = /Info check: host built in ([\d.]+)s, \d+ files opened and read in ([\d.]+)s/.exec(run.log)
  if (!host) throw new Error(`${label}: no Info check line in the log`)
  return { wall: run.seconds, build: span(run.log, 'build'), verify: span(run.log, 'verify'), info: span(run.log, 'info'), hostBuild: Number(host[1]), hostRun: Number(host[2]) }
}

try {
  const rounds: Array<{ load: [number, number]; cold: Timing; warm: Timing }> = []
  for (let i = 0; i < RUNS; i++) {
    const load = os.loadavg()[0]
    const runnerTemp = path.join(tmp, `temp-${i}`)
    const cold = await once(runnerTemp, `round ${i + 1} cold`)
    const warm = await once(runnerTemp, `round ${i + 1} warm`)
    rounds.push({ load: [load, os.loadavg()[0]], cold, warm })
    console.error(`round ${i + 1}/${RUNS}: cold ${JSON.stringify(cold)}, warm ${JSON.stringify(warm)}`)
    await exec('chmod', ['-R', 'u+w', runnerTemp]).catch(() => undefined)
    fs.rmSync(runnerTemp, { recursive: true, force: true })
  }
  const cpus = os.cpus()
  const f = (xs: number[], d = 1): string => `${median(xs).toFixed(d)} (${xs.map(x => x.toFixed(d)).join(', ')})`
  const row = (name: string, k: 'cold' | 'warm'): string => {
    const t = rounds.map(r => r[k])
    return `| ${name} | ${f(t.map(x => x.wall))} | ${f(t.map(x => x.build))} | ${f(t.map(x => x.verify))} | ${f(t.map(x => x.info))} (host build ${median(t.map(x => x.hostBuild)).toFixed(1)}, files opened ${median(t.map(x => x.hostRun)).toFixed(1)}) | ${f(t.map(x => x.info / x.build), 2)} | ${f(t.map(x => x.info / x.wall), 2)} |`
  }
  const table = [
    `\`__tests__/fixtures/plugins/gin-webhook\` for the gin server, linux-amd64, ${RUNS} rounds of a cold run (fresh RUNNER_TEMP) then a warm one (the same RUNNER_TEMP); seconds, median (per round); the step spans are the run's own time line.`,
    `Machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, shared; 1-minute load average at each round's start→end: ${rounds.map(r => r.load.map(l => l.toFixed(1)).join('→')).join(', ')}.`,
    '',
    '| run | whole run | build | static proof | Info check | Info / build | Info / whole run |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    row('cold', 'cold'),
    row('warm (build caches kept)', 'warm')
  ].join('\n')
  console.log(table)
  if (process.argv.includes('--write')) writeBenchmarksPage('bench-info', table)
} finally {
  await world.close()
  await exec('chmod', ['-R', 'u+w', tmp]).catch(() => undefined)
  fs.rmSync(tmp, { recursive: true, force: true })
}
