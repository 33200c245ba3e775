/**
 * Git's rules for a tag name (`git check-ref-format refs/tags/<tag>`, plus
 * `git tag`'s refusal of a leading "-"). A tag that passes can never walk up an
 * API path: it has no "." or ".." component and no empty one.
 */
export function tagNameProblem(tag: string): string | undefined {
  if (tag === '') return 'is empty'
  if (tag.startsWith('-')) return 'starts with "-"'
  for (const ch of tag) {
    const c = ch.codePointAt(0) ?? 0
    if (c < 0x20 || c === 0x7f) return 'contains a control character'
    if (' ~^:?*[\\'.includes(ch)) return `contains ${ch === ' ' ? 'a space' : `"${ch}"`}`
  }
  if (tag.includes('..')) return 'contains ".."'
  if (tag.includes('@{')) return 'contains "@{"'
  if (tag.endsWith('.')) return 'ends with "."'
  for (const part of tag.split('/')) {
    if (part === '') return 'has an empty path component (a leading, trailing or double "/")'
    if (part.startsWith('.')) return `has a component starting with "." (${part})`
    if (part.endsWith('.lock')) return `has a component ending with ".lock" (${part})`
  }
  return undefined
}
