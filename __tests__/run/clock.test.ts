import { begin, describeRunTimes, runTimes } from '../../src/run/clock.js'

test('concurrent programs count once; the action\'s own time is what no activity covers', () => {
  const t0 = Date.now()
  const a = runTimes(t0)
  // Simulated: two overlapping docker runs, then a cache restore.
  const end1 = begin('go-and-docker')
  const end2 = begin('go-and-docker')
  end1()
  end1() // ending twice changes nothing
  end2()
  const b = runTimes()
  expect(b.goAndDocker).toBeGreaterThanOrEqual(a.goAndDocker)
  expect(b.total).toBeGreaterThanOrEqual(b.goAndDocker + b.cache)
  expect(b.own).toBeCloseTo(b.total - b.goAndDocker - b.cache, 1)
  expect(describeRunTimes({ total: 14.24, goAndDocker: 12.9, cache: 0.8, own: 0.54 })).toBe('time: 14.2 s; Go and Docker 12.9 s, caches 0.8 s, the action itself 0.5 s')
})
