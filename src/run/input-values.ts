/**
 * Checks of one input's value (a choice, a boolean, seconds, a template, a URL): each
 * refuses in one line naming the input and what is accepted (InputError).
 */
import { InputError } from '../errors.js'
import type { Platform } from '../platform.js'
import { placeholdersOf, renderTemplate } from '../template.js'
import type { ServerBinarySetting } from '../server/binary-asset.js'
import { tagNameProblem } from '../release/git-ref.js'
import { quoted as shownQuoted } from '../outside-text.js'
import { isBinaryPath, parseBinaryPath } from '../server-versions/source.js'

/** Placeholders of image names, and of asset names (a plugin's, per server version). */
export const IMAGE_PLACEHOLDERS = ['server-owner', 'server-name', 'go-version', 'platform', 'os', 'arch', 'variant']
export const ASSET_PLACEHOLDERS = [...IMAGE_PLACEHOLDERS, 'plugin', 'server-version', 'server-version-bare']

/** A positive number of seconds, at most a day. */
export function parseSeconds(name: string, text: string): number {
  const n = /^\d+(\.\d+)?$/.test(text) ? Number(text) : NaN
  if (!(n >= 1 && n <= 86_400)) throw new InputError(name, `"${text}" is not a number of seconds`, 'a number of seconds from 1 to 86400, such as 300')
  return n
}

/** An input's value quoted on one line, and short. */
export function quoted(value: string): string {
  return shownQuoted(value)
}

export function checkTag(name: string, value: string, accepted: string): void {
  const problem = tagNameProblem(value)
  if (problem) throw new InputError(name, `${quoted(value)} is not a tag name: it ${problem}`, `${accepted} (git's rules for tag names)`)
}

export function oneOf(name: string, value: string, accepted: string[]): string {
  if (!accepted.includes(value)) throw new InputError(name, `"${value}" is not a choice`, accepted.join(', '))
  return value
}

export function bool(name: string, value: string): boolean {
  const v = value.toLowerCase()
  if (v === 'true') return true
  if (v === 'false') return false
  throw new InputError(name, `"${value}" is not a boolean`, 'true, false')
}

export function checkTemplate(name: string, template: string, allowed: string[]): string {
  for (const p of placeholdersOf(template)) {
    if (!allowed.includes(p)) throw new InputError(name, `unknown placeholder {${p}}`, allowed.map(a => `{${a}}`).join(', '))
  }
  return template
}

/** Two platforms must never write or upload the same file. */
export function checkAssetNames(template: string, platforms: Platform[]): void {
  const accepted = 'a file name (no / or \\) that differs per platform, e.g. with {platform}'
  if (/[/\\]/.test(template.replace(/\{[^{}]*\}/g, ''))) {
    throw new InputError('asset-name', `"${template}" contains a path separator`, accepted)
  }
  const seen = new Map<string, string>()
  for (const p of platforms) {
    const values: Record<string, string> = Object.fromEntries(ASSET_PLACEHOLDERS.map(k => [k, 'x']))
    Object.assign(values, { platform: p.id, os: p.os, arch: p.arch, variant: p.variant ?? '' })
    const name = renderTemplate(template, values)
    const other = seen.get(name)
    if (other) throw new InputError('asset-name', `"${template}" gives ${other} and ${p.id} the same name`, accepted)
    seen.set(name, p.id)
  }
}

export function parseServerBinary(value: string, workspace: string): ServerBinarySetting {
  if (value === 'auto' || value === 'none') return { kind: value }
  if (isBinaryPath(value)) return parseBinaryPath(value, workspace)
  const accepted = 'auto, none, an asset name with placeholders such as gotify-{platform}.zip, or a file path with a / such as ./gotify'
  checkTemplate('server-binary', value, ASSET_PLACEHOLDERS)
  if (/[/\\]/.test(value.replace(/\{[^{}]*\}/g, ''))) throw new InputError('server-binary', `"${value}" contains a path separator`, accepted)
  return { kind: 'template', template: value }
}

export function parseBaseUrl(value: string): string {
  const accepted = 'an http(s) URL of a folder holding go<version>.linux-<arch>.tar.gz, such as https://go.dev/dl'
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new InputError('go-download-base-url', `${quoted(value)} is not a URL`, accepted)
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.search !== '' || url.hash !== '' || url.username !== '' || url.password !== '') {
    throw new InputError('go-download-base-url', `${quoted(value)} is not a plain http(s) URL`, accepted)
  }
  return value.replace(/\/+$/, '')
}

export function parseSymbols(text: string): string[] {
  const symbols = text.split(/[,\n]/).map(s => s.trim()).filter(s => s !== '')
  for (const s of symbols) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(s)) throw new InputError('verify-symbols', `"${s}" is not a Go identifier`, 'exported names separated by commas, or empty to skip')
  }
  return symbols
}
