// The sandbox on the real engine and natively: a plugin whose init() writes
// into the module cache, the workspace, the output and scratch folders,
// connects to a listener on 127.0.0.1 and hunts for the token in every
// process's environment is verified by the stand-in loader. Nothing changes,
// nothing connects, no secret is seen, and the plugin is still proven loaded.
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as net from 'node:net'
import * as os from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { runContainer, runnerUser } from '../../src/container/docker.js'
import { type HostDirs, IN_CONTAINER, containerMounts, hostFoldersToCreate } from '../../src/container/layout.js'
import { runSandboxed } from '../../src/container/sandbox.js'
import { DockerGoRunner, containerPath } from '../../src/go-runner/docker.js'
import { FIXED_GO_ENV, type GoRunner } from '../../src/go-runner/runner.js'
import { parsePlatform } from '../../src/platform.js'
import { verifyArtifacts } from '../../src/verify/loader-witness.js'
import { FIXTURES, fileTree, hostGoVersion } from '../support/action-harness.js'
import { HostGoRunner, chmodWritable } from '../support/host-go-runner.js'

const run = promisify(execFile)
const AMD64 = parsePlatform('linux-amd64')
const SECRET = 'GOPLUGINBUILD_TEST_CANARY'

let listener: net.Server
let port: number
const connections: string[] = []
beforeAll(async () => {
  listener = net.createServer(s => {
    connections.push('connected')
    s.on('data', d => connections.push(d.toString()))
  })
  await new Promise<void>(resolve => listener.listen(0, '127.0.0.1', resolve))
  port = (listener.address() as net.AddressInfo).port
  // What the action's own process holds (its token): the plugin must not find it anywhere.
  process.env[SECRET] = 'canary-value-4711'
})
afterAll(async () => {
  delete process.env[SECRET]
  await new Promise(resolve => listener.close(resolve))
})

interface Setup {
  root: string
  dirs: HostDirs
  plugin: string
}

/** A workspace with the hostile plugin aimed at these folders and the listener; in a container also at the build containers' paths (natively those would be the machine's own). */
function setup(inContainer: boolean): Setup {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-int-'))
  const dirs: HostDirs = { source: path.join(root, 'ws'), scratch: path.join(root, 'scratch'), goModCache: path.join(root, 'mod'), goCacheRoot: path.join(root, 'gocache'), outputDir: path.join(root, 'out') }
  for (const d of hostFoldersToCreate(dirs, AMD64.id)) fs.mkdirSync(d, { recursive: true })
  // Something to tamper with in the module cache, as a release build would compile it.
  fs.mkdirSync(path.join(dirs.goModCache, 'example.com', 'dep@v1.0.0'), { recursive: true })
  fs.writeFileSync(path.join(dirs.goModCache, 'example.com', 'dep@v1.0.0', 'dep.go'), 'package dep\n')
  const plugin = path.join(dirs.source, 'plugin')
  fs.cpSync(path.join(FIXTURES, 'plugins', 'hostile-init'), plugin, { recursive: true })
  const targets = [dirs.goModCache, plugin, dirs.source, dirs.outputDir!, dirs.scratch, ...(inContainer ? [...Object.values(IN_CONTAINER), `${IN_CONTAINER.source}/plugin`] : [])]
  fs.writeFileSync(
    path.join(plugin, 'targets.go'),
    `package main\n\nfunc targetDirs() []string { return ${JSON.stringify(targets).replace(/^\[/, '[]string{').replace(/\]$/, '}')} }\n\nfunc listener() string { return "127.0.0.1:${port}" }\n\nfunc secretName() string { return ${JSON.stringify(SECRET)} }\n`
  )
  return { root, dirs, plugin }
}

function cleanup(s: Setup): void {
  chmodWritable(s.root)
  fs.rmSync(s.root, { recursive: true, force: true })
}

/** Every file the plugin's init() could have left, anywhere under the root. */
function leftovers(dir: string): string[] {
  return Object.keys(fileTree(dir)).filter(f => /(written|made)-by-plugin-init/.test(f))
}

async function verifyHostile(s: Setup, runner: GoRunner): Promise<{ verdict: Awaited<ReturnType<typeof verifyArtifacts>>[number]; lines: string[]; before: Record<string, string> }> {
  const so = path.join(s.dirs.outputDir!, 'hostile.so')
  const before = { ...fileTree(s.dirs.source), ...prefixed('mod', fileTree(s.dirs.goModCache)), ...prefixed('out', fileTree(s.dirs.outputDir!)) }
  const lines: string[] = []
  const [verdict] = await verifyArtifacts({
    artifacts: [{ platform: AMD64, path: so }],
    runnerFor: () => runner,
    serverModules: [],
    serverGoVersion: await hostGoVersion(),
    plugin: { dir: s.plugin, package: '.' },
    symbols: ['GetGotifyPluginInfo', 'NewGotifyPluginInstance'],
    dirs: s.dirs,
    goEnv: { GOPROXY: 'off', GOSUMDB: 'off' },
    concurrency: 1,
    log: (_p, l) => lines.push(l)
  })
  return { verdict, lines, before }
}

const prefixed = (p: string, tree: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(tree).map(([k, v]) => [`${p}/${k}`, v]))

function expectNothingReached(s: Setup, r: Awaited<ReturnType<typeof verifyHostile>>): void {
  // The proof stands: plugin.Open loaded it and found the symbols.
  expect(r.verdict).toMatchObject({ platform: 'linux-amd64', status: 'loaded', method: 'native' })
  expect(leftovers(s.root)).toEqual([])
  const after = { ...fileTree(s.dirs.source), ...prefixed('mod', fileTree(s.dirs.goModCache)), ...prefixed('out', fileTree(s.dirs.outputDir!)) }
  expect(after).toEqual(r.before)
  expect(connections).toEqual([])
  // Writes may land in the sandbox's own tmpfs (natively /tmp, where this test's folders lie), never on the host.
  expect(r.lines.filter(l => /hostile-init: (connected|found)/.test(l))).toEqual([])
  expect(r.lines.join('\n')).not.toContain('canary-value-4711')
}

test('Docker builder: the loader runs in the sandbox container, and the hostile init reaches nothing', async () => {
  const s = setup(true)
  try {
    const goVersion = await hostGoVersion()
    const image = `gotify/build:${goVersion}-linux-amd64`
    const mounts = containerMounts(s.dirs, AMD64.id)
    // Built like the action builds: in the image, module cache at /go/pkg/mod.
    const b = await runContainer({ image, command: ['go', 'build', '-buildmode=plugin', '-ldflags=-w -s', '-o', '/out/hostile.so', '.'], env: { ...FIXED_GO_ENV, GOPROXY: 'off', GOFLAGS: '-modcacherw' }, mounts, workdir: containerPath(mounts, s.plugin), user: runnerUser() })
    expect(b.output).toBe('')
    const r = await verifyHostile(s, new DockerGoRunner(image, mounts, {}, goVersion))
    expectNothingReached(s, r)
  } finally {
    cleanup(s)
  }
}, 600_000)

test('native builder: the loader runs in new namespaces as nobody, and the hostile init reaches nothing', async () => {
  const s = setup(false)
  const go = HostGoRunner.create('off', path.join(s.root, 'host-go'))
  try {
    const b = await go.go(['build', '-buildmode=plugin', '-ldflags=-w -s', '-o', path.join(s.dirs.outputDir!, 'hostile.so'), '.'], { dir: s.plugin })
    expect(b.output).toBe('')
    const r = await verifyHostile(s, go)
    expectNothingReached(s, r)
  } finally {
    cleanup(s)
  }
}, 600_000)

test('a program past its time limit is stopped, in the container and natively', async () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-limit-'))
  try {
    const image = `gotify/build:${await hostGoVersion()}-linux-amd64`
    for (const host of [{ kind: 'container' as const, image }, { kind: 'runner' as const }]) {
      const started = Date.now()
      const r = await runSandboxed(host, { files: [], command: ['sleep', '600'], timeoutSeconds: 2, scratch })
      expect(r).toMatchObject({ ran: true, code: 124 })
      expect(Date.now() - started).toBeLessThan(60_000)
    }
    expect((await run('docker', ['ps', '--filter', 'name=gopluginbuild-sandbox-', '--format', '{{.Names}}'])).stdout.trim()).toBe('')
    // Each sandbox folder is removed afterwards.
    expect(fs.readdirSync(scratch).filter(f => f.startsWith('sandbox-') && !f.startsWith('sandbox-probe-'))).toEqual([])
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true })
  }
}, 120_000)
