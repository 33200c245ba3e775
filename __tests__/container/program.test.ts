import { runProgram } from '../../src/container/program.js'

test('a program that cannot be started ends with code 127, says so, and tells why', async () => {
  const r = await runProgram('/nonexistent/go', ['version'])
  expect(r).toMatchObject({ code: 127, notStarted: 'ENOENT' })
  expect(r.stderr).toContain('/nonexistent/go: not found')
  // One that starts and fails is no start failure.
  expect((await runProgram('sh', ['-c', 'exit 3'])).notStarted).toBeUndefined()
})
