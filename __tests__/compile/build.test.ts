import { goMaxProcs } from '../../src/compile/build.js'

const at = (o: Partial<Parameters<typeof goMaxProcs>[0]>): number | undefined => goMaxProcs({ cores: 2, concurrency: 2, queued: 2, env: {}, ...o })

test('builds started while others wait each get their share of the cores', () => {
  expect(at({})).toBe(1)
  expect(at({ cores: 4, concurrency: 2 })).toBe(2)
  expect(at({ cores: 4, concurrency: 4, queued: 7 })).toBe(1)
  // More builds at once than cores: still one core each, never zero.
  expect(at({ cores: 2, concurrency: 3 })).toBe(1)
})

test('the last build to start, a build alone, and a GOMAXPROCS from go-env keep Go\'s own (every core)', () => {
  expect(at({ queued: 0 })).toBeUndefined()
  expect(at({ concurrency: 1 })).toBeUndefined()
  expect(at({ env: { GOMAXPROCS: '2' } })).toBeUndefined()
})
