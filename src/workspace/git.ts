/**
 * git on a folder of the workspace, which a pull request fills: git must start
 * nothing there. Every git call of the action goes through here.
 *
 * - The repository is found here, never by git: the first `.git` folder or
 *   gitfile at or above the folder (as git walks, not across file systems,
 *   owned by this user as git's safe.directory wants), passed as `--git-dir`
 *   and `--work-tree`. A folder holding `HEAD`, `objects/`, `refs/` and
 *   `config` (files a pull request can commit, unlike `.git`) is a bare
 *   repository to git, whose config could name programs: it is never one here.
 * - Every call runs with core.fsmonitor and hooks off, no external diff or
 *   textconv, the allow-listed environment (no GIT_DIR or GIT_CONFIG_* from the
 *   runner) and a time limit.
 * - git never reads a file of the working tree: that would apply the clean
 *   filter named for it by the pull request's .gitattributes (a driver the
 *   runner's config defines, git-lfs on GitHub's images). Whether tracked files changed is decided by
 *   hashing them here without any filter (hasChanges); a file a filter
 *   or line-ending conversion changes at checkout then counts as changed, a
 *   wrong `-dirty` at worst, never a program started.
 */
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { type ProgramResult, runProgram } from '../container/program.js'

export const GIT_TIMEOUT_MS = 10_000

/** A repository found for a folder: its git directory and its working tree. */
export interface Checkout {
  gitDir: string
  workTree: string
}

// Understood by git 2.34 (Ubuntu 22.04) and later. An empty core.fsmonitor is "off" for every version (2.34 would
// run a program named `false`); safe.bareRepository (2.38) is a second guard where git knows it, ignored before.
const SAFE_CONFIG = ['-c', 'core.fsmonitor=', '-c', 'core.hooksPath=/dev/null', '-c', 'safe.bareRepository=explicit', '-c', 'core.untrackedCache=false']

const ownedByUs = (st: fs.Stats): boolean => typeof process.getuid !== 'function' || st.uid === process.getuid()

/** The git directory a `.git` entry names (a folder, or a gitfile `gitdir: <path>`); undefined when it is neither. */
function gitDirOf(entry: string): string | undefined {
  let st: fs.Stats
  try {
    st = fs.lstatSync(entry)
  } catch {
    return undefined
  }
  if (!ownedByUs(st)) return undefined
  if (st.isDirectory()) return fs.existsSync(path.join(entry, 'HEAD')) ? entry : undefined
  if (!st.isFile() || st.size > 4096) return undefined
  const m = /^gitdir: (.+?)\s*$/.exec(fs.readFileSync(entry, 'utf8'))
  if (!m) return undefined
  const dir = path.resolve(path.dirname(entry), m[1])
  try {
    return fs.statSync(dir).isDirectory() && fs.existsSync(path.join(dir, 'HEAD')) ? dir : undefined
  } catch {
    return undefined
  }
}

/** The repository holding `dir`: the first `.git` at or above it, on the same file system. Reads the disk only. */
export function findCheckout(dir: string): Checkout | undefined {
  let at = path.resolve(dir)
  let device: number
  try {
    device = fs.statSync(at).dev
  } catch {
    return undefined
  }
  for (;;) {
    const gitDir = gitDirOf(path.join(at, '.git'))
    if (gitDir) return { gitDir, workTree: at }
    const up = path.dirname(at)
    if (up === at) return undefined
    try {
      if (fs.statSync(up).dev !== device) return undefined
    } catch {
      return undefined
    }
    at = up
  }
}

/** The arguments of one git call on the checkout: explicit repository, nothing that starts a program. Pure. */
export function gitArgs(checkout: Checkout, args: string[]): string[] {
  return [`--git-dir=${checkout.gitDir}`, `--work-tree=${checkout.workTree}`, '--literal-pathspecs', ...SAFE_CONFIG, ...args]
}

/** Runs git on the checkout from its working tree's root, within GIT_TIMEOUT_MS. */
export function runGit(checkout: Checkout, args: string[]): Promise<ProgramResult> {
  // No optional index writes; no pager or prompt, even if asked for.
  const env = { GIT_OPTIONAL_LOCKS: '0', GIT_PAGER: 'cat', GIT_TERMINAL_PROMPT: '0' }
  return runProgram('git', gitArgs(checkout, args), { cwd: checkout.workTree, env, timeoutMs: GIT_TIMEOUT_MS })
}

const FULL_SHA = /^(?:[0-9a-f]{40}|[0-9a-f]{64})$/

/** The commit HEAD names; undefined when there is none or git fails (in time or not). */
export async function headCommit(checkout: Checkout): Promise<string | undefined> {
  const r = await runGit(checkout, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}'])
  const sha = r.stdout.trim()
  return r.code === 0 && FULL_SHA.test(sha) ? sha : undefined
}

// Past these, a checkout counts as changed rather than be read on (gotify/server: about 1,000 files, a few MB).
const MAX_FILES = 200_000
const MAX_BYTES = 1 << 30

/** One index entry of `ls-files --stage -t -z`: `<tag> <mode> <object> <stage>\t<path>`. */
interface IndexEntry {
  tag: string
  mode: string
  object: string
  stage: string
  path: string
}

/** Parses `git ls-files --stage -t -z`; undefined when a record has another shape. Pure. */
export function parseIndexEntries(text: string): IndexEntry[] | undefined {
  const out: IndexEntry[] = []
  for (const record of text.split('\0').filter(r => r !== '')) {
    const m = /^(\S) (\d{6}) ([0-9a-f]{40}|[0-9a-f]{64}) (\d)\t(.+)$/s.exec(record)
    if (!m) return undefined
    out.push({ tag: m[1], mode: m[2], object: m[3], stage: m[4], path: m[5] })
  }
  return out
}

/** git's object id of a blob holding `data` (sha1, or sha256 in a repository of that format). Pure. */
export function blobId(data: Buffer, algorithm: 'sha1' | 'sha256'): string {
  return createHash(algorithm).update(`blob ${data.length}\0`).update(data).digest('hex')
}

/** The bytes git would store for the working tree's file, unconverted; undefined when its kind differs (or it is gone). */
function workingBytes(file: string, mode: string): Buffer | undefined {
  let st: fs.Stats
  try {
    st = fs.lstatSync(file)
  } catch {
    return undefined
  }
  if (mode === '120000') return st.isSymbolicLink() ? fs.readlinkSync(file, { encoding: 'buffer' }) : undefined
  if (!st.isFile() || (mode === '100755') !== ((st.mode & 0o100) !== 0)) return undefined
  return fs.readFileSync(file)
}

/**
 * Whether tracked files at or below `dir` differ from HEAD, staged or not (untracked files do not count), as
 * `git diff-index HEAD` says, without git reading the working tree. True too when it cannot be told: fail closed.
 */
export async function hasChanges(checkout: Checkout, dir: string): Promise<boolean> {
  const rel = path.relative(checkout.workTree, path.resolve(dir))
  const spec = rel === '' ? '.' : rel.split(path.sep).join('/')
  // The index against HEAD: objects only.
  const staged = await runGit(checkout, ['diff-index', '--cached', '--quiet', '--no-ext-diff', '--no-textconv', 'HEAD', '--', spec])
  if (staged.code !== 0) return true
  // The working tree against the index, hashed here.
  const listed = await runGit(checkout, ['ls-files', '--stage', '-t', '-z', '--full-name', '--', spec])
  const entries = listed.code === 0 ? parseIndexEntries(listed.stdout) : undefined
  if (!entries || entries.length > MAX_FILES) return true
  let bytes = 0
  for (const e of entries) {
    // A sparse checkout's file is not there by design; a submodule is its own repository.
    if (e.tag === 'S' || e.mode === '160000') continue
    if (e.stage !== '0') return true
    const data = workingBytes(path.join(checkout.workTree, ...e.path.split('/')), e.mode)
    if (!data || (bytes += data.length) > MAX_BYTES) return true
    if (blobId(data, e.object.length === 64 ? 'sha256' : 'sha1') !== e.object) return true
  }
  return false
}
