/**
 * Release binaries of the fixture server (__tests__/fixtures/server: a host
 * that links example.com/dep and plugin.Open()s its argument), built per
 * platform in the local gotify-style images exactly like gotify's release
 * build: `-mod=readonly -a -installsuffix cgo -ldflags "-w -s -X ..."`, the
 * module cache mounted READ-ONLY at /go/pkg/mod, and zipped like gotify's
 * assets (`gotify-linux-<arch>.zip`: the binary named like the zip, LICENSE,
 * a licenses folder). Built once per content and kept in the temp folder, so
 * test files and runs share them.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { runContainer, runnerUser } from '../../src/container/docker.js'
import { FIXED_GO_ENV } from '../../src/go-runner/runner.js'
import { type Platform, parsePlatform } from '../../src/platform.js'
import { FIXTURES } from './action-harness.js'
import { MODULES_DIR } from './goproxy.js'
import { makeZip } from './zip.js'

export interface ServerBuild {
  /** Go version of the image it was built in (gotify/build:<go>-<platform>). */
  goVersion: string
  /** Source folder of the server module (default: the fixture server). */
  source?: string
  /** Extra `go build` flags, e.g. -trimpath, to make a server that differs from gotify's. */
  flags?: string[]
}

export interface ServerAsset {
  platform: Platform
  /** gotify-linux-arm64.zip */
  name: string
  zip: Buffer
  /** The binary alone, for running it (a host that loads plugins). */
  binaryPath: string
}

const CACHE_ROOT = path.join(os.tmpdir(), 'go-plugin-build-fixtures')

function hashTree(hash: ReturnType<typeof createHash>, dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name)
    hash.update(e.name)
    if (e.isDirectory()) hashTree(hash, p)
    else hash.update(fs.readFileSync(p))
  }
}

/** `gotify-<platform>.zip` per platform; `goproxy` serves the fixture modules. */
export async function serverReleaseAssets(platforms: string[], build: ServerBuild, goproxy: string): Promise<ServerAsset[]> {
  const source = build.source ?? path.join(FIXTURES, 'server')
  const hash = createHash('sha256').update(JSON.stringify([build.goVersion, build.flags ?? []]))
  hashTree(hash, source)
  hashTree(hash, MODULES_DIR)
  const dir = path.join(CACHE_ROOT, `server-${hash.digest('hex').slice(0, 16)}`)
  const out: ServerAsset[] = []
  for (const id of platforms) {
    const platform = parsePlatform(id)
    const name = `gotify-${id}`
    const binaryPath = path.join(dir, name)
    if (!fs.existsSync(binaryPath)) await buildServer(platform, build, source, goproxy, dir, name)
    const licence = Buffer.from('fixture server licence\n')
    out.push({
      platform,
      name: `${name}.zip`,
      zip: makeZip([{ name, data: fs.readFileSync(binaryPath) }, { name: 'LICENSE', data: licence }, { name: 'licenses/dep.txt', data: licence }]),
      binaryPath
    })
  }
  return out
}

async function buildServer(platform: Platform, build: ServerBuild, source: string, goproxy: string, dir: string, name: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true })
  const work = fs.mkdtempSync(path.join(CACHE_ROOT, 'build-'))
  try {
    fs.cpSync(source, path.join(work, 'proj'), { recursive: true })
    fs.mkdirSync(path.join(work, 'mod'))
    fs.mkdirSync(path.join(work, 'out'))
    const image = `gotify/build:${build.goVersion}-${platform.id}`
    const env = { ...FIXED_GO_ENV, GOPROXY: goproxy, GOSUMDB: 'off', GOFLAGS: '-modcacherw' }
    const mounts = (readOnlyCache: boolean) => [
      { host: path.join(work, 'proj'), container: '/proj' },
      { host: path.join(work, 'mod'), container: '/go/pkg/mod', readOnly: readOnlyCache },
      { host: path.join(work, 'out'), container: '/out' }
    ]
    const step = async (command: string[], readOnlyCache: boolean, extraEnv: Record<string, string> = {}): Promise<void> => {
      const r = await runContainer({ image, command, env: { ...env, ...extraEnv }, mounts: mounts(readOnlyCache), workdir: '/proj', user: runnerUser() })
      if (r.code !== 0) throw new Error(`fixture server ${platform.id}: ${command.join(' ')} failed in ${image}:\n${r.output}`)
    }
    // gotify's release: modules fetched beforehand, the cache read-only during the build.
    await step(['go', 'mod', 'tidy'], false)
    await step(['go', 'build', '-mod=readonly', '-a', '-installsuffix', 'cgo', '-ldflags', '-w -s -X main.Version=fixture -X main.Mode=prod', ...(build.flags ?? []), '-o', `/out/${name}`, '.'], true, { GOFLAGS: '' })
    // Atomic: a concurrent test file never sees half a binary.
    const tmp = path.join(dir, `.${name}.${process.pid}`)
    fs.copyFileSync(path.join(work, 'out', name), tmp)
    fs.renameSync(tmp, path.join(dir, name))
  } finally {
    fs.rmSync(work, { recursive: true, force: true })
  }
}

/**
 * The fixture server's source with another go.mod and one more Go file (say,
 * one that links another module), as the server of another release would be:
 * for `serverReleaseAssets(..., { source })`. Kept under the temp folder by
 * content, so its binaries are built once.
 */
export function fixtureServerSource(goMod: string, extraGo?: { name: string; text: string }): string {
  const hash = createHash('sha256').update(JSON.stringify([goMod, extraGo ?? null])).digest('hex').slice(0, 16)
  const dir = path.join(CACHE_ROOT, `server-source-${hash}`)
  if (fs.existsSync(path.join(dir, 'go.mod'))) return dir
  const tmp = `${dir}.${process.pid}`
  fs.rmSync(tmp, { recursive: true, force: true })
  fs.mkdirSync(CACHE_ROOT, { recursive: true })
  fs.cpSync(path.join(FIXTURES, 'server'), tmp, { recursive: true })
  fs.writeFileSync(path.join(tmp, 'go.mod'), goMod)
  if (extraGo) fs.writeFileSync(path.join(tmp, extraGo.name), extraGo.text)
  // Atomic, like the binaries: a concurrent test file sees the whole folder or none.
  try {
    fs.renameSync(tmp, dir)
  } catch {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
  return dir
}
