import { loaderDrift, moduleOf, packageDir } from '../../src/verify/server-packages.js'

const server = [
  { path: 'github.com/gin-gonic/gin', version: 'v1.11.0' },
  { path: 'github.com/BurntSushi/toml', version: 'v1.2.0' },
  { path: 'golang.org/x/net', version: 'v0.46.0' },
  { path: 'example.com/server/v2', version: '' }
]

test('an import path belongs to the longest server module that prefixes it', () => {
  expect(moduleOf('github.com/gin-gonic/gin/binding', server)?.path).toBe('github.com/gin-gonic/gin')
  expect(moduleOf('golang.org/x/net/http2', server)?.version).toBe('v0.46.0')
  expect(moduleOf('github.com/gin-gonic/ginx', server)).toBeUndefined()
  expect(moduleOf('example.com/server/v2/model', server)).toBeUndefined()
})

test('package folders in the module cache use the escaped module path', () => {
  expect(packageDir('/c', server[0], 'github.com/gin-gonic/gin/json')).toBe('/c/github.com/gin-gonic/gin@v1.11.0/json')
  expect(packageDir('/c', server[1], 'github.com/BurntSushi/toml')).toBe('/c/github.com/!burnt!sushi/toml@v1.2.0')
})

test('a loader whose go.mod moved a module away from the server is caught', () => {
  const goMod = 'module l\n\ngo 1.26\n\nrequire (\n\tgithub.com/gin-gonic/gin v1.12.0\n\tgolang.org/x/net v0.46.0\n\texample.com/new v1.0.0\n)\n'
  expect(loaderDrift(goMod, server)).toEqual(['github.com/gin-gonic/gin: v1.11.0 → v1.12.0', 'example.com/new: not in the server → v1.0.0'])
  expect(loaderDrift('module l\n\nrequire golang.org/x/net v0.46.0\n', server)).toEqual([])
})
