// End to end, old server releases (issue 29): a fixture server released like gotify v2.4.0, built
// with Go 1.21.1 in its build image, linking crypto and sys at old versions. Today's module graphs
// need a newer Go to be read (crypto v1.1.0 says go 1.26; term's latest version says go 1.26 and
// retracts one): the action reads them with the runner's tool cache Go, builds with the server's
// Go 1.21.1, and the server's own binary loads the plugin. Then one run across tags back to a
// v2.0.0 without go.mod and a v2.1.0 whose build image cannot be had: a verdict per tag.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { checkoutPlugin, hostGoVersion, runAction } from './support/action-harness.js'
import { runFixtureServer } from './support/fixture-binaries.js'
import { type ServerAsset, fixtureServerSource, serverReleaseAssets } from './support/fixture-server.js'
import { type GitHubServer, createGitHubServer } from './support/github-server.js'
import { type GoProxy, startGoProxy } from './support/goproxy.js'
import { TOOLCHAINS, requireImage } from './support/toolchains.js'

const REPO = 'gotify/server'
const OLD_GO = TOOLCHAINS.old
const SERVER_GO_MOD = 'module example.com/server/v2\n\ngo 1.21\n\nrequire (\n\texample.com/crypto v1.0.0\n\texample.com/dep v1.0.0\n\texample.com/sys v1.0.0\n)\n'
// Like gotify linking x/crypto and x/sys.
const LINKS = 'package main\n\nimport (\n\t"example.com/crypto"\n\t"example.com/sys"\n)\n\nfunc init() { _ = crypto.Sum("server") + sys.Name() }\n'

let github: GitHubServer
let proxy: GoProxy
let hostGo: string
let oldServer: ServerAsset
let newServer: ServerAsset
let hostGoroot: string

beforeAll(async () => {
  await requireImage(`gotify/build:${OLD_GO}-linux-amd64`)
  github = await createGitHubServer()
  proxy = await startGoProxy()
  hostGo = await hostGoVersion()
  hostGoroot = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8' }).trim()
  const source = fixtureServerSource(SERVER_GO_MOD, { name: 'links.go', text: LINKS })
  ;[oldServer] = await serverReleaseAssets(['linux-amd64'], { goVersion: OLD_GO, source }, proxy.url)
  ;[newServer] = await serverReleaseAssets(['linux-amd64'], { goVersion: hostGo, source }, proxy.url)
  const tag = (name: string, files: Record<string, string>, assets: ServerAsset[]): void => {
    github.state.addTag(REPO, name, files)
    const release = github.state.addRelease(REPO, name)
    for (const a of assets) github.state.addAsset(release, a.name, a.zip)
  }
  tag('v2.9.0', { GO_VERSION: `${hostGo}\n`, 'go.mod': SERVER_GO_MOD }, [newServer])
  tag('v2.4.0', { GO_VERSION: `${OLD_GO}\n`, 'go.mod': SERVER_GO_MOD }, [oldServer])
  // Like gotify's first v2 tags: Go 1.12, a go.mod with no go line; no build image of that Go here.
  tag('v2.1.0', { GO_VERSION: '1.12.17\n', 'go.mod': 'module github.com/gotify/server\n\nrequire example.com/dep v1.0.0\n' }, [])
  tag('v2.0.0', { GO_VERSION: '1.12.0\n' }, [])
}, 900_000)

afterAll(async () => {
  await github?.close()
  await proxy?.close()
})

/** A runner's tool cache holding the machine's Go, as actions/setup-go (or GitHub's image) leaves one. */
function toolCacheWithHostGo(): string {
  const toolCache = fs.mkdtempSync(path.join(os.tmpdir(), 'toolcache-'))
  const at = path.join(toolCache, 'go', hostGo, os.arch())
  fs.mkdirSync(path.dirname(at), { recursive: true })
  fs.symlinkSync(hostGoroot, at)
  fs.writeFileSync(`${at}.complete`, '')
  return toolCache
}

const run = (workspace: string, serverVersion: string) =>
  runAction({
    inputs: { 'server-repository': REPO, 'plugin-path': 'plugin', token: 't', 'go-env': `GOPROXY=${proxy.url}\nGOSUMDB=off`, platforms: 'linux-amd64', 'server-version': serverVersion },
    workspace,
    apiUrl: github.url,
    toolCache: toolCacheWithHostGo()
  })

type Report = { changes: unknown[]; platforms: Array<{ builtIn: string; verification: { status: string } }>; versions: Array<Record<string, unknown>> }
const report = (file: string): Report => JSON.parse(fs.readFileSync(file, 'utf8')) as Report
const soOf = (outputs: Record<string, string>, tag: string): string => (JSON.parse(outputs.artifacts) as Array<{ serverVersion: string; path: string }>).find(a => a.serverVersion === tag)?.path ?? ''

test('crypto v1.1.0 (go 1.26) in the graph: read with the tool cache\'s Go, lowered to the server\'s v1.0.0, built with Go 1.21.1, loaded by the server', async () => {
  const workspace = checkoutPlugin('crypto-newer')
  const r = await run(workspace, 'v2.4.0')
  expect(r.errors).toEqual([])
  expect(r.code).toBe(0)
  expect(r.log).toContain(`module graphs are read with go${hostGo} from the tool cache (newer than the server's go${OLD_GO}); the server's Go builds`)
  const rep = report(r.outputs['compat-report'])
  expect(rep.changes).toEqual([{ path: 'example.com/crypto', from: 'v1.1.0', to: 'v1.0.0' }])
  expect(rep.platforms).toEqual([expect.objectContaining({ builtIn: `gotify/build:${OLD_GO}-linux-amd64`, verification: expect.objectContaining({ status: 'loaded' }) })])
  const goMod = fs.readFileSync(path.join(workspace, 'plugin', 'go.mod'), 'utf8')
  expect(goMod).toMatch(/^go 1\.21$/m)
  expect(goMod).not.toMatch(/^toolchain/m)
  expect(await runFixtureServer(oldServer.binaryPath, 'linux-amd64', soOf(r.outputs, 'v2.4.0'))).toMatchObject({ outcome: 'loaded' })
})

test('term\'s latest version says go 1.26 and retracts one: lowering term no longer fails reading those retractions; built with Go 1.21.1, loaded', async () => {
  const r = await run(checkoutPlugin('term-retracted-latest'), 'v2.4.0')
  expect(r.errors).toEqual([])
  expect(r.code).toBe(0)
  expect(report(r.outputs['compat-report']).changes).toEqual(
    expect.arrayContaining([{ path: 'example.com/sys', from: 'v1.1.0', to: 'v1.0.0' }, { path: 'example.com/term', from: 'v1.1.0', to: 'v1.0.0' }])
  )
  expect(await runFixtureServer(oldServer.binaryPath, 'linux-amd64', soOf(r.outputs, 'v2.4.0'))).toMatchObject({ outcome: 'loaded' })
})

test('a go line newer than the server\'s Go: refused, saying lowering it ships (tried in a copy); the plugin\'s go.mod untouched', async () => {
  const workspace = checkoutPlugin('crypto-newer')
  const goModPath = path.join(workspace, 'plugin', 'go.mod')
  fs.writeFileSync(goModPath, fs.readFileSync(goModPath, 'utf8').replace(/^go 1\.21$/m, 'go 1.26'))
  const before = fs.readFileSync(goModPath, 'utf8')
  const r = await run(workspace, 'v2.4.0')
  expect(r.code).toBe(1)
  expect(r.errors.join('\n')).toContain(`says go 1.26, newer than the server's Go ${OLD_GO}`)
  expect(r.errors.join('\n')).toContain(`lowering the go line to ${OLD_GO} ships: tried (in a copy, aligned and compiled with go ${OLD_GO}; the plugin's go.mod is unchanged)`)
  expect(fs.readFileSync(goModPath, 'utf8')).toBe(before)
})

test('one run across tags back to v2.0.0: a verdict per tag, the tags the action cannot build for refused with why, not a failed run', async () => {
  const r = await run(checkoutPlugin('crypto-newer'), 'v2.9.0, v2.4.0, v2.1.0, v2.0.0')
  expect(r.code).toBe(1)
  expect(r.log).not.toMatch(/::error::.*(unexpected|internal)/)
  const versions = report(r.outputs['compat-report']).versions
  expect(versions.map(v => [(v.server as { tag: string }).tag, v.status, v.compatible])).toEqual([
    ['v2.9.0', 'built', true],
    ['v2.4.0', 'built', true],
    ['v2.1.0', 'refused', false],
    ['v2.0.0', 'refused', false]
  ])
  expect(versions[2].refused).toMatch(/^build image gotify\/build:1\.12\.17-linux-amd64 for linux-amd64 cannot be found or pulled/)
  expect(versions[3].refused).toBe('gotify/server has no go.mod at v2.0.0; server-repository must be a Go module')
  const byTag = JSON.parse(r.outputs['by-server-version']) as Record<string, { status: string }>
  expect(Object.fromEntries(Object.entries(byTag).map(([t, v]) => [t, v.status]))).toEqual({ 'v2.9.0': 'built', 'v2.4.0': 'built', 'v2.1.0': 'refused', 'v2.0.0': 'refused' })
  expect(r.summary).toContain(`| v2.9.0 | ${hostGo} | built, loads |`)
  expect(r.summary).toContain(`| v2.4.0 | ${OLD_GO} | built, loads |`)
  expect(r.summary).toMatch(/\| v2\.1\.0 \| 1\.12\.17 \| \*\*refused\*\*: cannot build for gotify\/server v2\.1\.0: build image gotify\/build:1\.12\.17-linux-amd64 for linux-amd64 cannot be found or pulled/)
  expect(r.summary).toContain('| v2.0.0 | - | **refused**: cannot build for gotify/server v2.0.0: gotify/server has no go.mod at v2.0.0; server-repository must be a Go module |')
  // Each built .so loads into its own server.
  expect(await runFixtureServer(newServer.binaryPath, 'linux-amd64', soOf(r.outputs, 'v2.9.0'))).toMatchObject({ outcome: 'loaded' })
  expect(await runFixtureServer(oldServer.binaryPath, 'linux-amd64', soOf(r.outputs, 'v2.4.0'))).toMatchObject({ outcome: 'loaded' })
})
