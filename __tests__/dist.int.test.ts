// dist/ is what runs on a runner: it must be exactly what `npm run bundle`
// makes from src/ (a stale bundle would ship code nobody reviewed or tested).
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { ROOT } from './support/action-harness.js'

const run = promisify(execFile)

test('dist/ is exactly what npm run bundle makes from src/ (the main and the post entry)', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'dist-check-'))
  try {
    // The same commands as the bundle script, into another folder.
    const ncc = path.join(ROOT, 'node_modules', '.bin', 'ncc')
    await run(ncc, ['build', 'src/index.ts', '-o', out, '--license', 'licenses.txt'], { cwd: ROOT, maxBuffer: 64 << 20 })
    await run(ncc, ['build', 'src/post.ts', '-o', path.join(out, 'post'), '--license', 'licenses.txt'], { cwd: ROOT, maxBuffer: 64 << 20 })
    const files = (dir: string): string[] => (fs.readdirSync(dir, { recursive: true }) as string[]).filter(f => fs.statSync(path.join(dir, f)).isFile()).sort()
    expect(files(path.join(ROOT, 'dist'))).toEqual(files(out))
    for (const f of files(out)) {
      const same = fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(ROOT, 'dist', f)))
      expect({ file: `dist/${f}`, upToDate: same }).toEqual({ file: `dist/${f}`, upToDate: true })
    }
  } finally {
    fs.rmSync(out, { recursive: true, force: true })
  }
}, 240_000)
