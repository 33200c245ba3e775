import { checkCompilers, compilerFor, compilerProblem, findOnPath } from '../../src/go-runner/cross-compilers.js'
import { parsePlatform, parsePlatforms } from '../../src/platform.js'

test("on an amd64 runner: the names the server's images set, gcc for amd64, the i686 cross compiler for 386", () => {
  const cc = (id: string) => compilerFor(parsePlatform(id), 'amd64')
  expect(cc('linux-amd64')).toEqual({ cc: 'gcc', cxx: 'g++', packages: ['gcc', 'libc6-dev'], header: '/usr/include/stdio.h' })
  expect(cc('linux-arm64')).toEqual({ cc: 'aarch64-linux-gnu-gcc', cxx: 'aarch64-linux-gnu-g++', packages: ['gcc-aarch64-linux-gnu', 'libc6-dev-arm64-cross'], header: '/usr/aarch64-linux-gnu/include/stdio.h' })
  expect(cc('linux-arm-7')).toMatchObject({ cc: 'arm-linux-gnueabihf-gcc', packages: ['gcc-arm-linux-gnueabihf', 'libc6-dev-armhf-cross'] })
  expect(cc('linux-riscv64')).toMatchObject({ cc: 'riscv64-linux-gnu-gcc', packages: ['gcc-riscv64-linux-gnu', 'libc6-dev-riscv64-cross'] })
  expect(cc('linux-386')).toMatchObject({ cc: 'i686-linux-gnu-gcc', packages: ['gcc-i686-linux-gnu', 'libc6-dev-i386-cross'] })
  expect(cc('linux-arm-5')).toMatchObject({ cc: 'arm-linux-gnueabi-gcc', packages: ['gcc-arm-linux-gnueabi', 'libc6-dev-armel-cross'] })
  expect(cc('darwin-arm64')).toEqual({ error: expect.stringMatching(/linux platforms only/) })
})

test('on an arm64 runner, arm64 is gcc and amd64 the x86-64 cross compiler', () => {
  expect(compilerFor(parsePlatform('linux-arm64'), 'arm64')).toMatchObject({ cc: 'gcc' })
  expect(compilerFor(parsePlatform('linux-amd64'), 'arm64')).toMatchObject({ cc: 'x86_64-linux-gnu-gcc', packages: ['gcc-x86-64-linux-gnu', 'libc6-dev-amd64-cross'] })
})

test('a missing compiler or C library fails with the packages to install, and nothing is installed', () => {
  const check = checkCompilers(parsePlatforms('linux-amd64,linux-arm64,linux-arm-7'), 'amd64', {
    program: n => n !== 'aarch64-linux-gnu-gcc',
    file: f => !f.startsWith('/usr/arm-linux-gnueabihf/')
  })
  expect(check.problems).toEqual([
    'linux-arm64 needs aarch64-linux-gnu-gcc, which is not on PATH (Debian/Ubuntu package gcc-aarch64-linux-gnu)',
    'linux-arm-7: arm-linux-gnueabihf-gcc has no C library headers (/usr/arm-linux-gnueabihf/include/stdio.h is missing: Debian/Ubuntu package libc6-dev-armhf-cross)'
  ])
  expect(compilerProblem(check)).toBe(
    `builder native: ${check.problems.join('; ')}; install them before this step (sudo apt-get install -y gcc-aarch64-linux-gnu libc6-dev-arm64-cross libc6-dev-armhf-cross), or use builder: docker. Nothing was installed or written`
  )
  expect(compilerProblem(checkCompilers(parsePlatforms('linux-amd64'), 'amd64', { program: () => true, file: () => true }))).toBeUndefined()
})

test('compilers are looked up on PATH', () => {
  expect(findOnPath('sh', '/nonexistent:/bin:/usr/bin')).toMatch(/\/sh$/)
  expect(findOnPath('no-such-compiler-gcc', '/bin:/usr/bin')).toBeUndefined()
})
