/**
 * The inputs of the server image (server-image, server-image-plugin-dir,
 * image-tags), parsed and checked with the other inputs, before anything runs.
 * Pure.
 */
import * as path from 'node:path'
import { InputError } from '../errors.js'
import { placeholdersOf, renderTemplate } from '../template.js'
import { isReference, parseImageReference } from './reference.js'

export interface ServerImageSettings {
  /** The host image to extend, a template; undefined: no image is made. */
  image?: string
  /** Absolute folder in the image the server loads plugins from. */
  pluginDir: string
  /** Tags of the result, templates; pushed when uploading is on. */
  tags: string[]
}

export const SERVER_IMAGE_PLACEHOLDERS = ['server-owner', 'server-name', 'server-version', 'server-version-bare', 'go-version', 'platform', 'os', 'arch', 'variant']
/** The result spans every platform: no platform placeholder. */
export const IMAGE_TAG_PLACEHOLDERS = ['plugin', 'server-owner', 'server-name', 'server-version', 'server-version-bare', 'go-version']

// What templates are checked with before the server is known; real values are checked again once rendered.
const SAMPLE: Record<string, string> = {
  plugin: 'plugin',
  'server-owner': 'owner',
  'server-name': 'server',
  'server-version': 'v1.0.0',
  'server-version-bare': '1.0.0',
  'go-version': '1.22.0',
  platform: 'linux-arm-7',
  os: 'linux',
  arch: 'arm',
  variant: '7'
}

/** `get` returns the input's value, or its default when unset or empty. */
export function parseServerImageSettings(get: (name: string) => string): ServerImageSettings {
  const image = get('server-image')
  const tags = get('image-tags')
    .split(/[,\n]/)
    .map(t => t.trim())
    .filter(t => t !== '')
  if (image !== '') checkImageTemplate(image)
  if (image === '' && tags.length > 0) {
    throw new InputError('image-tags', 'tags are given but server-image is empty', 'tags only together with server-image, such as ghcr.io/owner/plugin-server:{server-version-bare}')
  }
  const seen = new Set<string>()
  for (const t of tags) {
    checkTagTemplate(t)
    if (seen.has(t)) throw new InputError('image-tags', `"${t}" is listed twice`, 'each tag once')
    seen.add(t)
  }
  return { image: image === '' ? undefined : image, pluginDir: checkPluginDir(get('server-image-plugin-dir')), tags }
}

function checkPlaceholders(input: string, template: string, allowed: string[]): void {
  for (const p of placeholdersOf(template)) {
    if (!allowed.includes(p)) throw new InputError(input, `unknown placeholder {${p}} in "${template}"`, allowed.map(a => `{${a}}`).join(', '))
  }
}

function checkImageTemplate(template: string): void {
  const accepted = 'an image reference with placeholders, such as gotify/server:{server-version-bare}'
  checkPlaceholders('server-image', template, SERVER_IMAGE_PLACEHOLDERS)
  const ref = parseImageReference(renderTemplate(template, SAMPLE))
  if (!isReference(ref)) throw new InputError('server-image', `"${template}" is not an image reference: ${ref.problem}`, accepted)
}

function checkTagTemplate(template: string): void {
  const accepted = 'image references with a tag, comma or newline separated, such as ghcr.io/owner/plugin-server:{server-version-bare}'
  checkPlaceholders('image-tags', template, IMAGE_TAG_PLACEHOLDERS)
  const ref = parseImageReference(renderTemplate(template, SAMPLE))
  if (!isReference(ref)) throw new InputError('image-tags', `"${template}" is not an image reference: ${ref.problem}`, accepted)
  if (!ref.tag || ref.digest) throw new InputError('image-tags', `"${template}" ${ref.digest ? 'has a digest' : 'has no tag'}`, accepted)
}

/** An absolute, plain folder: it ends up in a tar archive sent into the image. */
function checkPluginDir(dir: string): string {
  const accepted = 'an absolute folder in the image, such as /app/data/plugins'
  if (!dir.startsWith('/') || !/^[A-Za-z0-9._@+/-]+$/.test(dir) || dir.split('/').some(s => s === '..' || s === '.')) {
    throw new InputError('server-image-plugin-dir', `"${dir}" is not an absolute folder without . or .. parts`, accepted)
  }
  const normal = path.posix.normalize(dir).replace(/\/+$/, '')
  if (normal === '') throw new InputError('server-image-plugin-dir', '"/" is the image\'s root', accepted)
  return normal
}
