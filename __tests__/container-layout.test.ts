import { containerMounts, hostFoldersToCreate } from '../src/container-layout.js'

const dirs = { source: '/ws', scratch: '/rt/scratch', goModCache: '/rt/mod', goCacheRoot: '/rt/gocache' }

test('the runner\'s CA files reach every container read-only, and are never created as folders', () => {
  const caFiles = [{ host: '/etc/company/ca.pem', container: '/etc/go-plugin-build/ca/0-ssl_cert_file-ca.pem', readOnly: true }]
  expect(containerMounts({ ...dirs, caFiles }, 'linux-amd64')).toContainEqual(caFiles[0])
  expect(containerMounts({ ...dirs, outputDir: '/ws/build', caFiles }, 'tool')).toContainEqual(caFiles[0])
  expect(hostFoldersToCreate({ ...dirs, caFiles }, 'linux-amd64')).toEqual(['/ws', '/rt/scratch', '/rt/mod', '/rt/gocache/linux-amd64'])
})
