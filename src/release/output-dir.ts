/**
 * The output folder may be a folder of the user's (`output-dir: plugin`): the
 * action overwrites only files it wrote itself. It keeps a list of them, with
 * their sha256, in a manifest in that folder; a file at one of this run's names
 * that is not on the list (or was changed since) is refused before anything is
 * written.
 */
import { createHash } from 'node:crypto'
import { existsSync, lstatSync, readFileSync, realpathSync, statSync } from 'node:fs'
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import * as path from 'node:path'
import { InputError } from '../errors.js'
import { isInside } from '../workspace/paths.js'
import { CHECKSUMS_NAME } from './checksums.js'

export const REPORT_NAME = 'compat-report.json'
export const MANIFEST_NAME = '.go-plugin-build.json'
/** Names the action writes or uploads itself: no asset may take one. */
export const RESERVED_NAMES = [REPORT_NAME, CHECKSUMS_NAME, MANIFEST_NAME]

/** name -> sha256 of what the action wrote; null: claimed by a run that may not have finished writing it. */
type Manifest = Map<string, string | null>

const OUTPUT_DIR_ACCEPTED = 'a folder (created when missing) inside the workspace, or under RUNNER_TEMP'

/** Before anything is written: the folder is a folder, and no symbolic link leads it out of the workspace and RUNNER_TEMP. */
export function checkOutputDir(dir: string, roots: string[]): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new InputError('output-dir', `${dir} is a file, not a folder`, OUTPUT_DIR_ACCEPTED)
  const real = realPathOf(dir)
  if (!roots.some(r => existsSync(r) && isInside(realpathSync(r), real))) {
    throw new InputError('output-dir', `${dir} leads outside the workspace and RUNNER_TEMP through a symbolic link (to ${real})`, OUTPUT_DIR_ACCEPTED)
  }
}

/** The real path of `p`, which may not exist yet: its longest existing ancestor resolved, the rest appended. */
function realPathOf(p: string): string {
  const rest: string[] = []
  let at = path.resolve(p)
  while (!existsSync(at)) {
    rest.unshift(path.basename(at))
    at = path.dirname(at)
  }
  return path.join(realpathSync(at), ...rest)
}

export function sha256Of(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex')
}

function readManifest(dir: string): Manifest {
  const file = path.join(dir, MANIFEST_NAME)
  if (!existsSync(file)) return new Map()
  if (!lstatSync(file).isFile()) throw new InputError('output-dir', `${file} is not a file the action wrote`, OUTPUT_DIR_ACCEPTED)
  try {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { files?: Record<string, unknown> }
    return new Map(Object.entries(doc.files ?? {}).filter((e): e is [string, string | null] => e[1] === null || typeof e[1] === 'string'))
  } catch {
    throw new InputError('output-dir', `${file} cannot be read as the action's list of files`, `${OUTPUT_DIR_ACCEPTED}; delete the file if it is left from an old run`)
  }
}

/**
 * Refuses, before anything is written, names that are not this run's to
 * write: a file the action did not write (or that changed since), a folder,
 * a symbolic link.
 */
export function checkOutputNames(dir: string, assetNames: string[]): void {
  if (!existsSync(dir)) return
  const manifest = readManifest(dir)
  for (const name of [...assetNames, REPORT_NAME]) {
    const file = path.join(dir, name)
    let st
    try {
      st = lstatSync(file)
    } catch {
      continue // not there: free
    }
    const recorded = manifest.get(name)
    const ours = st.isFile() && recorded !== undefined && (recorded === null || recorded === sha256Of(file))
    if (ours) continue
    const input = name === REPORT_NAME ? 'output-dir' : 'asset-name'
    const what = st.isDirectory() ? 'a folder' : st.isSymbolicLink() ? 'a symbolic link' : 'a file'
    throw new InputError(
      input,
      `${file} is ${what} this action did not write (or that changed since); it is left alone`,
      `${input === 'asset-name' ? 'an asset-name or ' : ''}an output-dir where it does not overwrite your files (delete it if it is an old build)`
    )
  }
}

async function writeManifest(dir: string, manifest: Manifest): Promise<void> {
  const file = path.join(dir, MANIFEST_NAME)
  const doc = {
    about: 'Files go-plugin-build wrote into this folder (sha256); it overwrites no other file here.',
    files: Object.fromEntries([...manifest.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
  }
  const tmp = `${file}.${process.pid}.tmp`
  await writeFile(tmp, JSON.stringify(doc, null, 2) + '\n')
  await rename(tmp, file)
}

/** Before writing `names`: they become the action's, even if the run stops half-way. */
export async function claimOutputs(dir: string, names: string[]): Promise<void> {
  await mkdir(dir, { recursive: true })
  const manifest = readManifest(dir)
  for (const n of names) manifest.set(n, null)
  await writeManifest(dir, manifest)
}

/** After writing: records each file's sha256, and forgets names whose file is gone. */
export async function recordOutputs(dir: string, names: string[]): Promise<void> {
  const manifest = readManifest(dir)
  for (const n of names) {
    const file = path.join(dir, n)
    if (existsSync(file) && lstatSync(file).isFile()) manifest.set(n, createHash('sha256').update(await readFile(file)).digest('hex'))
    else manifest.delete(n)
  }
  await writeManifest(dir, manifest)
}
