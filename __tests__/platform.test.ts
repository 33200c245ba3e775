import { parsePlatform, parsePlatforms, platformGoEnv, nativeArch } from '../src/platform.js'

test('platforms parse to os, arch and variant, newline or comma separated', () => {
  expect(parsePlatforms('linux-amd64\nlinux-arm-7, linux-riscv64').map(p => [p.os, p.arch, p.variant])).toEqual([
    ['linux', 'amd64', undefined],
    ['linux', 'arm', '7'],
    ['linux', 'riscv64', undefined]
  ])
})

test('Go environment per platform, as the build images set it', () => {
  expect(platformGoEnv(parsePlatform('linux-arm-7'))).toEqual({ GOOS: 'linux', GOARCH: 'arm', GOARM: '7' })
  expect(platformGoEnv(parsePlatform('linux-386'))).toEqual({ GOOS: 'linux', GOARCH: '386' })
})

test('windows cannot load plugins and is refused', () => {
  expect(() => parsePlatform('windows-amd64')).toThrow(/unknown platform "windows-amd64"/)
  expect(() => parsePlatforms(' , ')).toThrow(/no platform given/)
})

test('node arch names map to Go arch names', () => {
  expect(nativeArch('x64')).toBe('amd64')
  expect(nativeArch('arm64')).toBe('arm64')
})
