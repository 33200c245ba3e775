import { goLineFor, localReplaces } from '../../src/alignment/go-line-trial.js'

test('the go line the server\'s Go takes: its release from 1.21 on, its language version before', () => {
  expect(goLineFor('1.21.1')).toBe('1.21.1')
  expect(goLineFor('1.24.0')).toBe('1.24.0')
  expect(goLineFor('1.16.0')).toBe('1.16')
  expect(goLineFor('1.12')).toBe('1.12')
})

test('the local directories replace directives name (a copy elsewhere names them absolutely); module replacements stay', () => {
  const goMod = 'module p\n\ngo 1.21\n\nreplace example.com/a => ../a\n\nreplace (\n\texample.com/b v1.0.0 => ./vendor/b\n\texample.com/c => example.com/c2 v1.0.0\n\texample.com/d => /abs/d\n)\n'
  expect(localReplaces(goMod)).toEqual([
    { old: 'example.com/a', dir: '../a' },
    { old: 'example.com/b@v1.0.0', dir: './vendor/b' }
  ])
})
