/**
 * Gets the server's release binary for a platform: found in the runner's tool
 * cache, or downloaded through the GitHub API with the token (private servers,
 * GHES), extracted, and cached as tool `<owner>-<name>-binary`, version = the
 * server tag, arch = the platform, so a self-hosted runner downloads it once.
 */
import * as tc from '@actions/tool-cache'
import { randomUUID } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import * as semver from 'semver'
import { StepError, asDiskFull, namedFolder } from '../errors.js'
import { type GitHubApi, type ReleaseAsset, apiPath } from '../github/api.js'
import { assetShape, idShape } from '../github/shapes.js'
import type { Platform } from '../platform.js'
import { isElfExecutable } from '../binary/executable.js'
import { MAX_SERVER_BINARY_BYTES, extractServerBinary, limitText } from './archive-binary.js'
import { type ArchiveKind, type ServerBinarySetting, chooseBinaryAsset, shownName } from './binary-asset.js'
import { DEFAULT_LIMITS, DownloadError, downloadFile } from '../http/download.js'

export interface ServerBinary {
  platform: Platform
  /** The release asset it came from, e.g. gotify-linux-arm64.zip: the witness's name. */
  assetName: string
  /** The extracted binary on the runner. */
  path: string
  /** Whether this run downloaded it (false: found in the tool cache). */
  downloaded: boolean
}

export type BinaryLookup = { found: true; binary: ServerBinary } | { found: false; why: string }

export interface BinaryFetchOptions {
  api: GitHubApi
  token: string
  server: { owner: string; name: string; tag: string }
  /** A binary file (server-binary with a /) is no release asset: binary-file.ts. */
  setting: Exclude<ServerBinarySetting, { kind: 'file' }>
  /** asset-name placeholders per platform, for a template setting. */
  valuesFor: (p: Platform) => Record<string, string>
  log: (line: string) => void
}

/** The tool-cache entry: semver-like tags as they are, any other tag made into a valid version. */
export function toolCacheVersion(tag: string): string {
  if (semver.valid(semver.clean(tag))) return tag
  return `0.0.0-tag.${Buffer.from(tag).toString('hex')}`
}

export const toolName = (server: { owner: string; name: string }): string => `${server.owner}-${server.name}-binary`.toLowerCase()

/** The tool cache folder holding a server release's binaries, one subfolder per platform (as @actions/tool-cache lays it out). */
export function toolCacheFolder(server: { owner: string; name: string; tag: string }, toolCache: string = process.env.RUNNER_TOOL_CACHE ?? ''): string {
  const version = toolCacheVersion(server.tag)
  return path.join(toolCache, toolName(server), semver.clean(version) || version)
}

/** Whether every platform's binary is already in the tool cache (nothing to download or restore). */
export function allInToolCache(server: { owner: string; name: string; tag: string }, platforms: Platform[]): boolean {
  return platforms.every(p => tc.find(toolName(server), toolCacheVersion(server.tag), p.id) !== '')
}

/** The server release's assets; none when the tag has no published release. */
export async function serverReleaseAssets(api: GitHubApi, server: { owner: string; name: string; tag: string }): Promise<ReleaseAsset[]> {
  const release = await api.getJsonOrUndefined(apiPath`/repos/${server.owner}/${server.name}/releases/tags/${server.tag}`, idShape)
  if (!release) return []
  return api.paginate(apiPath`/repos/${server.owner}/${server.name}/releases/${release.id}/assets`, assetShape)
}

/** One lookup per platform; a platform without a binary is `found: false` with the reason (the loader stands in). */
export async function fetchServerBinaries(platforms: Platform[], o: BinaryFetchOptions): Promise<Map<string, BinaryLookup>> {
  const out = new Map<string, BinaryLookup>()
  const { setting } = o
  if (setting.kind === 'none') {
    for (const p of platforms) out.set(p.id, { found: false, why: 'server-binary is none' })
    return out
  }
  const tool = toolName(o.server)
  const version = toolCacheVersion(o.server.tag)
  let assets: ReleaseAsset[] | undefined
  for (const p of platforms) {
    // The cached binary is the folder's one file besides the marker (named `server`; by the asset's stem before).
    const cached = tc.find(tool, version, p.id)
    const cachedFile = cached ? fs.readdirSync(cached).find(f => f !== MARKER && fs.statSync(path.join(cached, f)).isFile()) : undefined
    const marker = cached ? readMarker(cached) : undefined
    if (cached && cachedFile && marker) {
      o.log(`${p.id}: server binary ${shownName(marker)} found in the tool cache (${tool} ${o.server.tag})`)
      out.set(p.id, { found: true, binary: { platform: p, assetName: marker, path: path.join(cached, cachedFile), downloaded: false } })
      continue
    }
    assets ??= await serverReleaseAssets(o.api, o.server)
    const choice = chooseBinaryAsset(assets, p, setting, o.valuesFor(p))
    if (!choice.found) {
      out.set(p.id, { found: false, why: `${o.server.owner}/${o.server.name} ${o.server.tag}: ${choice.why}` })
      continue
    }
    // The asset's name is data: the files written here get names of the action's own.
    const temp = process.env.RUNNER_TEMP || os.tmpdir()
    fs.mkdirSync(temp, { recursive: true })
    const dir = fs.mkdtempSync(path.join(temp, 'server-binary-'))
    try {
      const file = await download(o, choice.asset)
      try {
        await extractBinary(file, choice.kind, choice.stem, choice.asset.name, path.join(dir, BINARY_FILE))
      } finally {
        fs.rmSync(file, { force: true })
      }
      fs.writeFileSync(path.join(dir, MARKER), choice.asset.name)
      const cachedDir = await tc.cacheDir(dir, tool, version, p.id)
      o.log(`${p.id}: server binary ${shownName(choice.asset.name)} downloaded and cached (${tool} ${o.server.tag})`)
      out.set(p.id, { found: true, binary: { platform: p, assetName: choice.asset.name, path: path.join(cachedDir, BINARY_FILE), downloaded: true } })
    } catch (e) {
      // Extracting it, or keeping it in the tool cache.
      throw asDiskFull(e, `server-binary: ${p.id}: writing the binary of ${shownName(choice.asset.name)}`, namedFolder(dir))
    } finally {
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
  return out
}

const BINARY_FILE = 'server'
// The cached folder also records which asset the binary came from (the witness's name).
const MARKER = '.asset-name'
function readMarker(dir: string): string | undefined {
  try {
    return fs.readFileSync(path.join(dir, MARKER), 'utf8').trim() || undefined
  } catch {
    return undefined
  }
}

async function download(o: BinaryFetchOptions, asset: ReleaseAsset): Promise<string> {
  // The API URL (not browser_download_url) works for private repositories and GHES. Not tc.downloadTool: it keeps
  // the token on a redirect to another port or scheme of the API's host; downloadFile sends it to the API's origin only.
  const url = `${o.api.baseUrl}${apiPath`/repos/${o.server.owner}/${o.server.name}/releases/assets/${asset.id}`}`
  const temp = process.env.RUNNER_TEMP || os.tmpdir()
  fs.mkdirSync(temp, { recursive: true })
  const dest = path.join(temp, randomUUID())
  try {
    await downloadFile({ url, dest, token: o.token, tokenOrigin: new URL(o.api.baseUrl).origin, accept: 'application/octet-stream', limits: { ...DEFAULT_LIMITS, maxBytes: MAX_SERVER_BINARY_BYTES } })
    return dest
  } catch (e) {
    const full = asDiskFull(e, `server-binary: downloading ${shownName(asset.name)}`, namedFolder(temp))
    if (full !== e) throw full
    const why = e instanceof DownloadError ? e.message : (e as Error).message
    throw new StepError(
      `server-binary: downloading ${shownName(asset.name)} from the ${o.server.owner}/${o.server.name} ${o.server.tag} release failed (${why}); re-run later, check that the token can read that repository, or set server-binary: none to verify with the stand-in loader`
    )
  }
}

/** Writes the binary of the downloaded asset to `target`, up to MAX_SERVER_BINARY_BYTES. */
async function extractBinary(file: string, kind: ArchiveKind, stem: string, assetName: string, target: string): Promise<void> {
  if (kind !== 'file') return extractServerBinary(file, kind, stem, assetName, target)
  if (!isElfExecutable(file)) throw new StepError(`server-binary: ${shownName(assetName)} is not an ELF executable; name the binary's asset with server-binary, or set server-binary: none`)
  if (fs.statSync(file).size > MAX_SERVER_BINARY_BYTES) throw new StepError(`server-binary: ${shownName(assetName)} refused: it is larger than ${limitText()}, the limit for a server binary; set server-binary to another asset, or none`)
  fs.copyFileSync(file, target)
  fs.chmodSync(target, 0o755)
}
