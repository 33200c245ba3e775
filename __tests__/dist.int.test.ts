// dist/ is what runs on a runner: it must be exactly what `npm run bundle`
// makes from src/ (a stale bundle would ship code nobody reviewed or tested).
import * as fs from 'node:fs'
import * as path from 'node:path'
import { ROOT } from './support/action-harness.js'
import { bundleFromSource } from './support/bundle.js'

test('dist/ is exactly what npm run bundle makes from src/ (the main and the post entry)', async () => {
  // The bundle script's commands into another folder (shared with the README workflow test).
  const out = await bundleFromSource()
  const files = (dir: string): string[] => (fs.readdirSync(dir, { recursive: true }) as string[]).filter(f => fs.statSync(path.join(dir, f)).isFile()).sort()
  expect(files(path.join(ROOT, 'dist'))).toEqual(files(out))
  for (const f of files(out)) {
    const same = fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(ROOT, 'dist', f)))
    expect({ file: `dist/${f}`, upToDate: same }).toEqual({ file: `dist/${f}`, upToDate: true })
  }
}, 240_000)
