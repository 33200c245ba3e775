import { StepError } from '../errors.js'
import { parseGoVersion } from '../go-version.js'
import { type GitHubApi, type Tag, apiPath, isStatus } from '../github/api.js'
import { MalformedAnswerError, anyObject, listOf, releaseShape, tagShape } from '../github/shapes.js'
import { tagNameProblem } from '../release/git-ref.js'
import { quoted as shownQuoted } from '../outside-text.js'
import { explainApiError } from '../github/explain.js'

/**
 * Where a server version comes from: a published release, or a candidate (a
 * branch or commit of the server repository, or the workspace's checkout of
 * the server) that has no release and no release binaries. `kind !== 'release'`
 * means "a candidate, not a published release".
 */
export type ServerOrigin =
  | { kind: 'release' }
  | { kind: 'ref'; ref: string; sha: string }
  /** dir: the checkout's folder relative to the workspace (`.` for its root); dirty: tracked files changed since sha. */
  | { kind: 'local'; dir: string; sha?: string; dirty?: true }

export interface ServerRelease {
  owner: string
  name: string
  /**
   * The version's name: a release's tag; for a candidate its label, which
   * carries the short commit SHA (candidateLabel), and is what {server-version} becomes.
   */
  tag: string
  origin: ServerOrigin
  goVersion: string
  goVersionSource: 'GO_VERSION' | 'toolchain'
  goMod: string
  /**
   * Why the action cannot build for this version, from the files at its tag
   * (no go.mod, no Go version): one of several selected versions is then
   * refused in the report instead of ending the run (goVersion and goMod are '').
   */
  cannotServe?: string
}

/** The files at a tag do not say what the action needs to build for it (go.mod, the Go version). */
export class UnservableTag extends StepError {
  constructor(message: string) {
    super(message)
    this.name = 'UnservableTag'
  }
}

/** A selected version the action cannot build for, kept with why: the report refuses it. */
export function unservableRelease(server: { owner: string; name: string }, tag: string, why: string): ServerRelease {
  return { owner: server.owner, name: server.name, tag, origin: { kind: 'release' }, goVersion: '', goVersionSource: 'GO_VERSION', goMod: '', cannotServe: why }
}

/**
 * The server release to build against, and the Go version it was built with.
 * Everything comes from the files at the tag; nothing is derived from the tag
 * name (gotify v3.0.0 still has module path .../v2).
 */
export async function resolveServerRelease(api: GitHubApi, server: { owner: string; name: string }, version: 'latest' | string): Promise<ServerRelease> {
  const { owner, name } = server
  let tag: string
  try {
    tag = version === 'latest' ? await latestTag(api, owner, name) : await existingTag(api, owner, name, version)
  } catch (e) {
    throw explainApiError(e, `read the ${version === 'latest' ? 'latest release' : `tag ${version}`} of the server ${owner}/${name}`, { kind: 'read', repository: `${owner}/${name}` })
  }
  return releaseAtTag(api, server, tag)
}

/** GO_VERSION and go.mod at a tag known to exist. */
export async function releaseAtTag(api: GitHubApi, server: { owner: string; name: string }, tag: string): Promise<ServerRelease> {
  const { owner, name } = server
  const repo = `${owner}/${name}`
  let goVersionFile: string | undefined
  let goMod: string | undefined
  try {
    ;[goVersionFile, goMod] = await Promise.all([api.getFile(owner, name, 'GO_VERSION', tag), api.getFile(owner, name, 'go.mod', tag)])
  } catch (e) {
    throw explainApiError(e, `read GO_VERSION and go.mod at tag ${tag} of the server ${repo}`, { kind: 'read', repository: repo })
  }
  if (goMod === undefined) throw new UnservableTag(`${repo} has no go.mod at ${tag}; server-repository must be a Go module`)

  let picked: ReturnType<typeof pickGoVersion>
  try {
    picked = pickGoVersion(repo, tag, goVersionFile, goMod)
  } catch (e) {
    throw e instanceof StepError ? new UnservableTag(e.message) : e
  }
  const { goVersion, source } = picked
  return { owner, name, tag, origin: { kind: 'release' }, goVersion, goVersionSource: source, goMod }
}

/** Pure: GO_VERSION first, then go.mod's toolchain line; strictly validated. */
export function pickGoVersion(repo: string, tag: string, goVersionFile: string | undefined, goMod: string): { goVersion: string; source: 'GO_VERSION' | 'toolchain' } {
  if (goVersionFile !== undefined) {
    const text = goVersionFile.trim()
    const v = parseGoVersion(text)
    if (!v) throw new StepError(`GO_VERSION of ${repo} at ${tag} is ${quote(text)}, not a Go version; accepted: digits and dots such as 1.22.5, optionally rc1/beta1`)
    return { goVersion: v.text, source: 'GO_VERSION' }
  }
  const toolchain = toolchainOf(goMod)
  if (toolchain === undefined) {
    throw new StepError(`${repo} at ${tag} has no GO_VERSION file and its go.mod has no toolchain line; looked for GO_VERSION and "toolchain goX.Y.Z" in go.mod`)
  }
  const where = `go.mod of ${repo} at ${tag}`
  if (toolchain.words !== 1) {
    throw new StepError(
      `${where} has a malformed toolchain line (line ${toolchain.line}: ${quote(toolchain.text)}), so it names no Go version; accepted: "toolchain" followed by one Go version such as go1.22.5, or a GO_VERSION file`
    )
  }
  const v = parseGoVersion(toolchain.value)
  if (!v || !toolchain.value.startsWith('go')) {
    throw new StepError(`${where} has toolchain ${quote(toolchain.value)}, not a Go version (line ${toolchain.line}); accepted: go followed by digits and dots such as go1.22.5`)
  }
  return { goVersion: v.text, source: 'toolchain' }
}

/** go.mod's `toolchain` directive, if any: its text, first word and word count (Go accepts exactly one). */
export function toolchainOf(goMod: string): { value: string; words: number; line: number; text: string } | undefined {
  const lines = goMod.split('\n')
  for (const [i, raw] of lines.entries()) {
    const text = raw.replace(/\/\/.*$/, '').trim()
    const words = text.split(/\s+/)
    if (words[0] === 'toolchain') return { value: words[1] ?? '', words: words.length - 1, line: i + 1, text }
  }
  return undefined
}

export async function latestTag(api: GitHubApi, owner: string, name: string): Promise<string> {
  const latest = await api.getJsonOrUndefined(apiPath`/repos/${owner}/${name}/releases/latest`, releaseShape)
  if (latest === undefined) {
    throw new StepError(`${owner}/${name} has no published release (drafts and pre-releases do not count) or was not found; check server-repository or set server-version to a tag`)
  }
  const problem = tagNameProblem(latest.tag_name)
  if (problem) throw new MalformedAnswerError(`GET ${apiPath`/repos/${owner}/${name}/releases/latest`}`, `the latest release's tag ${shownQuoted(latest.tag_name)} ${problem}, so it is not a valid git tag; set server-version to a tag`)
  return latest.tag_name
}

/** The tag itself when it exists, else an error naming the newest tags. */
export async function existingTag(api: GitHubApi, owner: string, name: string, tag: string): Promise<string> {
  const ref = await api.getJsonOrUndefined(apiPath`/repos/${owner}/${name}/git/ref/tags/${tag}`, anyObject)
  if (ref !== undefined) return tag
  // One page is enough to show what exists; a missing repository is a 404 here too.
  let tags: Tag[]
  try {
    tags = await api.getJson(apiPath`/repos/${owner}/${name}/tags`, listOf(tagShape), { per_page: 10 })
  } catch (e) {
    if (isStatus(e, 404)) throw new StepError(`Repository ${owner}/${name} was not found (or the token cannot read it); check server-repository`)
    throw e
  }
  const newest = tags.filter(t => tagNameProblem(t.name) === undefined).slice(0, 5).map(t => t.name)
  throw new StepError(`${owner}/${name} has no tag ${quote(tag)}; newest tags: ${newest.length ? newest.join(', ') : '(none)'}; set server-version to one of them or latest`)
}

/** Quoted, on one line (control characters escaped), and short: the value may be anything. */
function quote(text: string): string {
  return shownQuoted(text, 60)
}
