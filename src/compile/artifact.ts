import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'

/** One built `.so`, as listed in the `artifacts` output. */
export interface Artifact {
  platform: string
  /** Host path of the file. */
  path: string
  /** File name, also the release asset's name. */
  name: string
  size: number
  sha256: string
  /** Set once uploaded: the asset's browser download URL. */
  url?: string
  /** Set once the upload step looked at the release. */
  upload?: 'uploaded' | 'kept' | 'replaced'
}

export async function describeFile(file: string): Promise<{ size: number; sha256: string }> {
  const hash = createHash('sha256')
  await new Promise<void>((resolve, reject) => {
    createReadStream(file)
      .on('data', chunk => hash.update(chunk))
      .on('end', () => resolve())
      .on('error', reject)
  })
  return { size: (await stat(file)).size, sha256: hash.digest('hex') }
}
