// The Go alignment reads module graphs with, for real: an old server's Go (1.21.1) cannot read a
// plugin whose build list holds crypto v1.1.0 (go 1.26); the newest Go of the runner's tool cache
// reads it, and with none there, the Go the graph asks for is installed from a Go download site
// on 127.0.0.1 (the machine's own toolchain as a release archive) and the command runs again.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { ReadingGo, toolCacheGos } from '../../src/go-runner/reading-go.js'
import { type GoReleaseSite, serveGoRelease } from '../support/go-release.js'
import { type GoProxy, startGoProxy } from '../support/goproxy.js'
import { HostGoRunner, chmodWritable } from '../support/host-go-runner.js'
import { TOOLCHAINS, fetchedGoroot } from '../support/toolchains.js'

const PLUGIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'plugins', 'crypto-newer')

let root: string
let proxy: GoProxy
let base: HostGoRunner
let server: HostGoRunner
let hostGoroot: string
let site: GoReleaseSite | undefined

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'reading-go-'))
  proxy = await startGoProxy()
  base = HostGoRunner.create(proxy.url, path.join(root, 'go'))
  server = base.withGoroot(await fetchedGoroot(TOOLCHAINS.old))
  hostGoroot = (await base.go(['env', 'GOROOT'], { dir: root })).stdout.trim()
})

afterAll(async () => {
  await proxy.close()
  await site?.close()
  chmodWritable(root)
  fs.rmSync(root, { recursive: true, force: true })
})

/** A fresh runner: its tool cache (optionally holding the machine's Go, as actions/setup-go leaves one) and temp folder. */
function freshRunner(name: string, withHostGo: boolean): void {
  const toolCache = path.join(root, name, 'tool-cache')
  fs.mkdirSync(path.join(root, name, 'temp'), { recursive: true })
  process.env.RUNNER_TOOL_CACHE = toolCache
  process.env.RUNNER_TEMP = path.join(root, name, 'temp')
  fs.mkdirSync(toolCache, { recursive: true })
  if (!withHostGo) return
  const at = path.join(toolCache, 'go', TOOLCHAINS.host, os.arch())
  fs.mkdirSync(path.dirname(at), { recursive: true })
  fs.symlinkSync(hostGoroot, at)
  fs.writeFileSync(`${at}.complete`, '')
}

function plugin(): string {
  const dir = fs.mkdtempSync(path.join(root, 'plugin-'))
  fs.cpSync(PLUGIN, dir, { recursive: true })
  return dir
}

const listAll = ['list', '-m', '-mod=mod', 'all']

test('the server\'s Go cannot read the graph; the tool cache\'s newer Go reads it, and says so once', async () => {
  freshRunner('tool-cache', true)
  const dir = plugin()
  expect((await server.go(listAll, { dir })).stderr).toContain('example.com/crypto@v1.1.0 requires go >= 1.26 (running go 1.21.1')
  const lines: string[] = []
  const reading = new ReadingGo({ server, serverGo: TOOLCHAINS.old, runnerFor: go => base.withGoroot(go.goroot), log: l => lines.push(l) })
  const r = await reading.go(listAll, { dir })
  expect(r.code).toBe(0)
  expect(r.stdout).toContain('example.com/crypto v1.1.0')
  expect(await reading.goVersion()).toBe(TOOLCHAINS.host)
  expect(toolCacheGos()).toEqual([{ version: TOOLCHAINS.host, goroot: path.join(process.env.RUNNER_TOOL_CACHE ?? '', 'go', TOOLCHAINS.host, os.arch()) }])
  expect(lines).toEqual([`module graphs are read with go${TOOLCHAINS.host} from the tool cache (newer than the server's go${TOOLCHAINS.old}); the server's Go builds`])
})

test('nothing newer at hand and nowhere to install from: the command\'s own error stands, and the log says why', async () => {
  freshRunner('nothing', false)
  const lines: string[] = []
  const reading = new ReadingGo({ server, serverGo: TOOLCHAINS.old, runnerFor: go => base.withGoroot(go.goroot), log: l => lines.push(l) })
  const r = await reading.go(listAll, { dir: plugin() })
  expect(r.code).not.toBe(0)
  expect(r.stderr).toContain('requires go >= 1.26 (running go 1.21.1')
  expect(await reading.goVersion()).toBe(TOOLCHAINS.old)
  expect(lines).toEqual(['the module graph needs go >= 1.26 to be read, and none could be had: no Go is installed here'])
})

test('nothing newer at hand: the Go the graph asks for is installed from go-download-base-url (the newest it lists), checked, cached, and the command runs again', async () => {
  freshRunner('install', false)
  site = await serveGoRelease({ checksums: ['list'] })
  const lines: string[] = []
  const reading = new ReadingGo({ server, serverGo: TOOLCHAINS.old, runnerFor: go => base.withGoroot(go.goroot), downloadBaseUrl: site.url, log: l => lines.push(l) })
  const r = await reading.go(listAll, { dir: plugin() })
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  expect(await reading.goVersion()).toBe(site.goVersion)
  expect(site.log).toEqual(['/dl/?mode=json&include=all', '/dl/?mode=json&include=all', `/dl/${site.archive.name}`])
  expect(lines[lines.length - 1]).toBe(`the module graph needs go >= 1.26 to be read: reading it with go${site.goVersion}`)
  // Cached in the tool cache: the next run's reading Go is at hand.
  expect(toolCacheGos().map(g => g.version)).toEqual([site.goVersion])
})
