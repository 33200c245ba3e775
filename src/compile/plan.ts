import * as path from 'node:path'
import { InputError } from '../errors.js'
import type { Platform } from '../platform.js'
import { platformGoEnv } from '../platform.js'
import { renderTemplate } from '../template.js'
import { hasControl, quoted } from '../outside-text.js'
import { withFixedGoEnv } from '../go-runner/runner.js'
import { IN_CONTAINER } from '../container/layout.js'
import { RESERVED_NAMES } from '../release/output-dir.js'

/** What the pipeline knows about the server release when it plans builds. */
export interface ServerTarget {
  owner: string
  name: string
  tag: string
  goVersion: string
}

/** One platform's build: which image, which command, which file. */
export interface BuildJob {
  platform: Platform
  /** The server tag it is built for. */
  serverVersion: string
  image: string
  assetName: string
  /** Host path of the .so. */
  outputPath: string
  /** `go` arguments, run in the plugin's folder, which go sees as `workdir` (a container path, or the host path natively). */
  goArgs: string[]
  workdir: string
  env: Record<string, string>
}

/** The default plugin name: the module path's last element, without a /vN suffix. */
export function defaultPluginName(modulePath: string): string {
  const parts = modulePath.split('/').filter(p => p !== '')
  if (parts.length > 1 && /^v\d+$/.test(parts[parts.length - 1])) parts.pop()
  return parts[parts.length - 1] ?? 'plugin'
}

export function templateValues(server: ServerTarget, platform: Platform, plugin: string): Record<string, string> {
  return {
    plugin,
    platform: platform.id,
    os: platform.os,
    arch: platform.arch,
    variant: platform.variant ?? '',
    'server-owner': server.owner.toLowerCase(),
    'server-name': server.name.toLowerCase(),
    'server-version': server.tag,
    // v2.9.1 -> 2.9.1, as image tags spell versions.
    'server-version-bare': server.tag.replace(/^v(?=\d)/, ''),
    'go-version': server.goVersion
  }
}

/**
 * The compiler's garbage collector target for every build (go-env may set its
 * own). At 400 instead of Go's 100 a cold compile took a quarter less CPU and
 * about 140 MiB more memory (docs/benchmarks.md), and the .so is byte for byte
 * the same: GOGC tunes the compiler's run, not its output.
 */
export const BUILD_GOGC = '400'

const IMAGE_REF = /^[a-z0-9]+(?:[._-][a-z0-9]+)*(?::\d+)?(?:\/[a-z0-9]+(?:[._-]+[a-z0-9]+)*)*(?::[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/

export function imageFor(template: string, values: Record<string, string>): string {
  const image = renderTemplate(template, values)
  if (!IMAGE_REF.test(image)) {
    throw new InputError('build-image', `"${image}" is not a valid image reference`, 'e.g. {server-owner}/build:{go-version}-{platform}')
  }
  return image
}

/** The inputs a build plan needs (build-image and asset-name are templates; outputDir is resolved). */
export interface BuildSettings {
  platforms: Platform[]
  buildImage: string
  assetName: string
  outputDir: string
  ldflags: string
  buildArgs: string[]
  goEnv: Record<string, string>
  package: string
}

export interface BuildPlanInput {
  inputs: BuildSettings
  server: ServerTarget
  pluginName: string
  /** The plugin's folder (its go.mod) as go sees it: its container path, or the host path natively. */
  pluginWorkdir: string
  /** The output folder as go sees it; default the container's. */
  outputWorkdir?: string
}

/**
 * Plans one build per platform; throws InputError for names that cannot be
 * files (a tag with a slash, say) before anything is written.
 */
export function planBuilds({ inputs, server, pluginName, pluginWorkdir, outputWorkdir = IN_CONTAINER.outputDir }: BuildPlanInput): BuildJob[] {
  const accepted = 'a file name without / or \\ that differs per platform'
  const names = new Map<string, string>()
  return inputs.platforms.map(platform => {
    const values = templateValues(server, platform, pluginName)
    const assetName = renderTemplate(inputs.assetName, values)
    // Placeholders bring values from outside (the server's tag): the rendered name is checked again.
    if (hasControl(assetName)) throw new InputError('asset-name', `${quoted(assetName)} (rendered for ${platform.id}) holds a control character`, accepted)
    if (/[/\\]/.test(assetName) || assetName === '.' || assetName === '..' || assetName.startsWith('-')) {
      throw new InputError('asset-name', `"${assetName}" is not a plain file name`, accepted)
    }
    const reserved = RESERVED_NAMES.find(r => r.toLowerCase() === assetName.toLowerCase())
    if (reserved) throw new InputError('asset-name', `"${assetName}" is the name of the action's own ${reserved}`, `${accepted}, other than ${RESERVED_NAMES.join(', ')}`)
    const other = names.get(assetName)
    if (other) throw new InputError('asset-name', `${other} and ${platform.id} would both write "${assetName}"`, accepted)
    names.set(assetName, platform.id)
    const pkg = inputs.package === '.' || inputs.package.startsWith('./') ? inputs.package : `./${inputs.package}`
    return {
      platform,
      serverVersion: server.tag,
      image: imageFor(inputs.buildImage, values),
      assetName,
      outputPath: path.join(inputs.outputDir, assetName),
      // Mirrors the server's release build: no -trimpath, module cache at /go/pkg/mod. -v names the packages compiled, not those the build cache had.
      goArgs: ['build', '-v', '-buildmode=plugin', `-ldflags=${inputs.ldflags}`, ...inputs.buildArgs, '-o', path.posix.join(outputWorkdir, assetName), pkg],
      workdir: pluginWorkdir,
      env: withFixedGoEnv({ GOGC: BUILD_GOGC, ...inputs.goEnv, CGO_ENABLED: '1', ...platformGoEnv(platform) }, server.goVersion)
    }
  })
}
