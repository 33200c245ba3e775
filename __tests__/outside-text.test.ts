import { firstControl, hasControl, logLine, logText, markdownText, quoted, shown } from '../src/outside-text.js'

/** What the runner would execute: a line starting with :: after blanks, or holding ##[ (the old form). */
const commandLines = (text: string): string[] => text.split(/\r\n|\r|\n/).filter(l => /^\s*::/.test(l) || l.includes('##['))

test('a single value shows every control character escaped, on one line', () => {
  expect(shown('v1.0.0\n::warning::pwned')).toBe('v1.0.0\\n::warning::pwned')
  expect(shown('a\rb\tc\u001b[31md\u0085e\u2028f\u2029g\u007f')).toBe('a\\rb\\tc\\x1b[31md\\x85e\\u2028f\\u2029g\\x7f')
  expect(shown('gotify-linux-amd64.zip')).toBe('gotify-linux-amd64.zip')
  expect(quoted('x"\ny')).toBe('"x\\"\\ny"')
  expect(quoted('a'.repeat(100))).toHaveLength(80)
})

test('control characters are found, newlines and tabs included; printable text is not', () => {
  for (const bad of ['a\nb', 'a\rb', 'a\tb', 'a\u0000', '\u009b', 'x\u2028']) expect(hasControl(bad)).toBe(true)
  for (const ok of ['v1.0.0', 'plugin-linux-arm-7.so', 'ünïcode ✓', '']) expect(hasControl(ok)).toBe(false)
  expect(firstControl('ab\u001bc')).toEqual({ shown: '\\x1b', index: 2 })
  expect(firstControl('abc')).toBeUndefined()
})

test('no line of logged text can start a workflow command, in either form', () => {
  const hostile = [
    'Server versions: v1.0.0\n::warning::pwned',
    'v1.0.0\r::add-mask::x',
    '  ::error::indented',
    '::set-output name=x::y',
    'text ##[warning]old form',
    'a\u2028::warning::separator',
    'go: module example.com/x\n\t::notice::from compiler output\r\n##[error]x'
  ]
  for (const text of hostile) {
    const out = logText(text)
    expect(commandLines(out)).toEqual([])
  }
  expect(logText('v1.0.0\n::warning::pwned')).toBe('v1.0.0\n\\::warning::pwned')
  expect(logLine('a\u001b[31mred')).toBe('a\\x1b[31mred')
  // Our own lines are unchanged: tabs and newlines of a block kept.
  expect(logText('go build -v\n\tline two\nok')).toBe('go build -v\n\tline two\nok')
})

test('a value in the job summary stays text: no cell break, no tag, no link', () => {
  expect(markdownText('v1|x')).toBe('v1\\|x')
  expect(markdownText('<img src=x onerror=alert(1)>')).toBe('&lt;img src=x onerror=alert(1)&gt;')
  expect(markdownText('[click](https://evil)')).toBe('\\[click\\](https://evil)')
  expect(markdownText('a\nb')).toBe('a\\\\nb')
  expect(markdownText('v2.9.1')).toBe('v2.9.1')
})
