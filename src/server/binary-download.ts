/**
 * Gets the server's release binary for a platform: found in the runner's tool
 * cache, or downloaded through the GitHub API with the token (private servers,
 * GHES), extracted, and cached as tool `<owner>-<name>-binary`, version = the
 * server tag, arch = the platform, so a self-hosted runner downloads it once.
 */
import * as tc from '@actions/tool-cache'
import * as fs from 'node:fs'
import * as path from 'node:path'
import * as semver from 'semver'
import { StepError } from '../errors.js'
import { type GitHubApi, type ReleaseAsset, apiPath } from '../github/api.js'
import type { Platform } from '../platform.js'
import { isElfExecutable } from '../binary/executable.js'
import { type ArchiveEntry, type ArchiveKind, type ServerBinarySetting, chooseBinaryAsset, chooseExecutable } from './binary-asset.js'

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
  setting: ServerBinarySetting
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
  const release = await api.getJsonOrUndefined<{ id: number }>(apiPath`/repos/${server.owner}/${server.name}/releases/tags/${server.tag}`)
  if (!release) return []
  return api.paginate<ReleaseAsset>(apiPath`/repos/${server.owner}/${server.name}/releases/${release.id}/assets`)
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
    // The file name of the cached binary is the asset's stem; any one file in the folder is it.
    const cached = tc.find(tool, version, p.id)
    const cachedFile = cached ? fs.readdirSync(cached).find(f => f !== MARKER && fs.statSync(path.join(cached, f)).isFile()) : undefined
    const marker = cached ? readMarker(cached) : undefined
    if (cached && cachedFile && marker) {
      o.log(`${p.id}: server binary ${marker} found in the tool cache (${tool} ${o.server.tag})`)
      out.set(p.id, { found: true, binary: { platform: p, assetName: marker, path: path.join(cached, cachedFile), downloaded: false } })
      continue
    }
    assets ??= await serverReleaseAssets(o.api, o.server)
    const choice = chooseBinaryAsset(assets, p, setting, o.valuesFor(p))
    if (!choice.found) {
      out.set(p.id, { found: false, why: `${o.server.owner}/${o.server.name} ${o.server.tag}: ${choice.why}` })
      continue
    }
    const file = await download(o, choice.asset)
    const binary = await extractBinary(file, choice.kind, choice.stem, choice.asset.name)
    const dir = path.dirname(binary)
    fs.writeFileSync(path.join(dir, MARKER), choice.asset.name)
    const cachedDir = await tc.cacheDir(dir, tool, version, p.id)
    o.log(`${p.id}: server binary ${choice.asset.name} downloaded and cached (${tool} ${o.server.tag})`)
    out.set(p.id, { found: true, binary: { platform: p, assetName: choice.asset.name, path: path.join(cachedDir, path.basename(binary)), downloaded: true } })
  }
  return out
}

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
  // The API URL (not browser_download_url) works for private repositories and GHES.
  const url = `${o.api.baseUrl}${apiPath`/repos/${o.server.owner}/${o.server.name}/releases/assets/${asset.id}`}`
  try {
    return await tc.downloadTool(url, undefined, `Bearer ${o.token}`, { accept: 'application/octet-stream' })
  } catch (e) {
    const status = (e as { httpStatusCode?: number }).httpStatusCode
    const why = status ? `HTTP ${status}` : (e as Error).message
    throw new StepError(
      `server-binary: downloading ${asset.name} from the ${o.server.owner}/${o.server.name} ${o.server.tag} release failed (${why}); re-run later, check that the token can read that repository, or set server-binary: none to verify with the stand-in loader`
    )
  }
}

/** Extracts the archive into a fresh folder holding only the binary (what gets cached). */
async function extractBinary(file: string, kind: ArchiveKind, stem: string, assetName: string): Promise<string> {
  const out = path.join(path.dirname(file), `${path.basename(file)}-binary`)
  fs.mkdirSync(out, { recursive: true })
  if (kind === 'file') {
    if (!isElfExecutable(file)) throw new StepError(`server-binary: ${assetName} is not an ELF executable; name the binary's asset with server-binary, or set server-binary: none`)
    const target = path.join(out, stem)
    fs.renameSync(file, target)
    fs.chmodSync(target, 0o755)
    return target
  }
  let dir: string
  try {
    dir = kind === 'zip' ? await tc.extractZip(file) : await tc.extractTar(file, undefined, kind === 'tar.xz' ? ['xJ'] : ['xz'])
  } catch (e) {
    const why = ((e as Error).message ?? String(e)).split('\n')[0]
    throw new StepError(`server-binary: ${assetName} could not be extracted as ${kind} (${why}); the release asset may be corrupt: re-run later, or set server-binary: none`)
  }
  const entries = listFiles(dir)
  const choice = chooseExecutable(entries, stem, assetName)
  if ('error' in choice) throw new StepError(`server-binary: ${choice.error}; name the asset with server-binary, or set server-binary: none`)
  const target = path.join(out, choice.path.split('/').pop() as string)
  fs.copyFileSync(path.join(dir, ...choice.path.split('/')), target)
  fs.chmodSync(target, 0o755)
  return target
}

function listFiles(root: string, rel = ''): ArchiveEntry[] {
  const out: ArchiveEntry[] = []
  for (const e of fs.readdirSync(path.join(root, rel), { withFileTypes: true })) {
    const p = rel === '' ? e.name : `${rel}/${e.name}`
    if (e.isDirectory()) out.push(...listFiles(root, p))
    else if (e.isFile()) out.push({ path: p, elfExecutable: isElfExecutable(path.join(root, p)) })
  }
  return out.sort((a, b) => a.path.localeCompare(b.path))
}
