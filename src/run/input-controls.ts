/** The rule every input follows before it is parsed: no control characters (src/outside-text.ts). */
import { InputError } from '../errors.js'
import { firstControl, quoted } from '../outside-text.js'

/** Inputs that are lists, one item a line: newlines, carriage returns and tabs are separators there. */
const LINE_LISTS = new Set(['server-version', 'platforms', 'build-args', 'go-env', 'image-tags', 'verify-symbols'])
/** Lists of folders, names and files (several plugins, with-plugins): line breaks between items, but no tab inside a name. */
const NAME_LISTS = new Set(['plugin-path', 'package', 'plugin-name', 'with-plugins', 'required-plugins'])

/**
 * No input holds a control character (a newline in asset-name would split
 * SHA256SUMS; one in a tag or image name would reach the log and the API);
 * lists may hold line breaks and tabs between their items. The token's value
 * is never shown.
 */
export function refuseControlCharacters(get: (name: string) => string | undefined, names: string[]): void {
  for (const name of names) {
    const raw = get(name)
    if (raw === undefined) continue
    const value = raw.trim()
    const checked = LINE_LISTS.has(name) ? value.replace(/[\r\n\t]/g, ' ') : NAME_LISTS.has(name) ? value.replace(/[\r\n]/g, ' ') : value
    const found = firstControl(checked)
    if (!found) continue
    const shownValue = name === 'token' ? 'the value' : quoted(value)
    const accepted = LINE_LISTS.has(name) || NAME_LISTS.has(name) ? 'printable text, items separated by commas or line breaks' : 'printable text on one line'
    throw new InputError(name, `${shownValue} contains a control character (${found.shown} at position ${found.index + 1})`, accepted)
  }
}
