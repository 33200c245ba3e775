import { type ServerBuild, buildFlagsOf, withBinaryFlags } from '../../src/server/build-facts.js'
import { SERVER_BUILD_FLAGS_UNKNOWN } from '../../src/compile/fingerprint-flags.js'

const build = (flags: ServerBuild['flags']): ServerBuild => ({ goVersion: '1.26.8', goVersionSource: 'GO_VERSION', flags, notes: [] })
const IMAGE = '/app/gotify-app of gotify/server:2.9.1 (linux/amd64)'

test('the flags a binary\'s build info records', () => {
  expect(buildFlagsOf({ settings: [{ key: '-trimpath', value: 'true' }, { key: '-gcflags', value: 'all=-l' }] })).toEqual({ trimpath: true, race: false, msan: false, asan: false, gcflags: 'all=-l' })
  expect(buildFlagsOf({ settings: [] })).toEqual({ trimpath: false, race: false, msan: false, asan: false, gcflags: '' })
})

test('without release binaries the image binary\'s flags are the server\'s', () => {
  const merged = withBinaryFlags(build(SERVER_BUILD_FLAGS_UNKNOWN), buildFlagsOf({ settings: [{ key: '-trimpath', value: 'true' }] }), IMAGE)
  expect(merged.flags).toEqual({ trimpath: true, race: false, msan: false, asan: false, gcflags: '' })
  expect(merged.notes).toEqual([])
  expect(merged.goVersion).toBe('1.26.8')
})

test('a flag either binary used is allowed; a disagreement is noted', () => {
  const release = build({ trimpath: false, race: false, msan: false, asan: false, gcflags: '' })
  const merged = withBinaryFlags(release, { trimpath: true, race: false, msan: false, asan: false, gcflags: 'all=-l' }, IMAGE)
  expect(merged.flags).toMatchObject({ trimpath: true, race: false, gcflags: 'all=-l' })
  expect(merged.notes).toEqual([`${IMAGE} was built with -trimpath, the release binaries without: no plugin build loads in both`])
  // The same flags: nothing to say.
  expect(withBinaryFlags(release, buildFlagsOf({ settings: [] }), IMAGE)).toEqual(release)
})

test('a server binary the workflow built is named so in a note, not called a release binary', () => {
  const local = { ...build({ trimpath: false, race: false, msan: false, asan: false, gcflags: '' }), goVersionSource: 'server binary ./build/gotify' }
  expect(withBinaryFlags(local, { trimpath: true, race: false, msan: false, asan: false, gcflags: '' }, IMAGE).notes).toEqual([
    `${IMAGE} was built with -trimpath, the server binary ./build/gotify (built by the workflow) without: no plugin build loads in both`
  ])
})
