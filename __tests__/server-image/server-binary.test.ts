import { commandCandidates, searchCandidates } from '../../src/server-image/server-binary.js'
import type { TarEntry } from '../../src/server-image/tar-listing.js'

test('gotify\'s ENTRYPOINT ["./gotify-app"] is the file next to WORKDIR', () => {
  expect(commandCandidates({ Entrypoint: ['./gotify-app'], WorkingDir: '/app' })).toEqual(['/app/gotify-app'])
})

test('a bare name is looked up through the image\'s PATH; CMD counts without an ENTRYPOINT', () => {
  expect(commandCandidates({ Cmd: ['server', '--port', '80'], Env: ['PATH=/opt/bin:/usr/bin'] })).toEqual(['/opt/bin/server', '/usr/bin/server'])
  expect(commandCandidates({ Entrypoint: null, Cmd: ['/srv/host'] })).toEqual(['/srv/host'])
})

test('init wrappers and shells lead to the server they start', () => {
  expect(commandCandidates({ Entrypoint: ['/sbin/tini', '--', '/app/server'], Cmd: ['serve'] })).toEqual(['/sbin/tini', '/app/server'])
  expect(commandCandidates({ Entrypoint: ['/bin/sh', '-c', 'exec ./gotify-app --flag'], WorkingDir: '/app' })).toEqual(['/app/gotify-app'])
  expect(commandCandidates({ Entrypoint: ['/bin/sh', '-c', 'GOTIFY_X=1 /usr/local/bin/gotify; echo done'] })).toEqual(['/usr/local/bin/gotify'])
})

test('an image without ENTRYPOINT or CMD has no candidate', () => {
  expect(commandCandidates({})).toEqual([])
})

test('the search takes big executable files, biggest first, and never libraries or /proc', () => {
  const MiB = 1 << 20
  const e = (path: string, size: number, mode = 0o755, type: TarEntry['type'] = 'file'): TarEntry => ({ path, size, mode, type })
  const entries = [
    e('/usr/bin/small', 1000),
    e('/app/server', 30 * MiB),
    e('/usr/lib/libbig.so.1', 40 * MiB),
    e('/data/blob', 50 * MiB, 0o644),
    e('/proc/kcore', 60 * MiB),
    e('/usr/bin/helper', 5 * MiB),
    e('/usr/bin/link', 0, 0o777, 'symlink')
  ]
  expect(searchCandidates(entries)).toEqual(['/app/server', '/usr/bin/helper'])
})

test('which VOLUME a plugin file would land in', async () => {
  const { volumeHolding } = await import('../../src/server-image/add-plugin.js')
  expect(volumeHolding({ Volumes: { '/app/data': {} } }, '/app/data/plugins/x.so')).toBe('/app/data')
  expect(volumeHolding({ Volumes: { '/app/data/': {} } }, '/app/data/x.so')).toBe('/app/data')
  expect(volumeHolding({ Volumes: { '/app/data': {} } }, '/app/database/x.so')).toBeUndefined()
  expect(volumeHolding({ Volumes: null }, '/app/x.so')).toBeUndefined()
})
