// git on folders a pull request fills (real git): the programs a repository's config or a pull request's
// .gitattributes name never run, and the dirty check still tells changed from touched.
import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { blobId, findCheckout, hasChanges, headCommit, parseIndexEntries } from '../../src/workspace/git.js'
import { checkoutCommit } from '../../src/server/candidate.js'
import { git, hostileFolder, markerScript } from '../support/hostile-git.js'

const tmp = (): string => fs.mkdtempSync(path.join(os.tmpdir(), 'workspace-git-'))

test('a folder holding git internals (HEAD, objects/, refs/, config) is not a repository: none of its programs run', async () => {
  const root = tmp()
  const marker = path.join(root, 'ran')
  const folder = path.join(root, 'server')
  hostileFolder(folder, marker)
  // The fixture is hostile: git finds the folder itself and runs its scripts (the check before issue 27's fix).
  git(folder, 'update-index', '-q', '--refresh')
  expect(fs.readFileSync(marker, 'utf8')).toMatch(/fsmonitor\.sh|clean\.sh|post-index-change/)
  fs.rmSync(marker)

  expect(findCheckout(folder)).toBeUndefined()
  expect(await checkoutCommit(folder)).toBeUndefined()
  expect(fs.existsSync(marker)).toBe(false)
  fs.rmSync(root, { recursive: true, force: true })
})

test("a checkout's own filters, diff drivers, fsmonitor and hooks never run; touched is clean, changed is dirty (real git)", async () => {
  const repo = tmp()
  const marker = path.join(repo, '..', `${path.basename(repo)}-ran`)
  const server = path.join(repo, 'server')
  fs.mkdirSync(server)
  fs.writeFileSync(path.join(server, 'go.mod'), 'module example.com/server\n\ngo 1.21\n')
  fs.writeFileSync(path.join(server, 'run.sh'), '#!/bin/sh\n', { mode: 0o755 })
  fs.symlinkSync('go.mod', path.join(server, 'link'))
  // The pull request's .gitattributes names drivers; the runner's config (here the repository's) defines them.
  fs.writeFileSync(path.join(repo, '.gitattributes'), '* filter=evil diff=evil\n')
  git(repo, 'init', '-q')
  git(repo, 'add', '.')
  git(repo, 'commit', '-qm', 'one')
  const sha = git(repo, 'rev-parse', 'HEAD').trim()
  const hooks = path.join(repo, '.git', 'hooks')
  markerScript(hooks, 'post-index-change', marker)
  git(repo, 'config', 'core.fsmonitor', markerScript(repo, '.fsmonitor.sh', marker))
  git(repo, 'config', 'filter.evil.clean', markerScript(hooks, 'clean.sh', marker))
  git(repo, 'config', 'diff.evil.command', markerScript(hooks, 'diff.sh', marker))
  const later = new Date(Date.now() + 5000)
  fs.utimesSync(path.join(server, 'go.mod'), later, later)

  const checkout = findCheckout(server)
  expect(checkout).toEqual({ gitDir: path.join(repo, '.git'), workTree: repo })
  expect(await headCommit(checkout!)).toBe(sha)
  // Touched and an untracked binary beside it: clean.
  fs.writeFileSync(path.join(server, 'gotify'), 'binary')
  expect(await hasChanges(checkout!, server)).toBe(false)
  expect(fs.existsSync(marker)).toBe(false)
  // The fixture is hostile: git's own status runs the scripts.
  git(repo, 'status', '--porcelain')
  expect(fs.readFileSync(marker, 'utf8')).toMatch(/fsmonitor\.sh|clean\.sh|post-index-change/)
  fs.rmSync(marker)
  // Changed below the folder; a change outside it does not count for the folder.
  fs.appendFileSync(path.join(server, 'go.mod'), '// changed\n')
  expect(await hasChanges(checkout!, server)).toBe(true)
  // The test's own git calls, with the scripts off.
  const quiet = (...args: string[]): string => git(repo, '-c', 'core.fsmonitor=', '-c', 'core.hooksPath=/dev/null', '-c', 'filter.evil.clean=cat', '-c', 'filter.evil.smudge=cat', ...args)
  quiet('checkout', '-q', '--', 'server/go.mod')
  fs.writeFileSync(path.join(repo, '.gitattributes'), 'changed\n')
  expect(await hasChanges(checkout!, server)).toBe(false)
  // A mode change, a deleted file, a staged new file, a link made a file: each is a change.
  fs.chmodSync(path.join(server, 'run.sh'), 0o644)
  expect(await hasChanges(checkout!, server)).toBe(true)
  fs.chmodSync(path.join(server, 'run.sh'), 0o755)
  fs.rmSync(path.join(server, 'link'))
  expect(await hasChanges(checkout!, server)).toBe(true)
  fs.symlinkSync('go.mod', path.join(server, 'link'))
  expect(await hasChanges(checkout!, server)).toBe(false)
  expect(fs.existsSync(marker)).toBe(false)
  fs.writeFileSync(path.join(server, 'new.go'), 'package main\n')
  quiet('add', 'server/new.go')
  expect(await hasChanges(checkout!, server)).toBe(true)
  expect(await checkoutCommit(server)).toEqual({ sha, dirty: true })
  expect(fs.existsSync(marker)).toBe(false)
  fs.rmSync(repo, { recursive: true, force: true })
})

test('a gitfile (a linked worktree) names the repository; a .git owned by another user does not', async () => {
  const repo = tmp()
  fs.writeFileSync(path.join(repo, 'go.mod'), 'module example.com/server\n')
  git(repo, 'init', '-q')
  git(repo, 'add', '.')
  git(repo, 'commit', '-qm', 'one')
  const linked = `${repo}-linked`
  git(repo, 'worktree', 'add', '-q', linked)
  const checkout = findCheckout(linked)
  expect(checkout?.workTree).toBe(linked)
  expect(await headCommit(checkout!)).toBe(git(repo, 'rev-parse', 'HEAD').trim())
  expect(await hasChanges(checkout!, linked)).toBe(false)
  if (process.getuid?.() === 0) {
    fs.chownSync(path.join(repo, '.git'), 12345, 12345)
    expect(findCheckout(repo)).toBeUndefined()
  }
  fs.rmSync(linked, { recursive: true, force: true })
  fs.rmSync(repo, { recursive: true, force: true })
})

test("index entries are parsed strictly, and blob ids are git's", () => {
  const dir = tmp()
  fs.writeFileSync(path.join(dir, 'f'), 'hello\n')
  expect(blobId(Buffer.from('hello\n'), 'sha1')).toBe(execFileSync('git', ['hash-object', '--no-filters', path.join(dir, 'f')], { encoding: 'utf8' }).trim())
  fs.rmSync(dir, { recursive: true, force: true })
  const id = 'ce013625030ba8dba906f756967f9e9ca394464a'
  expect(parseIndexEntries(`H 100644 ${id} 0\tserver/go.mod\0S 100755 ${id} 0\ta b\0`)).toEqual([
    { tag: 'H', mode: '100644', object: id, stage: '0', path: 'server/go.mod' },
    { tag: 'S', mode: '100755', object: id, stage: '0', path: 'a b' }
  ])
  expect(parseIndexEntries('warning: something\0')).toBeUndefined()
})
