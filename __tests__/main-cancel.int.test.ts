// A cancelled job (issue 27): the runner sends SIGINT, SIGTERM about 7.5 s later, then SIGKILL. The action, a real
// process, gets SIGTERM in the middle of its docker builds (the plugin's go.mod already aligned): it stops every
// program and container it started, puts go.mod and go.sum back byte for byte, and exits non-zero within the limit.
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { type World, checkoutPlugin, runAction, startWorld } from './support/action-harness.js'

const run = promisify(execFile)
// src/run/cancel.ts stops everything within 4 s; a loaded CI machine gets slack.
const EXIT_LIMIT_MS = 10_000
const LABEL = 'go-plugin-build.run'

let world: World
beforeAll(async () => {
  world = await startWorld()
}, 600_000)
afterAll(async () => world?.close())

const docker = async (...args: string[]): Promise<string> => (await run('docker', args)).stdout

/** Containers that mount one of `folders` (labelled or not: the action before issue 27 labelled none). */
async function containersMounting(folders: string[]): Promise<string[]> {
  const ids = (await docker('ps', '--all', '--quiet', '--no-trunc')).split('\n').filter(Boolean)
  if (ids.length === 0) return []
  // One that went away meanwhile fails the inspect: the others' lines are still there.
  const lines = await run('docker', ['inspect', '--format', '{{.Id}} {{json .Mounts}}', ...ids]).then(
    r => r.stdout,
    (e: { stdout?: string }) => e.stdout ?? ''
  )
  return lines
    .split('\n')
    .filter(Boolean)
    .filter(l => (JSON.parse(l.slice(l.indexOf(' ') + 1)) as Array<{ Source: string }> | null)?.some(m => folders.some(f => m.Source.startsWith(f))))
    .map(l => l.split(' ')[0])
}

/** Running plugin builds (`go build -buildmode=plugin`) among the containers mounting one of `folders`. */
async function buildsMounting(folders: string[]): Promise<string[]> {
  const running = (await docker('ps', '--no-trunc', '--format', '{{.ID}}\t{{.Command}}')).split('\n').filter(l => /\bgo build .*-buildmode=plugin/.test(l))
  const mounting = await containersMounting(folders)
  return running.map(l => l.split('\t')[0]).filter(id => mounting.includes(id))
}

const waitFor = async (what: string, check: () => Promise<boolean>, ms: number): Promise<void> => {
  const until = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`not seen within ${ms / 1000} s: ${what}`)
    await new Promise(r => setTimeout(r, 200))
  }
}

test('SIGTERM in the middle of the builds: go.mod and go.sum as they were, no container or program of the run left, exit non-zero within the limit', async () => {
  const workspace = checkoutPlugin('basic')
  const plugin = path.join(workspace, 'plugin')
  // A go.sum as a plugin's repository has one (alignment changes it too).
  const goEnv = Object.fromEntries(world.goEnv.split('\n').map(l => l.split('=', 2)))
  await run('go', ['mod', 'tidy'], { cwd: plugin, env: { ...process.env, ...goEnv, GOTOOLCHAIN: 'local', GOFLAGS: '-mod=mod' } })
  const before = { mod: fs.readFileSync(path.join(plugin, 'go.mod')), sum: fs.readFileSync(path.join(plugin, 'go.sum')) }
  // A fresh RUNNER_TEMP: an empty build cache, so each platform's build takes a while.
  const runnerTemp = fs.mkdtempSync(path.join(os.tmpdir(), 'cancel-temp-'))
  let out = ''
  let signalledAt = 0
  let alignedWhenSignalled = false
  const finished = runAction({
    inputs: { 'server-repository': 'gotify/server', 'plugin-path': 'plugin', token: 't', 'go-env': world.goEnv, platforms: 'linux-amd64,linux-arm64,linux-arm-7,linux-386' },
    workspace,
    runnerTemp,
    apiUrl: world.github.url,
    onStart: child => {
      child.stdout?.on('data', (c: Buffer) => (out += c.toString()))
      void (async () => {
        // A plugin build (not the warm-up, not alignment) running in a container of the run.
        await waitFor('a go build -buildmode=plugin container of the run', async () => (await buildsMounting([workspace])).length > 0, 300_000)
        alignedWhenSignalled = !fs.readFileSync(path.join(plugin, 'go.mod')).equals(before.mod)
        signalledAt = Date.now()
        child.kill('SIGTERM')
      })().catch(e => {
        out += `\nTEST: ${(e as Error).message}\n`
        child.kill('SIGKILL')
      })
    }
  })
  const result = await finished
  const runId = new RegExp(`${LABEL}=([0-9a-f-]{36})`).exec(result.log)?.[1] ?? ''
  const tookMs = Date.now() - signalledAt
  expect(out).not.toContain('TEST: ')
  expect(signalledAt).toBeGreaterThan(0)
  // The signal came after alignment changed go.mod (dep v1.1.0 -> v1.0.0): putting it back is what is tested.
  expect(alignedWhenSignalled).toBe(true)
  expect(fs.readFileSync(path.join(plugin, 'go.mod')).equals(before.mod)).toBe(true)
  expect(fs.readFileSync(path.join(plugin, 'go.sum')).equals(before.sum)).toBe(true)
  expect(result.code).toBe(143)
  expect(tookMs).toBeLessThan(EXIT_LIMIT_MS)
  // One line says it; what the stopped programs "failed" with is not reported.
  expect(result.errors).toEqual([expect.stringMatching(/^::error::the run was cancelled \(SIGTERM\)/)])
  expect(result.log).toMatch(/::error::the run was cancelled \(SIGTERM\): \d+ programs? stopped, \d+ containers? removed; go\.mod and go\.sum as they were before the run/)
  expect(await containersMounting([workspace, runnerTemp])).toEqual([])
  expect(runId).not.toBe('')
  expect(await docker('ps', '--all', '--quiet', '--filter', `label=${LABEL}=${runId}`)).toBe('')
  // No docker CLI, go or anything else of the run still running.
  const left = (await run('ps', ['-eo', 'pid,args'])).stdout.split('\n').filter(l => (runId && l.includes(runId)) || l.includes(runnerTemp) || l.includes(workspace))
  expect(left).toEqual([])
  await run('chmod', ['-R', 'u+w', runnerTemp]).catch(() => undefined)
  fs.rmSync(runnerTemp, { recursive: true, force: true })
  fs.rmSync(workspace, { recursive: true, force: true })
}, 900_000)
