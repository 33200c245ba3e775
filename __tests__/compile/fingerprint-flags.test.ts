import { InputError } from '../../src/errors.js'
import { SERVER_BUILD_FLAGS_UNKNOWN, checkFingerprintFlags, serverFlagArgs } from '../../src/compile/fingerprint-flags.js'

const check = (buildArgs: string[], goFlags?: string, server = SERVER_BUILD_FLAGS_UNKNOWN): string | undefined => {
  try {
    checkFingerprintFlags({ buildArgs, goFlags }, server)
    return undefined
  } catch (e) {
    expect(e).toBeInstanceOf(InputError)
    expect((e as Error).message).not.toContain('\n')
    expect((e as Error).message).toContain('accepted:')
    return (e as Error).message
  }
}

test('-trimpath in build-args or in GOFLAGS is refused with the reason, naming the input', () => {
  expect(check(['-trimpath'])).toMatch(/^Input 'build-args': -trimpath rewrites the source paths recorded in every package, .*plugin\.Open refuses the \.so; the server's release build is not known to use it; accepted: go build flags without -trimpath/)
  expect(check([], '-mod=mod -trimpath')).toMatch(/^Input 'go-env': GOFLAGS -trimpath rewrites/)
  expect(check(['--trimpath=true'])).toMatch(/-trimpath/)
  expect(check(['-trimpath=1'])).toMatch(/-trimpath/)
})

test('-trimpath is accepted when the server\'s build used it, or when switched off again', () => {
  expect(check(['-trimpath'], undefined, { trimpath: true })).toBeUndefined()
  expect(check([], '-trimpath', { trimpath: true })).toBeUndefined()
  expect(check(['-trimpath=false'])).toBeUndefined()
  // The command line wins over GOFLAGS, as in go.
  expect(check(['-trimpath=false'], '-trimpath')).toBeUndefined()
  expect(check(['-trimpath'], undefined, { trimpath: false })).toMatch(/the server's release build does not use it/)
})

test('-race, -msan and -asan change the standard library\'s fingerprints', () => {
  expect(check(['-race'])).toMatch(/^Input 'build-args': -race instruments the standard library/)
  expect(check([], '-asan')).toMatch(/^Input 'go-env': GOFLAGS -asan/)
  expect(check(['-race'], undefined, { trimpath: 'unknown', race: true })).toBeUndefined()
})

test('-gcflags reaching shared packages (all=, std=) is refused; the plugin\'s own package only is fine', () => {
  expect(check(['-gcflags=all=-N -l'])).toMatch(/^Input 'build-args': -gcflags=all=-N -l compiles the packages the plugin shares/)
  expect(check(['-gcflags', 'std=-l'])).toMatch(/-gcflags=std=-l/)
  expect(check(['-gcflags=-N -l'])).toBeUndefined()
  expect(check(['-gcflags=all=-l'], undefined, { trimpath: 'unknown', gcflags: 'all=-l' })).toBeUndefined()
})

test('-mod=vendor reads dependencies from another path than the server\'s module cache', () => {
  expect(check(['-mod', 'vendor'])).toMatch(/^Input 'build-args': -mod=vendor compiles the dependencies from vendor\//)
  expect(check([], '-mod=vendor')).toMatch(/^Input 'go-env': GOFLAGS -mod=vendor/)
  expect(check(['-mod=mod'], '-mod=vendor')).toBeUndefined()
})

test('flags that leave shared packages alone pass', () => {
  expect(check(['-tags', 'trimpath', '-a', '-installsuffix', 'cgo', '-buildvcs=false', '-cover', '-v'], '-mod=readonly -modcacherw')).toBeUndefined()
})

test('the server\'s flags as go build arguments, for the loader that stands for it', () => {
  expect(serverFlagArgs(SERVER_BUILD_FLAGS_UNKNOWN)).toEqual([])
  expect(serverFlagArgs({ trimpath: false, race: false, gcflags: '' })).toEqual([])
  expect(serverFlagArgs({ trimpath: true, race: 'unknown', asan: true, gcflags: 'all=-N -l' })).toEqual(['-trimpath', '-asan', '-gcflags=all=-N -l'])
})
