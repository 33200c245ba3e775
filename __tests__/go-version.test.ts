import { parseGoVersion, compareGoVersions, goReleaseName, goReleaseNameOf, hasModFlags, sameGoRelease } from '../src/go-version.js'

test.each(['1.26.0', '1.22', '1.23rc1', 'go1.21.3', '1.24beta2'])('%s is a Go version', v => {
  expect(parseGoVersion(v)).toBeDefined()
})

test.each(['latest', '1.22; rm -rf /', '1', '1.22.3.4', '1.22-rc1', ' ', '1.22.3\n1.22.4', 'v1.22.3'])('%j is refused', v => {
  expect(parseGoVersion(v)).toBeUndefined()
})

test('ordering: patches, and pre-releases before their release', () => {
  const v = (s: string) => parseGoVersion(s)!
  expect(compareGoVersions(v('1.22.1'), v('1.22.10'))).toBeLessThan(0)
  expect(compareGoVersions(v('1.23rc1'), v('1.23.0'))).toBeLessThan(0)
  expect(compareGoVersions(v('1.23beta1'), v('1.23rc1'))).toBeLessThan(0)
  expect(compareGoVersions(v('1.22'), v('1.22.0'))).toBe(0)
})

test('-mod=mod and -modcacherw only for Go 1.14 and later (gotify v2.0 used 1.12)', () => {
  expect(hasModFlags('1.12.0')).toBe(false)
  expect(hasModFlags('1.13.15')).toBe(false)
  expect(hasModFlags('1.14')).toBe(true)
  expect(hasModFlags('1.26.0')).toBe(true)
})

describe('Go releases: versions, not strings', () => {
  test.each([
    ['1.16.0', 'go1.16'],
    ['go1.12', 'go1.12'],
    ['1.20.3', 'go1.20.3'],
    ['1.21.0', 'go1.21.0'],
    ['1.26.8', 'go1.26.8'],
    ['1.23rc1', 'go1.23rc1'],
    // From Go 1.21 on, 1.22 is a language version, not a release.
    ['1.22', 'go1.22']
  ])('%s is called %s by Go', (text, name) => {
    expect(goReleaseName(parseGoVersion(text)!)).toBe(name)
    expect(goReleaseNameOf(text)).toBe(name)
  })

  test('same release, whatever the spelling', () => {
    expect(sameGoRelease('go1.16', '1.16.0')).toBe(true)
    expect(sameGoRelease('go1.12', '1.12')).toBe(true)
    expect(sameGoRelease('go1.26.8', '1.26.8')).toBe(true)
    expect(sameGoRelease('go1.26.7', '1.26.8')).toBe(false)
    expect(sameGoRelease('go1.16.1', '1.16.0')).toBe(false)
    expect(sameGoRelease('go1.23rc1', '1.23.0')).toBe(false)
    // go1.22.0 is a release; "1.22" only says which language.
    expect(sameGoRelease('go1.22.0', '1.22')).toBe(false)
    expect(sameGoRelease('devel go1.27-abc', '1.26.8')).toBe(false)
  })
})
