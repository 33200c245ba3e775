/**
 * Where a Go release comes from and how it is checked, for the native
 * builder. Pure.
 *
 * The archive is `<base>/go<version>.linux-<arch>.tar.gz` (go-download-base-url,
 * default https://go.dev/dl). Its sha256 comes from the same base, so a mirror
 * works when it serves either:
 *   1. the checksum list, `<base>/?mode=json&include=all` (go.dev/dl serves it:
 *      every release with `files[].filename` and `files[].sha256`), or else
 *   2. a `<base>/<archive>.sha256` file next to the archive (dl.google.com/go and
 *      the mirrors that copy it hold one for every file).
 * Without either, nothing is installed. A checksum from the same host as the
 * archive catches a corrupt or truncated download, not a hostile mirror.
 */
import { goReleaseNameOf, parseGoVersion } from '../go-version.js'

/** The tool-cache name of Go (the one actions/setup-go uses, so its entries are found too). */
export const GO_TOOL = 'go'

const ARCHIVE_ARCH: Record<string, string> = { arm: 'armv6l' }

/** `go1.26.8.linux-amd64.tar.gz`; `runnerArch` is Go's name of the runner's architecture. */
export function goArchiveName(goVersion: string, runnerArch: string): string {
  return `${goReleaseNameOf(goVersion)}.linux-${ARCHIVE_ARCH[runnerArch] ?? runnerArch}.tar.gz`
}

/** The tool-cache version (semver, as actions/setup-go spells it): 1.26.8, 1.16.0, 1.23.0-rc.1. */
export function goToolCacheVersion(goVersion: string): string {
  const v = parseGoVersion(goVersion)
  if (!v) return goVersion
  return `${v.major}.${v.minor}.${v.patch}${v.pre ? `-${v.pre.kind}.${v.pre.n}` : ''}`
}

const trimSlash = (base: string): string => base.replace(/\/+$/, '')
export const archiveUrl = (base: string, file: string): string => `${trimSlash(base)}/${file}`
export const checksumListUrl = (base: string): string => `${trimSlash(base)}/?mode=json&include=all`
export const checksumFileUrl = (base: string, file: string): string => `${archiveUrl(base, file)}.sha256`

const SHA256 = /^[0-9a-f]{64}$/

/** The sha256 the checksum list gives `file`; undefined when the list does not name it. Throws on text that is no checksum list. */
export function sha256FromList(text: string, file: string): string | undefined {
  const releases = JSON.parse(text) as unknown
  if (!Array.isArray(releases)) throw new Error('not a list of Go releases')
  for (const r of releases as Array<{ files?: Array<{ filename?: string; sha256?: string }> }>) {
    for (const f of r?.files ?? []) {
      if (f?.filename === file && typeof f.sha256 === 'string' && SHA256.test(f.sha256.toLowerCase())) return f.sha256.toLowerCase()
    }
  }
  return undefined
}

/** The sha256 of a `.sha256` file (`<hex>` or `<hex>  <file>`); undefined when it holds none. */
export function sha256FromFile(text: string): string | undefined {
  const first = text.trim().split(/\s+/)[0]?.toLowerCase() ?? ''
  return SHA256.test(first) ? first : undefined
}

/**
 * The stable releases a checksum list offers an archive of for `runnerArch`
 * (`1.26.8`, `1.16`), as Go versions; empty for text that is no checksum list.
 */
export function stableReleasesIn(text: string, runnerArch: string): string[] {
  let releases: unknown
  try {
    releases = JSON.parse(text)
  } catch {
    return []
  }
  if (!Array.isArray(releases)) return []
  const out: string[] = []
  for (const r of releases as Array<{ version?: unknown; stable?: unknown; files?: Array<{ filename?: unknown }> }>) {
    if (r?.stable !== true || typeof r.version !== 'string') continue
    const v = parseGoVersion(r.version)
    if (!v || v.pre || !(r.files ?? []).some(f => f?.filename === goArchiveName(v.text, runnerArch))) continue
    out.push(v.text)
  }
  return out
}
