// Every relative link of the documentation (README.md, CHANGELOG.md, docs/*.md)
// leads somewhere: the file exists and, with a #anchor, that file has a heading
// GitHub gives that anchor. Moving a section to another page breaks the links
// to it; this finds them. So for the repository's files the pages name.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { ROOT } from './support/action-harness.js'

/** The documentation's pages, relative to the repository's root. */
const PAGES = ['README.md', 'CHANGELOG.md', ...fs.readdirSync(path.join(ROOT, 'docs')).filter(f => f.endsWith('.md')).map(f => `docs/${f}`)]

/** Markdown without its fenced blocks (their lines stay, empty, so line numbers hold). */
const withoutFences = (text: string): string => {
  let fence = false
  return text
    .split('\n')
    .map(line => {
      if (/^\s*```/.test(line)) {
        fence = !fence
        return ''
      }
      return fence ? '' : line
    })
    .join('\n')
}

/** GitHub's anchor for a heading: lowercase, punctuation dropped but for '-' and '_', spaces to '-'. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-')
}

/** Every anchor a page's headings give, a repeated one as GitHub numbers it (-1, -2, ...). */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>()
  const out = new Set<string>()
  for (const line of withoutFences(markdown).split('\n')) {
    const m = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line)
    if (!m) continue
    const base = slug(m[1])
    const n = seen.get(base) ?? 0
    seen.set(base, n + 1)
    out.add(n === 0 ? base : `${base}-${n}`)
  }
  return out
}

/** The relative link targets of a page (no scheme such as https: or mailto:), with their lines. */
function relativeLinks(markdown: string): Array<{ target: string; line: number }> {
  // Code spans may hold brackets; blank them out (keeping line breaks) before reading links.
  const text = withoutFences(markdown).replace(/`[^`]*`/g, span => span.replace(/[^\n]/g, ' '))
  const links: Array<{ target: string; line: number }> = []
  for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
    if (/^[a-z][a-z0-9+.-]*:/i.test(m[1])) continue
    links.push({ target: m[1], line: text.slice(0, m.index).split('\n').length })
  }
  return links
}

/** What is wrong with each relative link of `page` (relative to `root`): a missing file or heading. */
function brokenLinks(page: string, root: string = ROOT): string[] {
  const text = fs.readFileSync(path.join(root, page), 'utf8')
  return relativeLinks(text).flatMap(({ target, line }) => {
    const [file, anchor] = target.split('#', 2)
    const to = file === '' ? path.join(root, page) : path.resolve(path.dirname(path.join(root, page)), file)
    const where = `${page}:${line}: ${target}`
    if (!fs.existsSync(to)) return [`${where}: no file ${path.relative(root, to)}`]
    if (anchor === undefined) return []
    if (!to.endsWith('.md')) return [`${where}: an anchor into a file that is no markdown page`]
    return anchors(fs.readFileSync(to, 'utf8')).has(anchor) ? [] : [`${where}: ${path.relative(root, to)} has no heading #${anchor}`]
  })
}

test('GitHub anchors: lowercase, punctuation dropped but for - and _, spaces to -, repeats numbered', () => {
  expect(slug("Before the server's next release: a nightly against `master`")).toBe('before-the-servers-next-release-a-nightly-against-master')
  expect(slug('Why: `plugin was built with a different version of package ...`')).toBe('why-plugin-was-built-with-a-different-version-of-package-')
  expect(slug('The server\'s own pull requests (server-source)')).toBe('the-servers-own-pull-requests-server-source')
  expect(slug('Two cores shared: GOMAXPROCS and GOGC')).toBe('two-cores-shared-gomaxprocs-and-gogc')
  expect([...anchors('# A\n\n```sh\n# not a heading\n```\n## A\n### b_c\n')]).toEqual(['a', 'a-1', 'b_c'])
})

test('relative links are read outside code, across line breaks, and schemes are left alone', () => {
  const page = 'See [the Info\ncheck](#info) and [x](https://example.com/#y), `[not](a-link.md)`,\n```md\n[nor](this.md)\n```\n[docs](docs/a.md#b).'
  expect(relativeLinks(page)).toEqual([
    { target: '#info', line: 2 },
    { target: 'docs/a.md#b', line: 6 }
  ])
})

test('a link to a missing file or heading is found', () => {
  const root = fs.mkdtempSync(path.join(ROOT, '.docs-links-'))
  try {
    fs.mkdirSync(path.join(root, 'docs'))
    fs.writeFileSync(path.join(root, 'docs', 'a.md'), '# A page\n\n## Its part\n\n[back](../README.md#top) [up](../README.md)\n')
    fs.writeFileSync(path.join(root, 'README.md'), '# Top\n\n[ok](docs/a.md#its-part) [gone](docs/b.md) [moved](#its-part) [here](#top)\n')
    expect(brokenLinks('README.md', root)).toEqual(['README.md:3: docs/b.md: no file docs/b.md', 'README.md:3: #its-part: README.md has no heading #its-part'])
    expect(brokenLinks('docs/a.md', root)).toEqual([])
  } finally {
    fs.rmSync(root, { recursive: true, force: true })
  }
})

test.each(PAGES)('every relative link of %s leads to a file and heading that exist', page => {
  expect(brokenLinks(page)).toEqual([])
})

// Files named in code spans (`src/container/sandbox.ts`) move with a restructure: the page must follow.
test.each(PAGES)('every file of this repository that %s names in a code span exists', page => {
  const named = [...fs.readFileSync(path.join(ROOT, page), 'utf8').matchAll(/`((?:src|__tests__|scripts|examples|\.github)\/[\w./-]+)`/g)].map(m => m[1])
  expect(named.filter(f => !fs.existsSync(path.join(ROOT, f)))).toEqual([])
})
