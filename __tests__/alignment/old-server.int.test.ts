import { jest } from '@jest/globals'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Alignment, alignPlugin } from '../../src/alignment/align.js'
import { tryLoweringGoLine } from '../../src/alignment/go-line-trial.js'
import { parsePlatforms } from '../../src/platform.js'
import { type GoProxy, startGoProxy } from '../support/goproxy.js'
import { HostGoRunner } from '../support/host-go-runner.js'
import { TOOLCHAINS, fetchedGoroot } from '../support/toolchains.js'

// An old server's Go (gotify v2.4.0's 1.21.1) against today's module graphs, with real go on
// both sides: the machine's Go reads and moves the graph, the server's Go has the last word and
// builds. The fixture modules stand for x/crypto (a newer version says go 1.26), x/term (its
// latest version says go 1.26 and retracts one) and a module only plugins link (jsonx).
const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures')
const SERVER_GO_MOD = 'module example.com/server/v2\n\ngo 1.21\n\nrequire (\n\texample.com/crypto v1.0.0\n\texample.com/dep v1.0.0\n\texample.com/sys v1.0.0\n)\n'
const LINKING = { package: '.', platforms: parsePlatforms('linux-amd64') }

jest.setTimeout(300_000)

let proxy: GoProxy
let reading: HostGoRunner
let server: HostGoRunner
let work: string
const serverGo = TOOLCHAINS.old

beforeAll(async () => {
  proxy = await startGoProxy()
  reading = HostGoRunner.create(proxy.url)
  // The set-up fetched this Go (scripts/ci/test-toolchains.mjs); it shares the reading Go's module cache.
  server = reading.withGoroot(await fetchedGoroot(serverGo))
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'align-old-'))
})

afterAll(async () => {
  await proxy.close()
  reading.cleanup()
  fs.rmSync(work, { recursive: true, force: true })
})

interface Run {
  result: Alignment
  dir: string
  log: string[]
  before: { mod: string; sum?: string }
}

function files(dir: string): { mod: string; sum?: string } {
  const sum = path.join(dir, 'go.sum')
  return { mod: fs.readFileSync(path.join(dir, 'go.mod'), 'utf8'), sum: fs.existsSync(sum) ? fs.readFileSync(sum, 'utf8') : undefined }
}

function pluginCopy(fixture: string, goLine?: string): string {
  const dir = fs.mkdtempSync(path.join(work, `${fixture}-`))
  fs.cpSync(path.join(FIXTURES, 'plugins', fixture), dir, { recursive: true })
  if (goLine) fs.writeFileSync(path.join(dir, 'go.mod'), fs.readFileSync(path.join(dir, 'go.mod'), 'utf8').replace(/^go .*$/m, `go ${goLine}`))
  return dir
}

const options = (dir: string, log: string[], withReading = true): Parameters<typeof alignPlugin>[1] => ({
  mode: 'full',
  pluginDir: dir,
  scratchDir: fs.mkdtempSync(path.join(work, 'scratch-')),
  server: { goMod: SERVER_GO_MOD, goVersion: serverGo },
  linking: LINKING,
  ...(withReading ? { reading } : {}),
  log: l => log.push(l)
})

async function align(fixture: string, withReading = true): Promise<Run> {
  const dir = pluginCopy(fixture)
  const log: string[] = []
  const before = files(dir)
  return { result: await alignPlugin(server, options(dir, log, withReading)), dir, log, before }
}

/** What the build does: the server's Go, read-only, in plugin mode. */
async function buildsWithServerGo(dir: string): Promise<void> {
  const r = await server.go(['build', '-buildmode=plugin', '-mod=readonly', '-o', path.join(dir, 'p.so'), '.'], { dir })
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
}

test('the server\'s Go alone cannot read a graph holding crypto v1.1.0 (go 1.26): the false refusal this fixes', async () => {
  const { result } = await align('crypto-newer', false)
  expect(result.conflicts.map(c => c.message)).toEqual([expect.stringContaining('example.com/crypto v1.1.0 requires go >= 1.26')])
})

test('read with the newer Go: crypto goes to the server\'s v1.0.0, the go line stays, no toolchain line; the server\'s Go builds it read-only', async () => {
  const { result, dir } = await align('crypto-newer')
  expect(result.conflicts).toEqual([])
  expect(result.changes).toEqual([{ path: 'example.com/crypto', from: 'v1.1.0', to: 'v1.0.0' }])
  const mod = files(dir).mod
  expect(mod).toMatch(/^go 1\.21$/m)
  expect(mod).not.toMatch(/^toolchain/m)
  expect(result.shared).toEqual(expect.arrayContaining([{ path: 'example.com/crypto', plugin: 'v1.0.0', server: 'v1.0.0', linked: true }]))
  // go.mod and go.sum as the server's Go writes them for those versions.
  const control = pluginCopy('crypto-newer')
  fs.writeFileSync(path.join(control, 'go.mod'), files(control).mod.replace('example.com/crypto v1.1.0', 'example.com/crypto v1.0.0'))
  expect((await server.go(['mod', 'tidy'], { dir: control })).code).toBe(0)
  expect(files(dir)).toEqual(files(control))
  await buildsWithServerGo(dir)
})

test('lowering term (sys goes to the server\'s v1.0.0) no longer reads the retractions of term\'s latest version with the old Go', async () => {
  const old = await align('term-retracted-latest', false)
  // Today's false refusal: go 1.21.1's go get names a term version the plugin never uses.
  expect(old.result.conflicts.map(c => c.message)).toEqual([expect.stringContaining('example.com/term v1.2.0 requires go >= 1.26')])

  const { result, dir } = await align('term-retracted-latest')
  expect(result.conflicts).toEqual([])
  expect(result.changes).toEqual(expect.arrayContaining([{ path: 'example.com/sys', from: 'v1.1.0', to: 'v1.0.0' }, { path: 'example.com/term', from: 'v1.1.0', to: 'v1.0.0' }]))
  // go.mod (its go and toolchain lines too) and go.sum are the server's Go's: its tidy of the plugin at those versions
  // writes the same files (dep says go 1.21, so Go 1.21.1 raises the plugin's go 1.16 and names itself, as it would alone).
  const control = pluginCopy('term-retracted-latest')
  fs.writeFileSync(path.join(control, 'go.mod'), files(control).mod.replace('example.com/term v1.1.0', 'example.com/term v1.0.0'))
  expect((await server.go(['mod', 'tidy'], { dir: control })).code).toBe(0)
  expect(files(dir)).toEqual(files(control))
  await buildsWithServerGo(dir)
})

test('a module the server does not link, whose version says go 1.26: refused naming it, its go line, what requires it and the newest version that fits; files untouched', async () => {
  const { result, dir, before } = await align('jsonx-newer')
  expect(result.conflicts).toEqual([
    expect.objectContaining({ path: 'example.com/jsonx', plugin: 'v1.1.0', server: `go ${serverGo}`, location: { file: path.join(dir, 'go.mod'), line: 7 } })
  ])
  expect(result.conflicts[0].message).toBe(
    `example.com/jsonx v1.1.0 says go 1.26 in its go.mod, newer than the server's Go ${serverGo}, which refuses to build it: example.com/jsonx v1.0.0 is the newest version that fits Go ${serverGo}; use it, or build for a server release with a newer Go`
  )
  expect(files(dir)).toEqual(before)
})

describe('a go line newer than the server\'s Go: lowering it is tried in a copy', () => {
  test('it ships: crypto-newer at go 1.26 aligns and compiles with the server\'s Go once lowered; the plugin\'s files are untouched', async () => {
    const dir = pluginCopy('crypto-newer', '1.26')
    const before = files(dir)
    const log: string[] = []
    const o = options(dir, log)
    const result = await alignPlugin(server, o)
    expect(result.conflicts.map(c => c.path)).toEqual(['go'])
    const said = await tryLoweringGoLine(server, o)
    expect(said).toBe(`lowering the go line to ${serverGo} ships: tried (in a copy, aligned and compiled with go ${serverGo}; the plugin's go.mod is unchanged)`)
    expect(log).toEqual(expect.arrayContaining([expect.stringMatching(new RegExp(`^\\[trial: go ${serverGo}\\] go get example\\.com/crypto@v1\\.0\\.0`))]))
    expect(files(dir)).toEqual(before)
    expect(fs.readdirSync(o.scratchDir)).toEqual([])
  })

  test('it is still blocked: jsonx-newer at go 1.26 would need jsonx lowered too, and the trial says so', async () => {
    const dir = pluginCopy('jsonx-newer', '1.26')
    const before = files(dir)
    const o = options(dir, [])
    const said = await tryLoweringGoLine(server, o)
    expect(said).toBe(
      `lowering the go line to ${serverGo} does not ship (tried in a copy): example.com/jsonx v1.1.0 says go 1.26 in its go.mod, newer than the server's Go ${serverGo}, which refuses to build it: example.com/jsonx v1.0.0 is the newest version that fits Go ${serverGo}; use it, or build for a server release with a newer Go`
    )
    expect(files(dir)).toEqual(before)
  })

  test('its time is bounded: a trial out of time says it was not decided', async () => {
    const dir = pluginCopy('crypto-newer', '1.26')
    const said = await tryLoweringGoLine(server, { ...options(dir, []), timeoutSeconds: 0.001 })
    expect(said).toBe(`whether lowering the go line to ${serverGo} ships was not decided within 0.001 s (the trial's time limit)`)
  })
})
