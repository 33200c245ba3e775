import { cellText, checkOf, compatibilityRows, loadsBeyondLines } from '../../src/server-versions/compatibility.js'
import type { VerifyResult } from '../../src/verify/witness.js'

const loaded: VerifyResult = { platform: 'linux-amd64', status: 'loaded', witness: 'release binary gotify-linux-amd64.zip', method: 'static', detail: 'proven', glibc: {}, warnings: [] }
const refusedStatic: VerifyResult = {
  ...loaded,
  status: 'failed',
  detail: 'refused against gotify-linux-amd64.zip: 2 of 9 shared packages differ',
  differing: [
    { package: 'example.com/dep', module: 'example.com/dep', server: { version: 'v1.0.0' }, plugin: { version: 'v1.1.0' } },
    { package: 'example.com/logs', module: 'example.com/logs', server: { version: 'v1.0.0' }, plugin: { version: 'v1.2.0' } }
  ]
}
const refusedByLoader: VerifyResult = {
  ...loaded,
  status: 'failed',
  witness: 'stand-in loader',
  method: 'native',
  detail: 'plugin.Open failed: plugin.Open("/scratch/verify/plugin-1"): plugin was built with a different version of package example.com/logs (module versions differ: ...)'
}

test('a refusal names the first differing package, from the static proof or from plugin.Open\'s own words', () => {
  expect(checkOf('v2.8.0', refusedStatic)).toMatchObject({ status: 'refused', firstDifference: 'example.com/dep' })
  expect(checkOf('v2.8.0', refusedByLoader)).toMatchObject({ status: 'refused', firstDifference: 'example.com/logs', witness: 'stand-in loader' })
  expect(checkOf('v2.8.0', { ...loaded, status: 'failed', detail: 'plugin.Open succeeded but the plugin lacks X' }).firstDifference).toBeUndefined()
  expect(checkOf('v2.8.0', { ...loaded, status: 'not-verified' }).status).toBe('not-verified')
})

test('rows: one per .so, a check per server version judged, and where it also loads', () => {
  const artifacts = [
    { name: 'p-v2.9.0.so', platform: 'linux-amd64', builtFor: 'v2.9.0' },
    { name: 'p-v2.8.0.so', platform: 'linux-amd64', builtFor: 'v2.8.0' }
  ]
  const rows = compatibilityRows(artifacts, [
    { serverVersion: 'v2.9.0', results: new Map([['p-v2.9.0.so', loaded], ['p-v2.8.0.so', refusedStatic]]) },
    { serverVersion: 'v2.8.0', results: new Map([['p-v2.9.0.so', loaded], ['p-v2.8.0.so', loaded]]) }
  ])
  expect(rows.map(r => ({ artifact: r.artifact, statuses: r.checks.map(c => `${c.serverVersion}:${c.status}`), also: r.alsoLoadsInto }))).toEqual([
    { artifact: 'p-v2.9.0.so', statuses: ['v2.9.0:loads', 'v2.8.0:loads'], also: ['v2.8.0'] },
    { artifact: 'p-v2.8.0.so', statuses: ['v2.9.0:refused', 'v2.8.0:loads'], also: [] }
  ])
  expect(cellText(rows[0], 'v2.9.0')).toBe('loads (own)')
  expect(cellText(rows[1], 'v2.9.0')).toBe('**refused**: example.com/dep')
  expect(cellText(rows[1], 'v3.0.0')).toBe('-')
  expect(loadsBeyondLines(rows)).toEqual(['p-v2.9.0.so (built for v2.9.0) also loads into v2.8.0.'])
  expect(loadsBeyondLines([rows[1]])).toEqual(['No .so loads into another server version than its own: each server version needs its own build.'])
})
