import { jest } from '@jest/globals'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { type Alignment, alignPlugin } from '../../src/alignment/align.js'
import type { AlignMode } from '../../src/alignment/plan.js'
import { type GoProxy, startGoProxy } from '../support/goproxy.js'
import { HostGoRunner } from '../support/host-go-runner.js'
import { parsePlatforms } from '../../src/platform.js'

// Real go against the fixture GOPROXY; the server's Go is the host's, so GOTOOLCHAIN=local works.
const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures')
const SERVER_GO_MOD = fs.readFileSync(path.join(FIXTURES, 'server', 'go.mod'), 'utf8')

// Project-level testTimeout is not applied when jest runs one file; the first test fills the module cache.
jest.setTimeout(120_000)

let proxy: GoProxy
let runner: HostGoRunner
let serverGo: string
let work: string

beforeAll(async () => {
  proxy = await startGoProxy()
  runner = HostGoRunner.create(proxy.url)
  const { stdout } = await promisify(execFile)('go', ['env', 'GOVERSION'], { env: { ...process.env, GOTOOLCHAIN: 'local' } })
  serverGo = stdout.trim().replace(/^go/, '')
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'align-'))
})

afterAll(async () => {
  await proxy.close()
  runner.cleanup()
  fs.rmSync(work, { recursive: true, force: true })
})

interface Run {
  result: Alignment
  dir: string
  log: string[]
  before: { mod: string; sum?: string }
}

// The package and platforms decide which modules are linked (go list -deps per platform).
const LINKING = { package: '.', platforms: parsePlatforms('linux-amd64,linux-arm64') }

async function align(fixture: string, mode: AlignMode, serverGoMod = SERVER_GO_MOD, pluginGoMod?: string, linking = LINKING): Promise<Run> {
  const dir = fs.mkdtempSync(path.join(work, `${fixture}-${mode}-`))
  fs.cpSync(path.join(FIXTURES, 'plugins', fixture), dir, { recursive: true })
  if (pluginGoMod !== undefined) fs.writeFileSync(path.join(dir, 'go.mod'), pluginGoMod)
  const scratchDir = fs.mkdtempSync(path.join(work, 'scratch-'))
  const log: string[] = []
  const before = files(dir)
  const result = await alignPlugin(runner, { mode, pluginDir: dir, scratchDir, server: { goMod: serverGoMod, goVersion: serverGo }, linking, log: l => log.push(l) })
  return { result, dir, log, before }
}

function files(dir: string): { mod: string; sum?: string } {
  const sum = path.join(dir, 'go.sum')
  return { mod: fs.readFileSync(path.join(dir, 'go.mod'), 'utf8'), sum: fs.existsSync(sum) ? fs.readFileSync(sum, 'utf8') : undefined }
}

/** The aligned files are what gets built: a read-only plugin build must find everything in go.mod/go.sum. */
async function buildsReadonly(dir: string): Promise<void> {
  const r = await runner.go(['build', '-buildmode=plugin', '-mod=readonly', '-o', path.join(dir, 'p.so'), '.'], { dir })
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
}

const moduleChanges = (a: Alignment): Alignment['changes'] => a.changes.filter(c => c.path !== 'go' && c.path !== 'toolchain')

test('basic, full: the direct dep v1.1.0 is lowered to the server\'s v1.0.0 and the plugin builds read-only', async () => {
  const { result, dir, log } = await align('basic', 'full')
  expect(result.conflicts).toEqual([])
  expect(result.changes).toEqual([{ path: 'example.com/dep', from: 'v1.1.0', to: 'v1.0.0' }])
  expect(result.shared).toEqual([{ path: 'example.com/dep', plugin: 'v1.0.0', server: 'v1.0.0', linked: true }])
  expect(result.serverModules).toEqual([{ path: 'example.com/dep', version: 'v1.0.0' }])
  expect(result.changed).toBe(true)
  expect(result.goModPath).toBe(path.join(dir, 'go.mod'))
  expect(result.diff).toContain('-require example.com/dep v1.1.0\n+require example.com/dep v1.0.0\n')
  expect(log).toContain('go get example.com/dep@v1.0.0')
  expect(log).toContain('example.com/dep: v1.1.0 → v1.0.0')
  expect(files(dir).sum).toContain('example.com/dep v1.0.0 h1:')
  await buildsReadonly(dir)
})

test('basic, cap: gomod-cap moves the require line the server also has', async () => {
  const { result, dir, log } = await align('basic', 'cap')
  expect(result.changes).toEqual([{ path: 'example.com/dep', from: 'v1.1.0', to: 'v1.0.0' }])
  expect(log).toContain('go mod edit -require=example.com/dep@v1.0.0')
  await buildsReadonly(dir)
})

test('indirect, cap: nothing to cap; dep stays v1.1.0 and is reported as shared-but-different', async () => {
  const { result, dir } = await align('indirect', 'cap')
  expect(result.conflicts).toEqual([])
  expect(moduleChanges(result)).toEqual([])
  expect(result.shared).toEqual([{ path: 'example.com/dep', plugin: 'v1.1.0', server: 'v1.0.0', linked: true }])
  expect(files(dir).mod).toContain('example.com/lib v1.1.0')
})

test('indirect, full: dep reaches v1.0.0 by lowering lib to v1.0.0, both reported', async () => {
  const { result, dir } = await align('indirect', 'full')
  expect(result.conflicts).toEqual([])
  expect(moduleChanges(result)).toEqual([
    { path: 'example.com/dep', from: 'v1.1.0', to: 'v1.0.0' },
    { path: 'example.com/lib', from: 'v1.1.0', to: 'v1.0.0' }
  ])
  expect(result.shared).toEqual([{ path: 'example.com/dep', plugin: 'v1.0.0', server: 'v1.0.0', linked: true }])
  expect(files(dir).mod).toContain('example.com/lib v1.0.0')
  await buildsReadonly(dir)
})

test('unresolvable, full: a conflict naming dep, both versions and the chain through newlib; files untouched', async () => {
  const { result, dir, before } = await align('unresolvable', 'full')
  expect(result.conflicts).toHaveLength(1)
  const [c] = result.conflicts
  expect(c).toMatchObject({ path: 'example.com/dep', server: 'v1.0.0', plugin: 'v1.1.0' })
  expect(c.chain).toEqual(['example.com/plugins/unresolvable', 'example.com/newlib@v1.0.0', 'example.com/dep@v1.1.0'])
  expect(c.message).toContain('example.com/plugins/unresolvable → example.com/newlib@v1.0.0 → example.com/dep@v1.1.0')
  // The real obstacle: no release of newlib works with dep v1.0.0, and the plugin imports newlib.
  expect(c.message).toContain('going down to v1.0.0 meant removing example.com/newlib (no release of it requires example.com/dep v1.0.0 or older), and go mod tidy added example.com/newlib v1.0.0 back because the plugin imports it')
  expect(c.location).toEqual({ file: path.join(dir, 'go.mod'), line: 5 })
  expect(result).toMatchObject({ changed: false, changes: [], diff: '' })
  expect(files(dir)).toEqual(before)
})

test('a go 1.16 server go.mod (no indirect requires): the server build list is computed', async () => {
  const old = 'module example.com/server\n\ngo 1.16\n\nrequire example.com/lib v1.0.0\n'
  const { result, dir } = await align('basic', 'full', old)
  expect(result.serverModules).toEqual([{ path: 'example.com/dep', version: 'v1.0.0' }, { path: 'example.com/lib', version: 'v1.0.0' }])
  expect(result.changes).toEqual([{ path: 'example.com/dep', from: 'v1.1.0', to: 'v1.0.0' }])
  await buildsReadonly(dir)
})

test('a toolchain line is set to the server\'s Go', async () => {
  const { result, dir } = await align('toolchain-line', 'full')
  expect(result.conflicts).toEqual([])
  expect(result.changes).toEqual([{ path: 'toolchain', from: 'go1.24.3', to: `go${serverGo}` }])
  expect(files(dir).mod).toContain(`toolchain go${serverGo}\n`)
  expect(result.diff).toContain(`-toolchain go1.24.3\n+toolchain go${serverGo}\n`)
})

test('a go line newer than the server\'s Go is a conflict, found without running go on the plugin', async () => {
  const calls = runner.calls.length
  const { result, dir, before } = await align('newer-go', 'full')
  expect(result.conflicts).toEqual([expect.objectContaining({ path: 'go', plugin: '1.99.0', server: serverGo, location: { file: path.join(dir, 'go.mod'), line: 3 } })])
  expect(result.conflicts[0].message).toContain(`says go 1.99.0, newer than the server's Go ${serverGo}`)
  expect(result.shared).toEqual([{ path: 'example.com/dep', plugin: 'v1.0.0', server: 'v1.0.0', linked: true }])
  expect(runner.calls.slice(calls).filter(c => c.dir === dir)).toEqual([])
  expect(files(dir)).toEqual(before)
})

test('a dependency that needs a newer Go is a conflict naming it; files untouched', async () => {
  const { result, dir, before } = await align('future-dep', 'full')
  expect(result.conflicts).toEqual([expect.objectContaining({ path: 'example.com/futurelib', plugin: 'v1.0.0', location: { file: path.join(dir, 'go.mod'), line: 5 } })])
  expect(result.conflicts[0].message).toContain('requires go >= 1.99.0')
  expect(files(dir)).toEqual(before)
})

test('off: no change, shared still reported', async () => {
  const { result, dir, before } = await align('basic', 'off')
  expect(result).toMatchObject({ changed: false, changes: [], conflicts: [], diff: '' })
  expect(result.shared).toEqual([{ path: 'example.com/dep', plugin: 'v1.1.0', server: 'v1.0.0', linked: true }])
  expect(files(dir)).toEqual(before)
})

// The indirect plugin with dep also on its own require line: what gomod-cap users run into.
const BOTH = 'module example.com/plugins/indirect\n\ngo 1.21\n\nrequire (\n\texample.com/dep v1.1.0\n\texample.com/lib v1.1.0\n)\n'

test('cap: tidy raises the capped dep again through lib, so cap reports the conflict and restores the files', async () => {
  const { result, dir, before, log } = await align('indirect', 'cap', SERVER_GO_MOD, BOTH)
  expect(log).toContain('go mod edit -require=example.com/dep@v1.0.0')
  expect(result.conflicts).toEqual([expect.objectContaining({
    path: 'example.com/dep', plugin: 'v1.1.0', server: 'v1.0.0',
    chain: ['example.com/plugins/indirect', 'example.com/lib@v1.1.0', 'example.com/dep@v1.1.0'],
    // On the line of the dependency to lower.
    location: { file: path.join(dir, 'go.mod'), line: 7 }
  })])
  expect(result.conflicts[0].message).toContain('lower example.com/lib to a release that requires example.com/dep v1.0.0 or older (align: full tries that with go get)')
  expect(files(dir)).toEqual(before)
})

test('full: the same plugin aligns by lowering lib', async () => {
  const { result, dir } = await align('indirect', 'full', SERVER_GO_MOD, BOTH)
  expect(result.conflicts).toEqual([])
  expect(result.changes).toEqual([
    { path: 'example.com/dep', from: 'v1.1.0', to: 'v1.0.0' },
    { path: 'example.com/lib', from: 'v1.1.0', to: 'v1.0.0' }
  ])
  await buildsReadonly(dir)
})

test('a go command that fails is a one-line StepError on the go.mod, with the files restored', async () => {
  const dir = fs.mkdtempSync(path.join(work, 'missing-'))
  fs.cpSync(path.join(FIXTURES, 'plugins', 'basic'), dir, { recursive: true })
  const before = files(dir)
  // The server names a dep version the proxy does not have.
  const server = { goMod: 'module s\n\ngo 1.21\n\nrequire example.com/dep v1.0.9\n', goVersion: serverGo }
  const run = alignPlugin(runner, { mode: 'full', pluginDir: dir, scratchDir: work, server, linking: LINKING, log: () => undefined })
  await expect(run).rejects.toMatchObject({ name: 'StepError', location: { file: path.join(dir, 'go.mod') } })
  await expect(run).rejects.toThrow(/^Aligning .*go.mod: go get example.com\/dep@v1.0.9 failed: [^\n]*v1.0.9[^\n]*$/)
  expect(files(dir)).toEqual(before)
})

// A server linking newer versions of modules that plugins only reach through test-only chains.
const SHARED_SERVER_GO_MOD = `module example.com/server/v2

go 1.21

require (
\texample.com/dep v1.0.0
\texample.com/kit v1.0.0
\texample.com/logs v1.2.0
\texample.com/oauth v0.3.0
)
`

describe('modules the plugin package does not link', () => {
  test('tests using testkit (containers pins an old oauth): oauth is shared, not linked, left alone; dep aligned; builds', async () => {
    const { result, dir, log } = await align('test-only-dep', 'full', SHARED_SERVER_GO_MOD)
    expect(result.conflicts).toEqual([])
    expect(result.shared).toEqual([
      { path: 'example.com/dep', plugin: 'v1.0.0', server: 'v1.0.0', linked: true },
      { path: 'example.com/oauth', plugin: 'v0.1.0', server: 'v0.3.0', linked: false }
    ])
    expect(moduleChanges(result)).toEqual([{ path: 'example.com/dep', from: 'v1.1.0', to: 'v1.0.0' }])
    // Never asked to move: moving it could only downgrade test dependencies.
    expect(log.filter(l => l.startsWith('go get'))).toEqual(['go get example.com/dep@v1.0.0'])
    await buildsReadonly(dir)
  })

  test('a go 1.16 plugin whose tests reach logs through convey -> jsgen: logs is not linked; dep aligned; builds', async () => {
    const { result, dir } = await align('old-test-chain', 'full', SHARED_SERVER_GO_MOD)
    expect(result.conflicts).toEqual([])
    expect(result.shared).toEqual([
      { path: 'example.com/dep', plugin: 'v1.0.0', server: 'v1.0.0', linked: true },
      { path: 'example.com/logs', plugin: 'v1.0.0', server: 'v1.2.0', linked: false }
    ])
    await buildsReadonly(dir)
  })

  test('cap: the same plugin is not refused for the module it does not link', async () => {
    const { result } = await align('test-only-dep', 'cap', SHARED_SERVER_GO_MOD)
    expect(result.conflicts).toEqual([])
    expect(result.shared.find(s => s.path === 'example.com/oauth')).toEqual({ path: 'example.com/oauth', plugin: 'v0.1.0', server: 'v0.3.0', linked: false })
  })

  test('the linked set is listed again after each move: the server\'s kit links oauth, so oauth is aligned in a second round', async () => {
    const { result, dir, log } = await align('relinked', 'full', SHARED_SERVER_GO_MOD)
    expect(result.conflicts).toEqual([])
    expect(log.filter(l => l.startsWith('go get'))).toEqual(['go get example.com/kit@v1.0.0', 'go get example.com/oauth@v0.3.0'])
    expect(result.shared).toEqual([
      { path: 'example.com/kit', plugin: 'v1.0.0', server: 'v1.0.0', linked: true },
      { path: 'example.com/oauth', plugin: 'v0.3.0', server: 'v0.3.0', linked: true }
    ])
    await buildsReadonly(dir)
  })

  test('build tags: a module linked on arm64 only is not linked for linux-amd64 alone, and aligned when arm64 is built too', async () => {
    const amd64 = await align('arch-linked', 'full', SHARED_SERVER_GO_MOD, undefined, { package: '.', platforms: parsePlatforms('linux-amd64') })
    expect(amd64.result.conflicts).toEqual([])
    expect(amd64.result.shared.find(s => s.path === 'example.com/oauth')).toEqual({ path: 'example.com/oauth', plugin: 'v0.1.0', server: 'v0.3.0', linked: false })
    const both = await align('arch-linked', 'full', SHARED_SERVER_GO_MOD, undefined, { package: '.', platforms: parsePlatforms('linux-amd64,linux-arm64') })
    expect(both.result.conflicts).toEqual([])
    expect(both.result.shared.find(s => s.path === 'example.com/oauth')).toEqual({ path: 'example.com/oauth', plugin: 'v0.3.0', server: 'v0.3.0', linked: true })
    expect(both.log).toContain('go get example.com/oauth@v0.3.0')
  })

  test('when the package cannot be listed, every shared module counts as linked (the safe side), and the log says why', async () => {
    const { result, log } = await align('test-only-dep', 'off', SHARED_SERVER_GO_MOD, undefined, { ...LINKING, package: './nosuch' })
    expect(result.shared.find(s => s.path === 'example.com/oauth')).toMatchObject({ linked: true })
    expect(log.join('\n')).toMatch(/go list -deps \.\/nosuch for linux\/amd64 failed: .*; every shared module counts as linked/)
  })

  test('a linked module held below the server\'s version by an exclude is refused, naming the exclude; files untouched', async () => {
    const { result, dir, before } = await align('excluded-linked', 'full', SHARED_SERVER_GO_MOD)
    expect(result.conflicts).toEqual([expect.objectContaining({ path: 'example.com/logs', plugin: 'v1.0.0', server: 'v1.2.0', location: { file: path.join(dir, 'go.mod'), line: 7 } })])
    expect(result.conflicts[0].message).toBe(
      "example.com/logs cannot be aligned: the plugin links v1.0.0, below the server's v1.2.0, because the plugin's go.mod excludes example.com/logs v1.2.0 (line 7): remove that exclude"
    )
    expect(files(dir)).toEqual(before)
  })
})
