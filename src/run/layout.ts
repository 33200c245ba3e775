import { existsSync, statSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { InputError } from '../errors.js'
import * as path from 'node:path'
import { type HostDirs, IN_CONTAINER } from '../container/layout.js'
import type { ActionContext } from './context.js'

/** The host folders of a run and where the plugin sits in the container. */
export interface RunLayout {
  dirs: HostDirs
  /** Container path of the plugin's folder. */
  pluginWorkdir: string
  /** The plugin folder relative to the repository root (annotations). */
  repoDir: string
}

function inside(parent: string, child: string): string | undefined {
  const rel = path.relative(parent, child)
  return rel.startsWith('..') || path.isAbsolute(rel) ? undefined : rel
}

/**
 * Mounts the whole workspace when the plugin is in it (so `replace ../x`
 * directives keep working), else the plugin folder alone. Pure: nothing is
 * created until createLayout, after every input was checked.
 */
export function planLayout(ctx: ActionContext, runId: string = `${process.pid}-${Date.now()}`): RunLayout {
  const { inputs } = ctx
  const rel = inside(ctx.workspace, inputs.pluginPath)
  const source = rel === undefined ? inputs.pluginPath : ctx.workspace
  const relInSource = rel ?? ''
  const base = path.join(ctx.runnerTemp, 'go-plugin-build')
  return {
    dirs: {
      source,
      scratch: path.join(base, `scratch-${runId}`),
      goModCache: inputs.goModCache,
      goCacheRoot: path.join(base, 'gocache'),
      outputDir: inputs.outputDir
    },
    pluginWorkdir: relInSource === '' ? IN_CONTAINER.source : path.posix.join(IN_CONTAINER.source, ...relInSource.split(path.sep)),
    repoDir: relInSource === '' ? '.' : relInSource.split(path.sep).join('/')
  }
}

/** The action's own folders and the module cache (docker would create missing ones as root). */
export async function createLayout(layout: RunLayout): Promise<void> {
  const cache = layout.dirs.goModCache
  if (existsSync(cache) && !statSync(cache).isDirectory()) throw new InputError('go-mod-cache', `${cache} is a file, not a folder`, 'a folder for the module cache (created when missing)')
  await mkdir(layout.dirs.scratch, { recursive: true })
  await mkdir(layout.dirs.goModCache, { recursive: true })
}
