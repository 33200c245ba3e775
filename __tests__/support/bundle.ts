/**
 * The action bundled from this checkout's src/ with the bundle script's own ncc
 * commands, into a folder under the temp directory named by a hash of what goes
 * in (the checkout's path, src/, package-lock.json, tsconfig.json): bundling
 * takes a minute or more, so test files and runs share one bundle per content.
 */
import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { ROOT } from './action-harness.js'

const run = promisify(execFile)
const CACHE_ROOT = path.join(os.tmpdir(), 'go-plugin-build-fixtures')

function hashTree(hash: ReturnType<typeof createHash>, dir: string): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = path.join(dir, e.name)
    hash.update(`${e.name}\0`)
    if (e.isDirectory()) hashTree(hash, p)
    else hash.update(fs.readFileSync(p))
  }
}

/** A folder holding `index.js` and `post/index.js` (and their licenses), as `npm run bundle` writes dist/. */
export async function bundleFromSource(): Promise<string> {
  const hash = createHash('sha256').update(`${ROOT}\0`)
  hashTree(hash, path.join(ROOT, 'src'))
  for (const f of ['package-lock.json', 'tsconfig.json']) hash.update(fs.readFileSync(path.join(ROOT, f)))
  const dir = path.join(CACHE_ROOT, `bundle-${hash.digest('hex').slice(0, 16)}`)
  if (fs.existsSync(path.join(dir, 'post', 'index.js'))) return dir
  fs.mkdirSync(CACHE_ROOT, { recursive: true })
  const tmp = fs.mkdtempSync(`${dir}.`)
  try {
    // The same commands as the bundle script, into another folder.
    const ncc = path.join(ROOT, 'node_modules', '.bin', 'ncc')
    await run(ncc, ['build', 'src/index.ts', '-o', tmp, '--license', 'licenses.txt'], { cwd: ROOT, maxBuffer: 64 << 20 })
    await run(ncc, ['build', 'src/post.ts', '-o', path.join(tmp, 'post'), '--license', 'licenses.txt'], { cwd: ROOT, maxBuffer: 64 << 20 })
    // Atomic: a concurrent test file sees the whole bundle or none.
    fs.renameSync(tmp, dir)
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true })
    if (!fs.existsSync(path.join(dir, 'post', 'index.js'))) throw e
  }
  return dir
}

/** A copy of the action as a runner downloads it: action.yml and dist/ (bundled from src/) in `dir`. */
export async function actionCopy(dir: string): Promise<string> {
  fs.mkdirSync(dir, { recursive: true })
  fs.copyFileSync(path.join(ROOT, 'action.yml'), path.join(dir, 'action.yml'))
  fs.cpSync(await bundleFromSource(), path.join(dir, 'dist'), { recursive: true })
  return dir
}
