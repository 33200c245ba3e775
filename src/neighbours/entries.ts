/**
 * The `with-plugins` input: other plugins' `.so` files that users run beside
 * this one in the same server. Pure: text in, typed entries out, or one
 * InputError line naming the entry and what is accepted.
 *
 *   with-plugins: |
 *     plugins/*.so                                     a path or glob in the workspace
 *     https://example.com/x/{server-version}/x-{platform}.so
 *     gotify/plugin-a@v1.2.0:plugin-a-{platform}.so    owner/repo@tag:asset-name-glob
 *     acme/plugin-b@v0.3.0:*.so (warn)                 a conflict with it only warns
 *
 * A workspace path that looks like owner/repo@tag:glob is written ./dir/x@y:z.so.
 * `(warn)` is a trailing remark on the entry's own line: it reads plainly in
 * YAML, cannot be mistaken for glob syntax (`?`, `*`, `[`) or URL syntax, and
 * each neighbour gets its own policy (a separate input could not say which).
 */
import * as path from 'node:path'
import { InputError } from '../errors.js'
import { tagNameProblem } from '../release/git-ref.js'
import { placeholdersOf, renderTemplate } from '../template.js'
import { hasControl } from '../outside-text.js'

/** What a neighbour's conflict with the set does to `compatible`. */
export type ConflictPolicy = 'fail' | 'warn'

export type NeighbourSource =
  /** A path or glob relative to the workspace (`/` separators), normalised; never leaves it. */
  | { kind: 'path'; pattern: string }
  /** https (http only to the runner itself); placeholders only after the host. */
  | { kind: 'url'; url: string }
  /** A release asset of another repository; `tag` and `assetGlob` may hold placeholders. */
  | { kind: 'release'; owner: string; repo: string; tag: string; assetGlob: string }

export type NeighbourEntry = NeighbourSource & {
  /** The entry as the user wrote it (without the marker), for messages. */
  text: string
  onConflict: ConflictPolicy
}

export const INPUT = 'with-plugins'

/** Placeholders an entry may hold; filled per platform and server version. */
export const NEIGHBOUR_PLACEHOLDERS = ['platform', 'os', 'arch', 'variant', 'server-owner', 'server-name', 'server-version', 'server-version-bare', 'go-version']

/** Values that stand in for the real ones when an entry is checked before any release is known. */
export const SAMPLE_VALUES: Record<string, string> = {
  platform: 'linux-arm-7',
  os: 'linux',
  arch: 'arm',
  variant: '7',
  'server-owner': 'gotify',
  'server-name': 'server',
  'server-version': 'v2.6.3',
  'server-version-bare': '2.6.3',
  'go-version': '1.24.1'
}

const ACCEPTED =
  'one entry per line or comma: a workspace path or glob such as plugins/*.so, an https URL, or owner/repo@tag:asset-name-glob; ' +
  `placeholders ${NEIGHBOUR_PLACEHOLDERS.map(p => `{${p}}`).join(', ')}; append (warn) to let a conflict with that plugin only warn`

// A trailing `(word)` after a space is a marker; only `(warn)` is known.
const MARKER = /^(.*?)\s+\(([^()]*)\)$/
const RELEASE = /^([A-Za-z0-9][A-Za-z0-9-]{0,38})\/([A-Za-z0-9._-]{1,100})@([^:]+):(.+)$/
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):\/\//
/** Plain http reaches only the runner itself: nothing crosses a network that could change the file. */
export const LOOPBACK: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]'])

/** Splits and parses the input; empty means no neighbours. `workspace` is the absolute workspace folder. */
export function parseWithPlugins(text: string, workspace: string): NeighbourEntry[] {
  const items = text
    .split(/[,\n]/)
    .map(s => s.trim())
    .filter(s => s !== '')
  const seen = new Set<string>()
  return items.map(item => {
    const entry = parseEntry(item, workspace)
    const key = JSON.stringify({ ...entry, text: undefined, onConflict: undefined })
    if (seen.has(key)) fail(item, 'is listed twice')
    seen.add(key)
    return entry
  })
}

export function parseEntry(item: string, workspace: string): NeighbourEntry {
  if (hasControl(item)) fail(item, 'contains a control character')
  let text = item
  let onConflict: ConflictPolicy = 'fail'
  const marker = MARKER.exec(item)
  if (marker) {
    if (marker[2].trim() !== 'warn') fail(item, `has an unknown marker (${marker[2]})`)
    text = marker[1].trim()
    onConflict = 'warn'
  }
  const scheme = SCHEME.exec(text)
  const source = scheme ? parseUrl(text, scheme[1].toLowerCase()) : RELEASE.test(text) ? parseRelease(text) : parsePath(text, workspace)
  return { ...source, text, onConflict }
}

function parseUrl(text: string, scheme: string): NeighbourSource {
  if (scheme !== 'https' && scheme !== 'http') fail(text, `uses ${scheme}://, not https://`)
  const m = /^[^:]+:\/\/([^/?#]*)([^#]*)$/.exec(text)
  if (!m) fail(text, 'has a fragment (#...)')
  const [, authority, rest] = m
  if (authority.includes('@')) fail(text, 'carries credentials in the URL')
  if (/[{}]/.test(authority)) fail(text, 'has a placeholder in the host; only the path and query may hold them')
  checkPlaceholders(text, text)
  let url: URL
  try {
    url = new URL(renderTemplate(text, SAMPLE_VALUES))
  } catch {
    return fail(text, 'is not a URL')
  }
  if (scheme === 'http' && !LOOPBACK.has(url.hostname)) fail(text, 'is plain http; a plugin is code the server runs, so only https (or http to the runner itself: 127.0.0.1, localhost or [::1])')
  const last = rest.replace(/\?.*$/, '').split('/').pop() ?? ''
  if (!/\.so$/.test(last)) fail(text, 'does not name a .so file (the last part of its path must end in .so)')
  return { kind: 'url', url: text }
}

function parseRelease(text: string): NeighbourSource {
  const [, owner, repo, tag, assetGlob] = RELEASE.exec(text) as RegExpExecArray
  if (repo === '.' || repo === '..') fail(text, `names no repository (${repo})`)
  checkPlaceholders(text, tag + assetGlob)
  const problem = tagNameProblem(renderTemplate(tag, SAMPLE_VALUES))
  if (problem) fail(text, `has a tag that is not a git tag name: it ${problem}`)
  if (/[/\\]/.test(assetGlob)) fail(text, 'has a path separator in the asset name glob')
  return { kind: 'release', owner, repo, tag, assetGlob }
}

function parsePath(text: string, workspace: string): NeighbourSource {
  if (text.includes('\\')) fail(text, 'contains "\\"; write paths with /')
  if (/^[!#]/.test(text)) fail(text, 'starts with ! or #; write ./ before such a path')
  checkPlaceholders(text, text)
  const root = path.resolve(workspace)
  const full = path.resolve(root, renderTemplate(text, SAMPLE_VALUES))
  const rel = path.relative(root, full)
  if (rel === '' || rel === '..' || rel.startsWith(`..${path.sep}`) || path.isAbsolute(rel)) fail(text, `is outside the workspace ${root}`)
  // Kept relative: the workspace may move (containers), the pattern is the user's.
  const pattern = path.isAbsolute(text) ? path.relative(root, text) : path.posix.normalize(text)
  return { kind: 'path', pattern: pattern.split(path.sep).join('/') }
}

function checkPlaceholders(item: string, template: string): void {
  for (const p of placeholdersOf(template)) {
    if (!NEIGHBOUR_PLACEHOLDERS.includes(p)) fail(item, `has an unknown placeholder {${p}}`)
  }
  if (/[{}]/.test(template.replace(/\{[^{}]*\}/g, ''))) fail(item, 'has an unmatched { or }')
}

/** The entry quoted on one line, short. */
export function quoteEntry(item: string): string {
  const s = JSON.stringify(item)
  return s.length > 100 ? `${s.slice(0, 97)}..."` : s
}

function fail(item: string, problem: string): never {
  throw new InputError(INPUT, `entry ${quoteEntry(item)} ${problem}`, ACCEPTED)
}
