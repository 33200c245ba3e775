/**
 * The caches the action keeps between runs, and their keys. Pure.
 *
 * A key names everything that decides what the folder holds, so an exact hit
 * is never a wrong entry; a restore key (a prefix) allows a partial hit that
 * is still right to use: Go's module and build caches are content-addressed,
 * so an older entry only holds less of what this run needs, never something false.
 *   modules        <prefix>-modules-<deps>                                  any module cache is a partial hit
 *   build cache    <prefix>-gocache-<platform>-go<version>-<image>-<deps>    same platform, Go and image
 *   server binary  <prefix>-server-<owner>-<name>-<tag>-<platforms>          same server release
 * where <deps> hashes the plugin's go.mod and go.sum and the server releases built
 * (they decide the aligned build list), and <image> is the build image's id
 * (an image rebuilt under the same tag holds another C compiler), or `native`
 * and the runner's architecture for the native builder.
 */
import { createHash } from 'node:crypto'
import type { Platform } from '../platform.js'

/** Bump when what a cache holds or where changes: old entries are then never restored. */
export const KEY_PREFIX = 'go-plugin-build-v1'

export type CacheKind = 'modules' | 'build' | 'server-binaries'

export interface CacheSpec {
  kind: CacheKind
  /** For logs, e.g. `build cache linux-arm64`. */
  name: string
  /** Host folders; @actions/cache's version hashes them, so they must be stable between runs. */
  paths: string[]
  key: string
  restoreKeys: string[]
  /** Build caches: the platform and Go version (buildCacheScope). */
  scope?: string
}

/** What one build cache serves: a platform built with one Go version, e.g. `linux-arm64 go1.26.8`. */
export function buildCacheScope(platform: Platform, goVersion: string): string {
  return `${platform.id} go${goVersion}`
}

const hash = (parts: Array<string | Buffer | undefined>, length = 16): string => {
  const h = createHash('sha256')
  for (const p of parts) h.update(p === undefined ? '\u0000absent' : p).update('\u0000')
  return h.digest('hex').slice(0, length)
}

/** A key part as it is when it is plain, else its hash (keys may not hold commas). */
export function keyPart(text: string): string {
  return /^[A-Za-z0-9._+@-]{1,64}$/.test(text) ? text : hash([text], 12)
}

/** What decides the plugin's aligned build lists: its go.mod and go.sum as checked out, and the server releases built. */
export function dependencyHash(goMod: Buffer, goSum: Buffer | undefined, server: { owner: string; name: string }, tags: string[]): string {
  return hash([goMod, goSum, `${server.owner}/${server.name}`.toLowerCase(), ...[...tags].sort()])
}

/** The short form of an image id (`sha256:4f2c...` -> `4f2c...`, 12 characters). */
export function imageIdPart(id: string): string {
  const hex = /^(?:sha256:)?([a-f0-9]{12,})$/.exec(id.trim())?.[1]
  return hex ? hex.slice(0, 12) : hash([id], 12)
}

export function moduleCacheSpec(goModCache: string, deps: string): CacheSpec {
  const base = `${KEY_PREFIX}-modules-`
  return { kind: 'modules', name: 'module cache', paths: [goModCache], key: `${base}${deps}`, restoreKeys: [base] }
}

export function buildCacheSpec(o: { goCacheDir: string; platform: Platform; goVersion: string; imageId: string; deps: string }): CacheSpec {
  const base = `${KEY_PREFIX}-gocache-${o.platform.id}-go${keyPart(o.goVersion)}-${imageIdPart(o.imageId)}-`
  const scope = buildCacheScope(o.platform, o.goVersion)
  return { kind: 'build', name: `build cache ${scope}`, paths: [o.goCacheDir], key: `${base}${o.deps}`, restoreKeys: [base], scope }
}

/** The tool cache folder of the server release's binaries (binary-download.ts): one entry per release and platform set. */
export function serverBinariesSpec(o: { toolDir: string; server: { owner: string; name: string; tag: string }; platforms: Platform[] }): CacheSpec {
  const base = `${KEY_PREFIX}-server-${keyPart(o.server.owner.toLowerCase())}-${keyPart(o.server.name.toLowerCase())}-${keyPart(o.server.tag)}-`
  const platforms = hash([o.platforms.map(p => p.id).sort().join(' ')], 8)
  return { kind: 'server-binaries', name: 'server binaries', paths: [o.toolDir], key: `${base}${platforms}`, restoreKeys: [base] }
}

/** How a cache came back: `exact` (the key), `partial` (a restore key), `local` (the folder was already there), `none`. */
export type RestoreResult = 'exact' | 'partial' | 'local' | 'none'

/** The `cache-hit` output: `true` when every cache came back whole, `false` when none did, else `partial`. */
export function cacheHitOutput(results: RestoreResult[]): 'true' | 'partial' | 'false' {
  if (results.length > 0 && results.every(r => r === 'exact' || r === 'local')) return 'true'
  return results.some(r => r !== 'none') ? 'partial' : 'false'
}

/**
 * Whether the post step saves a cache: when the run filled it and it did not
 * come back under its key. One the runner already had (`local`) stays the runner's.
 */
export function shouldSave(result: RestoreResult, filled: boolean): boolean {
  return filled && (result === 'none' || result === 'partial')
}
