/**
 * What the server image step will do, from the inputs and the server release:
 * the server image of each platform, where the .so goes in it, and the tags
 * of the result grouped by repository. Also the mapping between this action's
 * platforms (`linux-arm-7`) and image platforms (`linux/arm/v7`). Pure.
 */
import * as path from 'node:path'
import { InputError } from '../errors.js'
import type { Platform } from '../platform.js'
import { renderTemplate } from '../template.js'
import { type ImageReference, isReference, parseImageReference } from './reference.js'
import { IMAGE_TAG_PLACEHOLDERS, type ServerImageSettings } from './settings.js'

/** A platform as image indexes name it. */
export interface OciPlatform {
  os: string
  architecture: string
  variant?: string
}

export const describeOci = (o: OciPlatform): string => [o.os, o.architecture, o.variant].filter(Boolean).join('/')

/** linux-arm-7 -> linux/arm/v7; linux-amd64 -> linux/amd64. 386's variants (sse2, softfloat) have no image spelling. */
export function ociPlatformOf(p: Platform): OciPlatform {
  const variant = p.variant && (p.arch === 'arm' ? `v${p.variant}` : p.arch === 'amd64' ? p.variant : undefined)
  return { os: p.os, architecture: p.arch, ...(variant ? { variant } : {}) }
}

/** Whether an image of platform `o` is the one for `p` (arm64's v8 is arm64; amd64's v1 is amd64). */
export function offersPlatform(o: OciPlatform, p: Platform): boolean {
  if (o.os !== p.os || o.architecture !== p.arch) return false
  const want = ociPlatformOf(p).variant
  const have = o.variant === '' ? undefined : o.variant
  if (p.arch === 'arm64') return have === undefined || have === 'v8'
  if (p.arch === 'amd64' && want === undefined) return have === undefined || have === 'v1'
  if (p.arch === '386') return true
  return have === want
}

/** One repository the result is pushed to, with its tags in the order given. */
export interface TargetRepository {
  name: string
  registry: string
  tags: string[]
}

export interface ServerImagePlan {
  /** The server image of each platform (platform id -> reference). */
  baseOf: Map<string, string>
  /** Every tag of the result, in the order given. */
  tags: string[]
  targets: TargetRepository[]
  /** The .so's path inside the image, e.g. /app/data/plugins/myplugin.so. */
  pluginFile: string
}

export interface PlanInput {
  settings: ServerImageSettings & { image: string }
  pluginName: string
  platforms: Platform[]
  /** Placeholder values of a platform (compile/plan.ts templateValues). */
  valuesFor: (p: Platform) => Record<string, string>
}

/** Throws InputError when a rendered reference is not one (a server tag with `+`, an upper-case plugin name, ...). */
export function planServerImage({ settings, pluginName, platforms, valuesFor }: PlanInput): ServerImagePlan {
  const baseOf = new Map<string, string>()
  for (const p of platforms) {
    const ref = render('server-image', settings.image, valuesFor(p))
    baseOf.set(p.id, ref.digest ? `${ref.name}@${ref.digest}` : `${ref.name}:${ref.tag ?? 'latest'}`)
  }
  const tagValues = platforms.length > 0 ? pick(valuesFor(platforms[0]), IMAGE_TAG_PLACEHOLDERS) : {}
  const tags: string[] = []
  const targets: TargetRepository[] = []
  for (const t of settings.tags) {
    const ref = render('image-tags', t, tagValues)
    const tag = `${ref.name}:${ref.tag}`
    if (tags.includes(tag)) continue
    tags.push(tag)
    const target = targets.find(x => x.name === ref.name)
    if (target) target.tags.push(ref.tag ?? 'latest')
    else targets.push({ name: ref.name, registry: ref.registry, tags: [ref.tag ?? 'latest'] })
  }
  return { baseOf, tags, targets, pluginFile: path.posix.join(settings.pluginDir, `${pluginName}.so`) }
}

/**
 * The tag a platform's image is pushed under before the index that joins
 * them: `<first tag>-<platform>` (an index can only list images the registry
 * holds, and `docker push` needs a tag).
 */
export function platformTag(target: TargetRepository, p: Platform): string {
  const suffix = `-${p.id}`
  return `${target.name}:${target.tags[0].slice(0, 128 - suffix.length)}${suffix}`
}

function render(input: string, template: string, values: Record<string, string>): ImageReference {
  const text = renderTemplate(template, values)
  const ref = parseImageReference(text)
  if (!isReference(ref)) throw new InputError(input, `"${template}" gives "${text}", which is not an image reference: ${ref.problem}`, 'a template whose values make a valid reference (lower-case repository names)')
  return ref
}

function pick(values: Record<string, string>, keys: string[]): Record<string, string> {
  return Object.fromEntries(keys.filter(k => k in values).map(k => [k, values[k]]))
}
