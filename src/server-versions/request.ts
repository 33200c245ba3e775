/**
 * The `server-version` input: one or more terms, comma or newline separated.
 * A term is `latest`, `latest-N`, a semver range over the server's published
 * releases (`>=2.7.0 <3`, `^2.8`, `~2.9`, `2.x`), a tag, or `ref:<branch or
 * commit SHA>` of the server repository (a candidate, not a release: the
 * prefix keeps it apart from tags and ranges). Pure.
 */
import * as semver from 'semver'
import { InputError } from '../errors.js'
import { tagNameProblem } from '../release/git-ref.js'

export type VersionTerm =
  | { kind: 'latest'; text: string }
  | { kind: 'latest-n'; n: number; text: string }
  | { kind: 'range'; range: string; text: string }
  | { kind: 'tag'; tag: string; text: string }
  | { kind: 'ref'; ref: string; text: string }

export interface VersionRequest {
  /** The input as given, on one line. */
  text: string
  terms: VersionTerm[]
}

/** More than this many newest releases is surely a typo (latest-1000). */
export const MAX_LATEST_N = 100

const ACCEPTED =
  'latest, latest-N (the N newest releases), a tag such as v2.9.1, a semver range such as >=2.7.0 <3, ^2.8 or ~2.9, ref:<branch or commit SHA> such as ref:master, or a comma or newline separated list of them'

export const REF_PREFIX = 'ref:'

/**
 * A term is a range when it starts with a comparator or a caret/tilde, holds
 * `||`, is a hyphen range (`2.7.0 - 2.9.0`) or has an x/* wildcard (`2.x`,
 * `v2.9.*`). Anything else is a tag: `v2.9.1` alone means that tag, never
 * "versions equal to 2.9.1".
 */
export function looksLikeRange(term: string): boolean {
  return (
    /^[<>=~^*]/.test(term) ||
    term.includes('||') ||
    /^v?\d[\w.+-]*\s+-\s+v?\d/.test(term) ||
    /^v?\d+(\.(\d+|[xX*]))?\.[xX*]$/.test(term)
  )
}

export function parseVersionRequest(input: string): VersionRequest {
  const parts = input
    .split(/[,\n]/)
    .map(t => t.trim())
    .filter(t => t !== '')
  const terms = (parts.length > 0 ? parts : ['latest']).map(parseTerm)
  return { text: parts.join(', ') || 'latest', terms }
}

function parseTerm(text: string): VersionTerm {
  if (text === 'latest') return { kind: 'latest', text }
  if (text.startsWith(REF_PREFIX)) return { kind: 'ref', ref: parseRef(text), text }
  const n = /^latest-(\d+)$/.exec(text)
  if (n) {
    const count = Number(n[1])
    if (count < 1 || count > MAX_LATEST_N) throw new InputError('server-version', `${quoted(text)} asks for ${count} releases`, `latest-N with N from 1 to ${MAX_LATEST_N}`)
    return { kind: 'latest-n', n: count, text }
  }
  if (looksLikeRange(text)) {
    const range = semver.validRange(text)
    if (range === null) throw new InputError('server-version', `${quoted(text)} is not a semver range`, ACCEPTED)
    return { kind: 'range', range, text }
  }
  const problem = tagNameProblem(text)
  if (problem) throw new InputError('server-version', `${quoted(text)} is not a tag name: it ${problem}`, `${ACCEPTED} (tags by git's rules for tag names)`)
  return { kind: 'tag', tag: text, text }
}

/**
 * The branch or commit of `ref:<x>`: a hex SHA of 7 to 40 digits, or a name by
 * git's rules for branch names (the same as for tags, and `HEAD` is not one).
 */
function parseRef(text: string): string {
  const ref = text.slice(REF_PREFIX.length)
  const accepted = 'ref: followed by a branch name of the server repository such as ref:master, or a commit SHA of 7 to 40 hex digits'
  if (ref === '') throw new InputError('server-version', `${quoted(text)} names no branch or commit`, accepted)
  if (/^[0-9a-fA-F]+$/.test(ref) && ref.length > 40) throw new InputError('server-version', `${quoted(text)} is longer than a commit SHA (40 hex digits)`, accepted)
  const problem = tagNameProblem(ref) ?? (ref === 'HEAD' || ref === '@' ? 'is not a branch name' : undefined)
  if (problem) throw new InputError('server-version', `${quoted(text)} is not a branch name or commit SHA: it ${problem}`, accepted)
  return ref
}

/** Whether resolving the request needs the list of the server's releases (ranges and latest-N do). */
export function needsReleaseList(request: VersionRequest): boolean {
  return request.terms.some(t => t.kind === 'range' || t.kind === 'latest-n')
}

/** The `ref:` terms' branches and SHAs, in the order given. */
export const refsOf = (request: VersionRequest): string[] => request.terms.flatMap(t => (t.kind === 'ref' ? [t.ref] : []))

/** Whether the request selects any published release (anything but `ref:` terms). */
export const asksForReleases = (request: VersionRequest): boolean => request.terms.some(t => t.kind !== 'ref')

/** Quoted, on one line, and short: the value may be anything. */
function quoted(value: string): string {
  const s = JSON.stringify(value)
  return s.length > 80 ? `${s.slice(0, 77)}..."` : s
}
