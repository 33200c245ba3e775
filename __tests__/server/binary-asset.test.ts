import { archiveOf, binaryWitnesses, chooseBinaryAsset, chooseExecutable } from '../../src/server/binary-asset.js'
import { parsePlatform } from '../../src/platform.js'

const gotify = ['gotify-linux-amd64.zip', 'gotify-linux-arm-7.zip', 'gotify-linux-arm64.zip', 'gotify-linux-386.zip', 'gotify-linux-riscv64.zip', 'gotify-windows-amd64.exe', 'gotify-windows-386.exe']
  .map((name, id) => ({ name, id }))
const auto = { kind: 'auto' } as const

test('archive kinds and stems', () => {
  expect(archiveOf('gotify-linux-amd64.zip')).toEqual({ kind: 'zip', stem: 'gotify-linux-amd64' })
  expect(archiveOf('srv-linux-arm64.tar.gz')).toEqual({ kind: 'tar.gz', stem: 'srv-linux-arm64' })
  expect(archiveOf('srv-linux-arm64.TGZ')).toEqual({ kind: 'tar.gz', stem: 'srv-linux-arm64' })
  expect(archiveOf('srv-linux-386.tar.xz')).toEqual({ kind: 'tar.xz', stem: 'srv-linux-386' })
  expect(archiveOf('srv-linux-386')).toEqual({ kind: 'file', stem: 'srv-linux-386' })
})

test("auto takes gotify's asset of each platform, never another platform's", () => {
  for (const id of ['linux-amd64', 'linux-arm-7', 'linux-arm64', 'linux-386', 'linux-riscv64']) {
    const c = chooseBinaryAsset(gotify, parsePlatform(id), auto, {})
    expect(c).toMatchObject({ found: true, asset: { name: `gotify-${id}.zip` }, kind: 'zip', stem: `gotify-${id}` })
  }
})

test('auto: checksum files and other suffixes are not binaries; a missing platform says what the release has', () => {
  const assets = [{ name: 'srv-linux-amd64.zip.sha256' }, { name: 'srv-linux-amd64.deb' }, { name: 'srv-linux-arm64.tar.gz' }]
  const c = chooseBinaryAsset(assets, parsePlatform('linux-amd64'), auto, {})
  expect(c).toEqual({ found: false, why: expect.stringContaining('no asset named like *-linux-amd64.zip') })
  expect(c.found === false && c.why).toContain('srv-linux-arm64.tar.gz')
})

test('auto prefers a zip when a release offers the binary in several archives, and takes a bare binary', () => {
  const assets = [{ name: 'srv-linux-amd64.tar.xz' }, { name: 'srv-linux-amd64.zip' }, { name: 'srv-linux-amd64.tar.gz' }]
  expect(chooseBinaryAsset(assets, parsePlatform('linux-amd64'), auto, {})).toMatchObject({ asset: { name: 'srv-linux-amd64.zip' } })
  expect(chooseBinaryAsset([{ name: 'srv-linux-386' }], parsePlatform('linux-386'), auto, {})).toMatchObject({ found: true, kind: 'file', stem: 'srv-linux-386' })
})

test('a template names the asset exactly', () => {
  const setting = { kind: 'template', template: 'gotify-{os}-{arch}{variant}.zip' } as const
  const values = { os: 'linux', arch: 'arm', variant: '-7' }
  expect(chooseBinaryAsset(gotify, parsePlatform('linux-arm-7'), setting, values)).toMatchObject({ found: true, asset: { name: 'gotify-linux-arm-7.zip' } })
  const missing = chooseBinaryAsset(gotify, parsePlatform('linux-arm-7'), setting, { ...values, variant: '7' })
  expect(missing).toEqual({ found: false, why: expect.stringMatching(/^no asset named gotify-linux-arm7\.zip \(assets: gotify-linux-amd64\.zip, /) })
})

test('inside the archive: the executable named like the asset, else the only one, else an error listing the contents', () => {
  const entries = [
    { path: 'LICENSE', elfExecutable: false },
    { path: 'licenses/gin.txt', elfExecutable: false },
    { path: 'gotify-linux-amd64', elfExecutable: true }
  ]
  expect(chooseExecutable(entries, 'gotify-linux-amd64', 'gotify-linux-amd64.zip')).toEqual({ path: 'gotify-linux-amd64' })
  expect(chooseExecutable([...entries.slice(0, 2), { path: 'bin/server', elfExecutable: true }], 'gotify-linux-amd64', 'x.zip')).toEqual({ path: 'bin/server' })
  const none = chooseExecutable(entries.slice(0, 2), 'gotify-linux-amd64', 'gotify-linux-amd64.zip')
  expect(none).toEqual({ error: 'gotify-linux-amd64.zip holds no ELF executable; it holds: LICENSE, licenses/gin.txt' })
  const two = chooseExecutable([{ path: 'a', elfExecutable: true }, { path: 'b', elfExecutable: true }], 'srv', 'srv.zip')
  expect(two).toEqual({ error: 'srv.zip holds several ELF executables and none is named srv; it holds: a (ELF executable), b (ELF executable)' })
})

test('auto passes over asset names that look like paths or hold control characters, and says so when nothing else is left', () => {
  const amd64 = parsePlatform('linux-amd64')
  for (const name of ['../../../x/y-linux-amd64', 'a\\b-linux-amd64.zip', '.hidden-linux-amd64.zip', 'x\n::warning::y-linux-amd64']) {
    const c = chooseBinaryAsset([{ name }], amd64, auto, {})
    expect(c).toEqual({ found: false, why: expect.stringContaining('passed over: server-binary auto takes no asset whose name holds /') })
    expect(c.found === false && c.why).not.toContain('\n')
  }
  expect(chooseBinaryAsset([{ name: '../gotify-linux-amd64.zip' }, { name: 'gotify-linux-amd64.tar.gz' }], amd64, auto, {})).toMatchObject({ found: true, asset: { name: 'gotify-linux-amd64.tar.gz' } })
})

test('witnesses in one phrase: a server binary the workflow built is never called a release binary', () => {
  expect(binaryWitnesses(['gotify-linux-amd64.zip', 'gotify-linux-arm64.zip'])).toBe('release binaries')
  expect(binaryWitnesses(['./build/gotify', './build/gotify'])).toBe('the server binary ./build/gotify (built by the workflow)')
  expect(binaryWitnesses(['./build/gotify', 'gotify-linux-arm64.zip'])).toBe('release binaries and the server binary ./build/gotify (built by the workflow)')
})
