import { formatChecksums, parseChecksums, sha256Hex, digestHex } from '../../src/release/checksums.js'
import { type Artifact, type ExistingAsset, assetsToHash, desiredChecksums, knownHash, leftoverTemporaries, planUpload, temporaryName, temporaryTarget } from '../../src/release/plan.js'

const art = (name: string, content: string): Artifact => ({ name, path: `/build/${name}`, sha256: sha256Hex(content), size: content.length })
const asset = (id: number, name: string, content: string, extra: Partial<ExistingAsset> = {}): ExistingAsset => ({ id, name, size: content.length, state: 'uploaded', digest: `sha256:${sha256Hex(content)}`, ...extra })

describe('checksum file', () => {
  test('sha256sum format, sorted by name in byte order, round-trips', () => {
    const text = formatChecksums(new Map([['b.so', 'b'.repeat(64)], ['B.so', 'c'.repeat(64)], ['a.so', 'a'.repeat(64)]]))
    expect(text).toBe(`${'c'.repeat(64)}  B.so\n${'a'.repeat(64)}  a.so\n${'b'.repeat(64)}  b.so\n`)
    expect(parseChecksums(text)).toEqual(new Map([['B.so', 'c'.repeat(64)], ['a.so', 'a'.repeat(64)], ['b.so', 'b'.repeat(64)]]))
  })
  test('a name with a control character never makes a line: refused, named escaped (issue 18)', () => {
    for (const name of [`x.so\n${'f'.repeat(64)}  evil.so`, 'x\r.so', 'x\u0085.so']) {
      expect(() => formatChecksums(new Map([['a.so', 'a'.repeat(64)], [name, 'b'.repeat(64)]]))).toThrow(/^SHA256SUMS cannot list the asset ".*": its name holds a control character/)
    }
    expect(() => formatChecksums(new Map([['a.so', 'a'.repeat(63) + '\n']]))).toThrow(/not 64 lowercase hex digits/)
    // An asset already on the release (its name from the API) is checked the same way.
    expect(() => desiredChecksums([asset(1, 'ok.so', 'x'), asset(2, 'bad\n.so', 'y')], a => digestHex(a.digest))).toThrow(/"bad\\n\.so"/)
  })
  test('parse accepts binary-mode markers and skips junk', () => {
    expect(parseChecksums(`${'A'.repeat(64)} *x.so\r\nnot a line\n`)).toEqual(new Map([['x.so', 'a'.repeat(64)]]))
  })
  test('digestHex reads only sha256 digests', () => {
    expect(digestHex(`sha256:${'F'.repeat(64)}`)).toBe('f'.repeat(64))
    expect(digestHex('md5:abc')).toBeUndefined()
    expect(digestHex(null)).toBeUndefined()
  })
})

describe('planUpload', () => {
  test('new names upload, same bytes are kept, other bytes conflict without overwrite', () => {
    const existing = [asset(1, 'same.so', 'one'), asset(2, 'other.so', 'two')]
    const hashes = new Map(existing.map(a => [a.id, knownHash(a, new Map())!]))
    const plan = planUpload([art('new.so', 'n'), art('same.so', 'one'), art('other.so', 'TWO')], existing, hashes, false)
    expect(plan.steps.map(s => [s.kind, s.artifact.name])).toEqual([['upload', 'new.so'], ['keep', 'same.so']])
    expect(plan.conflicts).toEqual(['other.so'])
  })
  test('overwrite replaces; a different size needs no hash', () => {
    const existing = [asset(2, 'other.so', 'two', { digest: null })]
    expect(assetsToHash([art('other.so', 'longer')], existing)).toEqual([])
    const plan = planUpload([art('other.so', 'longer')], existing, new Map(), true)
    expect(plan.steps.map(s => s.kind)).toEqual(['replace'])
    expect(plan.conflicts).toEqual([])
  })
  test('a broken earlier upload is repaired', () => {
    const plan = planUpload([art('x.so', 'x')], [asset(3, 'x.so', '', { state: 'starter', digest: null })], new Map(), false)
    expect(plan.steps.map(s => s.kind)).toEqual(['repair'])
  })
  test('an asset whose bytes do not match its digest is repaired, not a conflict, without overwrite', () => {
    const lying = asset(4, 'x.so', 'garbage', { digest: `sha256:${'0'.repeat(64)}` })
    expect(planUpload([art('x.so', 'x')], [lying], new Map(), false).conflicts).toEqual(['x.so'])
    const plan = planUpload([art('x.so', 'x')], [lying], new Map(), false, new Set([4]))
    expect(plan.steps.map(s => s.kind)).toEqual(['repair'])
    expect(plan.conflicts).toEqual([])
  })
  test('hashes come from the digest, else from what the run read or wrote; never from a SHA256SUMS line', () => {
    const noDigest = asset(4, 'x.so', 'x', { digest: null })
    expect(knownHash(noDigest)).toBeUndefined()
    expect(knownHash(noDigest, new Map([[4, sha256Hex('x')]]))).toBe(sha256Hex('x'))
    expect(assetsToHash([art('x.so', 'x')], [noDigest])).toEqual([noDigest])
  })
  test('duplicate artifact names and an artifact called SHA256SUMS are refused', () => {
    expect(() => planUpload([art('a.so', '1'), art('a.so', '2')], [], new Map(), false)).toThrow('Two artifacts are both named a.so')
    expect(() => planUpload([art('SHA256SUMS', '1')], [], new Map(), false)).toThrow(/name of the checksum file/)
  })
})

test('desiredChecksums covers uploaded .so assets only and reports unknown hashes', () => {
  const assets = [asset(1, 'b.so', 'b'), asset(2, 'a.so', 'a'), asset(3, 'README.md', 'r'), asset(4, 'c.so', 'c', { state: 'starter' }), asset(5, 'd.so', 'd', { digest: null })]
  const want = desiredChecksums(assets, a => knownHash(a, new Map()))
  expect(want.content).toBe(`${sha256Hex('a')}  a.so\n${sha256Hex('b')}  b.so\n`)
  expect(want.missing.map(a => a.name)).toEqual(['d.so'])
})

test('temporary names: recognisable, never covered by SHA256SUMS; only ours or stale SHA256SUMS ones are cleaned up', () => {
  const t = temporaryName('p-linux-amd64.so', '0a1b2c3d')
  expect(t).toBe('p-linux-amd64.so.go-plugin-build-0a1b2c3d.tmp')
  expect(temporaryTarget(t)).toBe('p-linux-amd64.so')
  expect(temporaryTarget('p-linux-amd64.so')).toBeUndefined()
  expect(temporaryTarget('notes.go-plugin-build-xyz.tmp')).toBeUndefined()
  const now = Date.parse('2024-01-01T12:00:00Z')
  const at = (minutesAgo: number) => new Date(now - minutesAgo * 60_000).toISOString()
  const assets = [
    asset(1, temporaryName('p-linux-amd64.so', '00000001'), 'x', { created_at: at(0) }),
    asset(2, temporaryName('other-job.so', '00000002'), 'x', { created_at: at(60) }),
    asset(3, temporaryName('SHA256SUMS', '00000003'), 'x', { created_at: at(1) }),
    asset(4, temporaryName('SHA256SUMS', '00000004'), 'x', { created_at: at(30) }),
    asset(5, 'p-linux-amd64.so', 'x', { created_at: at(60) }),
    asset(6, temporaryName('SHA256SUMS', '00000006'), 'x')
  ]
  expect(leftoverTemporaries(assets, new Set(['p-linux-amd64.so']), now, 10 * 60_000).map(a => a.id)).toEqual([1, 4])
})
