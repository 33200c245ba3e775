// Build info blobs and module info text. Go >= 1.18 cannot write the old pointer
// format any more, so those blobs are built here by hand, byte by byte, in the
// layout of Go's debug/buildinfo; real binaries are in readers.int.test.ts.
import { type AddressSpace, BUILDINFO_MAGIC, decodeBuildInfoBlob, findMagic } from '../../src/binary/go-buildinfo.js'
import { ModInfoError, parseModInfo, unquoteGo } from '../../src/binary/go-modinfo.js'

/** Memory of a process image: one block of bytes at a base address. */
class Memory implements AddressSpace {
  readonly file = 'synthetic'
  constructor(
    readonly base: number,
    readonly bytes: Buffer
  ) {}
  read(vaddr: number, length: number): Buffer | undefined {
    if (vaddr < this.base || vaddr >= this.base + this.bytes.length) return undefined
    return this.bytes.subarray(vaddr - this.base, vaddr - this.base + length)
  }
}

// cmd/go's modload.infoStart / infoEnd: 16 bytes each around the module info.
const INFO_START = Buffer.from('3077af0c9274080241e1c107e6d618e6', 'hex')
const INFO_END = Buffer.from('f932433186182072008242104116d8f2', 'hex')
const MODINFO = 'path\texample.com/plug\nmod\texample.com/plug\t(devel)\t\ndep\texample.com/dep\tv1.0.0\th1:abc=\n=>\texample.com/fork\tv1.0.1\th1:def=\nbuild\t-trimpath=true\n'
const framed = (text: string): Buffer => Buffer.concat([INFO_START, Buffer.from(text), INFO_END])

/** A Go 1.13-1.17 blob: header with pointers to two Go string headers, each pointing at the bytes. */
function pointerBlob(ptrSize: 4 | 8, big: boolean, version: string, mod: Buffer): Memory {
  const base = 0x10000
  const mem = Buffer.alloc(0x1000)
  const put = (at: number, v: number): void => {
    if (ptrSize === 4) (big ? mem.writeUInt32BE.bind(mem) : mem.writeUInt32LE.bind(mem))(v, at)
    else (big ? mem.writeBigUInt64BE.bind(mem) : mem.writeBigUInt64LE.bind(mem))(BigInt(v), at)
  }
  BUILDINFO_MAGIC.copy(mem, 0)
  mem[14] = ptrSize
  mem[15] = big ? 1 : 0
  // String headers at 0x100 and 0x200, string bytes at 0x400 and 0x800.
  put(16, base + 0x100)
  put(16 + ptrSize, base + 0x200)
  put(0x100, base + 0x400)
  put(0x100 + ptrSize, Buffer.byteLength(version))
  put(0x200, base + 0x800)
  put(0x200 + ptrSize, mod.length)
  mem.write(version, 0x400)
  mod.copy(mem, 0x800)
  return new Memory(base, mem)
}

/** A Go >= 1.18 blob: flag 2, then varint-prefixed version and module info after the 32-byte header. */
function inlineBlob(version: string, mod: Buffer): Memory {
  const varint = (n: number): Buffer => {
    const out: number[] = []
    while (n >= 0x80) {
      out.push((n & 0x7f) | 0x80)
      n >>>= 7
    }
    out.push(n)
    return Buffer.from(out)
  }
  const header = Buffer.alloc(32)
  BUILDINFO_MAGIC.copy(header, 0)
  header[14] = 8
  header[15] = 2
  return new Memory(0x2000, Buffer.concat([header, varint(Buffer.byteLength(version)), Buffer.from(version), varint(mod.length), mod]))
}

test.each([
  [4, false],
  [8, false],
  [4, true],
  [8, true]
] as const)('old pointer format, %i-byte pointers, big-endian %s', (ptrSize, big) => {
  const mem = pointerBlob(ptrSize, big, 'go1.16.15', framed(MODINFO))
  expect(decodeBuildInfoBlob(mem, 0x10000)).toEqual({ goVersion: 'go1.16.15', modInfo: MODINFO })
})

test('inline format (Go >= 1.18), with a module info longer than 127 bytes (two-byte varint)', () => {
  const long = MODINFO + `build\t-ldflags="${'-X main.Version=1 '.repeat(10).trim()}"\n`
  expect(Buffer.byteLength(long) + 32).toBeGreaterThan(127)
  expect(decodeBuildInfoBlob(inlineBlob('go1.26.8', framed(long)), 0x2000)).toEqual({ goVersion: 'go1.26.8', modInfo: long })
})

test('module info without its framing (a binary built outside a module) reads as empty', () => {
  expect(decodeBuildInfoBlob(inlineBlob('go1.26.8', Buffer.from('too short')), 0x2000).modInfo).toBe('')
})

test('a blob that is cut short, or has no version, is not Go build info', () => {
  const whole = inlineBlob('go1.26.8', framed(MODINFO))
  expect(() => decodeBuildInfoBlob(new Memory(0x2000, whole.bytes.subarray(0, 60)), 0x2000)).toThrow('synthetic has no Go build info (the module info runs past its data)')
  expect(() => decodeBuildInfoBlob(pointerBlob(8, false, '', framed(MODINFO)), 0x10000)).toThrow(/empty Go version/)
  const badPtr = pointerBlob(8, false, 'go1.16', framed(MODINFO))
  badPtr.bytes[14] = 3
  expect(() => decodeBuildInfoBlob(badPtr, 0x10000)).toThrow(/pointer size 3/)
})

test('the magic only counts at a 16-byte aligned address', () => {
  const data = Buffer.alloc(64)
  BUILDINFO_MAGIC.copy(data, 8)
  expect(findMagic({ addr: 0x1000, data })).toBeUndefined()
  BUILDINFO_MAGIC.copy(data, 32)
  expect(findMagic({ addr: 0x1000, data })).toBe(0x1020)
  // The data segment itself may start unaligned.
  expect(findMagic({ addr: 0x1008, data })).toBe(0x1008 + 8)
})

describe('module info, parsed like runtime/debug.ParseBuildInfo', () => {
  test('path, main module, deps with a replacement, settings with quoted values', () => {
    const text = [
      'go\tgo1.26.8',
      'path\texample.com/plug/cmd/plug',
      'mod\texample.com/plug\t(devel)\t',
      'dep\texample.com/dep\tv1.0.0\th1:abc=',
      '=>\texample.com/fork\tv1.0.1\th1:def=',
      'dep\texample.com/local\tv0.0.0',
      '=>\t../local\t\t',
      'dep\tgithub.com/x/y\tv2.0.0+incompatible\t',
      'build\t-buildmode=plugin',
      'build\t-ldflags="-w -s -X \\"main.Mode=prod\\""',
      'build\t-trimpath=true',
      'build\t"odd key"=`raw value`',
      'build\tCGO_CFLAGS=',
      'build\tvcs.modified=\\x41',
      ''
    ].join('\n')
    expect(parseModInfo(text)).toEqual({
      path: 'example.com/plug/cmd/plug',
      main: { path: 'example.com/plug', version: '(devel)' },
      deps: [
        { path: 'example.com/dep', version: 'v1.0.0', sum: 'h1:abc=', replace: { path: 'example.com/fork', version: 'v1.0.1', sum: 'h1:def=' } },
        { path: 'example.com/local', version: 'v0.0.0', replace: { path: '../local', version: '' } },
        { path: 'github.com/x/y', version: 'v2.0.0+incompatible' }
      ],
      settings: [
        { key: '-buildmode', value: 'plugin' },
        { key: '-ldflags', value: '-w -s -X "main.Mode=prod"' },
        { key: '-trimpath', value: 'true' },
        { key: 'odd key', value: 'raw value' },
        { key: 'CGO_CFLAGS', value: '' },
        // Unquoted values are taken as they are.
        { key: 'vcs.modified', value: '\\x41' }
      ]
    })
  })

  test('a last line without its newline is ignored, like Go', () => {
    expect(parseModInfo('path\ta\nmod\ta\t(devel)').main).toBeUndefined()
  })

  test.each([
    ['dep\tx', 'line 1: expected 2 or 3 columns; got 1'],
    ['=>\tx\tv1\t\n', 'line 1: replacement with no module on previous line'],
    ['dep\tx\tv1\n=>\ty\tv2\n', 'line 2: expected 3 columns for replacement; got 2'],
    ['dep\tx\tv1\n=>\ty\tv2\t\n=>\tz\tv3\t\n', 'line 3: replacement with no module on previous line'],
    ['build\t=x\n', "line 1: build line with missing key"],
    ['build\tkey\n', "line 1: build line missing '=' after key"],
    ['build\tk=a b\n', 'line 1: unquoted value "a b" must be quoted'],
    ['build\tk="unterminated\n', 'line 1: invalid quoted value in build line'],
    ['build\t"k"x\n', "line 1: build line missing '=' after quoted key"]
  ])('%j fails: %s', (text, message) => {
    const line = text.endsWith('\n') ? text : `${text}\n`
    expect(() => parseModInfo(line)).toThrow(ModInfoError)
    expect(() => parseModInfo(line)).toThrow(`could not parse Go build info: ${message}`)
  })
})

test('Go string unquoting', () => {
  expect(unquoteGo('"a\\tb\\n\\"c\\" \\\\ \\x41 \\101 \\u00e9 \\U0001F600"')).toBe('a\tb\n"c" \\ A A é 😀')
  expect(unquoteGo('"\\xc3\\xa9"')).toBe('é')
  expect(unquoteGo('`raw \\n`')).toBe('raw \\n')
  expect(unquoteGo('"no end')).toBeUndefined()
  expect(unquoteGo('"bad \\q"')).toBeUndefined()
  expect(unquoteGo('"x" tail')).toBeUndefined()
  expect(unquoteGo("\"\\'\"")).toBeUndefined()
})
