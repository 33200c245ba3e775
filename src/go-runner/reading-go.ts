/**
 * The Go that alignment reads and moves the plugin's module graph with. The
 * server's own Go can be too old to read today's graphs even where alignment
 * ends below it: a module of the plugin's build list, or the latest version of
 * a module whose retractions `go get` reads (Go before 1.22 fails on it), can
 * say a newer `go` line. So alignment's go commands run with the newest Go at
 * hand: the runner's tool cache (actions/setup-go's Go, GitHub's images'),
 * never older than the server's. When go still says a graph needs a newer one
 * (`requires go >= X`), that Go is installed through the tool cache
 * (go-download-base-url, checked like the native builder's) and the command
 * runs again. GOTOOLCHAIN stays `local`: go never fetches a toolchain itself.
 * The build, and the last word on the aligned go.mod, stay the server's Go.
 */
import * as tc from '@actions/tool-cache'
import type { SandboxHost } from '../container/sandbox.js'
import { compareGoVersions, goReleaseNameOf, parseGoVersion, sameGoRelease } from '../go-version.js'
import { nativeArch } from '../platform.js'
import { GO_TOOL, goToolCacheVersion } from './go-download.js'
import { goVersionAt, installGo, listedGoReleases } from './go-install.js'
import type { GoResult, GoRunner, RunOptions, VersionedGoRunner } from './runner.js'

/** A Go on the runner: its version and GOROOT. */
export interface GoAtHand {
  version: string
  goroot: string
}

const newer = (a: string, b: string): boolean => {
  const [x, y] = [parseGoVersion(a), parseGoVersion(b)]
  return x !== undefined && y !== undefined && compareGoVersions(x, y) > 0
}

/** Pure: the newest Go of `atHand` that is newer than `floor` (the server's Go). */
export function newestAbove(atHand: GoAtHand[], floor: string): GoAtHand | undefined {
  return atHand.filter(g => newer(g.version, floor)).reduce<GoAtHand | undefined>((best, g) => (!best || newer(g.version, best.version) ? g : best), undefined)
}

/** Pure: the Go a failed go command asks for (`... requires go >= 1.26 (running go 1.21.1; GOTOOLCHAIN=local)`). */
export function goAskedFor(stderr: string): { needs: string; running: string } | undefined {
  const m = /requires go >= (\S+?) \(running go (\S+?)[;)]/.exec(stderr)
  return m && parseGoVersion(m[1]) ? { needs: m[1], running: m[2] } : undefined
}

/**
 * Pure: the release to install for a Go that `needs` a version: the newest
 * stable release the download site lists that is at least it, else the release
 * `needs` names (`1.26` is the language version of go1.26.0).
 */
export function releaseFor(needs: string, listed: string[]): string {
  const best = listed.filter(v => !newer(needs, v)).reduce<string | undefined>((b, v) => (!b || newer(v, b) ? v : b), undefined)
  if (best) return best
  const v = parseGoVersion(needs)
  if (!v || v.pre || /^\d+\.\d+\.\d+/.test(v.text) || v.minor < 21) return v?.text ?? needs
  return `${v.major}.${v.minor}.0`
}

/** Go releases in the runner's tool cache (its architecture), with their GOROOT. */
export function toolCacheGos(): GoAtHand[] {
  return tc.findAllVersions(GO_TOOL).flatMap(version => {
    const goroot = tc.find(GO_TOOL, version)
    return goroot ? [{ version, goroot }] : []
  })
}

export interface ReadingGoOptions {
  /** The server's own Go: it reads when nothing newer is at hand. */
  server: GoRunner
  serverGo: string
  /** A runner for another Go on the runner, the same as the server's in every other way (folders, environment). */
  runnerFor: (go: GoAtHand) => GoRunner
  /** go-download-base-url: where a Go a graph asks for is installed from; undefined: none is. */
  downloadBaseUrl?: string
  log: (line: string) => void
  /** The Go releases at hand (default: the tool cache's). */
  atHand?: () => GoAtHand[]
}

// One install per Go release and run, whichever version of the run asks first.
const installs = new Map<string, Promise<GoAtHand | { why: string }>>()

/** The runner of the newest Go at hand, upgraded when a command says the graph needs a newer one. */
export class ReadingGo implements VersionedGoRunner {
  readonly builder: 'docker' | 'native'
  private current?: { runner: GoRunner; version: string }
  private readonly refused = new Map<string, string>()

  constructor(private readonly o: ReadingGoOptions) {
    this.builder = o.server.builder
  }

  get where(): string {
    return this.current?.runner.where ?? this.o.server.where
  }

  /** The Go version reading now. */
  async goVersion(): Promise<string> {
    return (await this.chosen()).version
  }

  async go(args: string[], opts: RunOptions): Promise<GoResult> {
    let at = await this.chosen()
    let r = await at.runner.go(args, opts)
    for (let tries = 0; tries < 2 && r.code !== 0 && !opts.signal?.aborted; tries++) {
      const asked = goAskedFor(r.stderr)
      if (!asked || !newer(asked.needs, at.version)) break
      const next = await this.upgrade(asked.needs)
      if (!next) break
      at = next
      r = await at.runner.go(args, opts)
    }
    return r
  }

  exec(command: string[], opts: RunOptions): Promise<GoResult> {
    return this.o.server.exec(command, opts)
  }

  pathOf(hostPath: string): string {
    return this.o.server.pathOf(hostPath)
  }

  /** Reading runs no plugin code; a program that does runs in the server's runner's sandbox. */
  get sandbox(): SandboxHost {
    return this.o.server.sandbox
  }

  private async chosen(): Promise<{ runner: GoRunner; version: string }> {
    if (this.current) return this.current
    const best = await this.checked(newestAbove((this.o.atHand ?? toolCacheGos)(), this.o.serverGo))
    this.current = best ? { runner: this.o.runnerFor(best), version: best.version } : { runner: this.o.server, version: this.o.serverGo }
    if (best) this.o.log(`module graphs are read with ${goReleaseNameOf(best.version)} from the tool cache (newer than the server's ${goReleaseNameOf(this.o.serverGo)}); the server's Go builds`)
    return this.current
  }

  /** A Go at hand that really is the version its folder says. */
  private async checked(go: GoAtHand | undefined): Promise<GoAtHand | undefined> {
    if (!go) return undefined
    return sameGoRelease(await goVersionAt(go.goroot), go.version) ? go : undefined
  }

  private async upgrade(needs: string): Promise<{ runner: GoRunner; version: string } | undefined> {
    const known = this.refused.get(needs)
    if (known !== undefined) return undefined
    const atHand = newestAbove((this.o.atHand ?? toolCacheGos)().filter(g => !newer(needs, g.version)), this.o.serverGo)
    const got = (await this.checked(atHand)) ?? (await this.install(needs))
    if ('why' in got) {
      this.refused.set(needs, got.why)
      this.o.log(`the module graph needs go >= ${needs} to be read, and none could be had: ${got.why}`)
      return undefined
    }
    this.current = { runner: this.o.runnerFor(got), version: got.version }
    this.o.log(`the module graph needs go >= ${needs} to be read: reading it with ${goReleaseNameOf(got.version)}`)
    return this.current
  }

  private install(needs: string): Promise<GoAtHand | { why: string }> {
    const base = this.o.downloadBaseUrl
    if (base === undefined) return Promise.resolve({ why: 'no Go is installed here' })
    const started = installs.get(needs) ?? (async (): Promise<GoAtHand | { why: string }> => {
      const version = releaseFor(needs, await listedGoReleases(base, nativeArch()))
      try {
        const { goroot } = await installGo({ goVersion: version, baseUrl: base, log: this.o.log })
        return { version: goToolCacheVersion(version), goroot }
      } catch (e) {
        return { why: (e as Error).message.split('\n')[0] }
      }
    })()
    installs.set(needs, started)
    return started
  }
}
