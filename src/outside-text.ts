/**
 * Text from outside (API answers, tag, asset and release names, go.mod files,
 * compiler and go command output) as it may be shown: in the step log, where
 * the runner executes any line that starts with `::` (after blanks) or holds
 * `##[` (the old command form), and in the job summary's markdown. Pure.
 *
 * The rule:
 * - a single value has every control character escaped visibly (`\n`, `\r`,
 *   `\t`, `\x1b`, `\u2028`): C0, DEL, C1, and the line and paragraph separators;
 * - a log line (or every line of a block of outside text) keeps its newlines,
 *   has the other control characters escaped the same way (a lone `\r` would
 *   be a line break for the runner), and a line that could start a command is
 *   defused visibly: a leading `::` becomes `\::`, and `##[` becomes `##\[`.
 * Per-line defusing rather than `::stop-commands::<token>`: it needs no state,
 * so a crash between start and stop cannot leave the runner's commands off.
 */

// C0 (but \n, which log lines keep), DEL, C1, U+2028/U+2029. Matching control characters is the point here.
/* eslint-disable no-control-regex */
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029]/g
const CONTROL_OR_NEWLINE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/
/* eslint-enable no-control-regex */

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' }

function escapeChar(ch: string): string {
  const named = NAMED[ch]
  if (named) return named
  const c = ch.charCodeAt(0)
  return c <= 0xff ? `\\x${c.toString(16).padStart(2, '0')}` : `\\u${c.toString(16).padStart(4, '0')}`
}

/** Whether a value holds any control character (newlines included): such a name is refused. */
export function hasControl(value: string): boolean {
  return CONTROL_OR_NEWLINE.test(value)
}

/** The first control character of a value, escaped, and where it is (for one-line errors). */
export function firstControl(value: string): { shown: string; index: number } | undefined {
  const m = CONTROL_OR_NEWLINE.exec(value)
  return m ? { shown: escapeChar(m[0]), index: m.index } : undefined
}

/** A single value on one line: every control character escaped. */
export function shown(value: string): string {
  return value.replace(/\n/g, '\\n').replace(CONTROL, escapeChar)
}

/** A value quoted for a message: escaped, and cut when long. */
export function quoted(value: string, max = 80): string {
  const s = `"${shown(value).replace(/"/g, '\\"')}"`
  return s.length > max ? `${s.slice(0, max - 4)}..."` : s
}

/** One line of the step log that no outside text in it can turn into a workflow command. */
export function logLine(line: string): string {
  return line.replace(CONTROL, ch => (ch === '\t' ? ch : escapeChar(ch))).replace(/^(\s*)::/, '$1\\::').replace(/##\[/g, '##\\[')
}

/** Text for the step log, possibly several lines (compiler output): each line made safe. */
export function logText(text: string): string {
  return text
    .split(/\r?\n/)
    .map(logLine)
    .join('\n')
}

/**
 * A value inside the job summary's markdown (table cells included): escaped
 * so it stays text, cannot close a cell, open a tag or form a link.
 */
export function markdownText(value: string): string {
  return shown(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|!])/g, '\\$1')
}
