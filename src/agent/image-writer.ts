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
import { Agent as HttpAgent, get as httpGet, type IncomingMessage } from 'node:http'
import { runTool } from './tool.js'
import type { ImageMap } from '../common/image-map.js'
import { Agent as HttpsAgent, get as httpsGet } from 'node:https'

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
  /** true when written by the conductor's data map (`hash` is then the data's sha256). */
  readonly mapped?: boolean
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

/** Bytes written between background flushes to the device (see DiskSink). */
const SYNC_EVERY = 64 * 1024 * 1024

/**
 * Collects bytes into one 4 MiB buffer and writes each full buffer at its place on the device,
 * as runs of non-zero 64 KiB blocks when the device is a file (zero blocks stay holes). Every
 * 64 MiB written it starts a flush to the device (fdatasync) without waiting for it, so the
 * device writes while the next bytes arrive, instead of everything at the final sync (with much
 * RAM the kernel would otherwise hold gigabytes dirty until then).
 */
export class DiskSink {
  readonly #buf = Buffer.allocUnsafe(CHUNK)
  #fill = 0
  #sinceSync = 0
  #syncing: Promise<void> | null = null
  #syncError: Error | null = null
  /** Device offset of the buffer's first byte. */
  #pos: number
  written = 0
  constructor(readonly fh: FileHandle, readonly sparse: boolean, pos: number) {
    this.#pos = pos
  }

  async push(chunk: Buffer): Promise<void> {
    for (let at = 0; at < chunk.length;) {
      const n = Math.min(CHUNK - this.#fill, chunk.length - at)
      chunk.copy(this.#buf, this.#fill, at, at + n)
      this.#fill += n
      at += n
      if (this.#fill === CHUNK) await this.flush()
    }
  }

  /** Writes what is buffered; the next byte pushed lands at `pos`. */
  async seek(pos: number): Promise<void> {
    await this.flush()
    this.#pos = pos
  }

  async flush(): Promise<void> {
    const len = this.#fill
    let runStart = this.sparse ? -1 : 0
    const writeRun = async (end: number) => {
      if (runStart < 0) return
      await this.fh.write(this.#buf, runStart, end - runStart, this.#pos + runStart)
      this.written += end - runStart
      runStart = -1
    }
    if (this.sparse) {
      for (let at = 0; at < len; at += BLOCK) {
        const end = Math.min(at + BLOCK, len)
        if (isZero(this.#buf.subarray(at, end))) await writeRun(at)
        else if (runStart < 0) runStart = at
      }
    }
    await writeRun(len)
    this.#pos += len
    this.#fill = 0
    this.#sinceSync += len
    if (this.#syncError) throw this.#syncError
    if (this.#sinceSync >= SYNC_EVERY && this.#syncing === null) {
      this.#sinceSync = 0
      this.#syncing = this.fh.datasync().then(() => undefined, (e: Error) => {
        this.#syncError = e
      }).finally(() => (this.#syncing = null))
    }
  }

  /** Writes what is buffered and waits for a background flush still running. */
  async finish(): Promise<void> {
    await this.flush()
    await this.#syncing
    if (this.#syncError) throw this.#syncError
  }
}

/** Empties a file-backed disk (it then reads as zeros and holds no blocks). */
async function emptyFile(fh: FileHandle): Promise<void> {
  const { size } = await fh.stat()
  await fh.truncate(0)
  await fh.truncate(size)
}

/** What writing with the conductor's data map adds: the map, checked by the caller (mapProblem). */
export interface WriteOptions {
  signal: AbortSignal
  deviceSize?: number
  onProgress?: (p: WriteProgress) => void
  deviceName?: string
  offset?: number
  /** The conductor's map of the image (image_info.ferrum_image_map): only data is fetched. */
  map?: ImageMap
}

/**
 * Streams `source` onto `devicePath` from offset 0. The device must already exist (the agent
 * never creates block devices); it is not truncated.
 * @throws ImageWriteError on download, size or checksum failures (the checksum case wipes the head)
 */
export async function writeImage(source: ImageSource, devicePath: string, opts: WriteOptions): Promise<WriteResult> {
  // Into a partition (offset > 0): every block is written, the rest of the disk is left alone.
  const base = opts.offset ?? 0
  const shown = opts.deviceName ?? devicePath
  const algo = source.hashAlgo?.toLowerCase() ?? null
  if (algo !== null && !(HASH_ALGOS as readonly string[]).includes(algo)) throw new ImageWriteError(`unsupported image hash algorithm "${source.hashAlgo}" (use one of ${HASH_ALGOS.join(', ')})`)
  let fh: FileHandle
  try {
    fh = await open(devicePath, 'r+')
  } catch (e) {
    throw new ImageWriteError(`cannot open ${shown} for writing: ${(e as Error).message}`)
  }
  let bytes = 0
  try {
    const st = await fh.stat()
    if (opts.map && base === 0 && /^https?:\/\//.test(source.url)) return await writeMapped(source.url, opts.map, fh, st.isFile() ? 'file' : 'device', shown, opts, devicePath)
    const hash = algo ? createHash(algo) : null
    const { body, total } = await openSource(source.url, opts.signal)
    if (total !== null && opts.deviceSize !== undefined && total > opts.deviceSize) {
      throw new ImageWriteError(`image of ${total} bytes does not fit on ${shown} (${opts.deviceSize} bytes)`)
    }
    const sparse = st.isFile() && base === 0
    if (sparse) await emptyFile(fh)
    const sink = new DiskSink(fh, sparse, base)
    let lastReport = 0
    for await (const part of body) {
      const chunk = part as Buffer
      hash?.update(chunk)
      if (opts.deviceSize !== undefined && bytes + chunk.length > opts.deviceSize) throw new ImageWriteError(`image is larger than ${shown} (${opts.deviceSize} bytes)`)
      await sink.push(chunk)
      bytes += chunk.length
      if (opts.onProgress && bytes - lastReport >= 1024 * 1024) {
        lastReport = bytes
        opts.onProgress({ bytes, total })
      }
    }
    await sink.finish()
    if (total !== null && bytes !== total) throw new ImageWriteError(`the image stream ended after ${bytes} of ${total} bytes`)
    opts.onProgress?.({ bytes, total })
    const digest = hash?.digest('hex') ?? null
    if (source.hashValue && digest !== null && digest !== source.hashValue.toLowerCase()) {
      await wipeHead(fh, bytes, base)
      throw new ImageWriteError(`image checksum mismatch: ${algo} of the downloaded image is ${digest}, expected ${source.hashValue}; the disk's first MiB was wiped`)
    }
    await fh.sync()
    return { bytes, written: sink.written, hash: digest }
  } catch (e) {
    if (e instanceof ImageWriteError) throw e
    if (opts.signal.aborted) throw new ImageWriteError(`writing the image was cancelled after ${bytes} bytes`)
    throw new ImageWriteError(`writing ${source.url} to ${shown} failed after ${bytes} bytes: ${(e as Error).message}`)
  } finally {
    await fh.close()
  }
}

async function wipeHead(fh: FileHandle, bytes: number, base: number): Promise<void> {
  const n = Math.min(1024 * 1024, Math.max(bytes, 512))
  await fh.write(Buffer.alloc(n), 0, n, base)
}

/** One GET of bytes [start, start+length) over `agent` (keep-alive); 206 expected. */
function getRange(url: string, start: number, length: number, agent: HttpAgent, signal: AbortSignal): Promise<IncomingMessage> {
  const get = url.startsWith('https://') ? httpsGet : httpGet
  return new Promise<IncomingMessage>((resolve, reject) => {
    const req = get(url, { agent, signal, headers: { 'user-agent': 'ferrum-agent', range: `bytes=${start}-${start + length - 1}` } }, resolve)
    req.once('error', reject)
  }).then((res) => {
    const len = Number(res.headers['content-length'])
    if (res.statusCode !== 206 || len !== length) {
      res.resume()
      throw new ImageWriteError(`downloading ${url} failed: bytes ${start}-${start + length - 1} answered HTTP ${res.statusCode} ${res.statusMessage ?? ''}`.trimEnd() + (res.statusCode === 206 ? ` with ${len} bytes` : ''))
    }
    return res
  }, (e: Error) => {
    throw new ImageWriteError(`downloading ${url} failed: ${e.message}`)
  })
}

/**
 * Zeroes [offset, offset+length) of a block device: `blkdiscard --zeroout` (BLKZEROOUT, the
 * device zeroes it without the bytes crossing the bus), else zeros written.
 */
async function zeroRange(fh: FileHandle, devicePath: string, offset: number, length: number): Promise<void> {
  if (length <= 0) return
  const ok = offset % 512 === 0 && length % 512 === 0 && await runTool('blkdiscard', ['--zeroout', '--offset', String(offset), '--length', String(length), devicePath], { cannot: 'cannot run blkdiscard', missing: 'util-linux', failed: 'blkdiscard failed' }).then(() => true, () => false)
  if (ok) return
  for (let at = 0; at < length; at += CHUNK) await fh.write(ZERO, 0, Math.min(CHUNK, length - at), offset + at)
}

/**
 * Writes an image by its data map: only the extents are fetched (HTTP range requests on one
 * kept-alive connection) and written; holes stay holes in a file-backed disk (emptied first) and
 * are zeroed with BLKZEROOUT on a block device. The extents' bytes are hashed as they stream and
 * checked against the map's data_sha256 (the conductor checked the image's own checksum when
 * it made the map).
 */
async function writeMapped(url: string, map: ImageMap, fh: FileHandle, kind: 'file' | 'device', shown: string, opts: WriteOptions, devicePath: string): Promise<WriteResult> {
  if (opts.deviceSize !== undefined && map.size > opts.deviceSize) throw new ImageWriteError(`image of ${map.size} bytes does not fit on ${shown} (${opts.deviceSize} bytes)`)
  const hash = createHash('sha256')
  const agent = url.startsWith('https://') ? new HttpsAgent({ keepAlive: true, maxSockets: 1 }) : new HttpAgent({ keepAlive: true, maxSockets: 1 })
  const sink = new DiskSink(fh, kind === 'file', 0)
  let pos = 0
  let lastReport = 0
  try {
    if (kind === 'file') await emptyFile(fh)
    for (const [offset, length] of map.extents) {
      if (kind === 'device') await zeroRange(fh, devicePath, pos, offset - pos)
      await sink.seek(offset)
      pos = offset
      const res = await getRange(url, offset, length, agent, opts.signal)
      for await (const part of res) {
        const chunk = part as Buffer
        if (pos + chunk.length > offset + length) throw new ImageWriteError(`downloading ${url} failed: more than the ${length} bytes asked for at ${offset}`)
        hash.update(chunk)
        await sink.push(chunk)
        pos += chunk.length
        if (opts.onProgress && pos - lastReport >= 1024 * 1024) {
          lastReport = pos
          opts.onProgress({ bytes: pos, total: map.size })
        }
      }
      if (pos !== offset + length) throw new ImageWriteError(`the image stream ended after ${pos} of ${map.size} bytes`)
    }
    await sink.finish()
    if (kind === 'device') await zeroRange(fh, devicePath, pos, map.size - pos)
    const digest = hash.digest('hex')
    if (digest !== map.data_sha256) {
      await wipeHead(fh, map.size, 0)
      throw new ImageWriteError(`image checksum mismatch: sha256 of the image's data is ${digest}, expected ${map.data_sha256} (the conductor's image map); the disk's first MiB was wiped`)
    }
    await fh.sync()
    opts.onProgress?.({ bytes: map.size, total: map.size })
    return { bytes: map.size, written: sink.written, hash: digest, mapped: true }
  } catch (e) {
    if (e instanceof ImageWriteError) throw e
    if (opts.signal.aborted) throw new ImageWriteError(`writing the image was cancelled after ${pos} bytes`)
    throw new ImageWriteError(`writing ${url} to ${shown} failed after ${pos} bytes: ${(e as Error).message}`)
  } finally {
    agent.destroy()
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
