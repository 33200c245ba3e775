import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { InputError } from '../../src/errors.js'
import { MANIFEST_NAME, checkOutputDir, checkOutputNames, claimOutputs, recordOutputs } from '../../src/release/output-dir.js'

// Real files in a temporary folder: what the action may overwrite, and what it must leave alone.
let root: string
let out: string
beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'output-dir-'))
  out = path.join(root, 'ws', 'plugin')
  fs.mkdirSync(out, { recursive: true })
})
afterEach(() => fs.rmSync(root, { recursive: true, force: true }))

const refusal = (f: () => void): string => {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(InputError)
    return (e as Error).message
  }
  throw new Error('not refused')
}

test("a file of the user's at an asset's name is refused; a missing one is free", () => {
  fs.writeFileSync(path.join(out, 'plugin.go'), 'package main\n')
  expect(refusal(() => checkOutputNames(out, ['plugin.go']))).toMatch(/^Input 'asset-name': .*plugin\.go is a file this action did not write .*; accepted: /)
  expect(() => checkOutputNames(out, ['x.so'])).not.toThrow()
  expect(() => checkOutputNames(path.join(root, 'missing'), ['plugin.go'])).not.toThrow()
})

test('a second run may overwrite what the first wrote, but not a file changed since', async () => {
  await claimOutputs(out, ['p.so', 'compat-report.json'])
  fs.writeFileSync(path.join(out, 'p.so'), 'elf bytes')
  fs.writeFileSync(path.join(out, 'compat-report.json'), '{}')
  await recordOutputs(out, ['p.so', 'compat-report.json', 'never-built.so'])
  expect(() => checkOutputNames(out, ['p.so'])).not.toThrow()
  const manifest = JSON.parse(fs.readFileSync(path.join(out, MANIFEST_NAME), 'utf8'))
  expect(Object.keys(manifest.files)).toEqual(['compat-report.json', 'p.so'])
  fs.writeFileSync(path.join(out, 'p.so'), 'the user put something else here')
  expect(refusal(() => checkOutputNames(out, ['p.so']))).toMatch(/p\.so is a file this action did not write \(or that changed since\)/)
})

test('a claimed name whose write never finished is still the action\'s', async () => {
  await claimOutputs(out, ['p.so'])
  fs.writeFileSync(path.join(out, 'p.so'), 'half a file')
  expect(() => checkOutputNames(out, ['p.so'])).not.toThrow()
})

test("a compat-report.json the action did not write makes output-dir the input to change", () => {
  fs.writeFileSync(path.join(out, 'compat-report.json'), '{"mine": true}')
  expect(refusal(() => checkOutputNames(out, ['p.so']))).toMatch(/^Input 'output-dir': .*compat-report\.json is a file/)
})

test('folders and symbolic links at an asset name are refused', () => {
  fs.mkdirSync(path.join(out, 'd.so'))
  fs.symlinkSync(path.join(out, 'go.mod'), path.join(out, 'l.so'))
  expect(refusal(() => checkOutputNames(out, ['d.so']))).toMatch(/is a folder/)
  expect(refusal(() => checkOutputNames(out, ['l.so']))).toMatch(/is a symbolic link/)
})

test('output-dir: a file is refused, and so is a symbolic link out of the roots', () => {
  const ws = path.join(root, 'ws')
  fs.writeFileSync(path.join(ws, 'out'), 'x')
  expect(refusal(() => checkOutputDir(path.join(ws, 'out'), [ws]))).toMatch(/^Input 'output-dir': .*out is a file, not a folder/)
  fs.mkdirSync(path.join(root, 'elsewhere'))
  fs.symlinkSync(path.join(root, 'elsewhere'), path.join(ws, 'link'))
  expect(refusal(() => checkOutputDir(path.join(ws, 'link', 'build'), [ws]))).toMatch(/leads outside the workspace and RUNNER_TEMP through a symbolic link/)
  expect(() => checkOutputDir(path.join(ws, 'new', 'build'), [ws])).not.toThrow()
  expect(() => checkOutputDir(path.join(root, 'elsewhere', 'x'), [ws, path.join(root, 'elsewhere')])).not.toThrow()
})
