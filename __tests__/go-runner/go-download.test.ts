import { archiveUrl, checksumFileUrl, checksumListUrl, goArchiveName, goToolCacheVersion, sha256FromFile, sha256FromList, stableReleasesIn } from '../../src/go-runner/go-download.js'

const HEX = 'a'.repeat(64)

test("archive names follow Go's own: the release name (1.16.0 is go1.16), arm is armv6l", () => {
  expect(goArchiveName('1.26.8', 'amd64')).toBe('go1.26.8.linux-amd64.tar.gz')
  expect(goArchiveName('1.16.0', 'arm64')).toBe('go1.16.linux-arm64.tar.gz')
  expect(goArchiveName('1.21.0', '386')).toBe('go1.21.0.linux-386.tar.gz')
  expect(goArchiveName('1.23rc1', 'arm')).toBe('go1.23rc1.linux-armv6l.tar.gz')
})

test('tool-cache versions are semver, as actions/setup-go writes them', () => {
  expect(goToolCacheVersion('1.26.8')).toBe('1.26.8')
  expect(goToolCacheVersion('1.16')).toBe('1.16.0')
  expect(goToolCacheVersion('1.23rc1')).toBe('1.23.0-rc.1')
})

test('URLs under the base, with or without a trailing slash', () => {
  for (const base of ['https://go.dev/dl', 'https://go.dev/dl/']) {
    expect(archiveUrl(base, 'go1.26.8.linux-amd64.tar.gz')).toBe('https://go.dev/dl/go1.26.8.linux-amd64.tar.gz')
    expect(checksumListUrl(base)).toBe('https://go.dev/dl/?mode=json&include=all')
    expect(checksumFileUrl(base, 'go1.26.8.linux-amd64.tar.gz')).toBe('https://go.dev/dl/go1.26.8.linux-amd64.tar.gz.sha256')
  }
})

test("the checksum list gives the file's sha256, or nothing when it does not name the file", () => {
  const list = JSON.stringify([
    { version: 'go1.26.8', stable: true, files: [{ filename: 'go1.26.8.src.tar.gz', sha256: 'b'.repeat(64) }, { filename: 'go1.26.8.linux-amd64.tar.gz', sha256: HEX.toUpperCase() }] },
    { version: 'go1.12.17', files: [] }
  ])
  expect(sha256FromList(list, 'go1.26.8.linux-amd64.tar.gz')).toBe(HEX)
  expect(sha256FromList(list, 'go1.26.8.linux-arm64.tar.gz')).toBeUndefined()
  expect(() => sha256FromList('<html>a mirror listing</html>', 'x')).toThrow(SyntaxError)
  expect(() => sha256FromList('{"version":"go1"}', 'x')).toThrow(/not a list/)
})

test('a .sha256 file holds the bare checksum, or sha256sum output', () => {
  expect(sha256FromFile(`${HEX}\n`)).toBe(HEX)
  expect(sha256FromFile(`${HEX}  go1.26.8.linux-amd64.tar.gz\n`)).toBe(HEX)
  expect(sha256FromFile('<html>not found</html>')).toBeUndefined()
  expect(sha256FromFile('')).toBeUndefined()
})

test('the stable releases a checksum list offers for the runner, as Go versions; anything else gives none', () => {
  const file = (name: string) => ({ filename: name, sha256: HEX })
  const list = JSON.stringify([
    { version: 'go1.26.8', stable: true, files: [file('go1.26.8.linux-amd64.tar.gz'), file('go1.26.8.linux-arm64.tar.gz')] },
    { version: 'go1.27rc1', stable: false, files: [file('go1.27rc1.linux-amd64.tar.gz')] },
    { version: 'go1.16', stable: true, files: [file('go1.16.linux-amd64.tar.gz')] },
    { version: 'go1.25.0', stable: true, files: [file('go1.25.0.linux-s390x.tar.gz')] },
    null
  ])
  expect(stableReleasesIn(list, 'amd64')).toEqual(['1.26.8', '1.16'])
  expect(stableReleasesIn(list, 'arm64')).toEqual(['1.26.8'])
  expect(stableReleasesIn('<html>', 'amd64')).toEqual([])
  expect(stableReleasesIn('{"a":1}', 'amd64')).toEqual([])
})
