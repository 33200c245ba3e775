import { runProgram } from '../../src/container/program.js'

test('a program that cannot be started ends with code 127, says so, and tells why', async () => {
  const r = await runProgram('/nonexistent/go', ['version'])
  expect(r).toMatchObject({ code: 127, notStarted: 'ENOENT' })
  expect(r.stderr).toContain('/nonexistent/go: not found')
  // One that starts and fails is no start failure.
  expect((await runProgram('sh', ['-c', 'exit 3'])).notStarted).toBeUndefined()
})

test('a program past its time limit is stopped with what it started, and says so; an abort stops it too', async () => {
  const started = Date.now()
  // The shell's child (sleep) is in the same process group: it must not outlive the limit.
  const r = await runProgram('sh', ['-c', 'sleep 30; echo late'], { timeoutMs: 300 })
  expect(r.timedOut).toBe(true)
  expect(r.stdout).not.toContain('late')
  expect(Date.now() - started).toBeLessThan(5000)
  const abort = new AbortController()
  setTimeout(() => abort.abort(), 200)
  const a = await runProgram('sleep', ['30'], { signal: abort.signal })
  expect(a.timedOut).toBeUndefined()
  expect(a.code).not.toBe(0)
  // One within its limit ends as usual.
  expect(await runProgram('sh', ['-c', 'echo ok'], { timeoutMs: 5000 })).toMatchObject({ code: 0, stdout: 'ok\n' })
})
