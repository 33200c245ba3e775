import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { type CachePathState, cachePathState, planCachePath, prepareCachePath } from '../../src/go-runner/module-cache-path.js'

const P = '/go/pkg/mod'
const plan = (state: CachePathState, cache = '/rt/gomodcache') => planCachePath(state, cache, P, '1001:1001')

test('what to do about /go/pkg/mod', () => {
  expect(plan({ kind: 'missing' })).toEqual({ action: 'link' })
  expect(plan({ kind: 'missing' }, '/go/pkg/mod')).toEqual({ action: 'folder' })
  expect(plan({ kind: 'link', target: '/rt/gomodcache', toCache: true })).toEqual({ action: 'none' })
  // An earlier run's link (or a dangling one) is re-pointed.
  expect(plan({ kind: 'link', target: '/old/gomodcache', toCache: false })).toEqual({ action: 'relink', from: '/old/gomodcache' })
  // A folder of its own (a container job in a golang image) is the cache.
  expect(plan({ kind: 'folder', writable: true })).toEqual({ action: 'use-folder' })
  expect(plan({ kind: 'folder', writable: true }, '/go/pkg/mod')).toEqual({ action: 'none' })
  expect(plan({ kind: 'folder', writable: false })).toMatchObject({ action: 'error', why: "/go/pkg/mod is a folder the runner's user (1001:1001) cannot write" })
  expect(plan({ kind: 'file' })).toMatchObject({ action: 'error', why: '/go/pkg/mod is a file' })
})

describe('on disk (a stand-in path: the real one is proven in main-native.int.test.ts)', () => {
  let root: string
  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'cache-path-'))
  })
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }))

  test('a missing path becomes a link to the cache, then is kept; a link elsewhere is re-pointed', async () => {
    const at = path.join(root, 'go', 'pkg', 'mod')
    const cache = path.join(root, 'cache')
    const other = path.join(root, 'other')
    fs.mkdirSync(cache)
    fs.mkdirSync(other)
    expect((await prepareCachePath(cache, at)).note).toBe(`${at} now links to go-mod-cache ${cache}`)
    expect(fs.readlinkSync(at)).toBe(cache)
    expect(await prepareCachePath(cache, at)).toEqual({ hostFolder: cache, note: `${at} already leads to ${cache}` })
    expect(await prepareCachePath(other, at)).toEqual({ hostFolder: other, note: `${at} re-pointed from ${cache} to go-mod-cache ${other}` })
    expect(fs.readlinkSync(at)).toBe(other)
    expect(cachePathState(at, other)).toEqual({ kind: 'link', target: other, toCache: true })
    // Only the link was made: nothing is left beside it.
    expect(fs.readdirSync(path.dirname(at))).toEqual(['mod'])
  })

  test('a folder of its own is the cache, and go-mod-cache is not used', async () => {
    const at = path.join(root, 'go', 'pkg', 'mod')
    fs.mkdirSync(at, { recursive: true })
    expect(await prepareCachePath(path.join(root, 'cache'), at)).toEqual({ hostFolder: at, note: `${at} is a folder of this runner: used as the module cache (go-mod-cache ${path.join(root, 'cache')} is not used)` })
    fs.rmdirSync(at)
    fs.writeFileSync(at, '')
    await expect(prepareCachePath(path.join(root, 'cache'), at)).rejects.toThrow(`builder native: the module cache must be at ${at} (the server's build has it there, and the path is part of every package's fingerprint), but ${at} is a file; remove it, or use builder: docker`)
  })
})
