// The native runner with this machine's Go: the environment go really sees is
// the server build's (GOTOOLCHAIN=local, /go/pkg/mod, the platform's compiler),
// whatever the runner's own environment says.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { NativeGoRunner } from '../../src/go-runner/native.js'

const goroot = execFileSync('go', ['env', 'GOROOT'], { encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' } }).trim()
const goVersion = execFileSync('go', ['env', 'GOVERSION'], { encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' } }).trim().replace(/^go/, '')

test("the runner's GO*, CGO_*, CC and CXX never reach go, nor its secrets; the platform's compiler, caches and /go/pkg/mod do", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'native-env-'))
  const saved = { ...process.env }
  // And no go env file: a `go env -w` the runner's user once made.
  fs.mkdirSync(path.join(dir, 'home', '.config', 'go'), { recursive: true })
  fs.writeFileSync(path.join(dir, 'home', '.config', 'go', 'env'), 'GOARM64=v9.0\n')
  Object.assign(process.env, { GOFLAGS: '-trimpath', GOMODCACHE: '/elsewhere', GOTOOLCHAIN: 'go1.99.0', CGO_CFLAGS: '-O0', CC: 'clang', GOROOT: '/usr/lib/go', HOME: path.join(dir, 'home') })
  Object.assign(process.env, { INPUT_TOKEN: 'input-token-value', ACTIONS_RUNTIME_TOKEN: 'runtime-token-value', GITHUB_TOKEN: 'github-token-value' })
  try {
    const runner = new NativeGoRunner({
      goroot,
      goVersion,
      compiler: { cc: 'aarch64-linux-gnu-gcc', cxx: 'aarch64-linux-gnu-g++' },
      goCache: path.join(dir, 'gocache'),
      goPath: path.join(dir, 'gopath'),
      env: { GOPROXY: 'off' }
    })
    const r = await runner.go(['env', '-json', 'GOROOT', 'GOTOOLCHAIN', 'GOMODCACHE', 'GOCACHE', 'GOPATH', 'GOFLAGS', 'CC', 'CXX', 'CGO_CFLAGS', 'GOENV', 'GOPROXY', 'GOWORK', 'GOARM64'], { dir, env: { GOARCH: 'arm64' } })
    expect(r.stderr).toBe('')
    expect(JSON.parse(r.stdout)).toEqual({
      GOROOT: goroot,
      GOTOOLCHAIN: 'local',
      GOMODCACHE: '/go/pkg/mod',
      GOCACHE: path.join(dir, 'gocache'),
      GOPATH: path.join(dir, 'gopath'),
      GOFLAGS: '-modcacherw',
      CC: 'aarch64-linux-gnu-gcc',
      CXX: 'aarch64-linux-gnu-g++',
      CGO_CFLAGS: '-O2 -g',
      // GOENV=off: no go env file.
      GOENV: '',
      GOARM64: 'v8.0',
      GOPROXY: 'off',
      GOWORK: 'off'
    })
    expect(runner.where).toBe(`native go${goVersion} with aarch64-linux-gnu-gcc`)
    // Programs run by the runner find this Go first on PATH.
    const which = await runner.exec(['sh', '-c', 'command -v go'], { dir })
    expect(which.stdout.trim()).toBe(path.join(goroot, 'bin', 'go'))
    // What a program go starts sees: none of the runner's GO*, CC or secrets.
    const env = (await runner.exec(['env'], { dir })).stdout
    expect(env).not.toMatch(/-token-value|^(GOFLAGS|GOMODCACHE|CGO_CFLAGS|CC|GOROOT)=/m)
    expect(env).toContain(`HOME=${path.join(dir, 'home')}`)
  } finally {
    process.env = saved
    fs.rmSync(dir, { recursive: true, force: true })
  }
})
