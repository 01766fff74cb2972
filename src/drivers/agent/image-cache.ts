/**
 * The conductor's image cache for agent deploys (Ironic's `force_raw_images` with the conductor
 * serving the result): an image that is not raw (qcow2) is downloaded once, its declared checksum
 * checked on the way, converted to raw once with Debian's `qemu-img`, and published on Ferrum's
 * boot server under `images/cache/`, so agents always stream raw. Nodes deploying the same image
 * at once share one download and one conversion; a later deploy finds it converted.
 *
 * The cache has a size cap and a TTL (Ironic's [pxe]image_cache_size and image_cache_ttl): after
 * each use, entries unused for longer than the TTL go, then the least recently used ones until
 * the disk space the entries take (allocated blocks: raw files are sparse) is under the cap. The
 * entry just used and entries being converted are never evicted (an image larger than the cap
 * stays alone). An agent already streaming an evicted file keeps reading it (the file is unlinked,
 * not truncated).
 */
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { createReadStream, createWriteStream, existsSync } from 'node:fs'
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { get as httpGet, type IncomingMessage } from 'node:http'
import { get as httpsGet } from 'node:https'
import { join } from 'node:path'
import { pipeline } from 'node:stream/promises'
import { Transform } from 'node:stream'
import { fileURLToPath } from 'node:url'
import type { BootFiles } from '../driver-context.js'
import { bootFilePath, bootFileUrl } from '../boot-files.js'
import { DriverError } from '../../domain/errors.js'

/** A cached raw image: where agents fetch it and what its bytes hash to. */
export interface CachedImage {
  url: string
  sha256: string
  size: number
  /** true when this call found it already converted. */
  hit: boolean
}

/** The cache's limits (config agent.imageCacheMiB, agent.imageCacheTtlS). */
export interface CacheLimits {
  maxBytes: number
  ttlS: number
  /** For tests: the clock (ms). */
  now?: () => number
}

export const DEFAULT_CACHE_LIMITS: CacheLimits = { maxBytes: 20480 * 1024 * 1024, ttlS: 7 * 24 * 3600 }

interface CacheMeta { source: string; format?: string; sha256: string; size: number; last_used?: number }

export interface ImageRef {
  url: string
  /** Declared checksum of the source file (Glance's os_hash_*), checked while downloading. */
  hashAlgo: string | null
  hashValue: string | null
}

const QEMU_IMG = 'qemu-img'

function run(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    let err = ''
    p.stdout.on('data', (d: Buffer) => (out += d.toString()))
    p.stderr.on('data', (d: Buffer) => (err += d.toString()))
    p.once('error', (e) => reject(new DriverError(`cannot run ${cmd}: ${e.message}${(e as NodeJS.ErrnoException).code === 'ENOENT' ? ' (install Debian\'s qemu-utils)' : ''}`, { code: 'IMAGE_CONVERSION_FAILED' })))
    p.once('close', (code) => (code === 0 ? resolve(out) : reject(new DriverError(`${cmd} ${args[0]} failed: ${err.trim() || `exit code ${code}`}`, { code: 'IMAGE_CONVERSION_FAILED' }))))
  })
}

function openHttp(url: string): Promise<IncomingMessage> {
  const get = url.startsWith('https://') ? httpsGet : httpGet
  return new Promise((resolve, reject) => {
    get(url, resolve).once('error', (e) => reject(new DriverError(`downloading ${url} failed: ${e.message}`, { code: 'IMAGE_DOWNLOAD_FAILED' })))
  })
}

async function sha256Of(path: string): Promise<string> {
  const h = createHash('sha256')
  for await (const c of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 })) h.update(c as Buffer)
  return h.digest('hex')
}

export class ImageCache {
  readonly #inflight = new Map<string, Promise<CachedImage>>()

  /** The raw form of `ref` on the boot server, converting it once. */
  async raw(files: BootFiles, ref: ImageRef, limits: CacheLimits = DEFAULT_CACHE_LIMITS): Promise<CachedImage> {
    const key = createHash('sha256').update(`${ref.url}\n${ref.hashAlgo ?? ''}:${ref.hashValue ?? ''}`).digest('hex').slice(0, 32)
    const running = this.#inflight.get(key)
    if (running) return { ...(await running), hit: true }
    const now = limits.now ?? Date.now
    const work = this.#convert(files, ref, key, now()).finally(() => this.#inflight.delete(key))
    this.#inflight.set(key, work)
    const done = await work
    await this.evict(files, limits, key)
    return done
  }

  /**
   * Removes expired entries, then the least recently used ones while the cache is over its cap.
   * @returns the keys removed
   */
  async evict(files: BootFiles, limits: CacheLimits, keep: string | null = null): Promise<string[]> {
    const dir = bootFilePath(files, 'images/cache')
    const now = (limits.now ?? Date.now)()
    let names: string[]
    try {
      names = await readdir(dir)
    } catch {
      return []
    }
    const entries: { key: string; used: number; bytes: number }[] = []
    for (const n of names) {
      if (!n.endsWith('.raw')) continue
      const key = n.slice(0, -4)
      try {
        const m = JSON.parse(await readFile(join(dir, `${n}.json`), 'utf8')) as CacheMeta
        const st = await stat(join(dir, n))
        entries.push({ key, used: m.last_used ?? st.mtimeMs, bytes: st.blocks * 512 })
      } catch {
        // Half-written (no metadata yet): a conversion in flight owns it.
      }
    }
    const removed: string[] = []
    const drop = async (key: string) => {
      await rm(join(dir, `${key}.raw`), { force: true })
      await rm(join(dir, `${key}.raw.json`), { force: true })
      removed.push(key)
    }
    const evictable = (key: string) => key !== keep && !this.#inflight.has(key)
    for (const e of entries) if (evictable(e.key) && now - e.used > limits.ttlS * 1000) await drop(e.key)
    const left = entries.filter((e) => !removed.includes(e.key)).sort((a, b) => a.used - b.used)
    let total = left.reduce((s, e) => s + e.bytes, 0)
    for (const e of left) {
      if (total <= limits.maxBytes) break
      if (!evictable(e.key)) continue
      await drop(e.key)
      total -= e.bytes
    }
    return removed
  }

  async #convert(files: BootFiles, ref: ImageRef, key: string, now: number): Promise<CachedImage> {
    const name = `images/cache/${key}.raw`
    const raw = bootFilePath(files, name)
    const meta = `${raw}.json`
    if (existsSync(raw) && existsSync(meta)) {
      const m = JSON.parse(await readFile(meta, 'utf8')) as CacheMeta
      await writeFile(meta, JSON.stringify({ ...m, last_used: now }))
      return { url: bootFileUrl(files, name), sha256: m.sha256, size: m.size, hit: true }
    }
    const dir = join(raw, '..')
    await mkdir(dir, { recursive: true })
    const src = join(dir, `${key}.source.part`)
    try {
      await this.#download(ref, src)
      // qemu-img's errors name the cache file; show the image the operator gave instead.
      const named = (e: unknown): never => {
        const text = (e as Error).message.split(src).join(ref.url).split(`${raw}.part`).join('the cache')
        throw new DriverError(text, { code: 'IMAGE_CONVERSION_FAILED' })
      }
      const info = JSON.parse(await run(QEMU_IMG, ['info', '--output=json', src]).catch(named)) as { format?: string; 'virtual-size'?: number }
      if (info.format === 'raw') throw new DriverError(`${ref.url} is not a qcow2 image (qemu-img reads it as raw); deploy it with image_disk_format raw.`, { code: 'IMAGE_CONVERSION_FAILED' })
      await run(QEMU_IMG, ['convert', '-f', String(info.format), '-O', 'raw', src, `${raw}.part`]).catch(named)
      await rename(`${raw}.part`, raw)
      const sha256 = await sha256Of(raw)
      const size = info['virtual-size'] ?? 0
      await writeFile(meta, JSON.stringify({ source: ref.url, format: info.format, sha256, size, last_used: now } satisfies CacheMeta))
      return { url: bootFileUrl(files, name), sha256, size, hit: false }
    } finally {
      await rm(src, { force: true })
      await rm(`${raw}.part`, { force: true })
    }
  }

  /** Copies the source to `dest`, checking the declared checksum on the way. */
  async #download(ref: ImageRef, dest: string): Promise<void> {
    const algo = ref.hashAlgo?.toLowerCase() ?? null
    const hash = algo ? createHash(algo) : null
    let input: NodeJS.ReadableStream
    if (ref.url.startsWith('http://') || ref.url.startsWith('https://')) {
      const res = await openHttp(ref.url)
      if (res.statusCode !== 200) {
        res.resume()
        throw new DriverError(`downloading ${ref.url} failed: HTTP ${res.statusCode} ${res.statusMessage ?? ''}`.trimEnd(), { code: 'IMAGE_DOWNLOAD_FAILED' })
      }
      input = res
    } else {
      const path = ref.url.startsWith('file://') ? fileURLToPath(ref.url) : ref.url
      if (!existsSync(path)) throw new DriverError(`cannot read image ${path}: no such file`, { code: 'IMAGE_DOWNLOAD_FAILED' })
      input = createReadStream(path)
    }
    const tap = new Transform({ transform(chunk: Buffer, _e, done) { hash?.update(chunk); done(null, chunk) } })
    try {
      await pipeline(input, tap, createWriteStream(dest))
    } catch (e) {
      throw new DriverError(`downloading ${ref.url} failed: ${(e as Error).message}`, { code: 'IMAGE_DOWNLOAD_FAILED' })
    }
    const digest = hash?.digest('hex')
    if (ref.hashValue && digest !== undefined && digest !== ref.hashValue.toLowerCase()) {
      throw new DriverError(`image checksum mismatch: ${algo} of ${ref.url} is ${digest}, expected ${ref.hashValue}`, { code: 'IMAGE_CHECKSUM_MISMATCH' })
    }
  }
}
