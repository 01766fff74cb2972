/**
 * An image's data map: where a raw image holds data and where it holds only zeros, so the agent
 * fetches and writes the data and leaves the rest as holes (Ferrum's sparse-aware transfer). The
 * conductor computes it in the same pass that checks the image's declared checksum as the image
 * enters its cache; the agent gets it in `image_info.ferrum_image_map` and checks the bytes it
 * fetches against `data_sha256` (the sha256 of the extents' bytes, in order) while streaming.
 *
 * The map is built in 64 KiB blocks: a block of zeros is a hole; data blocks closer than 1 MiB are
 * one extent (their zeros are fetched and hashed with them), which keeps requests few. Shared by
 * the conductor and the agent, so it imports nothing but Node.
 */
import { createHash, type Hash } from 'node:crypto'

export const MAP_BLOCK = 64 * 1024
/** Data blocks at most this far apart form one extent. */
export const MAP_MERGE_GAP = 1024 * 1024
/** More extents than this and the map is not worth its size: the agent then streams every byte. */
export const MAP_MAX_EXTENTS = 20_000

/** [offset, length] in bytes. */
export type Extent = [number, number]

/** What `image_info.ferrum_image_map` carries. */
export interface ImageMap {
  /** The image's size in bytes (holes included). */
  size: number
  /** Data extents in ascending order, not overlapping; everything else is zeros. */
  extents: Extent[]
  /** sha256 (hex) of the bytes of all extents, concatenated in order. */
  data_sha256: string
}

const ZERO = Buffer.alloc(MAP_MERGE_GAP)

/** Builds an ImageMap from an image's bytes fed in order, in one pass. */
export class ImageMapper {
  readonly #hash: Hash = createHash('sha256')
  readonly #carry = Buffer.allocUnsafe(MAP_BLOCK)
  #carried = 0
  #offset = 0
  #start = -1
  #end = 0
  readonly #extents: Extent[] = []

  update(chunk: Buffer): void {
    let at = 0
    if (this.#carried > 0) {
      const n = Math.min(MAP_BLOCK - this.#carried, chunk.length)
      chunk.copy(this.#carry, this.#carried, 0, n)
      this.#carried += n
      at = n
      if (this.#carried < MAP_BLOCK) return
      this.#block(this.#carry)
      this.#carried = 0
    }
    for (; at + MAP_BLOCK <= chunk.length; at += MAP_BLOCK) this.#block(chunk.subarray(at, at + MAP_BLOCK))
    if (at < chunk.length) {
      chunk.copy(this.#carry, 0, at)
      this.#carried = chunk.length - at
    }
  }

  /** @returns the map, or null when the image has more than MAP_MAX_EXTENTS extents */
  finish(): ImageMap | null {
    if (this.#carried > 0) this.#block(this.#carry.subarray(0, this.#carried))
    this.#carried = 0
    if (this.#start >= 0) this.#extents.push([this.#start, this.#end - this.#start])
    this.#start = -1
    if (this.#extents.length > MAP_MAX_EXTENTS) return null
    return { size: this.#offset, extents: this.#extents, data_sha256: this.#hash.digest('hex') }
  }

  #block(block: Buffer): void {
    const at = this.#offset
    this.#offset += block.length
    if (block.equals(ZERO.subarray(0, block.length))) return
    if (this.#start >= 0 && at - this.#end <= MAP_MERGE_GAP) {
      // Close enough: the zeros between join the extent.
      this.#hash.update(ZERO.subarray(0, at - this.#end))
    } else {
      if (this.#start >= 0) this.#extents.push([this.#start, this.#end - this.#start])
      this.#start = at
    }
    this.#hash.update(block)
    this.#end = at + block.length
  }
}

/**
 * Checks a map received from elsewhere (the agent's command parameters).
 * @returns a sentence naming what is wrong, or null when it is well formed
 */
export function mapProblem(m: unknown): string | null {
  if (typeof m !== 'object' || m === null) return 'ferrum_image_map must be an object'
  const { size, extents, data_sha256: sha } = m as Record<string, unknown>
  if (!Number.isSafeInteger(size) || (size as number) < 0) return 'ferrum_image_map.size must be a whole number of bytes'
  if (typeof sha !== 'string' || !/^[0-9a-f]{64}$/.test(sha)) return 'ferrum_image_map.data_sha256 must be a sha256 in hex'
  if (!Array.isArray(extents)) return 'ferrum_image_map.extents must be a list of [offset, length]'
  let end = 0
  for (const e of extents) {
    if (!Array.isArray(e) || e.length !== 2 || !e.every((x) => Number.isSafeInteger(x))) return 'ferrum_image_map.extents must be a list of [offset, length]'
    const [o, l] = e as [number, number]
    if (o < end || l <= 0 || o + l > (size as number)) return `ferrum_image_map extent [${o}, ${l}] overlaps another or lies outside the image's ${String(size)} bytes`
    end = o + l
  }
  return null
}
