import { execFile, execFileSync } from 'node:child_process'
import { promisify } from 'node:util'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { fileURLToPath } from 'node:url'
import { startGoProxy } from './goproxy.js'

// The fixture proxy is what every Go test here fetches through: check go accepts it.
test('go resolves and builds fixture modules through the local GOPROXY', async () => {
  const proxy = await startGoProxy()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'goproxy-'))
  try {
    fs.cpSync(path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'plugins', 'indirect'), dir, { recursive: true })
    const env = { ...process.env, GOPROXY: proxy.url, GOSUMDB: 'off', GOFLAGS: '-mod=mod', GOMODCACHE: path.join(dir, '.modcache'), GOTOOLCHAIN: 'local' }
    // Async: the proxy answers from this same process, a sync call would deadlock.
    const { stdout: out } = await promisify(execFile)('go', ['list', '-m', 'all'], { cwd: dir, env, encoding: 'utf8' })
    expect(out.split('\n')).toEqual(expect.arrayContaining(['example.com/lib v1.1.0', 'example.com/dep v1.1.0']))
    expect(proxy.log).toContain('/example.com/dep/@v/v1.1.0.mod')
  } finally {
    await proxy.close()
    execFileSync('chmod', ['-R', 'u+w', dir])
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
