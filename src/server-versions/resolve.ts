/**
 * The edge of resolving `server-version`: asks the API what the request
 * needs (the release list for ranges and latest-N, GitHub's latest release,
 * the tags named), selects (selection.ts), and reads each selected tag's
 * GO_VERSION and go.mod; each `ref:` pinned to its commit and read there; or,
 * with server-source local, the checkout from disk.
 */
import { mapConcurrent } from '../concurrency.js'
import { type GitHubApi, apiPath } from '../github/api.js'
import { releaseShape } from '../github/shapes.js'
import { tagNameProblem } from '../release/git-ref.js'
import { quoted } from '../outside-text.js'
import { explainApiError } from '../github/explain.js'
import { type ServerRelease, UnservableTag, existingTag, latestTag, releaseAtTag, unservableRelease } from '../server/release.js'
import { describeOrigin, localServer, releaseAtRef } from '../server/candidate.js'
import { type ServerSource, sourceShown } from './source.js'
import { type VersionRequest, asksForReleases, needsReleaseList, refsOf } from './request.js'
import { type ListedRelease, selectServerVersions } from './selection.js'

export interface ResolveOptions {
  server: { owner: string; name: string }
  request: VersionRequest
  /** Default: the server's GitHub repository. */
  source?: ServerSource
  includePrereleases: boolean
  log: { info: (line: string) => void; warning: (line: string) => void }
}

/**
 * The selected server versions, each with its GO_VERSION and go.mod: the
 * releases newest first, then the `ref:` candidates in the order given (the
 * newest release, not an unreleased branch, aligns the workspace's go.mod when
 * both are asked for); or the local checkout alone.
 */
export async function resolveServerVersions(api: GitHubApi, o: ResolveOptions): Promise<ServerRelease[]> {
  const repository = `${o.server.owner}/${o.server.name}`
  if (o.source?.kind === 'local') {
    const local = await localServer(o.server, o.source.dir, o.source.shownDir)
    o.log.info(`Server version of ${repository}: ${local.tag}, ${describeOrigin(local.origin, local.tag)} (server-source: ${sourceShown(o.source)})`)
    return [local]
  }
  const releases = asksForReleases(o.request) ? await resolveReleases(api, o) : []
  const candidates: ServerRelease[] = []
  for (const ref of refsOf(o.request)) {
    const c = await releaseAtRef(api, o.server, ref)
    // Two refs naming one commit are one version.
    if (candidates.some(x => x.tag === c.tag || (x.origin.kind === 'ref' && c.origin.kind === 'ref' && x.origin.sha === c.origin.sha))) continue
    o.log.info(`Server version ${c.tag} of ${repository}: ${describeOrigin(c.origin, c.tag)}, a candidate: no release, no release binaries`)
    candidates.push(c)
  }
  return [...releases, ...candidates]
}

async function resolveReleases(api: GitHubApi, o: ResolveOptions): Promise<ServerRelease[]> {
  const { owner, name } = o.server
  const repository = `${owner}/${name}`
  // Each request says what it was for when it fails.
  const ask = async <T>(what: string, request: () => Promise<T>): Promise<T> => {
    try {
      return await request()
    } catch (e) {
      throw explainApiError(e, `${what} of the server ${repository}`, { kind: 'read', repository })
    }
  }
  let releases: ListedRelease[] | undefined
  if (needsReleaseList(o.request)) {
    const listed = await ask('list the releases', () => api.paginate(apiPath`/repos/${owner}/${name}/releases`, releaseShape))
    // A tag that is not a valid git tag (a newline in it, say) is data that cannot be used: skipped, named escaped.
    const bad = listed.filter(r => tagNameProblem(r.tag_name) !== undefined)
    for (const r of bad) o.log.warning(`server-version: skipped the release ${quoted(r.tag_name)} of ${repository}: its tag ${tagNameProblem(r.tag_name)}, so it is not a valid git tag`)
    releases = listed.filter(r => !bad.includes(r)).map(r => ({ tag: r.tag_name, draft: r.draft, prerelease: r.prerelease }))
  }
  const latest = o.request.terms.some(t => t.kind === 'latest') ? await ask('read the latest release', () => latestTag(api, owner, name)) : undefined
  const published = new Set((releases ?? []).filter(r => !r.draft).map(r => r.tag))
  for (const t of o.request.terms) if (t.kind === 'tag' && !published.has(t.tag)) await ask(`read the tag ${t.tag}`, () => existingTag(api, owner, name, t.tag))
  const selection = selectServerVersions({ request: o.request, repository, releases, latest, includePrereleases: o.includePrereleases })
  for (const t of selection.byTerm.filter(x => !refsOf(o.request).some(r => x.term === `ref:${r}`))) if (t.tags.length === 0) o.log.warning(`server-version: ${t.term} selects no release of ${repository}`)
  o.log.info(`Server versions of ${repository} (${selection.tags.length}, newest first): ${selection.tags.join(', ')} (server-version: ${o.request.text})`)
  // A few at a time: two small requests per tag. One of several tags whose files lack what a build needs is refused in the report.
  const read = await mapConcurrent(selection.tags, 4, tag =>
    releaseAtTag(api, o.server, tag).catch((e: unknown) => {
      if (!(e instanceof UnservableTag) || selection.tags.length < 2) throw e
      o.log.warning(`server-version: ${tag} cannot be built for: ${e.message}`)
      return unservableRelease(o.server, tag, e.message)
    })
  )
  const servable = read.find(r => r.cannotServe === undefined)
  if (!servable) throw new UnservableTag(read.map(r => r.cannotServe).join('; '))
  return read
}
