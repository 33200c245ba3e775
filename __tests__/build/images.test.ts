import { goVersionOfOutput, imageGoProblem } from '../../src/build/images.js'

test('an image with the server Go passes, any other Go is named', () => {
  expect(imageGoProblem('gotify/build:1.26.0-linux-amd64', 'go1.26.0\n', '1.26.0')).toBeUndefined()
  expect(imageGoProblem('x', 'go1.26.1', '1.26.0')).toMatch(/x has go1\.26\.1 but the server was built with go1\.26\.0/)
})

test('the Go of an image is read from `go version`, which every Go has', () => {
  expect(goVersionOfOutput('go version go1.12.17 linux/amd64\n')).toBe('go1.12.17')
  expect(goVersionOfOutput('go version go1.26.0 linux/arm64')).toBe('go1.26.0')
  expect(goVersionOfOutput('sh: go: not found')).toBe('')
})
