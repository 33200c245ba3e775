/**
 * The edge of resolving `server-version`: asks the API what the request
 * needs (the release list for ranges and latest-N, GitHub's latest release,
 * the tags named), selects (selection.ts), and reads each selected tag's
 * GO_VERSION and go.mod.
 */
import { mapConcurrent } from '../concurrency.js'
import { type GitHubApi, apiPath } from '../github/api.js'
import { releaseShape } from '../github/shapes.js'
import { tagNameProblem } from '../release/git-ref.js'
import { quoted } from '../run/outside-text.js'
import { explainApiError } from '../github/explain.js'
import { type ServerRelease, existingTag, latestTag, releaseAtTag } from '../server/release.js'
import { type VersionRequest, needsReleaseList } from './request.js'
import { type ListedRelease, selectServerVersions } from './selection.js'

export interface ResolveOptions {
  server: { owner: string; name: string }
  request: VersionRequest
  includePrereleases: boolean
  log: { info: (line: string) => void; warning: (line: string) => void }
}

/** The selected server releases, newest first, each with its GO_VERSION and go.mod. */
export async function resolveServerVersions(api: GitHubApi, o: ResolveOptions): Promise<ServerRelease[]> {
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
  for (const t of selection.byTerm) if (t.tags.length === 0) o.log.warning(`server-version: ${t.term} selects no release of ${repository}`)
  o.log.info(`Server versions of ${repository} (${selection.tags.length}, newest first): ${selection.tags.join(', ')} (server-version: ${o.request.text})`)
  // A few at a time: two small requests per tag.
  return mapConcurrent(selection.tags, 4, tag => releaseAtTag(api, o.server, tag))
}
