import { parsePlatform } from '../../src/platform.js'
import { platformsToRead } from '../../src/server-image/early-binary.js'

test('the runner\'s own platform is read first (its image is the one started later), then the others in order', () => {
  const ids = (arch: string): string[] => platformsToRead(['linux-arm-7', 'linux-amd64', 'linux-arm64'].map(id => parsePlatform(id)), arch).map(p => p.id)
  expect(ids('amd64')).toEqual(['linux-amd64', 'linux-arm-7', 'linux-arm64'])
  expect(ids('arm64')).toEqual(['linux-arm64', 'linux-arm-7', 'linux-amd64'])
  expect(ids('riscv64')).toEqual(['linux-arm-7', 'linux-amd64', 'linux-arm64'])
})
