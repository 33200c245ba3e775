/**
 * Where the server to build for comes from (input server-source): its GitHub
 * repository (releases, or `ref:` branches and commits through the API), or
 * the workspace's own checkout of it (a server's own pull requests), read
 * from disk. And server-binary as a file path: a server binary the workflow
 * built. Parsing and the checks of how these inputs combine. Pure but for
 * looking at the named files.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { InputError } from '../errors.js'
import { isInside } from '../workspace/paths.js'
import { quoted } from '../outside-text.js'
import type { VersionRequest } from './request.js'
import type { ServerBinarySetting } from '../server/binary-asset.js'

export type ServerSource = { kind: 'github' } | { kind: 'local'; dir: string; shownDir: string }

const SOURCE_ACCEPTED = "github (the default), local (the workspace's root), or a folder inside the workspace holding the server's go.mod, such as server"

/** The real path of something that exists inside the workspace (symbolic links followed), or an error naming the input. */
function insideWorkspace(input: string, value: string, workspace: string, accepted: string): string {
  const resolved = path.resolve(workspace, value)
  if (!isInside(workspace, resolved)) throw new InputError(input, `${quoted(value)} is outside the workspace ${workspace}`, accepted)
  let real: string
  try {
    real = fs.realpathSync(resolved)
  } catch {
    throw new InputError(input, `${quoted(value)} does not exist in the workspace`, accepted)
  }
  if (!isInside(fs.realpathSync(workspace), real)) throw new InputError(input, `${quoted(value)} leads outside the workspace (a symbolic link)`, accepted)
  return real
}

/** server-source as messages show it: `local` for the workspace's root, else the folder. */
export const sourceShown = (s: { shownDir: string }): string => (s.shownDir === '.' ? 'local' : s.shownDir)

export function parseServerSource(value: string, workspace: string): ServerSource {
  if (value === 'github') return { kind: 'github' }
  const folder = value === 'local' ? '.' : value
  const dir = insideWorkspace('server-source', folder, workspace, SOURCE_ACCEPTED)
  if (!fs.statSync(dir).isDirectory()) throw new InputError('server-source', `${quoted(value)} is not a folder`, SOURCE_ACCEPTED)
  if (!fs.existsSync(path.join(dir, 'go.mod'))) throw new InputError('server-source', `${quoted(value)} has no go.mod`, SOURCE_ACCEPTED)
  return { kind: 'local', dir, shownDir: path.relative(fs.realpathSync(workspace), dir) || '.' }
}

/**
 * server-binary as a file path. The rule that keeps paths and asset names
 * apart: a value with a `/` is a path (`./gotify`, `build/gotify-linux-amd64`,
 * an absolute path); an asset name never has one.
 */
export function isBinaryPath(value: string): boolean {
  return value.includes('/')
}

export function parseBinaryPath(value: string, workspace: string): Extract<ServerBinarySetting, { kind: 'file' }> {
  const accepted = 'a path with a / (such as ./gotify) of a server binary built by this workflow, inside the workspace; or auto, none, or an asset name'
  if (value.includes('{')) throw new InputError('server-binary', `${quoted(value)} is a path with a placeholder`, accepted)
  const file = insideWorkspace('server-binary', value, workspace, accepted)
  if (!fs.statSync(file).isFile()) throw new InputError('server-binary', `${quoted(value)} is not a file`, accepted)
  return { kind: 'file', path: file, shown: value }
}

/**
 * How server-source, server-version, server-binary and server-image combine:
 * a local checkout is the only server version (server-version stays at its
 * default); a binary file witnesses exactly one candidate version (a local
 * checkout, or one `ref:` alone), since it is no release's binary; and a
 * candidate has no published server image to extend.
 */
export function checkCandidateInputs(i: { source: ServerSource; request: VersionRequest; binary: ServerBinarySetting; serverImage?: string }): void {
  const refs = i.request.terms.filter(t => t.kind === 'ref')
  if (i.source.kind === 'local' && (i.request.terms.length !== 1 || i.request.terms[0].kind !== 'latest')) {
    throw new InputError('server-version', `${quoted(i.request.text)} with server-source ${sourceShown(i.source)}: the checkout is the only server version`, 'server-version left unset (latest) with a local server-source, or server-source: github')
  }
  if (i.binary.kind === 'file') {
    const oneRef = i.source.kind === 'github' && refs.length === 1 && i.request.terms.length === 1
    if (i.source.kind !== 'local' && !oneRef) {
      throw new InputError(
        'server-binary',
        `the file ${quoted(i.binary.shown)} is a binary of one server build, and server-version is ${quoted(i.request.text)}`,
        'a binary file with server-source local, or with server-version set to one ref:<branch or SHA> alone; else auto, none or an asset name'
      )
    }
  }
  if (i.serverImage !== undefined && (i.source.kind === 'local' || refs.length > 0)) {
    const which = i.source.kind === 'local' ? `server-source ${sourceShown(i.source)}` : refs.map(t => t.text).join(', ')
    throw new InputError('server-image', `${which} has no published server image to put the plugin in`, 'server-image empty with ref: versions or a local server-source (the .so files are still built and proven)')
  }
}
