/**
 * The conductor's image cache for agent deploys (Ironic's `image_download_source = local` and
 * `force_raw_images`): an image is downloaded once, its declared checksum checked on the way,
 * converted to raw once with Debian's `qemu-img` when it is not raw (qcow2), and published on
 * Ferrum's boot server under `images/cache/`, so agents always stream raw from the conductor.
 * Nodes deploying the same image at once share one download (the origin is read once) and one
 * conversion; a later deploy finds it ready. An image already on the boot server is not copied:
 * it is read once where it is.
 *
 * In the same pass the cache makes the image's data map (src/common/image-map.ts): the agent
 * then fetches and writes only the data and leaves the zeros as holes. Raw downloads are stored
 * sparse (zero blocks are not written).
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
import { createReadStream, existsSync } from 'node:fs'
import { mkdir, open, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises'
import { get as httpGet, type IncomingMessage } from 'node:http'
import { get as httpsGet } from 'node:https'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { BootFiles } from '../driver-context.js'
import { bootFilePath, bootFileUrl } from '../boot-files.js'
import { DriverError } from '../../domain/errors.js'
import { ImageMapper, type ImageMap } from '../../common/image-map.js'
import { DiskSink, HASH_ALGOS } from '../../agent/image-writer.js'

/** A cached raw image: where agents fetch it, what its bytes hash to, and where its data is. */
export interface CachedImage {
  url: string
  sha256: string
  size: number
  /** true when this call found it ready. */
  hit: boolean
  /** null: too fragmented to be worth a map (the agent then streams every byte). */
  map: ImageMap | null
}

/** The cache's limits (config agent.imageCacheMiB, agent.imageCacheTtlS). */
export interface CacheLimits {
  maxBytes: number
  ttlS: number
  /** For tests: the clock (ms). */
  now?: () => number
}

export const DEFAULT_CACHE_LIMITS: CacheLimits = { maxBytes: 20480 * 1024 * 1024, ttlS: 7 * 24 * 3600 }

interface CacheMeta {
  source: string
  format?: string
  sha256: string
  size: number
  last_used?: number
  map?: ImageMap | null
  /** For an image read in place on the boot server: the file it was read from, as it was. */
  in_place?: { path: string; size: number; mtime_ms: number }
}

export interface ImageRef {
  url: string
  /** 'raw' or what qemu-img converts from (qcow2); raw by default. */
  format?: string
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


export class ImageCache {
  readonly #inflight = new Map<string, Promise<CachedImage>>()

  /** The raw form of `ref` on the boot server, converting it once. */
  async raw(files: BootFiles, ref: ImageRef, limits: CacheLimits = DEFAULT_CACHE_LIMITS): Promise<CachedImage> {
    const raw = (ref.format ?? 'raw') === 'raw'
    const key = createHash('sha256').update(`${ref.url}\n${ref.hashAlgo ?? ''}:${ref.hashValue ?? ''}${raw ? '\nraw' : ''}`).digest('hex').slice(0, 32)
    const running = this.#inflight.get(key)
    if (running) return { ...(await running), hit: true }
    const now = limits.now ?? Date.now
    const local = raw ? localBootFile(files, ref.url) : null
    const work = (local !== null ? this.#inPlace(files, ref, key, local, now()) : this.#convert(files, ref, key, now(), raw)).finally(() => this.#inflight.delete(key))
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

  /** An image already on the boot server: read once where it is (checksum, sha256, map). */
  async #inPlace(files: BootFiles, ref: ImageRef, key: string, path: string, now: number): Promise<CachedImage> {
    const meta = bootFilePath(files, `images/cache/${key}.map.json`)
    let st
    try {
      st = await stat(path)
    } catch {
      throw new DriverError(`cannot read image ${ref.url}: no such file on the boot server (${path})`, { code: 'IMAGE_DOWNLOAD_FAILED' })
    }
    const seen = { path, size: st.size, mtime_ms: st.mtimeMs }
    if (existsSync(meta)) {
      const m = JSON.parse(await readFile(meta, 'utf8')) as CacheMeta
      if (m.in_place && m.in_place.path === path && m.in_place.size === st.size && m.in_place.mtime_ms === st.mtimeMs) return hitOf(meta, m, ref.url, now)
    }
    await mkdir(join(meta, '..'), { recursive: true })
    const r = await ingest(createReadStream(path, { highWaterMark: CHUNK }), ref, { measure: true })
    await writeFile(meta, JSON.stringify({ source: ref.url, format: 'raw', sha256: r.sha256!, size: r.size, map: r.map, in_place: seen, last_used: now } satisfies CacheMeta))
    return { url: ref.url, sha256: r.sha256!, size: r.size, hit: false, map: r.map }
  }

  async #convert(files: BootFiles, ref: ImageRef, key: string, now: number, isRaw: boolean): Promise<CachedImage> {
    const name = `images/cache/${key}.raw`
    const raw = bootFilePath(files, name)
    const meta = `${raw}.json`
    if (existsSync(raw) && existsSync(meta)) return hitOf(meta, JSON.parse(await readFile(meta, 'utf8')) as CacheMeta, bootFileUrl(files, name), now)
    const dir = join(raw, '..')
    await mkdir(dir, { recursive: true })
    const src = join(dir, `${key}.source.part`)
    try {
      if (isRaw) {
        // One pass: the declared checksum, the sha256 and the map, written sparse into the cache.
        const r = await this.#download(ref, `${raw}.part`, true)
        await rename(`${raw}.part`, raw)
        await writeFile(meta, JSON.stringify({ source: ref.url, format: 'raw', sha256: r.sha256!, size: r.size, map: r.map, last_used: now } satisfies CacheMeta))
        return { url: bootFileUrl(files, name), sha256: r.sha256!, size: r.size, hit: false, map: r.map }
      }
      // The qcow2 itself: only its declared checksum matters; the raw result is measured below.
      await this.#download(ref, src, false)
      // qemu-img's errors name the cache file; show the image the operator gave instead.
      const named = (e: unknown): never => {
        const text = (e as Error).message.split(src).join(ref.url).split(`${raw}.part`).join('the cache')
        throw new DriverError(text, { code: 'IMAGE_CONVERSION_FAILED' })
      }
      const info = JSON.parse(await run(QEMU_IMG, ['info', '--output=json', src]).catch(named)) as { format?: string; 'virtual-size'?: number }
      if (info.format === 'raw') throw new DriverError(`${ref.url} is not a qcow2 image (qemu-img reads it as raw); deploy it with image_disk_format raw.`, { code: 'IMAGE_CONVERSION_FAILED' })
      await run(QEMU_IMG, ['convert', '-f', String(info.format), '-O', 'raw', src, `${raw}.part`]).catch(named)
      await rename(`${raw}.part`, raw)
      const r = await ingest(createReadStream(raw, { highWaterMark: CHUNK }), { url: ref.url, hashAlgo: null, hashValue: null }, { measure: true })
      await writeFile(meta, JSON.stringify({ source: ref.url, format: info.format, sha256: r.sha256!, size: info['virtual-size'] ?? r.size, map: r.map, last_used: now } satisfies CacheMeta))
      return { url: bootFileUrl(files, name), sha256: r.sha256!, size: info['virtual-size'] ?? r.size, hit: false, map: r.map }
    } finally {
      await rm(src, { force: true })
      await rm(`${raw}.part`, { force: true })
    }
  }

  /**
   * Copies the source to `dest` (zero blocks left as holes), checking the declared checksum on
   * the way; with `measure`, also its sha256 and data map.
   */
  async #download(ref: ImageRef, dest: string, measure: boolean): Promise<Ingested> {
    let input: AsyncIterable<Buffer>
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
      input = createReadStream(path, { highWaterMark: CHUNK })
    }
    const fh = await open(dest, 'w')
    try {
      const r = await ingest(input, ref, { measure, sink: new DiskSink(fh, true, 0) })
      // The file ends where the image ends, trailing zeros included (as holes).
      await fh.truncate(r.size)
      return r
    } finally {
      await fh.close()
    }
  }
}

const CHUNK = 4 * 1024 * 1024

/** sha256 and map are null unless measured. */
interface Ingested { sha256: string | null; size: number; map: ImageMap | null }

/** A cache hit: its metadata marked used now. */
async function hitOf(meta: string, m: CacheMeta, url: string, now: number): Promise<CachedImage> {
  await writeFile(meta, JSON.stringify({ ...m, last_used: now }))
  return { url, sha256: m.sha256, size: m.size, hit: true, map: m.map ?? null }
}

/**
 * One pass over an image's bytes: the declared checksum checked, with `measure` the sha256 and
 * the data map computed, and the bytes written to `sink` when given.
 * @throws DriverError IMAGE_DOWNLOAD_FAILED (the stream broke) or IMAGE_CHECKSUM_MISMATCH
 */
async function ingest(input: AsyncIterable<Buffer>, ref: ImageRef, opts: { measure: boolean; sink?: DiskSink }): Promise<Ingested> {
  const algo = ref.hashAlgo?.toLowerCase() ?? null
  if (algo !== null && !(HASH_ALGOS as readonly string[]).includes(algo)) throw new DriverError(`unsupported image hash algorithm "${ref.hashAlgo}" for ${ref.url} (use one of ${HASH_ALGOS.join(', ')})`, { code: 'IMAGE_CHECKSUM_MISMATCH' })
  const declared = algo ? createHash(algo) : null
  const sha = !opts.measure ? null : algo === 'sha256' ? declared! : createHash('sha256')
  const mapper = opts.measure ? new ImageMapper() : null
  const sink = opts.sink
  let size = 0
  try {
    for await (const part of input) {
      const chunk = part as Buffer
      declared?.update(chunk)
      if (sha !== declared) sha?.update(chunk)
      mapper?.update(chunk)
      await sink?.push(chunk)
      size += chunk.length
    }
    await sink?.finish()
  } catch (e) {
    throw new DriverError(`downloading ${ref.url} failed after ${size} bytes: ${(e as Error).message}`, { code: 'IMAGE_DOWNLOAD_FAILED' })
  }
  const sha256 = sha?.digest('hex') ?? null
  const digest = declared === sha ? sha256 : declared?.digest('hex')
  if (ref.hashValue && digest !== undefined && digest !== null && digest !== ref.hashValue.toLowerCase()) {
    throw new DriverError(`image checksum mismatch: ${algo} of ${ref.url} is ${digest}, expected ${ref.hashValue}`, { code: 'IMAGE_CHECKSUM_MISMATCH' })
  }
  return { sha256, size, map: mapper?.finish() ?? null }
}

/** The path of `url` when it names a file on this conductor's boot server, else null. */
function localBootFile(files: BootFiles, url: string): string | null {
  const base = files.baseUrl.replace(/\/+$/, '') + '/'
  if (files.baseUrl === '' || !url.startsWith(base)) return null
  try {
    return bootFilePath(files, url.slice(base.length).split('/').map(decodeURIComponent).join('/'))
  } catch {
    return null
  }
}
