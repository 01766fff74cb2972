/**
 * Writes an image to a block device (or a file standing in for one) straight from its URL:
 * streamed, never held in memory or on a temporary disk, checksummed while it flows, and
 * sparse on file-backed disks — the file is emptied first (truncated to 0 and back to its size,
 * so it reads as zeros) and zero blocks of the image are then skipped rather than written, so a
 * mostly-empty 10 GiB image costs what its data costs. On a real block device every block is
 * written, because skipped blocks would keep the old data. A checksum mismatch wipes the first
 * MiB so a damaged image can never boot.
 */
import { createHash } from 'node:crypto'
import { open, type FileHandle } from 'node:fs/promises'
import { createReadStream } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { Readable } from 'node:stream'
import type { ReadableStream as WebReadableStream } from 'node:stream/web'

/** Hash algorithms Glance's `os_hash_algo` may name that the agent verifies. */
export const HASH_ALGOS = ['md5', 'sha1', 'sha256', 'sha384', 'sha512'] as const

/** What to write and how to check it. */
export interface ImageSource {
  readonly url: string
  /** e.g. sha256; null: no verification (refused unless `allowUnverified`). */
  readonly hashAlgo: string | null
  readonly hashValue: string | null
}

export interface WriteProgress {
  readonly bytes: number
  /** From Content-Length; null when the server did not say. */
  readonly total: number | null
}

export interface WriteResult {
  readonly bytes: number
  /** Bytes actually written (the rest were zero blocks skipped). */
  readonly written: number
  readonly hash: string | null
}

const BLOCK = 64 * 1024

/** A device that can't be written (read-only file, injected fault) or an image that doesn't fit. */
export class ImageWriteError extends Error {}

/** Opens the image's bytes: http(s) through fetch, file:// and plain paths from disk. */
async function openSource(url: string, signal: AbortSignal): Promise<{ body: AsyncIterable<Uint8Array>; total: number | null }> {
  if (url.startsWith('http://') || url.startsWith('https://')) {
    const res = await fetch(url, { signal })
    if (!res.ok || !res.body) throw new ImageWriteError(`downloading ${url} failed: HTTP ${res.status} ${res.statusText}`)
    const len = Number(res.headers.get('content-length'))
    return { body: Readable.fromWeb(res.body as WebReadableStream<Uint8Array>), total: Number.isFinite(len) && len > 0 ? len : null }
  }
  const path = url.startsWith('file://') ? fileURLToPath(url) : url
  const fh = await open(path, 'r').catch((e: Error) => {
    throw new ImageWriteError(`cannot read image ${path}: ${e.message}`)
  })
  const { size } = await fh.stat()
  await fh.close()
  return { body: createReadStream(path, { signal }), total: size }
}

function isZero(buf: Buffer): boolean {
  // Compare 8 bytes at a time through a BigUint64 view where alignment allows.
  if (buf.byteOffset % 8 === 0 && buf.length % 8 === 0) {
    const words = new BigUint64Array(buf.buffer, buf.byteOffset, buf.length / 8)
    for (const w of words) if (w !== 0n) return false
    return true
  }
  for (const b of buf) if (b !== 0) return false
  return true
}

/**
 * Streams `source` onto `devicePath` from offset 0. The device must already exist (the agent
 * never creates block devices); it is not truncated.
 * @throws ImageWriteError on download, size or checksum failures (the checksum case wipes the head)
 */
export async function writeImage(source: ImageSource, devicePath: string, opts: { signal: AbortSignal; deviceSize?: number; onProgress?: (p: WriteProgress) => void; deviceName?: string }): Promise<WriteResult> {
  const shown = opts.deviceName ?? devicePath
  const algo = source.hashAlgo?.toLowerCase() ?? null
  if (algo !== null && !(HASH_ALGOS as readonly string[]).includes(algo)) throw new ImageWriteError(`unsupported image hash algorithm "${source.hashAlgo}" (use one of ${HASH_ALGOS.join(', ')})`)
  const hash = algo ? createHash(algo) : null
  let fh: FileHandle
  try {
    fh = await open(devicePath, 'r+')
  } catch (e) {
    throw new ImageWriteError(`cannot open ${shown} for writing: ${(e as Error).message}`)
  }
  let bytes = 0
  let written = 0
  try {
    const { body, total } = await openSource(source.url, opts.signal)
    if (total !== null && opts.deviceSize !== undefined && total > opts.deviceSize) {
      throw new ImageWriteError(`image of ${total} bytes does not fit on ${shown} (${opts.deviceSize} bytes)`)
    }
    const st = await fh.stat()
    const sparse = st.isFile()
    if (sparse) {
      await fh.truncate(0)
      await fh.truncate(st.size)
    }
    let pending = Buffer.alloc(0)
    let lastReport = 0
    const flush = async (chunk: Buffer) => {
      for (let at = 0; at < chunk.length; at += BLOCK) {
        const block = chunk.subarray(at, Math.min(at + BLOCK, chunk.length))
        if (!sparse || !isZero(block)) {
          await fh.write(block, 0, block.length, bytes + at)
          written += block.length
        }
      }
      bytes += chunk.length
    }
    for await (const part of body) {
      const buf = Buffer.from(part.buffer, part.byteOffset, part.byteLength)
      hash?.update(buf)
      pending = pending.length === 0 ? Buffer.from(buf) : Buffer.concat([pending, buf])
      if (opts.deviceSize !== undefined && bytes + pending.length > opts.deviceSize) throw new ImageWriteError(`image is larger than ${shown} (${opts.deviceSize} bytes)`)
      const whole = pending.length - (pending.length % BLOCK)
      if (whole > 0) {
        await flush(pending.subarray(0, whole))
        pending = pending.subarray(whole)
      }
      if (opts.onProgress && bytes - lastReport >= 8 * 1024 * 1024) {
        lastReport = bytes
        opts.onProgress({ bytes, total })
      }
    }
    if (pending.length > 0) await flush(pending)
    opts.onProgress?.({ bytes, total })
    const digest = hash?.digest('hex') ?? null
    if (source.hashValue && digest !== null && digest !== source.hashValue.toLowerCase()) {
      await fh.write(Buffer.alloc(Math.min(1024 * 1024, Math.max(bytes, 512))), 0, Math.min(1024 * 1024, Math.max(bytes, 512)), 0)
      throw new ImageWriteError(`image checksum mismatch: ${algo} of the downloaded image is ${digest}, expected ${source.hashValue}; the disk's first MiB was wiped`)
    }
    await fh.sync()
    return { bytes, written, hash: digest }
  } catch (e) {
    if (e instanceof ImageWriteError) throw e
    if (opts.signal.aborted) throw new ImageWriteError(`writing the image was cancelled after ${bytes} bytes`)
    throw new ImageWriteError(`writing ${source.url} to ${shown} failed after ${bytes} bytes: ${(e as Error).message}`)
  } finally {
    await fh.close()
  }
}

/** Zeroes the first and last `bytes` of a device: partition tables (MBR, GPT and its backup) and filesystem signatures. */
export async function eraseMetadata(devicePath: string, size: number, bytes = 1024 * 1024): Promise<void> {
  const fh = await open(devicePath, 'r+').catch((e: Error) => {
    throw new ImageWriteError(`cannot open ${devicePath} for writing: ${e.message}`)
  })
  try {
    const n = Math.min(bytes, size)
    const zero = Buffer.alloc(n)
    await fh.write(zero, 0, n, 0)
    if (size > n) await fh.write(zero, 0, Math.min(n, size - n), Math.max(n, size - n))
    await fh.sync()
  } finally {
    await fh.close()
  }
}

/**
 * Zeroes a whole device: a file-backed disk is emptied (truncated to 0 and back, so it stays
 * sparse); a real block device gets zeros written over every byte, 4 MiB at a time.
 */
export async function eraseDevice(devicePath: string, size: number, signal?: AbortSignal): Promise<void> {
  const fh = await open(devicePath, 'r+').catch((e: Error) => {
    throw new ImageWriteError(`cannot open ${devicePath} for writing: ${e.message}`)
  })
  try {
    const st = await fh.stat()
    if (st.isFile()) {
      await fh.truncate(0)
      await fh.truncate(st.size)
    } else {
      const zero = Buffer.alloc(4 * 1024 * 1024)
      for (let at = 0; at < size; at += zero.length) {
        signal?.throwIfAborted()
        await fh.write(zero, 0, Math.min(zero.length, size - at), at)
      }
    }
    await fh.sync()
  } finally {
    await fh.close()
  }
}
