/**
 * The server image step (input server-image): for every built platform the
 * server image offers, that platform's server image with the .so added in its
 * plugin folder (files copied into a created container and committed: no
 * builder, no emulator), proven against the server binary inside it (the
 * static proof; with several plugins or with-plugins neighbours, every file of
 * the folder proven as a set, image-set.ts), the runner's own platform started
 * to see every plugin load,
 * then, when shipping, each platform pushed and joined into one image index
 * per tag. Any refusal or failure pushes nothing.
 */
import * as path from 'node:path'
import { readBinaryFactsFromFile } from '../binary/facts.js'
import { InputError, StepError } from '../errors.js'
import { type Platform, nativeArch } from '../platform.js'
import type { SetNeighbour } from '../verify/set-step.js'
import { addPlugin } from './add-plugin.js'
import { type ImageArtifact, type ImageFile, holdsSet, proveImageFiles } from './image-set.js'
import { docker, tryDocker } from './engine.js'
import { type OciPlatform, type ServerImagePlan, describeOci, offersPlatform, planServerImage, platformTag } from './plan.js'
import { type OfferedImage, engineRegistryConfig, isInsecureRegistry, offeredImages, pullImage, pushIndex, pushPlatformImage } from './registry.js'
import { parseImageReference, isReference } from './reference.js'
import { type ImageConfig, findServerBinary } from './server-binary.js'
import type { ServerImageSettings } from './settings.js'
import { type StartCheck, startAndCheck } from './start-check.js'
import { pluginFiles } from './start-verdict.js'
import type { ImagePlatform, ServerImageResult } from './result.js'

export interface ServerImageOptions {
  settings: ServerImageSettings & { image: string }
  /** The built and verified .so of each platform: of one plugin, or of every plugin of the run. */
  artifacts: ImageArtifact[]
  /** Other plugins' files for the same folder (with-plugins), of every platform. */
  neighbours?: SetNeighbour[]
  /** Names the server looks up (verify-symbols). */
  symbols: string[]
  valuesFor: (p: Platform) => Record<string, string>
  /** Whether this run ships (src/release/decide.ts), and why not. */
  shipping: { upload: boolean; reason: string }
  /** A folder of the runner for files copied out of images. */
  workDir: string
  /** What server image references offer, already read before the build (early-binary.ts). */
  offers?: Map<string, OfferedImage[]>
  log: (line: string) => void
}

interface Prepared {
  platform: Platform
  offered: OfferedImage
  config: ImageConfig
  /** The committed image with the plugin. */
  imageId: string
  /** What its plugin folder holds, in load order. */
  files: ImageFile[]
}

/** A server image made and proven for one server version, not pushed yet; `dispose` removes what was made. */
export interface PreparedServerImage {
  result: ServerImageResult
  /** Pushes every platform and one index per tag (when shipping); records a failure in `result`. */
  push(): Promise<void>
  dispose(): Promise<void>
}

/**
 * Makes the image of every platform the server image offers, proves each
 * against the server binary inside it and starts the runner's platform; a
 * failure is in `result.failure` and nothing is pushed. Several server
 * versions are prepared first and pushed only when every one passed.
 */
export async function prepareServerImage(o: ServerImageOptions): Promise<PreparedServerImage> {
  const result: ServerImageResult = { image: o.settings.image, pluginFile: '', platforms: [], tags: [], pushed: [] }
  const created = { containers: [] as string[], images: [] as string[] }
  const dispose = async (): Promise<void> => {
    // --volumes: creating a container of an image with VOLUMEs makes anonymous volumes.
    for (const c of created.containers.splice(0)) await tryDocker(['rm', '--force', '--volumes', c])
    // The images were pushed or are of no further use; --force also drops the tags they were pushed under.
    for (const i of created.images.splice(0)) await tryDocker(['image', 'rm', '--force', i])
  }
  const caught = (e: unknown): void => {
    if (!(e instanceof StepError || e instanceof InputError)) throw e
    const already = [...result.platforms.flatMap(p => p.pushed ?? []), ...result.pushed].map(x => x.tag)
    fail(result, `${e.message}; ${already.length > 0 ? `already pushed: ${already.join(', ')}` : 'nothing was pushed'}`)
  }
  const noPush = { result, push: async () => {}, dispose }
  try {
    const platforms = o.artifacts.map(a => a.platform).filter((p, k, all) => all.findIndex(x => x.id === p.id) === k)
    const plan = planServerImage({ settings: o.settings, pluginName: o.artifacts[0]?.plugin.name ?? '', platforms, valuesFor: o.valuesFor })
    const set = holdsSet(o.artifacts, o.neighbours ?? [])
    Object.assign(result, { image: [...new Set(plan.baseOf.values())].join(', '), pluginFile: set ? '' : plan.pluginFile, tags: plan.tags }, set ? { pluginDir: o.settings.pluginDir } : {})
    const registries = await engineRegistryConfig()
    const insecure = (ref: string): boolean => {
      const r = parseImageReference(ref)
      return isReference(r) && isInsecureRegistry(r.registry, registries)
    }
    const prepared = await prepareAll(o, { plan, platforms, set }, insecure, result, created)
    const refused = result.platforms.filter(p => p.status === 'refused')
    if (refused.length > 0) return (fail(result, `server image: ${refused.map(p => `${p.platform}: ${p.detail}`).join('; ')}; nothing was pushed`), noPush)
    if (prepared.length === 0) {
      const offered = result.platforms.map(p => p.detail).join('; ')
      return (fail(result, `server image: none of the built platforms is in the server image (${offered}); nothing was pushed`), noPush)
    }

    // The runner's own platform runs natively: start it and see what the server runs. The others are proven only.
    const native = prepared.find(p => p.platform.os === 'linux' && p.platform.arch === nativeArch())
    for (const p of prepared.filter(x => x !== native)) {
      const entry = result.platforms.find(x => x.platform === p.platform.id)
      if (entry) entry.notStarted = `proven against its server binary, not started: the runner runs linux/${nativeArch()} and starts no other platform's image (no emulator)`
    }
    if (!native) result.startNote = `not started: the result has no linux/${nativeArch()} image, and this runner runs no other without an emulator`
    else {
      const files = pluginFiles(native.files.length)
      o.log(`[server image ${native.platform.id}] starting it with ${files}`)
      const plugins = native.files.map(f => ({ file: f.inImage, ...(f.modulePath ? { modulePath: f.modulePath } : {}) }))
      const start: StartCheck = await startAndCheck({ image: native.imageId, config: native.config, plugin: plugins.length === 1 ? plugins[0] : plugins, log: l => o.log(`[server image ${native.platform.id}] ${l}`) })
      result.start = { platform: native.platform.id, files: native.files.length, ...start }
      const entry = result.platforms.find(x => x.platform === native.platform.id)
      if (entry) entry.started = start.status
      o.log(`[server image ${native.platform.id}] ${start.status}: ${start.detail}`)
      for (const w of start.warnings) o.log(`[server image ${native.platform.id}] warning: ${w}`)
      if (start.status === 'failed') return (fail(result, `server image ${native.platform.id}, started with ${files}: ${start.detail}; nothing was pushed`), noPush)
    }

    const push = async (): Promise<void> => {
      if (!o.shipping.upload) result.note = `not pushed, as nothing is uploaded: ${o.shipping.reason.replace(/^not uploading: /, '')}`
      else if (plan.tags.length === 0) result.note = 'not pushed: image-tags is empty'
      else await pushAll(o, plan, prepared, insecure, result).catch(caught)
    }
    return { result, push, dispose }
  } catch (e) {
    if (!(e instanceof StepError || e instanceof InputError)) {
      await dispose()
      throw e
    }
    caught(e)
    return noPush
  }
}

function fail(result: ServerImageResult, message: string): ServerImageResult {
  result.failure = message
  return result
}

/** Every platform: find its server image, prove its files against the binary inside, add them in one commit. */
async function prepareAll(
  o: ServerImageOptions,
  { plan, platforms, set }: { plan: ServerImagePlan; platforms: Platform[]; set: boolean },
  insecure: (ref: string) => boolean,
  result: ServerImageResult,
  created: { containers: string[]; images: string[] }
): Promise<Prepared[]> {
  const offeredBy = new Map<string, OfferedImage[]>(o.offers ?? [])
  const prepared: Prepared[] = []
  for (const platform of platforms) {
    const artifacts = o.artifacts.filter(a => a.platform.id === platform.id)
    const base = plan.baseOf.get(platform.id) ?? ''
    const log = (line: string): void => o.log(`[server image ${platform.id}] ${line}`)
    if (!offeredBy.has(base)) offeredBy.set(base, await offeredImages(base, nameOf(base), insecure(base)))
    const offers = offeredBy.get(base) ?? []
    const offered = offers.find(x => offersPlatform(x.platform, platform))
    if (!offered) {
      const detail = `${base} offers ${offers.map(x => describeOci(x.platform)).join(', ') || 'no platform'}, not ${platform.id}`
      log(`skipped: ${detail}`)
      result.platforms.push({ platform: platform.id, status: 'skipped', detail })
      continue
    }
    const entry: ImagePlatform = { platform: platform.id, base: `${base} (${describeOci(offered.platform)})`, status: 'refused', detail: '' }
    result.platforms.push(entry)
    log(`server image ${base} (${describeOci(offered.platform)}): ${offered.ref}`)
    await pullImage(offered.ref)
    const config = JSON.parse(await docker(['image', 'inspect', '--format', '{{json .Config}}', offered.ref], `reading ${offered.ref}`)) as ImageConfig
    const container = (await docker(['create', offered.ref], `creating a container of ${base} (${describeOci(offered.platform)})`)).trim()
    created.containers.push(container)

    // Among several programs that load plugins, the one sharing the most packages with the (first) .so is the server.
    const plugin = await readBinaryFactsFromFile(artifacts[0].path, path.basename(artifacts[0].path)).catch(() => undefined)
    const imageName = `${base} (${describeOci(offered.platform)})`
    const found = await findServerBinary({ container, config, dir: path.join(o.workDir, platform.id), plugin, imageName, log })
    if (!found.found) {
      entry.detail = found.why
      continue
    }
    entry.binary = found.path
    const proof = await proveImageFiles({
      server: found.facts,
      witness: `${found.path} of ${imageName}`,
      artifacts,
      neighbours: set ? (o.neighbours ?? []).filter(n => n.platform === platform.id) : undefined,
      pluginDir: o.settings.pluginDir,
      pluginFile: plan.pluginFile,
      symbols: o.symbols
    })
    for (const line of proof.lines) log(line)
    Object.assign(entry, { detail: proof.summary, files: proof.files.map(f => f.inImage), warnings: proof.warnings })
    if (proof.differing) entry.differing = proof.differing
    if (proof.members) Object.assign(entry, { members: proof.members, conflicts: proof.conflicts })
    if (!proof.passed) continue

    const [first, ...more] = proof.files.map(f => ({ soPath: f.path, pluginFile: f.inImage }))
    const added = await addPlugin({ container, config, ...first, more, workDir: path.join(o.workDir, platform.id), imageName, made: created })
    if ('refused' in added) {
      Object.assign(entry, { detail: added.refused })
      continue
    }
    const { imageId } = added
    entry.status = 'proven'
    log(`${proof.files.map(f => f.inImage).join(', ')} added: ${imageId.slice(0, 19)}`)
    prepared.push({ platform, offered, config, imageId, files: proof.files })
  }
  return prepared
}

/** Each target repository: every platform's image under its platform tag, then one index per tag. */
async function pushAll(o: ServerImageOptions, plan: ServerImagePlan, prepared: Prepared[], insecure: (ref: string) => boolean, result: ServerImageResult): Promise<void> {
  for (const target of plan.targets) {
    const entries: Array<{ ref: string; platform: OciPlatform }> = []
    for (const p of prepared) {
      const tag = platformTag(target, p.platform)
      const digest = await pushPlatformImage(p.imageId, tag)
      o.log(`[server image ${p.platform.id}] pushed ${tag}: ${digest}`)
      const entry = result.platforms.find(x => x.platform === p.platform.id)
      if (entry) entry.pushed = [...(entry.pushed ?? []), { tag, digest }]
      entries.push({ ref: `${target.name}@${digest}`, platform: p.offered.platform })
    }
    for (const t of target.tags) {
      const tag = `${target.name}:${t}`
      const digest = await pushIndex(tag, entries, insecure(tag))
      o.log(`[server image] pushed ${tag}: ${digest} (${entries.map(e => describeOci(e.platform)).join(', ')})`)
      result.pushed.push({ tag, digest })
    }
  }
}

const nameOf = (ref: string): string => {
  const r = parseImageReference(ref)
  return isReference(r) ? r.name : ref
}
