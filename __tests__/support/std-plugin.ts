// A small plugin that imports only the standard library, planned for build as the
// action plans it (src/compile/plan.ts), with each platform's Docker runner over
// build caches of its own: what the compile tests build in the real images.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { type HostDirs, containerMounts, hostFoldersToCreate } from '../../src/container/layout.js'
import { DockerGoRunner } from '../../src/go-runner/docker.js'
import { planBuilds } from '../../src/compile/plan.js'
import type { Platform } from '../../src/platform.js'
import { requireImage } from './toolchains.js'

const run = promisify(execFile)

export type StdPluginJob = ReturnType<typeof planBuilds>[number]

/** Under `root/name`: the plugin's source and the run's folders, and its build jobs for `platforms`. */
export function stdPluginBuilds(root: string, name: string, platforms: Platform[], goVersion: string): { dirs: HostDirs; jobs: StdPluginJob[]; pluginDir: string } {
  const dirs: HostDirs = { source: path.join(root, name, 'src'), scratch: path.join(root, name, 'scratch'), goModCache: path.join(root, name, 'mod'), goCacheRoot: path.join(root, name, 'gocache'), outputDir: path.join(root, name, 'out') }
  for (const p of platforms) for (const d of hostFoldersToCreate(dirs, p.id)) fs.mkdirSync(d, { recursive: true })
  fs.writeFileSync(path.join(dirs.source, 'go.mod'), 'module example.com/warm\n\ngo 1.21\n')
  fs.writeFileSync(path.join(dirs.source, 'plugin.go'), 'package main\n\nimport (\n\t"fmt"\n\t"strings"\n)\n\nfunc Hello() string { return fmt.Sprint(strings.ToUpper("hi")) }\n')
  const jobs = planBuilds({
    inputs: { platforms, buildImage: 'gotify/build:{go-version}-{platform}', assetName: '{plugin}-{platform}.so', outputDir: dirs.outputDir!, ldflags: '-w -s', buildArgs: [], goEnv: { GOFLAGS: '-mod=mod' }, package: '.' },
    server: { owner: 'gotify', name: 'server', tag: 'v3.0.0', goVersion },
    pluginName: 'warm',
    pluginWorkdir: '/proj'
  })
  return { dirs, jobs, pluginDir: dirs.source }
}

/** How the action runs Go for `job`: in its platform's build image, over `dirs`. */
export const stdPluginRunner = (dirs: HostDirs, job: StdPluginJob, goVersion: string): DockerGoRunner => new DockerGoRunner(job.image, containerMounts(dirs, job.platform.id), {}, goVersion)

/**
 * For a test file: the host's Go version (its build images for `platforms`
 * checked) and a temporary root removed after the file's tests; both are
 * filled before the first test.
 */
export function stdPluginSuite(prefix: string, platforms: Platform[], timeout: number): { root: string; goVersion: string } {
  const suite = { root: '', goVersion: '' }
  beforeAll(async () => {
    suite.goVersion = (await run('go', ['env', 'GOVERSION'])).stdout.trim().replace(/^go/, '')
    for (const p of platforms) await requireImage(`gotify/build:${suite.goVersion}-${p.id}`)
    suite.root = fs.mkdtempSync(path.join(os.tmpdir(), prefix))
  }, timeout)
  afterAll(async () => {
    if (!suite.root) return
    await run('chmod', ['-R', 'u+w', suite.root]).catch(() => undefined)
    fs.rmSync(suite.root, { recursive: true, force: true })
  })
  return suite
}
