// Several server versions in one run against one (issue 10): three server
// versions whose go.mod files differ (no release binaries, so go.mod decides),
// four platforms, cold caches each time; medians over --runs rounds (default
// 3), each round's own ratio. Uses the local fake GitHub, fixture GOPROXY and
// gotify-style images (scripts/ci/build-images.sh).
//   npm run bench:versions [-- --runs N] [-- --write]   (--write puts the table into docs/benchmarks.md)
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { checkoutPlugin, runAction, startWorld } from '../__tests__/support/action-harness.js'
import { median, numberArg, writeBenchmarksPage } from './bench-common.js'

const exec = promisify(execFile)
const PLATFORMS = ['linux-amd64', 'linux-arm-7', 'linux-arm64', 'linux-386']
const RUNS = numberArg('runs', 3)
const world = await startWorld()
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'))

const goMod = (dep: string, logs: string): string => `module example.com/server/v2\n\ngo 1.21\n\nrequire (\n\texample.com/dep ${dep}\n\texample.com/logs ${logs}\n)\n`
const releases: Array<[string, string]> = [['v2.7.0', goMod('v1.0.0', 'v1.0.0')], ['v2.8.0', goMod('v1.1.0', 'v1.0.0')], ['v3.0.0', goMod('v1.1.0', 'v1.2.0')]]
for (const [tag, text] of releases) {
  world.github.state.addTag('bench/server', tag, { GO_VERSION: `${world.goVersion}\n`, 'go.mod': text })
  world.github.state.addRelease('bench/server', tag)
}

/** Wall seconds of one run of the action on a fresh runner (cold caches) for `serverVersion`. */
async function cold(serverVersion: string): Promise<number> {
  const workspace = checkoutPlugin('basic')
  const plugin = path.join(workspace, 'plugin')
  fs.writeFileSync(path.join(plugin, 'logs.go'), 'package main\n\nimport "example.com/logs"\n\nfunc Logged() string { return logs.Info("plugin") }\n')
  fs.appendFileSync(path.join(plugin, 'go.mod'), '\nrequire example.com/logs v1.0.0\n')
  const runnerTemp = fs.mkdtempSync(path.join(tmp, 'runner-temp-'))
  const t0 = Date.now()
  const run = await runAction({
    inputs: { 'server-repository': 'bench/server', 'server-version': serverVersion, 'plugin-path': 'plugin', token: 't', 'go-env': world.goEnv, verify: 'false', 'build-image': `gotify/build:{go-version}-{platform}` },
    workspace,
    apiUrl: world.github.url,
    runnerTemp
  })
  if (run.code !== 0) throw new Error(`server-version ${serverVersion} failed:\n${run.log}`)
  return (Date.now() - t0) / 1000
}

try {
  const rounds: Array<{ one: number; three: number }> = []
  for (let i = 0; i < RUNS; i++) {
    // Every other round the three versions go first, so a load that drifts favours neither side.
    let one = 0
    let three = 0
    if (i % 2 === 0) {
      one = await cold('v3.0.0')
      three = await cold('>=2.7.0')
    } else {
      three = await cold('>=2.7.0')
      one = await cold('v3.0.0')
    }
    rounds.push({ one, three })
    console.error(`round ${i + 1}/${RUNS} (load ${os.loadavg()[0].toFixed(1)}): one version ${one.toFixed(1)} s, three versions ${three.toFixed(1)} s`)
  }
  const runs = (k: 'one' | 'three'): string => rounds.map(r => r[k].toFixed(1)).join(', ')
  const ratios = rounds.map(r => r.three / r.one)
  const table = [
    `Four platforms (${PLATFORMS.join(', ')}) of \`__tests__/fixtures/plugins/basic\` plus a second shared module, three server versions whose go.mod files differ, no verification, cold caches, on ${os.cpus().length} cores, ${RUNS} rounds; ratio = three versions / one version of the same round, median (per round).`,
    '',
    '| scenario | median s | runs (s) | ratio | target |',
    '| --- | --- | --- | --- | --- |',
    `| one server version (v3.0.0) | ${median(rounds.map(r => r.one)).toFixed(1)} | ${runs('one')} | 1.00 | |`,
    `| three server versions (>=2.7.0) | ${median(rounds.map(r => r.three)).toFixed(1)} | ${runs('three')} | ${median(ratios).toFixed(2)} (${ratios.map(r => r.toFixed(2)).join(', ')}) | <= 2 |`
  ].join('\n')
  console.log(table)
  if (process.argv.includes('--write')) writeBenchmarksPage('bench-versions', table)
} finally {
  await world.close()
  await exec('chmod', ['-R', 'u+w', tmp]).catch(() => undefined)
  fs.rmSync(tmp, { recursive: true, force: true })
}
