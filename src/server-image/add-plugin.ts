/**
 * Adds the .so to one platform's server image without running anything: the
 * file goes into a created (never started) container of the image as a
 * one-file archive, the container is committed (the image's config kept), and
 * the new image is checked to hold exactly those bytes. A folder under one of
 * the image's VOLUMEs cannot take it: a created container mounts a volume
 * there, and a commit leaves volumes out.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { copyFileIntoContainer, docker, tryDocker } from './engine.js'
import type { ImageConfig } from './server-binary.js'

/** The image's VOLUME that `file` would land in, if any. Pure. */
export function volumeHolding(config: Pick<ImageConfig, 'Volumes'>, file: string): string | undefined {
  return Object.keys(config.Volumes ?? {})
    .map(v => path.posix.normalize(v).replace(/\/+$/, '') || '/')
    .find(v => v === '/' || file.startsWith(`${v}/`))
}

export interface AddPluginOptions {
  /** A created container of the server image. */
  container: string
  config: ImageConfig
  /** The .so on the runner. */
  soPath: string
  /** Its path in the image. */
  pluginFile: string
  workDir: string
  imageName: string
  /** Every container and image this makes, for the step's clean-up. */
  made: { containers: string[]; images: string[] }
}

export async function addPlugin(o: AddPluginOptions): Promise<{ imageId: string } | { refused: string }> {
  const volume = volumeHolding(o.config, o.pluginFile)
  if (volume) {
    return { refused: `${o.pluginFile} is under the image's VOLUME ${volume}, which an image cannot carry files in; set server-image-plugin-dir to a folder outside it (and point the server at it)` }
  }
  const stage = path.join(o.workDir, 'root')
  const inStage = o.pluginFile.replace(/^\/+/, '')
  fs.mkdirSync(path.dirname(path.join(stage, inStage)), { recursive: true })
  fs.copyFileSync(o.soPath, path.join(stage, inStage))
  try {
    await copyFileIntoContainer(o.container, stage, inStage, `adding the plugin to ${o.imageName}`)
  } finally {
    fs.rmSync(stage, { recursive: true, force: true })
  }
  const imageId = (await docker(['commit', o.container], `committing ${o.imageName} with the plugin`)).trim()
  o.made.images.push(imageId)

  // The new image holds the same bytes (a folder that is a link into a volume would lose them).
  const check = (await docker(['create', imageId], `checking the plugin in ${o.imageName}`)).trim()
  o.made.containers.push(check)
  const copy = path.join(o.workDir, 'check')
  fs.rmSync(copy, { recursive: true, force: true })
  const copied = await tryDocker(['cp', '-L', `${check}:${o.pluginFile}`, copy])
  const same = copied.ok && fs.statSync(copy).isFile() && sha256(fs.readFileSync(copy)) === sha256(fs.readFileSync(o.soPath))
  fs.rmSync(copy, { recursive: true, force: true })
  if (!same) return { refused: `${o.pluginFile} is not in the committed image${copied.ok ? ' as built' : ` (${copied.error})`}: is the folder a link into a volume?` }
  return { imageId }
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex')
