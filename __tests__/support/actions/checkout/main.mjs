import { execFileSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

const input = name => (process.env[`INPUT_${name.toUpperCase()}`] ?? '').trim()
const repository = input('repository') || process.env.GITHUB_REPOSITORY
const source = path.join(process.env.ACT_TEST_REPOSITORIES, ...repository.split('/'))
if (!fs.existsSync(path.join(source, '.git'))) {
  console.log(`::error::the test world has no repository ${repository}`)
  process.exit(1)
}
const target = path.resolve(process.env.GITHUB_WORKSPACE, input('path') || '.')
const git = (...args) => execFileSync('git', args, { stdio: 'inherit' })
if (fs.existsSync(path.join(target, '.git'))) {
  git('-C', target, 'fetch', '--quiet', '--tags', '--force', source)
} else {
  git('clone', '--quiet', source, target)
}
const ref = input('ref')
if (ref) git('-C', target, 'checkout', '--quiet', '--force', ref)
console.log(`checked out ${repository}${ref ? `@${ref}` : ''} into ${path.relative(process.env.GITHUB_WORKSPACE, target) || '.'}`)
