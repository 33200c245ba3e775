import * as fs from 'node:fs'
import * as path from 'node:path'
import { childEnv, isInherited } from '../../src/container/child-env.js'
import { runProgram } from '../../src/container/program.js'
import { labelled } from '../../src/container/docker.js'

const runner = {
  PATH: '/usr/bin',
  HOME: '/home/runner',
  LC_ALL: 'C.UTF-8',
  DOCKER_HOST: 'unix:///run/docker.sock',
  HTTPS_PROXY: 'http://proxy:3128',
  INPUT_TOKEN: 'ghs_input',
  GITHUB_TOKEN: 'ghs_github',
  ACTIONS_RUNTIME_TOKEN: 'runtime',
  ACTIONS_ID_TOKEN_REQUEST_TOKEN: 'oidc',
  ACTIONS_ID_TOKEN_REQUEST_URL: 'https://oidc',
  ACTIONS_CACHE_URL: 'https://cache/',
  MY_SECRET: 'from a workflow env:',
  GIT_DIR: '/elsewhere/.git',
  GIT_CONFIG_COUNT: '1',
  GOFLAGS: '-trimpath',
  CGO_CFLAGS: '-O0',
  CC: 'clang',
  NODE_OPTIONS: '--require /tmp/x.js',
  LD_PRELOAD: '/tmp/x.so'
}

test("a child gets the runner's allowed variables and the caller's, never a secret, GIT_*, GO*, CC or a loader hook", () => {
  expect(childEnv({ GOCACHE: '/gocache', HOME: '/tmp' }, runner)).toEqual({
    PATH: '/usr/bin',
    HOME: '/tmp',
    LC_ALL: 'C.UTF-8',
    DOCKER_HOST: 'unix:///run/docker.sock',
    HTTPS_PROXY: 'http://proxy:3128',
    GOCACHE: '/gocache'
  })
  for (const name of ['INPUT_TOKEN', 'ACTIONS_RUNTIME_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_TOKEN', 'ACTIONS_ID_TOKEN_REQUEST_URL', 'GITHUB_TOKEN', 'GIT_DIR', 'NODE_OPTIONS', 'LD_PRELOAD']) {
    expect(isInherited(name)).toBe(false)
  }
})

test('a program the action runs sees no secret of the runner (real process)', async () => {
  const saved = { ...process.env }
  Object.assign(process.env, { INPUT_TOKEN: 'input-secret', ACTIONS_RUNTIME_TOKEN: 'runtime-secret', GITHUB_TOKEN: 'github-secret' })
  try {
    const r = await runProgram('env', [], { env: { GOFLAGS: '-mod=mod' } })
    expect(r.stdout).not.toMatch(/secret/)
    expect(r.stdout).toMatch(/^GOFLAGS=-mod=mod$/m)
    expect(r.stdout).toMatch(/^PATH=/m)
  } finally {
    process.env = saved
  }
})

test('only src/container/child-process.ts starts processes', () => {
  const src = path.resolve(import.meta.dirname, '..', '..', 'src')
  const offenders: string[] = []
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, e.name)
      if (e.isDirectory()) walk(file)
      else if (file.endsWith('.ts') && path.relative(src, file) !== path.join('container', 'child-process.ts')) {
        // Also kept by a lint rule (eslint.config.js), with `...process.env` handed to a child.
        if (/from '(node:)?child_process'|from '@actions\/exec'|\btc\.extract\w*\(/.test(fs.readFileSync(file, 'utf8'))) offenders.push(path.relative(src, file))
      }
    }
  }
  walk(src)
  expect(offenders).toEqual([])
})

test('docker run and create carry the run label; other commands do not', () => {
  expect(labelled(['run', '--rm', 'img'], 'id1')).toEqual(['run', '--label', 'go-plugin-build.run=id1', '--rm', 'img'])
  expect(labelled(['create', 'img'], 'id1')).toEqual(['create', '--label', 'go-plugin-build.run=id1', 'img'])
  expect(labelled(['container', 'create', 'img'], 'id1')).toEqual(['container', 'create', '--label', 'go-plugin-build.run=id1', 'img'])
  expect(labelled(['image', 'inspect', 'run'], 'id1')).toEqual(['image', 'inspect', 'run'])
})
