// Several server versions in one run against one (issue 10): three server
// versions whose go.mod files differ (no release binaries, so go.mod decides),
// four platforms, cold caches each time. Uses the local fake GitHub, fixture
// GOPROXY and gotify-style images (scripts/ci/build-images.sh).
//   npm run bench:versions [-- --write]   (--write puts the table into README.md)
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { ROOT, checkoutPlugin, runAction, startWorld } from '../__tests__/support/action-harness.js'

const exec = promisify(execFile)
const PLATFORMS = ['linux-amd64', 'linux-arm-7', 'linux-arm64', 'linux-386']
const world = await startWorld()
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-'))
const rows: Array<{ name: string; seconds: number }> = []

async function timed(name: string, fn: () => Promise<void>): Promise<void> {
  const t0 = Date.now()
  await fn()
  rows.push({ name, seconds: (Date.now() - t0) / 1000 })
  console.error(`${name}: ${rows[rows.length - 1].seconds.toFixed(1)} s`)
}

/** Puts `table` between `<!-- <marker>:start -->` and `<!-- <marker>:end -->` in README.md. */
function writeReadme(marker: string, table: string): void {
  const readme = path.join(ROOT, 'README.md')
  const re = new RegExp(`(<!-- ${marker}:start -->\\n)[\\s\\S]*?(<!-- ${marker}:end -->)`)
  fs.writeFileSync(readme, fs.readFileSync(readme, 'utf8').replace(re, `$1${table}\n$2`))
}

/**
 * Three server versions whose go.mod files differ (no release binaries, so
 * go.mod decides), four platforms, cold caches each time: one run for all
 * three against one run for the newest alone.
 */
async function versions(): Promise<void> {
  const goMod = (dep: string, logs: string): string => `module example.com/server/v2\n\ngo 1.21\n\nrequire (\n\texample.com/dep ${dep}\n\texample.com/logs ${logs}\n)\n`
  const releases: Array<[string, string]> = [['v2.7.0', goMod('v1.0.0', 'v1.0.0')], ['v2.8.0', goMod('v1.1.0', 'v1.0.0')], ['v3.0.0', goMod('v1.1.0', 'v1.2.0')]]
  for (const [tag, text] of releases) {
    world.github.state.addTag('bench/server', tag, { GO_VERSION: `${world.goVersion}\n`, 'go.mod': text })
    world.github.state.addRelease('bench/server', tag)
  }
  const cold = async (name: string, serverVersion: string): Promise<void> => {
    const workspace = checkoutPlugin('basic')
    const plugin = path.join(workspace, 'plugin')
    fs.writeFileSync(path.join(plugin, 'logs.go'), 'package main\n\nimport "example.com/logs"\n\nfunc Logged() string { return logs.Info("plugin") }\n')
    fs.appendFileSync(path.join(plugin, 'go.mod'), '\nrequire example.com/logs v1.0.0\n')
    const runnerTemp = fs.mkdtempSync(path.join(tmp, 'runner-temp-'))
    await timed(name, async () => {
      const run = await runAction({
        inputs: { 'server-repository': 'bench/server', 'server-version': serverVersion, 'plugin-path': 'plugin', token: 't', 'go-env': world.goEnv, verify: 'false', 'build-image': `gotify/build:{go-version}-{platform}` },
        workspace,
        apiUrl: world.github.url,
        runnerTemp
      })
      if (run.code !== 0) throw new Error(`${name} failed:\n${run.log}`)
    })
  }
  await cold('one server version (v3.0.0), cold GOCACHE and module cache', 'v3.0.0')
  await cold('three server versions (>=2.7.0), cold GOCACHE and module cache', '>=2.7.0')
  const base = rows[0].seconds
  const table = [
    `Four platforms (${PLATFORMS.join(', ')}) of \`__tests__/fixtures/plugins/basic\` plus a second shared module, three server versions whose go.mod files differ, no verification, on ${os.cpus().length} cores; ratio = time / one version.`,
    '',
    '| scenario | seconds | ratio |',
    '| --- | --- | --- |',
    ...rows.map(r => `| ${r.name} | ${r.seconds.toFixed(1)} | ${(r.seconds / base).toFixed(2)} |`)
  ].join('\n')
  console.log(table)
  if (process.argv.includes('--write')) writeReadme('bench-versions', table)
}

try {
  await versions()
} finally {
  await world.close()
  await exec('chmod', ['-R', 'u+w', tmp]).catch(() => undefined)
  fs.rmSync(tmp, { recursive: true, force: true })
}
