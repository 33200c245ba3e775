/**
 * Go versions as they appear in a server's GO_VERSION file and in image tags:
 * `1.26.0`, `1.22`, `1.23rc1`. Strict, because the value ends up in an image
 * tag and on command lines.
 */
const GO_VERSION = /^(\d{1,3})\.(\d{1,3})(?:\.(\d{1,3}))?(?:(rc|beta)(\d{1,3}))?$/

export interface GoVersion {
  readonly major: number
  readonly minor: number
  readonly patch: number
  readonly pre?: { kind: 'rc' | 'beta'; n: number }
  readonly text: string
}

export function parseGoVersion(text: string): GoVersion | undefined {
  const m = GO_VERSION.exec(text.trim().replace(/^go/, ''))
  if (!m) return undefined
  const [, major, minor, patch, kind, n] = m
  return {
    major: Number(major),
    minor: Number(minor),
    patch: patch === undefined ? 0 : Number(patch),
    pre: kind ? { kind: kind as 'rc' | 'beta', n: Number(n) } : undefined,
    text: text.trim().replace(/^go/, '')
  }
}

/**
 * `-mod=mod` and `-modcacherw` arrived in Go 1.14; older Go (gotify's first v2
 * releases used 1.12) rejects them, and updates go.mod on its own anyway.
 */
export function hasModFlags(goVersion: string): boolean {
  return goAtLeast(goVersion, 14)
}

/** Whether a Go 1.x version is 1.`minor` or later; an unreadable one counts as recent. */
export function goAtLeast(goVersion: string, minor: number): boolean {
  const v = parseGoVersion(goVersion)
  return v === undefined || v.major > 1 || v.minor >= minor
}

/** Negative when a < b; pre-releases sort before the release they lead to. */
export function compareGoVersions(a: GoVersion, b: GoVersion): number {
  const d = a.major - b.major || a.minor - b.minor || a.patch - b.patch
  if (d !== 0) return d
  const rank = (v: GoVersion): number => (v.pre ? (v.pre.kind === 'beta' ? 0 : 1000) + v.pre.n : 1_000_000)
  return rank(a) - rank(b)
}

/**
 * The name Go itself gives a release (`go version`, `runtime.Version()`):
 * before Go 1.21 a .0 release is `go1.16`, from 1.21 on it is `go1.21.0`.
 * Without a patch number a 1.21+ version names a language version, not a
 * release, and keeps that form (so it never equals a release).
 */
export function goReleaseName(v: GoVersion): string {
  const base = `go${v.major}.${v.minor}`
  if (v.pre) return `${base}${v.pre.kind}${v.pre.n}`
  const patchGiven = /^\d+\.\d+\.\d+/.test(v.text)
  const dotZeroDropped = v.major === 1 && v.minor < 21
  if (v.patch === 0 && (dotZeroDropped || !patchGiven)) return base
  return `${base}.${v.patch}`
}

/**
 * Whether two spellings name the same Go release: a server's GO_VERSION `1.16.0`
 * and an image's `go1.16` do. Text that is no Go version only equals itself.
 */
export function sameGoRelease(a: string, b: string): boolean {
  const [x, y] = [parseGoVersion(a), parseGoVersion(b)]
  if (!x || !y) return a.trim().replace(/^go/, '') === b.trim().replace(/^go/, '')
  return goReleaseName(x) === goReleaseName(y)
}

/** The release name of a Go version string (`1.16.0` → `go1.16`); unreadable text gets a `go` prefix. */
export function goReleaseNameOf(text: string): string {
  const v = parseGoVersion(text)
  return v ? goReleaseName(v) : `go${text.trim().replace(/^go/, '')}`
}
