/**
 * Image references (`ghcr.io/owner/name:tag`, `gotify/server@sha256:...`) as
 * the Docker CLI reads them: which registry, which repository, which tag.
 * Pure.
 */

export interface ImageReference {
  /** The name as written, without tag or digest: `ghcr.io/me/server`, `gotify/server`. */
  name: string
  /** Registry host[:port]; `docker.io` when the name has none. */
  registry: string
  tag?: string
  digest?: string
}

// distribution/reference's grammar: a domain (with a dot or a port, or localhost) and lower-case path components.
const DOMAIN = /^(?:localhost|[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*|\[[0-9A-Fa-f:.]+\])(?::\d+)?$/
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/
const DIGEST = /^sha256:[a-f0-9]{64}$/

/** The reference, or why it is not one. */
export function parseImageReference(text: string): ImageReference | { problem: string } {
  let rest = text
  let digest: string | undefined
  const at = rest.indexOf('@')
  if (at >= 0) {
    digest = rest.slice(at + 1)
    rest = rest.slice(0, at)
    if (!DIGEST.test(digest)) return { problem: `"${digest}" is not a sha256 digest` }
  }
  let tag: string | undefined
  const colon = rest.lastIndexOf(':')
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1)
    rest = rest.slice(0, colon)
    if (!TAG.test(tag)) return { problem: `"${tag}" is not a tag (letters, digits, _ . -, up to 128, not starting with . or -)` }
  }
  const parts = rest.split('/')
  const first = parts[0]
  const hasDomain = parts.length > 1 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase())
  if (hasDomain && !DOMAIN.test(first)) return { problem: `"${first}" is not a registry host` }
  const path = hasDomain ? parts.slice(1) : parts
  if (path.length === 0 || path.some(c => !COMPONENT.test(c))) {
    return { problem: `"${rest}" is not a repository name (lower-case letters, digits and . _ - separated by /)` }
  }
  if (rest.length > 255) return { problem: 'the name is longer than 255 characters' }
  return { name: rest, registry: hasDomain ? first : 'docker.io', tag, digest }
}

export function isReference(r: ImageReference | { problem: string }): r is ImageReference {
  return !('problem' in r)
}

/** The host part of a registry address, without the port: what decides whether it is insecure. */
export function registryHostOnly(registry: string): string {
  if (registry.startsWith('[')) return registry.slice(1, registry.indexOf(']'))
  return registry.replace(/:\d+$/, '')
}
