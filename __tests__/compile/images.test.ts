import { goVersionOfOutput, imageGoProblem } from '../../src/compile/images.js'

test('an image with the server Go passes, any other Go is named', () => {
  expect(imageGoProblem('gotify/build:1.26.0-linux-amd64', 'go1.26.0\n', '1.26.0')).toBeUndefined()
  expect(imageGoProblem('x', 'go1.26.1', '1.26.0')).toMatch(/x has go1\.26\.1 but the server was built with go1\.26\.0/)
})

test('the Go of an image is read from `go version`, which every Go has', () => {
  expect(goVersionOfOutput('go version go1.12.17 linux/amd64\n')).toBe('go1.12.17')
  expect(goVersionOfOutput('go version go1.26.0 linux/arm64')).toBe('go1.26.0')
  expect(goVersionOfOutput('sh: go: not found')).toBe('')
})

test('gotify v2.0.0 to v2.1.0 publish GO_VERSION 1.12.0 and 1.16.0: images reporting go1.12 and go1.16 are theirs', () => {
  expect(imageGoProblem('gotify/build:1.12.0-linux-amd64', 'go1.12', '1.12.0')).toBeUndefined()
  expect(imageGoProblem('gotify/build:1.16.0-linux-arm64', 'go1.16', '1.16.0')).toBeUndefined()
  expect(imageGoProblem('gotify/build:1.16.0-linux-amd64', 'go1.16.15', '1.16.0')).toMatch(/has go1\.16\.15 but the server was built with go1\.16;/)
  expect(imageGoProblem('x', '', '1.16.0')).toMatch(/x has no Go but the server was built with go1\.16;/)
})
