/**
 * Installs exactly the server's Go for the native builder, with
 * @actions/tool-cache: found in the runner's tool cache (also where
 * actions/setup-go and GitHub's images keep Go), else downloaded from
 * go-download-base-url, checked against the published sha256
 * (src/go-runner/go-download.ts), extracted and cached. The `go` on PATH is
 * never used.
 */
import * as tc from '@actions/tool-cache'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { DiskFullError, StepError, asDiskFull, diskFull, namedFolder } from '../errors.js'
import { goReleaseNameOf, sameGoRelease } from '../go-version.js'
import { nativeArch } from '../platform.js'
import { runProgram } from '../container/program.js'
import { GO_TOOL, archiveUrl, checksumFileUrl, checksumListUrl, goArchiveName, goToolCacheVersion, sha256FromFile, sha256FromList, stableReleasesIn } from './go-download.js'

export interface GoInstall {
  goroot: string
  /** false: found in the tool cache. */
  downloaded: boolean
}

export interface GoInstallOptions {
  goVersion: string
  baseUrl: string
  log: (line: string) => void
  /** Go's name of the runner's architecture; default this machine's. */
  runnerArch?: string
}

const firstLine = (e: unknown): string => ((e as Error)?.message ?? String(e)).split('\n')[0]
const httpWhy = (e: unknown): string => {
  const status = (e as { httpStatusCode?: number }).httpStatusCode
  return status ? `HTTP ${status}` : firstLine(e)
}

/** The Go release a GOROOT holds, by running its go (`go version`: older Go has no GOVERSION). */
export async function goVersionAt(goroot: string): Promise<string> {
  const r = await runProgram(path.join(goroot, 'bin', 'go'), ['version'], { cwd: os.tmpdir(), env: { GOTOOLCHAIN: 'local', GOENV: 'off' } })
  return r.code === 0 ? (/\bgo version (go\S+)/.exec(r.stdout)?.[1] ?? '') : ''
}

export async function installGo(o: GoInstallOptions): Promise<GoInstall> {
  const want = goReleaseNameOf(o.goVersion)
  const version = goToolCacheVersion(o.goVersion)
  const cached = tc.find(GO_TOOL, version)
  if (cached) {
    const got = await goVersionAt(cached)
    if (sameGoRelease(got, o.goVersion)) {
      o.log(`${want} found in the tool cache: ${cached}`)
      return { goroot: cached, downloaded: false }
    }
    o.log(`the tool cache's Go ${version} (${cached}) reports ${got || 'nothing'}, not ${want}: installing it again`)
  }

  const file = goArchiveName(o.goVersion, o.runnerArch ?? nativeArch())
  const sha256 = await publishedSha256(o.baseUrl, file)
  const url = archiveUrl(o.baseUrl, file)
  o.log(`${want}: downloading ${url} (sha256 ${sha256.value} from ${sha256.from})`)
  let archive: string
  try {
    archive = await tc.downloadTool(url)
  } catch (e) {
    const full = asDiskFull(e, `go-download-base-url: downloading ${file}`, namedFolder(process.env.RUNNER_TEMP || os.tmpdir()))
    if (full !== e) throw full
    throw new StepError(`go-download-base-url: downloading ${url} failed (${httpWhy(e)}); re-run later, or set go-download-base-url to a mirror that serves ${file}`)
  }
  try {
    const got = await sha256Of(archive)
    if (got !== sha256.value) {
      throw new StepError(`go-download-base-url: ${url} has sha256 ${got}, but ${sha256.from} says ${sha256.value}: refused, nothing installed (a corrupt or altered download); re-run, or check the mirror`)
    }
    const extracted = await extractGoArchive(archive, file)
    const root = path.join(extracted, 'go')
    if (!fs.existsSync(path.join(root, 'bin', 'go'))) throw new StepError(`go-download-base-url: ${file} holds no go/bin/go: it is not a Go release archive`)
    // The extracted copy stays in RUNNER_TEMP, which the runner empties after every job (removing it here costs seconds).
    const goroot = await tc.cacheDir(root, GO_TOOL, version).catch((e: unknown) => {
      throw asDiskFull(e, `${want}: keeping it in the tool cache`, namedFolder(process.env.RUNNER_TOOL_CACHE ?? root))
    })
    const got2 = await goVersionAt(goroot)
    if (!sameGoRelease(got2, o.goVersion)) throw new StepError(`go-download-base-url: ${file} holds ${got2 || 'a go that does not run here'}, not ${want}`)
    o.log(`${want}: checked, extracted and cached in the tool cache: ${goroot}`)
    return { goroot, downloaded: true }
  } finally {
    fs.rmSync(archive, { force: true })
  }
}

// A Go release is about 250 MB unpacked.
const EXTRACT_TIMEOUT_MS = 600_000

/** Unpacks a Go archive into a new folder of RUNNER_TEMP with the runner's tar (not tc.extractTar: it hands tar the whole environment). */
async function extractGoArchive(archive: string, file: string): Promise<string> {
  const dest = fs.mkdtempSync(path.join(process.env.RUNNER_TEMP || os.tmpdir(), 'go-'))
  const r = await runProgram('tar', ['-xzf', archive, '-C', dest, '--no-same-owner'], { timeoutMs: EXTRACT_TIMEOUT_MS })
  if (r.code !== 0) {
    fs.rmSync(dest, { recursive: true, force: true })
    const full = diskFull(r.stderr)
    if (full) throw new DiskFullError(`go-download-base-url: extracting ${file}`, namedFolder(dest), full.code)
    const why = r.timedOut ? `not done within ${EXTRACT_TIMEOUT_MS / 60_000} min` : (r.stderr.trim().split('\n').pop() ?? `exit ${r.code}`)
    throw new StepError(`go-download-base-url: ${file} could not be extracted (${why})`)
  }
  return dest
}

/** The sha256 the base URL publishes for `file`: its checksum list, else a .sha256 file beside it. */
async function publishedSha256(base: string, file: string): Promise<{ value: string; from: string }> {
  const listUrl = checksumListUrl(base)
  let listWhy: string
  try {
    const value = sha256FromList(await downloadText(listUrl), file)
    if (value) return { value, from: listUrl }
    listWhy = `does not list ${file}`
  } catch (e) {
    listWhy = e instanceof SyntaxError ? 'is not a JSON checksum list' : httpWhy(e)
  }
  const fileUrl = checksumFileUrl(base, file)
  let fileWhy: string
  try {
    const value = sha256FromFile(await downloadText(fileUrl))
    if (value) return { value, from: fileUrl }
    fileWhy = 'holds no sha256'
  } catch (e) {
    fileWhy = httpWhy(e)
  }
  throw new StepError(
    `go-download-base-url: no published sha256 for ${file}: ${listUrl} ${listWhy}, and ${fileUrl}: ${fileWhy}; a mirror must serve Go's checksum list (?mode=json&include=all) or a .sha256 file beside each archive (Go is never installed unchecked)`
  )
}

/** The stable Go releases the base URL's checksum list offers for `runnerArch`; empty when it serves none. */
export async function listedGoReleases(base: string, runnerArch: string): Promise<string[]> {
  try {
    return stableReleasesIn(await downloadText(checksumListUrl(base)), runnerArch)
  } catch {
    return []
  }
}

async function downloadText(url: string): Promise<string> {
  const file = await tc.downloadTool(url)
  try {
    return fs.readFileSync(file, 'utf8')
  } finally {
    fs.rmSync(file, { force: true })
  }
}

function sha256Of(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256')
    fs.createReadStream(file)
      .on('data', d => hash.update(d))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')))
  })
}
