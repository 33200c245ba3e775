import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { Readable } from 'node:stream'
import { TarLister, listTar } from '../../src/server-image/tar-listing.js'

// Real archives, made by GNU tar in the formats docker export (Go's archive/tar: ustar + PAX) and others write.
let dir: string
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tar-listing-'))
  const root = path.join(dir, 'root')
  const deep = path.join(root, 'app', 'a-very-long-folder-name-that-goes-on-and-on', 'and-another-long-folder-name-to-pass-one-hundred')
  fs.mkdirSync(deep, { recursive: true })
  fs.writeFileSync(path.join(root, 'app', 'server'), Buffer.alloc(70_000, 1), { mode: 0o755 })
  fs.writeFileSync(path.join(deep, 'plugin-with-a-long-name.so'), Buffer.alloc(513, 2), { mode: 0o644 })
  fs.symlinkSync('/app/server', path.join(root, 'app', 'link'))
  fs.linkSync(path.join(root, 'app', 'server'), path.join(root, 'app', 'hard'))
  fs.writeFileSync(path.join(root, 'empty'), '')
})
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

const archive = (format: string): Buffer => execFileSync('tar', ['-c', `--format=${format}`, '-C', path.join(dir, 'root'), '.'], { maxBuffer: 16 << 20 })
const longPath = '/app/a-very-long-folder-name-that-goes-on-and-on/and-another-long-folder-name-to-pass-one-hundred/plugin-with-a-long-name.so'

// ustar holds the long path in its prefix field, gnu in a long-name entry, pax in an extended header.
test.each(['pax', 'gnu', 'ustar'])('%s: every entry with its type, mode, size and link target', async format => {
  const entries = await listTar(Readable.from([archive(format)]))
  const byPath = new Map(entries.map(e => [e.path, e]))
  // One of the two hard-linked names carries the data, the other points at it.
  const [file, link] = byPath.get('/app/server')?.type === 'file' ? ['/app/server', '/app/hard'] : ['/app/hard', '/app/server']
  expect(byPath.get(file)).toEqual({ path: file, type: 'file', mode: 0o755, size: 70_000 })
  expect(byPath.get(link)).toMatchObject({ type: 'hardlink', size: 0, linkTarget: expect.stringMatching(new RegExp(`${file}$`)) })
  expect(byPath.get(longPath)).toMatchObject({ type: 'file', size: 513, mode: 0o644 })
  expect(byPath.get('/app/link')).toMatchObject({ type: 'symlink', linkTarget: '/app/server', size: 0 })
  expect(byPath.get('/app')).toMatchObject({ type: 'dir' })
  expect(byPath.get('/empty')).toMatchObject({ type: 'file', size: 0 })
  expect(entries).toHaveLength(new Set(entries.map(e => e.path)).size)
})

test('chunks of any size give the same entries', () => {
  const data = archive('pax')
  const whole = new TarLister()
  whole.push(data)
  for (const size of [1, 7, 511, 512, 513, 4096]) {
    const lister = new TarLister()
    for (let at = 0; at < data.length; at += size) lister.push(data.subarray(at, at + size))
    expect(lister.entries).toEqual(whole.entries)
  }
  expect(whole.entries.map(e => e.path)).toContain(longPath)
})
