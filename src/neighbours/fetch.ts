/**
 * Gets each neighbour's file for each platform, never rebuilding it: a
 * workspace file read in place, a URL or another repository's release asset
 * downloaded and kept in the runner's tool cache (tool `with-plugins`, one
 * version per source, arch = the platform), so a self-hosted runner
 * downloads it once. Every file is proven an ELF shared object for the
 * platform's machine before it is used or cached.
 */
import * as tc from '@actions/tool-cache'
import { createHash, randomUUID } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { StepError, asDiskFull, namedFolder } from '../errors.js'
import { type GitHubApi, type ReleaseAsset, apiPath } from '../github/api.js'
import { assetShape, idShape } from '../github/shapes.js'
import { tagNameProblem } from '../release/git-ref.js'
import type { Platform } from '../platform.js'
import { INPUT, LOOPBACK, type NeighbourEntry, quoteEntry } from './entries.js'
import { assetNameMatcher, byLoadOrder, chooseFile, fill, listed, namesOnePerPlatform, pluginFileNameProblem } from './choice.js'
import { DEFAULT_LIMITS, type DownloadLimits, DownloadError, type DownloadRequest, downloadFile } from '../http/download.js'
import { provePluginFile } from './machine.js'
import { workspaceMatches } from './workspace-files.js'

/** One neighbour's file for one platform. */
export interface NeighbourFile {
  entry: NeighbourEntry
  /** Its name in the server's plugin folder (the load order is by name). Data: never a path here. */
  fileName: string
  /** The bytes on the runner: the workspace file itself, or the tool cache's copy. */
  path: string
  /** Where it came from, for reports: a workspace path, a URL, or owner/repo@tag "asset". */
  origin: string
  /** Downloaded by this run (false: a workspace file, or found in the tool cache). */
  downloaded: boolean
}

/** A neighbour that has no file for a platform: that platform's set proof is not-verified, for this reason. */
export interface MissingNeighbour {
  entry: NeighbourEntry
  why: string
}

export interface PlatformNeighbours {
  platform: Platform
  /** In the server's load order (by file name). */
  files: NeighbourFile[]
  missing: MissingNeighbour[]
}

export interface NeighbourFetchOptions {
  api: GitHubApi
  token: string
  /** The absolute workspace folder; path entries never leave it. */
  workspace: string
  /** Where downloads land before the tool cache takes them (RUNNER_TEMP or below). */
  tempDir: string
  /** The placeholder values of a platform for this server version (see NEIGHBOUR_PLACEHOLDERS). */
  valuesFor: (p: Platform) => Record<string, string>
  limits?: Partial<DownloadLimits>
  log: (line: string) => void
}

export const TOOL = 'with-plugins'
const CACHED_NAME = 'neighbour.so'

type Lookup = { kind: 'file'; file: NeighbourFile } | { kind: 'missing'; why: string }

/**
 * Each platform's neighbours, for one server version. An entry that yields a
 * file for no platform at all is an error (a typo, most likely); one that
 * lacks some platforms leaves those platforms' set proofs not-verified.
 */
export async function fetchNeighbours(entries: NeighbourEntry[], platforms: Platform[], o: NeighbourFetchOptions): Promise<PlatformNeighbours[]> {
  const limits = { ...DEFAULT_LIMITS, ...o.limits }
  const releases = new Map<string, Promise<ReleaseAsset[] | undefined>>()
  const sets: PlatformNeighbours[] = platforms.map(platform => ({ platform, files: [], missing: [] }))
  for (const entry of entries) {
    const missing: string[] = []
    for (const set of sets) {
      const got = await lookup(entry, set.platform, o, limits, releases)
      if (got.kind === 'missing') {
        set.missing.push({ entry, why: `${INPUT}: ${quoteEntry(entry.text)} for ${set.platform.id}: ${got.why}` })
        missing.push(`${set.platform.id}: ${got.why}`)
        continue
      }
      const same = set.files.find(f => f.fileName === got.file.fileName)
      if (same) {
        throw new StepError(`${INPUT}: ${quoteEntry(same.entry.text)} and ${quoteEntry(entry.text)} both give ${set.platform.id} a file named ${JSON.stringify(same.fileName)}; one would replace the other in the plugin folder`)
      }
      set.files.push(got.file)
      o.log(`${set.platform.id}: neighbour ${JSON.stringify(got.file.fileName)} from ${got.file.origin}${got.file.downloaded ? ' downloaded' : ''}`)
    }
    if (missing.length === sets.length && sets.length > 0) {
      throw new StepError(`${INPUT}: ${quoteEntry(entry.text)} gives no file for any platform (${missing.join('; ')}); check the entry`)
    }
  }
  return sets.map(s => ({ ...s, files: byLoadOrder(s.files) }))
}

async function lookup(entry: NeighbourEntry, p: Platform, o: NeighbourFetchOptions, limits: DownloadLimits, releases: Map<string, Promise<ReleaseAsset[] | undefined>>): Promise<Lookup> {
  const values = o.valuesFor(p)
  const fail = (problem: string): never => {
    throw new StepError(`${INPUT}: ${quoteEntry(entry.text)} for ${p.id}: ${problem}`)
  }
  const named = (fileName: string, from: string): void => {
    const problem = pluginFileNameProblem(fileName)
    if (problem) fail(`${from} gives the file name ${JSON.stringify(fileName)}, which ${problem}; it cannot sit in a plugin folder`)
  }

  if (entry.kind === 'path') {
    const found = await workspaceMatches(fill(entry.pattern, values), o.workspace)
    if ('error' in found) return fail(found.error)
    const choice = chooseFile([...found.byName.keys()], p, namesOnePerPlatform(entry.pattern))
    if (choice.kind === 'ambiguous') return fail(choice.why)
    if (choice.kind === 'missing') return { kind: 'missing', why: choice.why }
    const [file, ...others] = found.byName.get(choice.name) ?? []
    if (others.length > 0) fail(`matches ${listed([file, ...others].map(f => path.relative(fs.realpathSync(o.workspace), f)))}, all named ${JSON.stringify(choice.name)}`)
    named(choice.name, 'the workspace')
    const origin = path.relative(fs.realpathSync(o.workspace), file)
    const real = found.real.get(file) as string
    provePluginFile(real, p, limits.maxBytes, `${JSON.stringify(choice.name)} (${origin})`, fail)
    return { kind: 'file', file: { entry, fileName: choice.name, path: real, origin, downloaded: false } }
  }

  if (entry.kind === 'url') {
    const url = fill(entry.url, values, encodeURIComponent)
    const last = new URL(url).pathname.split('/').pop() ?? ''
    let fileName: string
    try {
      fileName = decodeURIComponent(last)
    } catch {
      return fail(`the URL's last part ${JSON.stringify(last)} is not valid percent-encoding`)
    }
    named(fileName, 'the URL')
    // A redirect may not lead from the runner itself to plain http elsewhere.
    return cached(`url ${url}`, p, o, limits, fail, { entry, fileName, origin: url, url, downloaded: false }, { plainHttpHosts: LOOPBACK })
  }

  const tag = fill(entry.tag, values)
  const tagProblem = tagNameProblem(tag)
  if (tagProblem) fail(`the tag ${JSON.stringify(tag)} is not a git tag name: it ${tagProblem}`)
  const key = `${entry.owner}/${entry.repo}@${tag}`
  if (!releases.has(key)) releases.set(key, releaseAssets(o.api, entry.owner, entry.repo, tag))
  const assets = await (releases.get(key) as Promise<ReleaseAsset[] | undefined>).catch((e: Error) => fail(`reading the release ${key} failed: ${e.message}`))
  if (!assets) return { kind: 'missing', why: `names a release ${key} that does not exist (or the token cannot read it)` }
  const uploaded = assets.filter(a => a.state === 'uploaded')
  const matches = assetNameMatcher(entry.assetGlob, values)
  const choice = chooseFile(uploaded.map(a => a.name).filter(matches), p, namesOnePerPlatform(entry.assetGlob))
  if (choice.kind === 'ambiguous') return fail(choice.why)
  if (choice.kind === 'missing') return { kind: 'missing', why: `${choice.why} among the assets of ${key}` }
  const asset = uploaded.find(a => a.name === choice.name) as ReleaseAsset
  named(asset.name, `the ${key} asset`)
  if (asset.size > limits.maxBytes) fail(`the asset ${JSON.stringify(asset.name)} of ${key} is ${asset.size} bytes, above the limit of ${limits.maxBytes}`)
  // The API's asset URL with the token: private repositories and GHES; storage redirects get no token.
  const url = `${o.api.baseUrl}${apiPath`/repos/${entry.owner}/${entry.repo}/releases/assets/${asset.id}`}`
  const origin = `${key} ${JSON.stringify(asset.name)}`
  return cached(`release ${key} ${asset.name} ${asset.id}`, p, o, limits, fail, { entry, fileName: asset.name, origin, url, downloaded: false }, {
    token: o.token,
    tokenOrigin: new URL(o.api.baseUrl).origin,
    accept: 'application/octet-stream'
  })
}

/** From the tool cache, else downloaded, proven and cached. A 404 is a missing neighbour, not an error. */
async function cached(
  identity: string,
  p: Platform,
  o: NeighbourFetchOptions,
  limits: DownloadLimits,
  fail: (problem: string) => never,
  file: Omit<NeighbourFile, 'path'> & { url: string },
  auth: Pick<DownloadRequest, 'token' | 'tokenOrigin' | 'accept' | 'plainHttpHosts'>
): Promise<Lookup> {
  const { url, ...rest } = file
  // A valid semver prerelease (a letter first, so no leading zero); the source itself never becomes a path.
  const version = `0.0.0-s${createHash('sha256').update(identity).digest('hex').slice(0, 32)}`
  const what = `${JSON.stringify(file.fileName)} (${file.origin})`
  const hit = tc.find(TOOL, version, p.id)
  if (hit) {
    const inCache = path.join(hit, CACHED_NAME)
    provePluginFile(inCache, p, limits.maxBytes, what, fail)
    return { kind: 'file', file: { ...rest, path: inCache } }
  }
  fs.mkdirSync(o.tempDir, { recursive: true })
  const dest = path.join(o.tempDir, `neighbour-${randomUUID()}.so`)
  try {
    await downloadFile({ url, dest, limits, ...auth })
  } catch (e) {
    const full = asDiskFull(e, `with-plugins: downloading ${what}`, namedFolder(o.tempDir))
    if (full !== e) throw full
    if (e instanceof DownloadError && e.status === 404) return { kind: 'missing', why: `${file.origin} answers HTTP 404 (not found)` }
    const why = e instanceof DownloadError ? e.message : String(e)
    return fail(`downloading ${what} failed: ${why}`)
  }
  try {
    provePluginFile(dest, p, limits.maxBytes, what, fail)
    const dir = await tc.cacheFile(dest, CACHED_NAME, TOOL, version, p.id)
    return { kind: 'file', file: { ...rest, path: path.join(dir, CACHED_NAME), downloaded: true } }
  } catch (e) {
    throw asDiskFull(e, `with-plugins: keeping ${what} in the tool cache`, namedFolder(process.env.RUNNER_TOOL_CACHE ?? o.tempDir))
  } finally {
    fs.rmSync(dest, { force: true })
  }
}

async function releaseAssets(api: GitHubApi, owner: string, repo: string, tag: string): Promise<ReleaseAsset[] | undefined> {
  const release = await api.getJsonOrUndefined(apiPath`/repos/${owner}/${repo}/releases/tags/${tag}`, idShape)
  if (!release) return undefined
  return api.paginate(apiPath`/repos/${owner}/${repo}/releases/${release.id}/assets`, assetShape)
}
