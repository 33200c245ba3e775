import { writeFile } from 'node:fs/promises'
import * as path from 'node:path'
import { sha256Hex } from '../../src/release/checksums.js'
import type { Artifact } from '../../src/release/plan.js'

/** A built file to upload: `content` written under `dir`, with its size and sha256. */
export async function artifactFile(dir: string, name: string, content: string): Promise<Artifact> {
  const p = path.join(dir, `${Math.random()}-${name}`)
  await writeFile(p, content)
  return { name, path: p, sha256: sha256Hex(content), size: Buffer.byteLength(content) }
}
