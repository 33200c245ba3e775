/**
 * The server binary of one platform of the server image, read before the
 * build: its build info says which fingerprint-changing flags (-trimpath)
 * the server's build used, so the build-args check and the stand-in loader
 * agree with the server the image step will prove against. One platform is
 * enough (every platform is built from one go.mod with one recipe): the
 * runner's when the image offers it. The image is pulled here once and kept;
 * the image step reuses it and the offers read here.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import type { BinaryFacts } from '../binary/facts.js'
import { type Platform, nativeArch } from '../platform.js'
import { docker, tryDocker } from './engine.js'
import { describeOci, offersPlatform, planServerImage } from './plan.js'
import { isReference, parseImageReference } from './reference.js'
import { type OfferedImage, engineRegistryConfig, isInsecureRegistry, offeredImages, pullImage } from './registry.js'
import { type ImageConfig, findServerBinary } from './server-binary.js'
import type { ServerImageSettings } from './settings.js'

export interface EarlyImageBinary {
  /** e.g. `/app/gotify-app of ghcr.io/x/server:1.0 (linux/amd64)`, or undefined when none was found. */
  name?: string
  facts?: BinaryFacts
  /** Why no binary was read. */
  why?: string
  /** What each server image reference offers, as read here: the image step does not ask again. */
  offers: Map<string, OfferedImage[]>
}

export interface EarlyBinaryOptions {
  settings: ServerImageSettings & { image: string }
  pluginName: string
  platforms: Platform[]
  valuesFor: (p: Platform) => Record<string, string>
  /** A folder of the runner, created and removed here. */
  workDir: string
  log: (line: string) => void
}

/** The runner's own platform first: its image is the one started later, so pulling it is never wasted. */
export function platformsToRead(platforms: Platform[], arch: string = nativeArch()): Platform[] {
  return [...platforms.filter(p => p.os === 'linux' && p.arch === arch), ...platforms.filter(p => !(p.os === 'linux' && p.arch === arch))]
}

/** Throws StepError when the server image cannot be read (the image step would fail on it too). */
export async function readEarlyImageBinary(o: EarlyBinaryOptions): Promise<EarlyImageBinary> {
  const plan = planServerImage({ settings: o.settings, pluginName: o.pluginName, platforms: o.platforms, valuesFor: o.valuesFor })
  const registries = await engineRegistryConfig()
  const offers = new Map<string, OfferedImage[]>()
  for (const platform of platformsToRead(o.platforms)) {
    const base = plan.baseOf.get(platform.id) ?? ''
    if (!offers.has(base)) {
      const ref = parseImageReference(base)
      offers.set(base, await offeredImages(base, isReference(ref) ? ref.name : base, isReference(ref) && isInsecureRegistry(ref.registry, registries)))
    }
    const offered = offers.get(base)?.find(x => offersPlatform(x.platform, platform))
    if (!offered) continue
    const imageName = `${base} (${describeOci(offered.platform)})`
    await pullImage(offered.ref)
    const config = JSON.parse(await docker(['image', 'inspect', '--format', '{{json .Config}}', offered.ref], `reading ${offered.ref}`)) as ImageConfig
    const container = (await docker(['create', offered.ref], `creating a container of ${imageName}`)).trim()
    const dir = fs.mkdtempSync(path.join(o.workDir, 'server-image-binary-'))
    try {
      const found = await findServerBinary({ container, config, dir, imageName, log: o.log })
      if (!found.found) return { why: found.why, offers }
      return { name: `${found.path} of ${imageName}`, facts: found.facts, offers }
    } finally {
      await tryDocker(['rm', '--force', '--volumes', container])
      fs.rmSync(dir, { recursive: true, force: true })
    }
  }
  return { why: `the server image offers none of ${o.platforms.map(p => p.id).join(', ')}`, offers }
}
