/**
 * The bytes of a binary as the ELF readers see them: the whole file in
 * memory, or only the parts read so far (partial-file.ts). The readers stay
 * pure and synchronous: a partial image that lacks a range throws NotLoaded,
 * and its owner reads that range and runs the step again.
 */

export interface FileRange {
  offset: number
  length: number
}

export interface FileImage {
  /** The file's length in bytes. */
  readonly size: number
  /** The bytes [offset, offset + length), cut at the end of the file; a view, not a copy. */
  bytes(offset: number, length: number): Buffer
}

/** A range a partial image has not read yet; never reaches a user (PartialFile.settle reads it). */
export class NotLoaded extends Error {
  constructor(readonly range: FileRange) {
    super(`bytes ${range.offset}..${range.offset + range.length} are not read yet`)
    this.name = 'NotLoaded'
  }
}

/** A file held whole in memory. */
export class WholeFile implements FileImage {
  constructor(readonly data: Buffer) {}

  get size(): number {
    return this.data.length
  }

  bytes(offset: number, length: number): Buffer {
    return this.data.subarray(offset, offset + length)
  }
}
