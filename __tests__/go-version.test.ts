import { parseGoVersion, compareGoVersions, hasModFlags } from '../src/go-version.js'

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
