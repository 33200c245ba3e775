import { containerMounts, hostFoldersToCreate } from '../../src/container/layout.js'
import { containerPath } from '../../src/go-runner/docker.js'

const dirs = { source: '/ws', scratch: '/rt/scratch', goModCache: '/rt/mod', goCacheRoot: '/rt/gocache' }

test('the runner\'s CA files reach every container read-only, and are never created as folders', () => {
  const caFiles = [{ host: '/etc/company/ca.pem', container: '/etc/go-plugin-build/ca/0-ssl_cert_file-ca.pem', readOnly: true }]
  expect(containerMounts({ ...dirs, caFiles }, 'linux-amd64')).toContainEqual(caFiles[0])
  expect(containerMounts({ ...dirs, outputDir: '/ws/build', caFiles }, 'tool')).toContainEqual(caFiles[0])
  expect(hostFoldersToCreate({ ...dirs, caFiles }, 'linux-amd64')).toEqual(['/ws', '/rt/scratch', '/rt/mod', '/rt/gocache/linux-amd64'])
})

test('a server version\'s copy of the plugin is mounted over the plugin\'s folder, and paths in it map there', () => {
  const pluginCopy = { host: '/rt/scratch/server-2/plugin', container: '/proj/plugin' }
  const mounts = containerMounts({ ...dirs, scratch: '/rt/scratch/server-2', pluginCopy }, 'linux-amd64')
  expect(mounts.slice(0, 2)).toEqual([{ host: '/ws', container: '/proj' }, pluginCopy])
  // The copy is inside the scratch mount too: the innermost mount wins.
  expect(containerPath(mounts, '/rt/scratch/server-2/plugin/go.mod')).toBe('/proj/plugin/go.mod')
  expect(containerPath(mounts, '/ws/shared/x.go')).toBe('/proj/shared/x.go')
})
