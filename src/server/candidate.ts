/**
 * Server versions that are not releases (candidates): a branch or commit of
 * the server repository (`server-version: ref:<branch or SHA>`), pinned once
 * to a commit SHA so every file of the run is read at the same commit; and
 * the workspace's own checkout of the server (`server-source: local`), read
 * from disk. Neither has release binaries.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { StepError } from '../errors.js'
import { type GitHubApi, apiPath, isStatus } from '../github/api.js'
import { MalformedAnswerError, objectShape } from '../github/shapes.js'
import { explainApiError } from '../github/explain.js'
import { quoted } from '../outside-text.js'
import { type ServerOrigin, type ServerRelease, pickGoVersion } from './release.js'
import { findCheckout, hasChanges, headCommit } from '../workspace/git.js'

/** Digits of a commit SHA a label carries, as git's short form. */
export const SHORT_SHA = 7
const FULL_SHA = /^[0-9a-f]{40}$/
// The server's own small files; a go.mod this large is not one.
const MAX_LOCAL_FILE = 1 << 20

const commitShape = objectShape<{ sha: string }>('a commit', { sha: 'string' })

/**
 * The version's name ({server-version}): `<branch>-<short SHA>` for a branch
 * (which branch, and which commit of it), the short SHA alone for a commit
 * named by its SHA or a local checkout (`-dirty` after it when tracked files
 * changed since, as `git describe --dirty` says), `local` for a checkout without git.
 * Only letters, digits, `.`, `_` and `-`, so it fits file names and image tags
 * (a branch's `/` becomes `-`). Pure.
 */
export function candidateLabel(origin: Exclude<ServerOrigin, { kind: 'release' }>): string {
  if (origin.kind === 'local') return origin.sha ? `${origin.sha.slice(0, SHORT_SHA)}${origin.dirty ? '-dirty' : ''}` : 'local'
  const short = origin.sha.slice(0, SHORT_SHA)
  if (/^[0-9a-fA-F]{7,40}$/.test(origin.ref) && origin.sha.startsWith(origin.ref.toLowerCase())) return short
  const branch = origin.ref.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[.-]+/, '').slice(0, 60)
  return branch === '' ? short : `${branch}-${short}`
}

/** How a candidate is named in log lines: `ref:master at 1a2b3c4...`, `the checkout server at 1a2b3c4...`. */
export function describeOrigin(origin: ServerOrigin, tag: string): string {
  if (origin.kind === 'ref') return `ref:${origin.ref} at ${origin.sha}`
  if (origin.kind === 'local') return `the checkout ${origin.dir === '.' ? "in the workspace's root" : origin.dir}${origin.sha ? ` at ${origin.sha}${origin.dirty ? ' with uncommitted changes' : ''}` : ' (not a git repository)'}`
  return tag
}

/** The commit a branch or SHA of the server names now: pinned once, so GO_VERSION and go.mod come from one commit. */
export async function pinRef(api: GitHubApi, server: { owner: string; name: string }, ref: string): Promise<string> {
  const { owner, name } = server
  const repository = `${owner}/${name}`
  const request = apiPath`/repos/${owner}/${name}/commits/${ref}`
  let commit: { sha: string }
  try {
    commit = await api.getJson(request, commitShape)
  } catch (e) {
    // GitHub answers 404 for an unknown branch, 422 for a SHA no commit has.
    if (isStatus(e, 404, 422)) throw new StepError(`${repository} has no branch or commit ${quoted(ref)} (or the token cannot read it); set server-version to ref:<a branch or commit SHA of server-repository>`)
    throw explainApiError(e, `read the commit of ref:${ref} of the server ${repository}`, { kind: 'read', repository })
  }
  if (!FULL_SHA.test(commit.sha)) throw new MalformedAnswerError(`GET ${request}`, `the commit's sha ${quoted(commit.sha, 60)} is not 40 hex digits`)
  return commit.sha
}

/** GO_VERSION and go.mod of the server at a pinned commit. */
export async function releaseAtRef(api: GitHubApi, server: { owner: string; name: string }, ref: string): Promise<ServerRelease> {
  const { owner, name } = server
  const repository = `${owner}/${name}`
  const sha = await pinRef(api, server, ref)
  const origin = { kind: 'ref' as const, ref, sha }
  const tag = candidateLabel(origin)
  let goVersionFile: string | undefined
  let goMod: string | undefined
  try {
    ;[goVersionFile, goMod] = await Promise.all([api.getFile(owner, name, 'GO_VERSION', sha), api.getFile(owner, name, 'go.mod', sha)])
  } catch (e) {
    throw explainApiError(e, `read GO_VERSION and go.mod at ${sha} (ref:${ref}) of the server ${repository}`, { kind: 'read', repository })
  }
  if (goMod === undefined) throw new StepError(`${repository} has no go.mod at ${sha} (ref:${ref}); server-repository must be a Go module`)
  const { goVersion, source } = pickGoVersion(repository, `${sha} (ref:${ref})`, goVersionFile, goMod)
  return { owner, name, tag, origin, goVersion, goVersionSource: source, goMod }
}

/**
 * The checkout's commit, when a repository holds it (else undefined: the label
 * is `local`), and whether tracked files below the folder changed since
 * (untracked ones, such as a server binary the workflow built there, do not
 * count). The folder is the pull request's: git runs on it only through
 * src/workspace/git.ts, which lets it start nothing.
 */
export async function checkoutCommit(dir: string): Promise<{ sha: string; dirty: boolean } | undefined> {
  const checkout = findCheckout(dir)
  const sha = checkout && (await headCommit(checkout))
  if (!checkout || !sha) return undefined
  return { sha, dirty: await hasChanges(checkout, dir) }
}

function readSmall(file: string): string | undefined {
  let stat: fs.Stats
  try {
    stat = fs.statSync(file)
  } catch {
    return undefined
  }
  if (!stat.isFile()) throw new StepError(`server-source: ${file} is not a file`)
  if (stat.size > MAX_LOCAL_FILE) throw new StepError(`server-source: ${file} is larger than 1 MiB, not a server's ${path.basename(file)}`)
  return fs.readFileSync(file, 'utf8')
}

/**
 * The workspace's checkout of the server (server-source local): GO_VERSION
 * and go.mod from disk, no API call; the version is the checkout's HEAD.
 * `shownDir` names the folder relative to the workspace in messages.
 */
export async function localServer(server: { owner: string; name: string }, dir: string, shownDir: string): Promise<ServerRelease> {
  const goMod = readSmall(path.join(dir, 'go.mod'))
  if (goMod === undefined) throw new StepError(`server-source: ${shownDir} has no go.mod; set server-source to the folder of the server's module`)
  const commit = await checkoutCommit(dir)
  const origin = { kind: 'local' as const, dir: shownDir, ...(commit ? { sha: commit.sha } : {}), ...(commit?.dirty ? { dirty: true as const } : {}) }
  const tag = candidateLabel(origin)
  const { goVersion, source } = pickGoVersion(`the server checkout ${shownDir}`, commit?.sha ?? 'its working tree', readSmall(path.join(dir, 'GO_VERSION')), goMod)
  return { owner: server.owner, name: server.name, tag, origin, goVersion, goVersionSource: source, goMod }
}
