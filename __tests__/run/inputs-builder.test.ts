import { parseInputs } from '../../src/run/inputs.js'

const env = { workspace: '/ws', runnerTemp: '/rt' }
const parse = (inputs: Record<string, string>) => parseInputs(n => ({ 'server-repository': 'gotify/server', ...inputs })[n], env)

test('builder: docker by default, or native; the Go download base URL defaults to go.dev/dl', () => {
  expect(parse({})).toMatchObject({ builder: 'docker', goDownloadBaseUrl: 'https://go.dev/dl' })
  expect(parse({ builder: 'native', 'go-download-base-url': 'https://mirror.example/golang/' })).toMatchObject({ builder: 'native', goDownloadBaseUrl: 'https://mirror.example/golang' })
  expect(() => parse({ builder: 'podman' })).toThrow(`Input 'builder': "podman" is not a choice; accepted: docker, native`)
})

test('go-download-base-url must be a plain http(s) URL', () => {
  for (const bad of ['go.dev/dl', 'ftp://mirror/go', 'https://go.dev/dl?mode=json', 'https://user:pw@mirror/go']) {
    expect(() => parse({ 'go-download-base-url': bad })).toThrow(/^Input 'go-download-base-url': .* is not a (plain http\(s\) )?URL; accepted: an http\(s\) URL/)
  }
})

test('go-env cannot set GOROOT: the Go is always the server\'s', () => {
  expect(() => parse({ 'go-env': 'GOROOT=/usr/lib/go' })).toThrow(/Input 'go-env': GOROOT cannot be set/)
})
