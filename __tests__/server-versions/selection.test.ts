import { parseVersionRequest } from '../../src/server-versions/request.js'
import { type ListedRelease, describeReleases, newestFirst, selectServerVersions } from '../../src/server-versions/selection.js'

// As GitHub lists them: newest first, a draft and a pre-release among them, and a backport published last.
const releases: ListedRelease[] = [
  { tag: 'v3.1.0', draft: true, prerelease: false },
  { tag: 'v2.8.1', draft: false, prerelease: false },
  { tag: 'v3.1.0-rc.1', draft: false, prerelease: false },
  { tag: 'v3.0.0', draft: false, prerelease: false },
  { tag: 'v3.0.0-beta', draft: false, prerelease: true },
  { tag: 'v2.9.1', draft: false, prerelease: false },
  { tag: 'v2.9.0', draft: false, prerelease: false },
  { tag: 'v2.8.0', draft: false, prerelease: false },
  { tag: 'v2.7.0', draft: false, prerelease: false },
  { tag: 'nightly', draft: false, prerelease: true }
]
const select = (text: string, extra: { latest?: string; includePrereleases?: boolean } = {}) =>
  selectServerVersions({ request: parseVersionRequest(text), repository: 'gotify/server', releases, latest: extra.latest, includePrereleases: extra.includePrereleases ?? false }).tags

test('a range selects published releases only, newest first; drafts and pre-releases are left out', () => {
  expect(select('>=2.8.0')).toEqual(['v3.0.0', 'v2.9.1', 'v2.9.0', 'v2.8.1', 'v2.8.0'])
  expect(select('>=2.7.0 <3')).toEqual(['v2.9.1', 'v2.9.0', 'v2.8.1', 'v2.8.0', 'v2.7.0'])
  expect(select('^2.8')).toEqual(['v2.9.1', 'v2.9.0', 'v2.8.1', 'v2.8.0'])
  expect(select('~2.9')).toEqual(['v2.9.1', 'v2.9.0'])
  expect(select('2.8.x')).toEqual(['v2.8.1', 'v2.8.0'])
})

test('pre-releases (by flag or by the tag) only with include-prereleases; drafts never', () => {
  expect(select('>=3.0.0-0', { includePrereleases: true })).toEqual(['v3.1.0-rc.1', 'v3.0.0', 'v3.0.0-beta'])
  expect(select('>=3.0.0-0')).toEqual(['v3.0.0'])
  expect(select('latest-2', { includePrereleases: true })).toEqual(['v3.1.0-rc.1', 'v3.0.0'])
})

test('latest-N: the N highest versions, not the N last published', () => {
  expect(select('latest-2')).toEqual(['v3.0.0', 'v2.9.1'])
  expect(select('latest-100')).toHaveLength(6)
})

test('a list with latest de-duplicates, whatever the order', () => {
  expect(select('v2.8.0, v3.0.0, latest, ~2.8', { latest: 'v3.0.0' })).toEqual(['v3.0.0', 'v2.8.1', 'v2.8.0'])
})

test('a tag named outright is taken as it is, pre-release or not', () => {
  expect(select('v3.0.0-beta, nightly')).toEqual(['v3.0.0-beta', 'nightly'])
})

test('an empty set is an error that shows the releases seen', () => {
  expect(() => select('>=4')).toThrow(
    "Input 'server-version': \">=4\" selects no release of gotify/server (releases seen: v3.1.0 (draft), v2.8.1, v3.1.0-rc.1 (pre-release), v3.0.0, v3.0.0-beta (pre-release), v2.9.1, v2.9.0, v2.8.0, v2.7.0, nightly (pre-release)); accepted: a range or latest-N that matches a published release (drafts never count; pre-releases only with include-prereleases: true), latest, or a tag"
  )
  expect(() => selectServerVersions({ request: parseVersionRequest('latest-3'), repository: 'a/b', releases: [], includePrereleases: false })).toThrow('(releases seen: none)')
})

test('terms that select nothing are reported apart when others select something', () => {
  const s = selectServerVersions({ request: parseVersionRequest('~2.9, >=5'), repository: 'gotify/server', releases, includePrereleases: false })
  expect(s.byTerm).toEqual([{ term: '~2.9', tags: ['v2.9.1', 'v2.9.0'] }, { term: '>=5', tags: [] }])
})

test('newest first: versions by semver, other tags after them in the release list order', () => {
  expect(newestFirst(['nightly', 'v2.10.0', 'v2.9.1', 'custom'], releases)).toEqual(['v2.10.0', 'v2.9.1', 'nightly', 'custom'])
})

test('the releases seen are cut short in a long list', () => {
  const many = Array.from({ length: 30 }, (_, i) => ({ tag: `v1.0.${i}`, draft: false, prerelease: false }))
  expect(describeReleases(many)).toMatch(/v1\.0\.19, \.\.\. \(30 in all\)$/)
})
