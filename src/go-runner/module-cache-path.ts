/**
 * The native builder's module cache must be at /go/pkg/mod, like in the
 * server's build images: without -trimpath the path of every module's source
 * is compiled into its packages, so a plugin built with the cache elsewhere
 * never loads (FIELD-NOTES §1).
 *
 * /go/pkg/mod is made a symbolic link to go-mod-cache (go keeps the path it is
 * given, so packages see /go/pkg/mod while the files stay where the Docker
 * builder and caching steps keep them). A missing /go/pkg is created, with
 * `sudo -n` when the runner's user cannot (GitHub's runners have passwordless
 * sudo); a link from an earlier run is re-pointed; a real folder at
 * /go/pkg/mod (a container job in a golang image) is used as it is. Nothing
 * else changes: no variable is exported to later steps, and their Go keeps
 * its own module cache.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { StepError } from '../errors.js'
import { runProgram } from '../container/program.js'

export const MODULE_CACHE_PATH = '/go/pkg/mod'

export type CachePathState = { kind: 'missing' } | { kind: 'link'; target: string; toCache: boolean } | { kind: 'folder'; writable: boolean } | { kind: 'file' }

export type CachePathAction =
  | { action: 'none' }
  | { action: 'link' }
  | { action: 'relink'; from: string }
  | { action: 'folder' }
  | { action: 'use-folder' }
  | { action: 'error'; why: string; fix: string }

/** Pure: what to do about the cache path, given what is there and the host folder `cache` (go-mod-cache). */
export function planCachePath(state: CachePathState, cache: string, cachePath: string, user: string): CachePathAction {
  const isPath = path.resolve(cache) === cachePath
  switch (state.kind) {
    case 'missing':
      return isPath ? { action: 'folder' } : { action: 'link' }
    case 'link':
      if (state.toCache) return { action: 'none' }
      return isPath ? { action: 'error', why: `${cachePath} is a link to ${state.target}`, fix: `remove the link, or set go-mod-cache to ${state.target}` } : { action: 'relink', from: state.target }
    case 'folder':
      if (!state.writable) return { action: 'error', why: `${cachePath} is a folder the runner's user (${user}) cannot write`, fix: `make it theirs (sudo chown -R ${user} ${cachePath}), or remove it` }
      return isPath ? { action: 'none' } : { action: 'use-folder' }
    case 'file':
      return { action: 'error', why: `${cachePath} is a file`, fix: 'remove it' }
  }
}

export function cachePathState(cachePath: string, cache: string): CachePathState {
  let st: fs.Stats
  try {
    st = fs.lstatSync(cachePath)
  } catch {
    return { kind: 'missing' }
  }
  if (st.isSymbolicLink()) {
    const target = fs.readlinkSync(cachePath)
    let toCache = false
    try {
      toCache = fs.realpathSync(cachePath) === fs.realpathSync(cache)
    } catch {
      // dangling, or the cache folder does not exist yet
    }
    return { kind: 'link', target, toCache }
  }
  if (!st.isDirectory()) return { kind: 'file' }
  try {
    fs.accessSync(cachePath, fs.constants.W_OK)
    return { kind: 'folder', writable: true }
  } catch {
    return { kind: 'folder', writable: false }
  }
}

export interface CachePathResult {
  /** The host folder holding the modules: go-mod-cache, or /go/pkg/mod when that is a folder of its own. */
  hostFolder: string
  /** What was done, for the log. */
  note: string
}

const ids = (): { uid: number; gid: number } => ({ uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 })

/** Makes `cachePath` (/go/pkg/mod) lead to the module cache `cache`, a folder that exists. */
export async function prepareCachePath(cache: string, cachePath: string = MODULE_CACHE_PATH): Promise<CachePathResult> {
  const { uid, gid } = ids()
  const user = `${uid}:${gid}`
  const plan = planCachePath(cachePathState(cachePath, cache), cache, cachePath, user)
  const parent = path.dirname(cachePath)
  const fail = (why: string, fix: string): StepError =>
    new StepError(
      `builder native: the module cache must be at ${cachePath} (the server's build has it there, and the path is part of every package's fingerprint), but ${why}; ${fix}, or use builder: docker`
    )
  // A step this user cannot do is done with `sudo -n` (never a password prompt).
  const privileged = async (what: string, direct: () => void, command: string[]): Promise<void> => {
    try {
      direct()
      return
    } catch (e) {
      if (!['EACCES', 'EPERM', 'EROFS'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e
    }
    const r = await runProgram('sudo', ['-n', ...command])
    if (r.code !== 0) {
      const why = r.code === 127 ? 'sudo is not installed' : r.stderr.trim().split('\n').pop() || `sudo exited with ${r.code}`
      const fix = plan.action === 'folder' ? `create it once for the runner's user: sudo install -d -o ${uid} -g ${gid} ${cachePath}` : `create ${parent} once for the runner's user (sudo install -d -o ${uid} -g ${gid} ${parent}); the action links ${cachePath} by itself`
      throw fail(`this runner cannot ${what} (not allowed for ${user}, and no passwordless sudo: ${why})`, fix)
    }
  }
  switch (plan.action) {
    case 'error':
      throw fail(plan.why, plan.fix)
    case 'none':
      return { hostFolder: path.resolve(cache), note: `${cachePath} ${path.resolve(cache) === cachePath ? 'is the module cache' : `already leads to ${cache}`}` }
    case 'use-folder':
      return { hostFolder: cachePath, note: `${cachePath} is a folder of this runner: used as the module cache (go-mod-cache ${cache} is not used)` }
    case 'folder':
      await privileged(`create ${cachePath}`, () => fs.mkdirSync(cachePath, { recursive: true }), ['mkdir', '-p', cachePath])
      if (!isWritable(cachePath)) await privileged(`give ${cachePath} to ${user}`, () => fs.chownSync(cachePath, uid, gid), ['chown', user, cachePath])
      return { hostFolder: cachePath, note: `${cachePath} created as the module cache` }
    case 'link':
      if (!fs.existsSync(parent)) await privileged(`create ${parent}`, () => fs.mkdirSync(parent, { recursive: true }), ['mkdir', '-p', parent])
      await privileged(`link ${cachePath} to ${cache}`, () => fs.symlinkSync(cache, cachePath), ['ln', '-s', cache, cachePath])
      return { hostFolder: path.resolve(cache), note: `${cachePath} now links to go-mod-cache ${cache}` }
    case 'relink': {
      // A new link renamed over the old one: the path never goes missing.
      const tmp = path.join(parent, `.mod-${process.pid}-${Date.now()}`)
      const direct = (): void => {
        fs.symlinkSync(cache, tmp)
        try {
          fs.renameSync(tmp, cachePath)
        } catch (e) {
          fs.rmSync(tmp, { force: true })
          throw e
        }
      }
      await privileged(`re-point ${cachePath} (a link to ${plan.from})`, direct, ['ln', '-sfn', cache, cachePath])
      return { hostFolder: path.resolve(cache), note: `${cachePath} re-pointed from ${plan.from} to go-mod-cache ${cache}` }
    }
  }
}

function isWritable(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.W_OK)
    return true
  } catch {
    return false
  }
}
