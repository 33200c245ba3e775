// The cancellation itself, with real processes: every process group the run started is stopped (what they started
// too), then what the run changed is put back, and nothing new starts afterwards.
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { runProgram } from '../../src/container/program.js'
import { CANCEL_LIMIT_MS, cancelRun, onCancel } from '../../src/run/cancel.js'

test('SIGTERM: every program and what it started is stopped, then the files are put back; nothing starts after', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cancel-'))
  const file = path.join(dir, 'go.mod')
  fs.writeFileSync(file, 'aligned\n')
  // A program that ignores SIGTERM (it gets SIGKILL), and a shell whose child would write the file after a while.
  const stubborn = runProgram('sh', ['-c', "trap '' TERM; sleep 30"])
  const writer = runProgram('sh', ['-c', `sleep 3; echo late > ${file}`])
  const order: string[] = []
  onCancel(() => {
    order.push('put back')
    fs.writeFileSync(file, 'before\n')
    return 'go.mod and go.sum as they were before the run'
  })
  // Forgetting after the cancellation began does nothing: the put-back still runs.
  const forget = onCancel(() => {
    order.push('second')
    return undefined
  })
  await new Promise(r => setTimeout(r, 300))
  const started = Date.now()
  const cancelling = cancelRun('SIGTERM')
  forget()
  const line = await cancelling
  expect(Date.now() - started).toBeLessThan(CANCEL_LIMIT_MS + 1000)
  expect(line).toBe('the run was cancelled (SIGTERM): 2 programs stopped, 0 containers removed; go.mod and go.sum as they were before the run')
  expect(order).toEqual(['put back', 'second'])
  expect((await stubborn).code).not.toBe(0)
  expect((await writer).code).not.toBe(0)
  await new Promise(r => setTimeout(r, 3500))
  expect(fs.readFileSync(file, 'utf8')).toBe('before\n')
  expect(await runProgram('true', [])).toMatchObject({ code: 127, notStarted: 'ECANCELED' })
  fs.rmSync(dir, { recursive: true, force: true })
}, 20_000)
