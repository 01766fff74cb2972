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
import { get as httpGet, type IncomingMessage } from 'node:http'
import { get as httpsGet } from 'node:https'

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

/** Opens the image's bytes: http(s) with node:http(s), file:// and plain paths from disk. */
async function openSource(url: string, signal: AbortSignal): Promise<{ body: AsyncIterable<Buffer>; total: number | null }> {
  if (url.startsWith('http://') || url.startsWith('https://')) {
    const get = url.startsWith('https://') ? httpsGet : httpGet
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = get(url, { signal, headers: { 'user-agent': 'ferrum-agent' } }, resolve)
      req.once('error', reject)
    }).catch((e: Error) => {
      throw new ImageWriteError(`downloading ${url} failed: ${e.message}`)
    })
    if (res.statusCode !== 200) {
      res.resume()
      throw new ImageWriteError(`downloading ${url} failed: HTTP ${res.statusCode} ${res.statusMessage ?? ''}`.trimEnd())
    }
    const len = Number(res.headers['content-length'])
    return { body: res, total: Number.isFinite(len) && len > 0 ? len : null }
  }
  const path = url.startsWith('file://') ? fileURLToPath(url) : url
  const fh = await open(path, 'r').catch((e: Error) => {
    throw new ImageWriteError(`cannot read image ${path}: ${e.message}`)
  })
  const { size } = await fh.stat()
  await fh.close()
  return { body: createReadStream(path, { signal, highWaterMark: CHUNK }), total: size }
}

/** The unit the writer collects, checks for zeros and writes (one syscall per run of data). */
const CHUNK = 4 * 1024 * 1024
const ZERO = Buffer.alloc(CHUNK)

function isZero(buf: Buffer): boolean {
  return buf.equals(ZERO.subarray(0, buf.length))
}

/**
 * Streams `source` onto `devicePath` from offset 0. The device must already exist (the agent
 * never creates block devices); it is not truncated.
 * @throws ImageWriteError on download, size or checksum failures (the checksum case wipes the head)
 */
export async function writeImage(source: ImageSource, devicePath: string, opts: { signal: AbortSignal; deviceSize?: number; onProgress?: (p: WriteProgress) => void; deviceName?: string; offset?: number }): Promise<WriteResult> {
  // Into a partition (offset > 0): every block is written, the rest of the disk is left alone.
  const base = opts.offset ?? 0
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
    const sparse = st.isFile() && base === 0
    if (sparse) {
      await fh.truncate(0)
      await fh.truncate(st.size)
    }
    // Copy the stream into one 4 MiB buffer; each full buffer is written as runs of non-zero
    // blocks (zero blocks of a file-backed disk are left as holes).
    const buf = Buffer.allocUnsafe(CHUNK)
    let fill = 0
    let lastReport = 0
    const flush = async (len: number) => {
      let runStart = -1
      const writeRun = async (end: number) => {
        if (runStart < 0) return
        await fh.write(buf, runStart, end - runStart, base + bytes + runStart)
        written += end - runStart
        runStart = -1
      }
      if (!sparse) runStart = 0
      else {
        for (let at = 0; at < len; at += BLOCK) {
          const end = Math.min(at + BLOCK, len)
          if (isZero(buf.subarray(at, end))) await writeRun(at)
          else if (runStart < 0) runStart = at
        }
      }
      await writeRun(len)
      bytes += len
    }
    for await (const part of body) {
      const chunk = part as Buffer
      hash?.update(chunk)
      if (opts.deviceSize !== undefined && bytes + fill + chunk.length > opts.deviceSize) throw new ImageWriteError(`image is larger than ${shown} (${opts.deviceSize} bytes)`)
      for (let at = 0; at < chunk.length;) {
        const n = Math.min(CHUNK - fill, chunk.length - at)
        chunk.copy(buf, fill, at, at + n)
        fill += n
        at += n
        if (fill === CHUNK) {
          await flush(fill)
          fill = 0
        }
      }
      if (opts.onProgress && bytes + fill - lastReport >= 1024 * 1024) {
        lastReport = bytes + fill
        opts.onProgress({ bytes: lastReport, total })
      }
    }
    if (fill > 0) await flush(fill)
    if (total !== null && bytes !== total) throw new ImageWriteError(`the image stream ended after ${bytes} of ${total} bytes`)
    opts.onProgress?.({ bytes, total })
    const digest = hash?.digest('hex') ?? null
    if (source.hashValue && digest !== null && digest !== source.hashValue.toLowerCase()) {
      await fh.write(Buffer.alloc(Math.min(1024 * 1024, Math.max(bytes, 512))), 0, Math.min(1024 * 1024, Math.max(bytes, 512)), base)
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
    const tail = Math.max(n, size - n)
    const tailLen = size > n ? Math.min(n, size - n) : 0
    await fh.write(zero, 0, n, 0)
    if (tailLen > 0) await fh.write(zero, 0, tailLen, tail)
    await fh.sync()
    // Read both ends back: a device that ignored the writes must not pass for erased.
    const check = Buffer.alloc(n)
    for (const [at, len] of [[0, n], [tail, tailLen]] as const) {
      if (len === 0) continue
      const { bytesRead } = await fh.read(check, 0, len, at)
      if (bytesRead !== len || !isZero(check.subarray(0, len))) throw new ImageWriteError(`${devicePath} still holds data at offset ${at} after erasing its metadata`)
    }
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
