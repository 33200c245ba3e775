import { moduleVersionsAdvice } from '../../src/verify/neighbour-advice.js'

const LOGS = [{ module: 'example.com/logs', earlier: 'v1.0.0', later: 'v1.2.0' }]

test("two of this run's plugins: build both with one version", () => {
  expect(moduleVersionsAdvice(LOGS, { name: 'a.so' }, { name: 'b.so' })).toBe("the server does not link them, so build both plugins with one version of each (say b.so with a.so's)")
})

test("a neighbour is never told to this run's plugin as a rebuild: its owner must, naming the module and both versions, or the plugin's go.mod must allow it", () => {
  const why = (m: string): string | undefined => (m === 'example.com/logs' ? 'example.com/logs: mine cannot move to example.com/logs@v1.2.0: excluded by go.mod' : undefined)
  expect(moduleVersionsAdvice(LOGS, { name: 'mine.so' }, { name: 'other.so', neighbour: true }, why)).toBe(
    "other.so is a with-plugins neighbour, which this run does not rebuild, and this run could not move mine.so to example.com/logs v1.2.0 (example.com/logs: mine cannot move to example.com/logs@v1.2.0: excluded by go.mod): other.so's owner must rebuild it with example.com/logs v1.0.0 (the versions mine.so links), or mine.so's go.mod must allow example.com/logs v1.2.0"
  )
  expect(moduleVersionsAdvice(LOGS, { name: 'other.so', neighbour: true }, { name: 'mine.so' })).toBe(
    "other.so is a with-plugins neighbour, which this run does not rebuild, and mine.so does not link example.com/logs v1.0.0: other.so's owner must rebuild it with example.com/logs v1.2.0 (the versions mine.so links), or mine.so's go.mod must allow example.com/logs v1.0.0"
  )
  expect(moduleVersionsAdvice(LOGS, { name: 'n1.so', neighbour: true }, { name: 'n2.so', neighbour: true })).toMatch(/^neither is built by this run/)
})
