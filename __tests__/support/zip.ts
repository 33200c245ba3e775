import { crc32, createDeflateRaw } from 'node:zlib'

/** An entry already deflated: its compressed bytes, and the CRC and size the headers declare. */
export interface DeflatedEntry {
  name: string
  deflated: { data: Buffer; crc: number; size: number }
}

/**
 * `head` followed by `zeros` zero bytes, deflated without holding them in
 * memory (a zip bomb: about 1 KB on disk per MB inflated).
 */
export async function deflateZeros(head: Buffer, zeros: number): Promise<{ data: Buffer; crc: number; size: number }> {
  const deflate = createDeflateRaw({ level: 9 })
  const out: Buffer[] = []
  deflate.on('data', (c: Buffer) => out.push(c))
  const done = new Promise(resolve => deflate.on('end', resolve))
  const chunk = Buffer.alloc(1 << 20)
  let crc = crc32(head)
  deflate.write(head)
  for (let left = zeros; left > 0; left -= chunk.length) {
    const part = left >= chunk.length ? chunk : chunk.subarray(0, left)
    crc = crc32(part, crc)
    if (!deflate.write(part)) await new Promise(resolve => deflate.once('drain', resolve))
  }
  deflate.end()
  await done
  return { data: Buffer.concat(out), crc: crc >>> 0, size: head.length + zeros }
}

/** A zip archive: stored entries, or entries deflated beforehand (enough for Go module zips and release assets). */
export function makeZip(entries: Array<{ name: string; data: Buffer } | DeflatedEntry>): Buffer {
  const files = entries.map(e =>
    'deflated' in e ? { name: e.name, data: e.deflated.data, crc: e.deflated.crc, size: e.deflated.size, method: 8 } : { name: e.name, data: e.data, crc: crc32(e.data) >>> 0, size: e.data.length, method: 0 }
  )
  const locals: Buffer[] = []
  const centrals: Buffer[] = []
  let offset = 0
  for (const f of files) {
    const name = Buffer.from(f.name, 'utf8')
    const crc = f.crc
    const local = Buffer.alloc(30)
    local.writeUInt32LE(0x04034b50, 0)
    local.writeUInt16LE(20, 4) // version needed
    local.writeUInt16LE(0x0800, 6) // UTF-8 names
    local.writeUInt16LE(f.method, 8) // 0 stored, 8 deflated
    local.writeUInt32LE(0, 10) // time, date
    local.writeUInt32LE(crc, 14)
    local.writeUInt32LE(f.data.length, 18)
    local.writeUInt32LE(f.size, 22)
    local.writeUInt16LE(name.length, 26)
    local.writeUInt16LE(0, 28)
    const central = Buffer.alloc(46)
    central.writeUInt32LE(0x02014b50, 0)
    central.writeUInt16LE(20, 4)
    central.writeUInt16LE(20, 6)
    central.writeUInt16LE(0x0800, 8)
    central.writeUInt16LE(f.method, 10)
    central.writeUInt32LE(0, 12)
    central.writeUInt32LE(crc, 16)
    central.writeUInt32LE(f.data.length, 20)
    central.writeUInt32LE(f.size, 24)
    central.writeUInt16LE(name.length, 28)
    central.writeUInt32LE(offset, 42)
    locals.push(local, name, f.data)
    centrals.push(central, name)
    offset += local.length + name.length + f.data.length
  }
  const cd = Buffer.concat(centrals)
  const end = Buffer.alloc(22)
  end.writeUInt32LE(0x06054b50, 0)
  end.writeUInt16LE(files.length, 8)
  end.writeUInt16LE(files.length, 10)
  end.writeUInt32LE(cd.length, 12)
  end.writeUInt32LE(offset, 16)
  return Buffer.concat([...locals, cd, end])
}
