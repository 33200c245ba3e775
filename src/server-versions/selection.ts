/**
 * Which server releases a `server-version` request selects, from what the
 * API said: the release list (for ranges and latest-N), GitHub's latest
 * release, and the tags named. Drafts are never selected; pre-releases only
 * with include-prereleases (a tag named outright is taken as it is). Pure.
 */
import * as semver from 'semver'
import { InputError } from '../errors.js'
import type { VersionRequest } from './request.js'

/** A release as the API lists it (newest first). */
export interface ListedRelease {
  tag: string
  draft: boolean
  prerelease: boolean
}

export interface SelectionInput {
  request: VersionRequest
  /** owner/name of the server, for messages. */
  repository: string
  /** Every release listed, newest first; needed for ranges and latest-N. */
  releases?: ListedRelease[]
  /** GitHub's latest release, when the request names `latest`. */
  latest?: string
  includePrereleases: boolean
}

export interface Selection {
  /** The selected tags, each once, newest first. */
  tags: string[]
  /** What each term selected, for the log (a term that selects nothing is worth a warning). */
  byTerm: Array<{ term: string; tags: string[] }>
}

const versionOf = (tag: string): semver.SemVer | null => semver.parse(tag)

/** A pre-release by GitHub's flag or by the tag's own semver pre-release part (v3.0.0-rc.1). */
export function isPrerelease(r: ListedRelease): boolean {
  return r.prerelease || (semver.prerelease(r.tag) ?? []).length > 0
}

/**
 * Newest first: semver tags by version, then the others in the release
 * list's order (GitHub lists the newest first), then in the order given.
 */
export function newestFirst(tags: string[], releases: ListedRelease[] = []): string[] {
  const listed = new Map(releases.map((r, i) => [r.tag, i]))
  const given = new Map(tags.map((t, i) => [t, i]))
  return [...tags].sort((a, b) => {
    const [va, vb] = [versionOf(a), versionOf(b)]
    if (va && vb) return semver.rcompare(va, vb) || (a < b ? -1 : a > b ? 1 : 0)
    if (va || vb) return va ? -1 : 1
    const [la, lb] = [listed.get(a) ?? Infinity, listed.get(b) ?? Infinity]
    return la !== lb ? la - lb : (given.get(a) ?? 0) - (given.get(b) ?? 0)
  })
}

/** The releases ranges and latest-N choose from: published, and pre-releases only when included. */
function candidates(i: SelectionInput): ListedRelease[] {
  return (i.releases ?? []).filter(r => !r.draft && (i.includePrereleases || !isPrerelease(r)))
}

export function selectServerVersions(i: SelectionInput): Selection {
  const pool = candidates(i)
  const poolNewestFirst = newestFirst(pool.map(r => r.tag), pool)
  const byTerm = i.request.terms.map(term => {
    let tags: string[]
    switch (term.kind) {
      case 'latest':
        tags = i.latest ? [i.latest] : []
        break
      case 'tag':
        tags = [term.tag]
        break
      case 'latest-n':
        tags = poolNewestFirst.slice(0, term.n)
        break
      case 'range':
        tags = poolNewestFirst.filter(t => semver.satisfies(t, term.range, { includePrerelease: i.includePrereleases }))
        break
      case 'ref':
        // A branch or commit, not a release: resolved on its own (server/candidate.ts).
        tags = []
        break
    }
    return { term: term.text, tags }
  })
  const tags = newestFirst([...new Set(byTerm.flatMap(t => t.tags))], i.releases)
  if (tags.length === 0) {
    throw new InputError(
      'server-version',
      `"${i.request.text}" selects no release of ${i.repository} (releases seen: ${describeReleases(i.releases ?? [])})`,
      'a range or latest-N that matches a published release (drafts never count; pre-releases only with include-prereleases: true), latest, or a tag'
    )
  }
  return { tags, byTerm }
}

const SHOWN = 20

/** `v3.0.0, v3.1.0-rc.1 (pre-release), v3.1.0 (draft), ...` or `none`. */
export function describeReleases(releases: ListedRelease[]): string {
  if (releases.length === 0) return 'none'
  const named = releases.slice(0, SHOWN).map(r => `${r.tag}${r.draft ? ' (draft)' : isPrerelease(r) ? ' (pre-release)' : ''}`)
  return named.join(', ') + (releases.length > SHOWN ? `, ... (${releases.length} in all)` : '')
}
