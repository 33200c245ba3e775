import { containerPath } from '../../src/go-runner/docker.js'

const mounts = [
  { host: '/ws', container: '/proj' },
  { host: '/ws/build', container: '/out' },
  { host: '/tmp/rt/scratch-1', container: '/scratch' }
]

test('host paths map through the innermost mount', () => {
  expect(containerPath(mounts, '/ws/plugin')).toBe('/proj/plugin')
  expect(containerPath(mounts, '/ws')).toBe('/proj')
  expect(containerPath(mounts, '/ws/build/x.so')).toBe('/out/x.so')
  expect(containerPath(mounts, '/tmp/rt/scratch-1/server')).toBe('/scratch/server')
})

test('a path outside every mount is an internal error, not a wrong path', () => {
  expect(() => containerPath(mounts, '/etc')).toThrow(/not inside any folder mounted/)
  expect(() => containerPath(mounts, '/wsx/a')).toThrow()
})
