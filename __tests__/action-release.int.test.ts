// The action's own release (scripts/release.sh), run for real: git, npm and a
// bare repository standing for origin. A scratch repository with a one-line
// bundle script stands for this one, so each case takes a second.
import { execFile } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { promisify } from 'node:util'
import { ROOT } from './support/action-harness.js'

const run = promisify(execFile)
const SCRIPT = path.join(ROOT, 'scripts', 'release.sh')
const ENV = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@t', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@t', GIT_CONFIG_GLOBAL: '/dev/null' }

let dir: string
let repo: string
let origin: string
const git = async (...args: string[]): Promise<string> => (await run('git', args, { cwd: repo, env: ENV })).stdout.trim()
const remoteTags = async (): Promise<Record<string, string>> => {
  const out = (await run('git', ['ls-remote', '--tags', origin], { env: ENV })).stdout
  // Peeled lines (^{}) name the commit an annotated tag points at.
  return Object.fromEntries(out.split('\n').filter(l => l.endsWith('^{}')).map(l => [l.split('\t')[1].replace(/^refs\/tags\/|\^\{\}$/g, ''), l.split('\t')[0]]))
}
async function release(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await run('bash', [path.join(repo, 'scripts', 'release.sh'), ...args], { cwd: repo, env: ENV })
    return { code: 0, out: r.stdout + r.stderr }
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string }
    return { code: x.code, out: x.stdout + x.stderr }
  }
}
async function commit(files: Record<string, string>, message: string): Promise<void> {
  for (const [f, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(repo, f)), { recursive: true })
    fs.writeFileSync(path.join(repo, f), text)
  }
  await git('add', '-A')
  await git('commit', '-q', '-m', message)
}

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'action-release-'))
  repo = path.join(dir, 'repo')
  origin = path.join(dir, 'origin.git')
  await run('git', ['init', '-q', '--bare', origin], { env: ENV })
  await run('git', ['init', '-q', '-b', 'main', repo], { env: ENV })
  await git('remote', 'add', 'origin', origin)
  // The bundle is dist/index.js made from src/index.txt, as ncc makes dist/ from src/.
  await commit(
    {
      'package.json': JSON.stringify({ name: 'x', private: true, scripts: { bundle: 'node -e "require(\'fs\').mkdirSync(\'dist\',{recursive:true});require(\'fs\').copyFileSync(\'src/index.txt\',\'dist/index.js\')"' } }),
      'src/index.txt': 'one\n',
      'dist/index.js': 'one\n',
      'CHANGELOG.md': '# Changelog\n\n## v1.0.0\n\n- First release.\n',
      'scripts/release.sh': fs.readFileSync(SCRIPT, 'utf8')
    },
    'one'
  )
})
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

test('a release tags vX.Y.Z with its CHANGELOG notes and moves the major tag; --push puts both on origin', async () => {
  const first = await release('v1.0.0', '--push')
  expect(first).toMatchObject({ code: 0 })
  const head1 = await git('rev-parse', 'HEAD')
  expect(await remoteTags()).toEqual({ 'v1.0.0': head1, v1: head1 })
  expect(await git('tag', '-l', '--format=%(contents)', 'v1.0.0')).toContain('- First release.')

  // The next minor: the major tag follows, the old version tag stays where it was.
  await commit({ 'src/index.txt': 'two\n', 'dist/index.js': 'two\n', 'CHANGELOG.md': '# Changelog\n\n## v1.1.0\n\n- Second.\n\n## v1.0.0\n\n- First release.\n' }, 'two')
  expect(await release('v1.1.0', '--push')).toMatchObject({ code: 0 })
  const head2 = await git('rev-parse', 'HEAD')
  expect(await remoteTags()).toEqual({ 'v1.0.0': head1, 'v1.1.0': head2, v1: head2 })
  expect(await git('tag', '-l', '--format=%(contents)', 'v1.1.0')).not.toContain('First release')
}, 60_000)

test('without --push nothing leaves the machine', async () => {
  const r = await release('v1.0.0')
  expect(r.code).toBe(0)
  expect(r.out).toContain('not pushed (add --push)')
  expect(await remoteTags()).toEqual({})
  expect(await git('tag', '-l')).toBe('v1\nv1.0.0')
}, 60_000)

test.each([
  ['a version that is not vX.Y.Z', ['1.0.0'], 'the version "1.0.0" is not vX.Y.Z'],
  ['a second argument that is not --push', ['v1.0.0', '--force'], 'the second argument "--force" is not --push'],
  ['a version without CHANGELOG notes', ['v1.0.1'], 'CHANGELOG.md has no section "## v1.0.1"']
])('refused in one line, no tag made: %s', async (_, args, message) => {
  const r = await release(...args)
  expect(r.code).not.toBe(0)
  expect(r.out.trim().split('\n')).toHaveLength(1)
  expect(r.out).toContain(`release: ${message}`)
  expect(await git('tag', '-l')).toBe('')
}, 60_000)

test('a stale dist/ is refused, no tag made', async () => {
  await commit({ 'src/index.txt': 'changed\n' }, 'src changed, dist not rebundled')
  const r = await release('v1.0.0')
  expect(r.code).not.toBe(0)
  expect(r.out).toContain('release: dist/ is not what npm run bundle makes from src/')
  expect(await git('tag', '-l')).toBe('')
}, 60_000)

test('uncommitted changes, an existing tag, or an older version are refused', async () => {
  fs.writeFileSync(path.join(repo, 'src', 'index.txt'), 'dirty\n')
  expect((await release('v1.0.0')).out).toContain('release: the work tree has uncommitted changes')
  await git('checkout', '--', 'src/index.txt')
  expect((await release('v1.0.0')).code).toBe(0)
  expect((await release('v1.0.0')).out).toContain('release: the tag v1.0.0 exists already')
  await commit({ 'CHANGELOG.md': '# Changelog\n\n## v0.9.0\n\n- Older.\n' }, 'older')
  expect((await release('v0.9.0')).out).toContain('release: v0.9.0 is not newer than the latest release v1.0.0')
  expect(await git('tag', '-l')).toBe('v1\nv1.0.0')
}, 60_000)
