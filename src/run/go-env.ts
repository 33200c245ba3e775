/**
 * The go-env input: KEY=VALUE lines passed to every Go command, except the
 * variables the action sets itself (the server's Go, module cache, platforms).
 */
import { InputError } from '../errors.js'

const RESERVED_GO_ENV: Record<string, string> = {
  GOTOOLCHAIN: 'the Go version is the server\'s; every Go command runs with GOTOOLCHAIN=local',
  GOMODCACHE: 'the module cache must sit at /go/pkg/mod like the server\'s; use go-mod-cache for the host folder',
  GOPATH: 'GOPATH is /go in the build images',
  GOOS: 'set by platforms',
  GOARCH: 'set by platforms',
  GOARM: 'set by platforms',
  CGO_ENABLED: 'plugins need cgo',
  GOWORK: 'the plugin is built from its own aligned go.mod (GOWORK=off)',
  GOROOT: 'the Go is the server\'s: its build image\'s, or the one the native builder installs'
}

export function parseGoEnv(text: string): Record<string, string> {
  const env: Record<string, string> = {}
  for (const raw of text.split('\n')) {
    const line = raw.trim()
    if (line === '' || line.startsWith('#')) continue
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line)
    if (!m) throw new InputError('go-env', `cannot read line "${line}"`, 'KEY=VALUE lines such as GOPROXY=https://proxy.example,direct')
    if (m[1] in RESERVED_GO_ENV) throw new InputError('go-env', `${m[1]} cannot be set (${RESERVED_GO_ENV[m[1]]})`, 'other Go environment variables (GOPROXY, GOPRIVATE, GOFLAGS, ...)')
    env[m[1]] = m[2]
  }
  return env
}
