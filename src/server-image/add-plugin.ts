/**
 * Adds the .so (or every file of a plugin set) to one platform's server image
 * without running anything: the files go into a created (never started)
 * container of the image as one archive, the container is committed once
 * (the image's config kept), and the new image is checked to hold exactly
 * those bytes. A folder under one of the image's VOLUMEs cannot take them: a
 * created container mounts a volume there, and a commit leaves volumes out.
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
  /** More files for the same commit (several plugins, with-plugins): each file on the runner and its path in the image. */
  more?: Array<{ soPath: string; pluginFile: string }>
  workDir: string
  imageName: string
  /** Every container and image this makes, for the step's clean-up. */
  made: { containers: string[]; images: string[] }
}

/** Every file in one archive and one commit: the image gets one layer, however many plugins. */
export async function addPlugin(o: AddPluginOptions): Promise<{ imageId: string } | { refused: string }> {
  const files = [{ soPath: o.soPath, pluginFile: o.pluginFile }, ...(o.more ?? [])]
  for (const f of files) {
    const volume = volumeHolding(o.config, f.pluginFile)
    if (volume) {
      return { refused: `${f.pluginFile} is under the image's VOLUME ${volume}, which an image cannot carry files in; set server-image-plugin-dir to a folder outside it (and point the server at it)` }
    }
  }
  const stage = path.join(o.workDir, 'root')
  const inStage = files.map(f => f.pluginFile.replace(/^\/+/, ''))
  files.forEach((f, k) => {
    fs.mkdirSync(path.dirname(path.join(stage, inStage[k])), { recursive: true })
    fs.copyFileSync(f.soPath, path.join(stage, inStage[k]))
  })
  try {
    await copyFileIntoContainer(o.container, stage, inStage, `adding ${files.length === 1 ? 'the plugin' : `${files.length} plugin files`} to ${o.imageName}`)
  } finally {
    fs.rmSync(stage, { recursive: true, force: true })
  }
  const imageId = (await docker(['commit', o.container], `committing ${o.imageName} with the plugin${files.length === 1 ? '' : 's'}`)).trim()
  o.made.images.push(imageId)

  // The new image holds the same bytes (a folder that is a link into a volume would lose them).
  const check = (await docker(['create', imageId], `checking the plugin in ${o.imageName}`)).trim()
  o.made.containers.push(check)
  const copy = path.join(o.workDir, 'check')
  for (const f of files) {
    fs.rmSync(copy, { recursive: true, force: true })
    const copied = await tryDocker(['cp', '-L', `${check}:${f.pluginFile}`, copy])
    const same = copied.ok && fs.statSync(copy).isFile() && sha256(fs.readFileSync(copy)) === sha256(fs.readFileSync(f.soPath))
    fs.rmSync(copy, { recursive: true, force: true })
    if (!same) return { refused: `${f.pluginFile} is not in the committed image${copied.ok ? ' as built' : ` (${copied.error})`}: is the folder a link into a volume?` }
  }
  return { imageId }
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex')
