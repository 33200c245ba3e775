/**
 * The registry side, through the Docker CLI and the engine's credentials:
 * which platforms a server image offers (`docker manifest inspect`), pulling
 * one platform by digest, pushing each platform's image and the index that
 * joins them (`docker manifest create/annotate/push`). No buildx needed.
 */
import { BlockList, isIP } from 'node:net'
import { StepError } from '../errors.js'
import { docker, tryDocker } from './engine.js'
import { type OciPlatform, describeOci } from './plan.js'
import { registryHostOnly } from './reference.js'

/** One platform of a server image, addressable on its own. */
export interface OfferedImage {
  platform: OciPlatform
  /** What to pull or create from: name@sha256:... (or a local image's id). */
  ref: string
}

interface RegistryConfig {
  IndexConfigs?: Record<string, { Secure?: boolean }>
  InsecureRegistryCIDRs?: string[]
}

/**
 * Whether the engine talks plain HTTP to `registry` (its insecure-registries,
 * 127.0.0.0/8 by default); the CLI's manifest commands must then be told
 * with --insecure. Pure.
 */
export function isInsecureRegistry(registry: string, config: RegistryConfig): boolean {
  if (config.IndexConfigs?.[registry]?.Secure === false) return true
  const host = registryHostOnly(registry)
  const address = host === 'localhost' ? '127.0.0.1' : host
  const family = isIP(address)
  if (family === 0) return false
  const blocks = new BlockList()
  for (const cidr of config.InsecureRegistryCIDRs ?? []) {
    const [net, bits] = cidr.split('/')
    const type = isIP(net) === 6 ? 'ipv6' : 'ipv4'
    if (isIP(net) !== 0) blocks.addSubnet(net, Number(bits), type)
  }
  return blocks.check(address, family === 6 ? 'ipv6' : 'ipv4')
}

export async function engineRegistryConfig(): Promise<RegistryConfig> {
  const r = await tryDocker(['info', '--format', '{{json .RegistryConfig}}'])
  try {
    return r.ok ? (JSON.parse(r.stdout) as RegistryConfig) : {}
  } catch {
    return {}
  }
}

interface InspectedManifest {
  Ref?: string
  Descriptor?: { digest?: string; platform?: { os?: string; architecture?: string; variant?: string } }
}

/**
 * The platforms `ref` offers: its index's entries (attestations left out), or
 * the one platform of a single image. An image only the local engine has
 * (built by an earlier step) counts as its one platform.
 */
export async function offeredImages(ref: string, name: string, insecure: boolean): Promise<OfferedImage[]> {
  const inspected = await tryDocker(['manifest', 'inspect', '--verbose', ...(insecure ? ['--insecure'] : []), ref])
  if (inspected.ok) {
    const parsed = JSON.parse(inspected.stdout) as InspectedManifest | InspectedManifest[]
    const list = Array.isArray(parsed) ? parsed : [parsed]
    return list.flatMap(m => {
      const p = m.Descriptor?.platform
      const digest = m.Descriptor?.digest
      if (!p?.os || !p.architecture || p.os === 'unknown' || !digest) return []
      return [{ platform: { os: p.os, architecture: p.architecture, ...(p.variant ? { variant: p.variant } : {}) }, ref: `${name}@${digest}` }]
    })
  }
  // The whole object: engines before 23 have no Variant field, and a template naming it fails there.
  const local = await tryDocker(['image', 'inspect', '--format', '{{json .}}', ref])
  if (local.ok) {
    const { Id, Os, Architecture, Variant } = JSON.parse(local.stdout) as { Id: string; Os: string; Architecture: string; Variant?: string }
    return [{ platform: { os: Os, architecture: Architecture, ...(Variant ? { variant: Variant } : {}) }, ref: Id }]
  }
  throw new StepError(`server-image ${ref} cannot be read: ${inspected.error}; check the name and tag, and log in to its registry before this step (docker/login-action) if it is private`)
}

/** Pulls `ref` unless the engine has it; returns its image id. */
export async function pullImage(ref: string): Promise<string> {
  const have = await tryDocker(['image', 'inspect', '--format', '{{.Id}}', ref])
  if (have.ok) return have.stdout.trim()
  await docker(['pull', '--quiet', ref], `pulling ${ref}`)
  return (await docker(['image', 'inspect', '--format', '{{.Id}}', ref], `reading ${ref}`)).trim()
}

/** Pushes a local image under `tag`; returns the digest the registry gave its manifest. */
export async function pushPlatformImage(imageId: string, tag: string): Promise<string> {
  // The tag goes when the image is removed (the step's clean-up); untagging now would delete the image.
  await docker(['tag', imageId, tag], `tagging ${tag}`)
  const out = await docker(['push', tag], `pushing ${tag}`)
  const digest = /digest: (sha256:[a-f0-9]{64})/.exec(out)?.[1]
  if (!digest) throw new StepError(`pushing ${tag}: the registry's answer names no digest`)
  return digest
}

/** Creates the index `tag` over images already in its repository, annotates each platform, pushes it; returns its digest. */
export async function pushIndex(tag: string, entries: Array<{ ref: string; platform: OciPlatform }>, insecure: boolean): Promise<string> {
  const flag = insecure ? ['--insecure'] : []
  // A list of that name left by an interrupted run would otherwise be refused, or amended with its old entries.
  await tryDocker(['manifest', 'rm', tag])
  await docker(['manifest', 'create', ...flag, tag, ...entries.map(e => e.ref)], `creating the index ${tag}`)
  try {
    for (const e of entries) {
      const p = e.platform
      await docker(['manifest', 'annotate', '--os', p.os, '--arch', p.architecture, ...(p.variant ? ['--variant', p.variant] : []), tag, e.ref], `annotating ${describeOci(p)} in ${tag}`)
    }
    const out = await docker(['manifest', 'push', '--purge', ...flag, tag], `pushing the index ${tag}`)
    const digest = /sha256:[a-f0-9]{64}/.exec(out)?.[0]
    if (!digest) throw new StepError(`pushing the index ${tag}: docker manifest push printed no digest`)
    return digest
  } finally {
    // --purge removes the local list once pushed; after a failure it is removed here.
    await tryDocker(['manifest', 'rm', tag])
  }
}
