import { begin, describeRunTimes, runTimes, stepBegins, stepTimes } from '../src/clock.js'

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

test('the time line names each step with its span from the start, so steps that ran side by side show it', () => {
  const t = { total: 14.24, goAndDocker: 12.9, cache: 0.8, own: 0.54 }
  const steps = [
    { step: 'align', from: 2, to: 6.14 },
    { step: 'warm-up', from: 2.05, to: 9 },
    { step: 'build', from: 6.14, to: 13.9 }
  ]
  expect(describeRunTimes(t, steps)).toBe('time: 14.2 s; Go and Docker 12.9 s, caches 0.8 s, the action itself 0.5 s; steps (s from the start): align 2.0-6.1, warm-up 2.0-9.0, build 6.1-13.9')
  // A step begun twice spans its first start to its last end; one still running ends now.
  const end1 = stepBegins('a', Date.now() - 3000)
  const end2 = stepBegins('a', Date.now() - 2000)
  end1()
  const [a] = stepTimes().filter(s => s.step === 'a')
  expect(a.to - a.from).toBeGreaterThanOrEqual(2.9)
  end2()
})
