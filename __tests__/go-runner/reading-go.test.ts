import { goAskedFor, newestAbove, releaseFor } from '../../src/go-runner/reading-go.js'

test('the Go that reads: the newest at hand above the server\'s, none when nothing is newer', () => {
  const at = (version: string) => ({ version, goroot: `/t/go/${version}` })
  expect(newestAbove([at('1.22.12'), at('1.24.6'), at('1.23.9')], '1.21.1')).toEqual(at('1.24.6'))
  expect(newestAbove([at('1.21.1'), at('1.20.14')], '1.21.1')).toBeUndefined()
  expect(newestAbove([], '1.16.0')).toBeUndefined()
})

test('what a failed command asks for, from go\'s own words', () => {
  expect(goAskedFor('go: example.com/crypto@v1.1.0: module example.com/crypto@v1.1.0 requires go >= 1.26 (running go 1.21.1; GOTOOLCHAIN=local)\n')).toEqual({ needs: '1.26', running: '1.21.1' })
  expect(goAskedFor('go: loading module retractions for example.com/term@v1.0.0: module example.com/term@v1.2.0 requires go >= 1.26.3 (running go 1.21.1; GOTOOLCHAIN=local)')).toEqual({ needs: '1.26.3', running: '1.21.1' })
  expect(goAskedFor('go: go.mod requires go >= 1.99 (running go 1.26.8; GOTOOLCHAIN=local)')).toEqual({ needs: '1.99', running: '1.26.8' })
  expect(goAskedFor('go: cannot find module providing package example.com/x')).toBeUndefined()
})

test('the release installed for a need: the newest listed that is at least it, else the release it names', () => {
  expect(releaseFor('1.26', ['1.25.7', '1.26.8', '1.26.2'])).toBe('1.26.8')
  expect(releaseFor('1.26', ['1.25.7'])).toBe('1.26.0')
  expect(releaseFor('1.26.3', [])).toBe('1.26.3')
  // Before 1.21 a .0 release is named without its patch.
  expect(releaseFor('1.18', [])).toBe('1.18')
})
