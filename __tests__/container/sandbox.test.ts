import { NAMESPACE_SCRIPT, containerSandboxArgs, runnerSandboxCommand } from '../../src/container/sandbox.js'

test('the sandbox container: read-only, no network, no capabilities, nobody, limits; only the folder and the emulator mounted', () => {
  const args = containerSandboxArgs('img', '/x/sb', 'n', { command: ['./loader', 'a.so'], timeoutSeconds: 30, env: { QEMU_LD_PREFIX: '/usr/x' }, hostFiles: ['/usr/bin/qemu-aarch64-static'] })
  expect(args.join(' ')).toBe(
    'run --rm --name n --network none --cap-drop ALL --security-opt no-new-privileges --read-only --tmpfs /tmp:rw,nosuid,nodev,size=64m --user 65534:65534 ' +
      '--pids-limit 256 --memory 2g --memory-swap 2g --volume /x/sb:/sandbox:ro --volume /usr/bin/qemu-aarch64-static:/usr/bin/qemu-aarch64-static:ro ' +
      '--workdir /sandbox --entrypoint timeout img -k 5 30 env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/tmp QEMU_LD_PREFIX=/usr/x ./loader a.so'
  )
  // No mount but these two, no --env: the program's environment is what env -i gives it.
  expect(args.filter(a => a === '--volume')).toHaveLength(2)
  expect(args).not.toContain('--env')
})

test('on the runner: sudo -n (unless root), new namespaces, then the constant script with the folder and the command as arguments', () => {
  const native = runnerSandboxCommand('/x/sb', false, { command: ['./loader', '-x'], timeoutSeconds: 30 })
  expect(native.slice(0, 11)).toEqual(['sudo', '-n', 'unshare', '--net', '--pid', '--fork', '--mount', '--mount-proc', '--ipc', '--uts', '--'])
  expect(native.slice(11, 15)).toEqual(['/bin/sh', '-c', NAMESPACE_SCRIPT, 'sandbox'])
  expect(native.slice(15)).toEqual(['/x/sb', 'timeout', '-k', '5', '30', 'env', '-i', expect.stringMatching(/^PATH=/), 'HOME=/tmp', './loader', '-x'])
  expect(runnerSandboxCommand('/x/sb', true, { command: ['./loader'], timeoutSeconds: 30 })[0]).toBe('unshare')
  // The script drops to nobody without capabilities, and hides the world-writable folders.
  expect(NAMESPACE_SCRIPT).toMatch(/setpriv --reuid=65534 --regid=65534 --clear-groups --no-new-privs --inh-caps=-all --bounding-set=-all/)
  expect(NAMESPACE_SCRIPT).toMatch(/for d in \/tmp \/var\/tmp \/dev\/shm \/run\/lock/)
  expect(NAMESPACE_SCRIPT).not.toMatch(/\$\{/)
})
