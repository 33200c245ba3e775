/**
 * Forks of gotify/plugin-template that keep its module path, as many real ones
 * do (FIELD-NOTES §5): fixtures/plugins/template-fork copied into a workspace
 * with a package of its own (config) that says which fork it is.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { FIXTURES } from './action-harness.js'

export const TEMPLATE = 'github.com/gotify/plugin-template'

/** A template fork in `folder` of the workspace: its config package says `name`; it requires dep at `dep`. */
export function templateFork(workspace: string, folder: string, name: string, dep = 'v1.0.0'): string {
  const dir = path.join(workspace, folder)
  fs.cpSync(path.join(FIXTURES, 'plugins', 'template-fork'), dir, { recursive: true })
  const config = path.join(dir, 'config', 'config.go')
  fs.writeFileSync(config, fs.readFileSync(config, 'utf8').replace('"template fork"', JSON.stringify(name)))
  fs.writeFileSync(path.join(dir, 'go.mod'), fs.readFileSync(path.join(dir, 'go.mod'), 'utf8').replace('example.com/dep v1.0.0', `example.com/dep ${dep}`))
  return dir
}

/** A fresh workspace holding template forks, each in the folder it is named after. */
export function templateForks(names: string[]): string {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'workspace-'))
  for (const n of names) templateFork(workspace, n, n)
  return workspace
}

/** Makes the fork in `folder` link example.com/shared from a folder beside it (`replace => ../shared`). */
export function linkSharedFolder(workspace: string, folder: string): void {
  fs.mkdirSync(path.join(workspace, 'shared'), { recursive: true })
  fs.writeFileSync(path.join(workspace, 'shared', 'go.mod'), 'module example.com/shared\n\ngo 1.21\n')
  fs.writeFileSync(path.join(workspace, 'shared', 'shared.go'), 'package shared\n\nconst Word = "shared"\n')
  fs.appendFileSync(path.join(workspace, folder, 'go.mod'), '\nrequire example.com/shared v0.0.0\n\nreplace example.com/shared => ../shared\n')
  fs.writeFileSync(path.join(workspace, folder, 'shared.go'), 'package main\n\nimport "example.com/shared"\n\nvar _ = shared.Word\n')
}
