import { renderTemplate, placeholdersOf } from '../src/template.js'

test('placeholders are replaced and listed', () => {
  expect(placeholdersOf('{a}-{b}.so')).toEqual(['a', 'b'])
  expect(renderTemplate('{a}-{b}.so', { a: 'x', b: 'y' })).toBe('x-y.so')
})

test('an unknown placeholder is an error, never left in a name', () => {
  expect(() => renderTemplate('{a}-{c}', { a: 'x' })).toThrow('unknown placeholder {c}')
})
