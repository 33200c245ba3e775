/**
 * The one place that chooses how Go runs (input `builder`): in the server's
 * build images (Docker), or natively with the server's exact Go from the tool
 * cache and the runner's cross C compilers. Everything after this sees a
 * GoRunner per platform, and one for the Go commands that are no platform's
 * build (alignment).
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { StepError } from '../errors.js'
import { type HostDirs, TOOL_CACHE_KEY, containerMounts, goCacheDir } from '../container/layout.js'
import { type Platform, nativeArch } from '../platform.js'
import type { GoRunner } from './runner.js'
import { DockerGoRunner, containerPath } from './docker.js'
import { NativeGoRunner } from './native.js'
import { type CrossCompiler, checkCompilers, compilerProblem } from './cross-compilers.js'
import { installGo } from './go-install.js'
import { prepareCachePath } from './module-cache-path.js'
import { type GoAtHand, ReadingGo } from './reading-go.js'

/** The builder input: Go in the server's build images, or the server's Go natively. */
export type Builder = 'docker' | 'native'

export interface GoRunners {
  builder: Builder
  /** Go commands that are no platform's build, with the server's Go: linux-amd64's image, or the native Go. */
  tool: GoRunner
  /** Alignment's reading of module graphs: the newest Go at hand (reading-go.ts), in the same place as `tool`. */
  reading: ReadingGo
  forPlatform(p: Platform): GoRunner
  /** How go sees a host folder (the same for every runner of one builder). */
  pathOf(hostPath: string): string
  /** The host folder that holds the modules (go-mod-cache, or /go/pkg/mod when that is a folder of its own). */
  goModCache: string
}

/** What can be known before anything is written: for the native builder, every platform's C compiler. */
export type BuilderCheck = { builder: 'docker' } | { builder: 'native'; compilers: Map<string, CrossCompiler> }

/** Fails, before anything is written, when the builder cannot build every platform on this runner. */
export function checkBuilder(builder: Builder, platforms: Platform[], runnerOs: string = process.platform): BuilderCheck {
  if (builder === 'docker') return { builder }
  if (runnerOs !== 'linux') throw new StepError(`builder native: the runner is ${runnerOs}; Go plugins are built on linux runners (or use builder: docker)`)
  const check = checkCompilers(platforms, nativeArch())
  const problem = compilerProblem(check)
  if (problem) throw new StepError(problem)
  return { builder, compilers: check.compilers }
}

/** How go sees host folders with a builder: through the containers' mounts, or as they are. Pure. */
export function pathsSeenBy(builder: Builder, dirs: HostDirs): (hostPath: string) => string {
  if (builder === 'native') return h => path.resolve(h)
  const mounts = containerMounts(dirs, TOOL_CACHE_KEY)
  return h => containerPath(mounts, h)
}

/** Where a Go that reads module graphs is mounted in the tool image. */
const READING_GOROOT = '/opt/go-reading'

/** One runner per platform, made once. */
function perPlatform(make: (p: Platform) => GoRunner): (p: Platform) => GoRunner {
  const made = new Map<string, GoRunner>()
  return p => {
    const r = made.get(p.id) ?? make(p)
    made.set(p.id, r)
    return r
  }
}

export interface RunnersOptions {
  /** The server's Go: every runner must hold exactly it. */
  goVersion: string
  dirs: HostDirs
  platforms: Platform[]
  /** Docker: the build image of a platform, and of the Go commands that are no platform's build. */
  imageFor: (p: Platform) => string
  toolImage: string
  /** go-env (and what the runner's certificates need) for alignment; builds and the loader pass their own. */
  goEnv: Record<string, string>
  goDownloadBaseUrl: string
  log: (line: string) => void
}

export async function prepareGoRunners(check: BuilderCheck, o: RunnersOptions): Promise<GoRunners> {
  if (check.builder === 'docker') {
    // The images were checked to hold the server's Go before anything was written (run/plan.ts).
    const toolMounts = containerMounts({ ...o.dirs, outputDir: undefined }, TOOL_CACHE_KEY)
    const tool = new DockerGoRunner(o.toolImage, toolMounts, o.goEnv, o.goVersion)
    // Another Go reads in the same container: the tool cache's folder mounted read-only (Go's own binaries are static).
    const mounted = (go: GoAtHand): DockerGoRunner =>
      new DockerGoRunner(o.toolImage, [...toolMounts, { host: fs.realpathSync(go.goroot), container: READING_GOROOT, readOnly: true }], o.goEnv, go.version, READING_GOROOT)
    return {
      builder: 'docker',
      tool,
      reading: new ReadingGo({ server: tool, serverGo: o.goVersion, runnerFor: mounted, downloadBaseUrl: o.goDownloadBaseUrl, log: o.log }),
      forPlatform: perPlatform(p => new DockerGoRunner(o.imageFor(p), containerMounts(o.dirs, p.id), {}, o.goVersion)),
      pathOf: pathsSeenBy('docker', o.dirs),
      goModCache: o.dirs.goModCache
    }
  }
  const cachePath = await prepareCachePath(o.dirs.goModCache)
  o.log(`Module cache: ${cachePath.note}`)
  const { goroot } = await installGo({ goVersion: o.goVersion, baseUrl: o.goDownloadBaseUrl, log: o.log })
  const native = (cacheKey: string, env: Record<string, string>, p?: Platform, go: GoAtHand = { goroot, version: o.goVersion }): NativeGoRunner =>
    new NativeGoRunner({
      goroot: go.goroot,
      goVersion: go.version,
      compiler: p ? check.compilers.get(p.id) : undefined,
      goCache: goCacheDir(o.dirs, cacheKey),
      goPath: path.join(o.dirs.scratch, 'gopath'),
      env
    })
  const tool = native(TOOL_CACHE_KEY, o.goEnv)
  return {
    builder: 'native',
    tool,
    reading: new ReadingGo({ server: tool, serverGo: o.goVersion, runnerFor: go => native(TOOL_CACHE_KEY, o.goEnv, undefined, go), downloadBaseUrl: o.goDownloadBaseUrl, log: o.log }),
    forPlatform: perPlatform(p => native(p.id, {}, p)),
    pathOf: pathsSeenBy('native', o.dirs),
    goModCache: cachePath.hostFolder
  }
}
