// Several plugins in one run (issue 17): three plugins of real weight and
// different sizes for four platforms, against the largest of them alone, both
// cold (a fresh RUNNER_TEMP, so an empty module and build cache; no cache
// service). The plugins, all built for the gin server of scripts/bench.ts
// (its release binaries published by the fake GitHub, so the proof is static):
//   gin-webhook   gotify plugin with gin, ~75 non-standard packages (the largest)
//   config-check  validator, go-toml, yaml (~20 packages; all shared with gin-webhook)
//   yaml-notes    yaml and x/text (~8 packages; shared with both)
// The two smaller ones do not import gotify's plugin-api (it links gin), so
// verify-symbols is empty on both sides. Their modules are a subset of
// gin-webhook's, served from 127.0.0.1 by support/module-mirror.ts.
// Rounds alternate which side runs first; ratio = all three / largest alone of
// the same round, median over rounds. Each run's log is kept in --logs DIR.
//   npm run bench:plugins [-- --runs N] [-- --logs DIR] [-- --write]
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { FIXTURES, runAction, startWorld } from '../__tests__/support/action-harness.js'
import { startModuleMirror } from '../__tests__/support/module-mirror.js'
import { median, numberArg, writeBenchmarksPage } from './bench-common.js'

const exec = promisify(execFile)
const PLATFORMS = ['linux-amd64', 'linux-arm-7', 'linux-arm64', 'linux-386']
const LARGEST = 'gin-webhook'
const ALL = [LARGEST, 'config-check', 'yaml-notes']
const RUNS = numberArg('runs', 3)
const logsAt = process.argv.indexOf('--logs')
const LOGS = logsAt >= 0 ? path.resolve(process.argv[logsAt + 1]) : undefined

const mirror = await startModuleMirror()
const world = await startWorld({ serverSource: path.join(FIXTURES, 'gin-server'), proxy: mirror })
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-plugins-'))
if (LOGS) fs.mkdirSync(LOGS, { recursive: true })

interface Timing {
  wall: number
  /** The run's own last line: wall time while Go or Docker ran, and the action's own time. */
  goAndDocker: number
  own: number
}

/** One cold run of the action for `plugins` (fixture folders, each checked out beside the others). */
async function cold(plugins: string[], label: string): Promise<Timing> {
  const dirs = { workspace: path.join(tmp, 'work'), runnerTemp: path.join(tmp, 'temp'), toolCache: path.join(tmp, 'tool-cache') }
  await exec('chmod', ['-R', 'u+w', tmp]).catch(() => undefined)
  for (const d of Object.values(dirs)) fs.rmSync(d, { recursive: true, force: true })
  for (const p of plugins) fs.cpSync(path.join(FIXTURES, 'plugins', p), path.join(dirs.workspace, p), { recursive: true })
  const run = await runAction({
    inputs: {
      'server-repository': 'gotify/server',
      'plugin-path': plugins.join('\n'),
      token: 't',
      'go-env': world.goEnv,
      platforms: PLATFORMS.join(','),
      'verify-symbols': ''
    },
    ...dirs,
    apiUrl: world.github.url
  })
  if (LOGS) fs.writeFileSync(path.join(LOGS, `${label}.log`), run.log)
  if (run.code !== 0 || run.outputs.compatible !== 'true') throw new Error(`${label}: the action failed:\n${run.log}`)
  const times = /^time: ([\d.]+) s; Go and Docker ([\d.]+) s, caches ([\d.]+) s, the action itself ([\d.]+) s/m.exec(run.log)
  if (!times) throw new Error(`${label}: the action printed no time line`)
  return { wall: run.seconds, goAndDocker: Number(times[2]), own: Number(times[4]) }
}

try {
  const rounds: Array<{ load: [number, number]; one: Timing; three: Timing }> = []
  for (let i = 0; i < RUNS; i++) {
    const load = os.loadavg()[0]
    // Every other round the three go first, so a load that drifts favours neither side.
    const first = i % 2 === 0 ? 'one' : 'three'
    const side = (k: 'one' | 'three'): Promise<Timing> => cold(k === 'one' ? [LARGEST] : ALL, `round-${i + 1}-${k}`)
    const a = await side(first)
    const b = await side(first === 'one' ? 'three' : 'one')
    const [one, three] = first === 'one' ? [a, b] : [b, a]
    rounds.push({ load: [load, os.loadavg()[0]], one, three })
    const f = (t: Timing): string => `${t.wall.toFixed(1)} s (Go and Docker ${t.goAndDocker.toFixed(1)} s, own ${t.own.toFixed(1)} s)`
    console.error(
      `round ${i + 1}/${RUNS} (load ${load.toFixed(1)} -> ${os.loadavg()[0].toFixed(1)}): largest alone ${f(one)}, all three ${f(three)}, ratio ${(three.wall / one.wall).toFixed(2)}`
    )
  }
  const runs = (k: 'one' | 'three'): string => rounds.map(r => r[k].wall.toFixed(1)).join(', ')
  const ratios = rounds.map(r => r.three.wall / r.one.wall)
  const cpus = os.cpus()
  const table = [
    `Four platforms (${PLATFORMS.join(', ')}), cold (fresh RUNNER_TEMP, no cache service), static proof against the gin server's release binaries, ${RUNS} rounds; ratio = all three / largest alone of the same round, median (per round).`,
    `Machine: ${cpus.length} × ${cpus[0]?.model.trim() ?? 'unknown CPU'}, shared; 1-minute load average at each round's start→end: ${rounds.map(r => r.load.map(l => l.toFixed(1)).join('→')).join(', ')}.`,
    '',
    '| scenario | median s | runs (s) | ratio | target |',
    '| --- | --- | --- | --- | --- |',
    `| largest alone (\`${LARGEST}\`) | ${median(rounds.map(r => r.one.wall)).toFixed(1)} | ${runs('one')} | 1.00 | |`,
    `| all three (\`${ALL.join('`, `')}\`) | ${median(rounds.map(r => r.three.wall)).toFixed(1)} | ${runs('three')} | ${median(ratios).toFixed(2)} (${ratios.map(r => r.toFixed(2)).join(', ')}) | < 1.5 |`
  ].join('\n')
  console.log(table)
  console.error(`modules fetched from the upstream proxy during the benchmark: ${mirror.fetched.length}${mirror.fetched.length ? ` (${mirror.fetched.join(', ')})` : ''}`)
  if (process.argv.includes('--write')) writeBenchmarksPage('bench-plugins', table)
} finally {
  await world.close()
  await exec('chmod', ['-R', 'u+w', tmp]).catch(() => undefined)
  fs.rmSync(tmp, { recursive: true, force: true })
}
