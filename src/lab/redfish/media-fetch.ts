import { createWriteStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { Agent, request } from 'undici'

export interface FetchOptions {
  /** Verify the image server's TLS certificate (VirtualMedia.VerifyCertificate). */
  verify: boolean
  signal: AbortSignal
  userName?: string
  password?: string
}

export class MediaFetchError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'MediaFetchError'
  }
}

/**
 * Downloads virtual media images into a private temp directory, as a real BMC streams the
 * image it is told to mount. Bounded by `maxBytes` and `timeoutMs`; `close()` removes every file.
 */
export class MediaFetcher {
  readonly #maxBytes: number
  readonly #timeoutMs: number
  #dir: string | null = null
  #seq = 0
  readonly #verifying = new Agent({ connect: { rejectUnauthorized: true } })
  readonly #lenient = new Agent({ connect: { rejectUnauthorized: false } })

  constructor(opts: { maxBytes?: number; timeoutMs?: number } = {}) {
    this.#maxBytes = opts.maxBytes ?? 16 * 1024 ** 3
    this.#timeoutMs = opts.timeoutMs ?? 120_000
  }

  /** Fetches `url` to a new local file and returns its path; throws MediaFetchError. */
  async fetch(url: string, opts: FetchOptions): Promise<string> {
    let parsed: URL
    try {
      parsed = new URL(url)
    } catch {
      throw new MediaFetchError('the image location is not a valid URL')
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new MediaFetchError(`transfer protocol ${parsed.protocol.replace(':', '')} is not supported (use HTTP or HTTPS)`)
    }
    this.#dir ??= await mkdtemp(join(tmpdir(), 'ferrum-redfish-media-'))
    const file = join(this.#dir, `image-${++this.#seq}.bin`)
    const headers: Record<string, string> = {}
    if (opts.userName !== undefined) {
      headers.authorization = `Basic ${Buffer.from(`${opts.userName}:${opts.password ?? ''}`).toString('base64')}`
    }
    const signal = AbortSignal.any([opts.signal, AbortSignal.timeout(this.#timeoutMs)])
    try {
      const res = await request(parsed, {
        method: 'GET',
        headers,
        signal,
        dispatcher: opts.verify ? this.#verifying : this.#lenient,
      })
      if (res.statusCode !== 200) {
        await res.body.dump().catch(() => undefined)
        throw new MediaFetchError(`the image server answered HTTP ${res.statusCode}`)
      }
      let seen = 0
      const max = this.#maxBytes
      const limit = new Transform({
        transform(chunk: Buffer, _enc, cb) {
          seen += chunk.length
          if (seen > max) cb(new MediaFetchError(`the image is larger than ${max} bytes`))
          else cb(null, chunk)
        },
      })
      await pipeline(res.body, limit, createWriteStream(file), { signal })
      return file
    } catch (err) {
      await rm(file, { force: true })
      if (err instanceof MediaFetchError) throw err
      const reason = err instanceof Error ? (err.cause instanceof Error ? err.cause.message : err.message) : String(err)
      throw new MediaFetchError(reason, { cause: err })
    }
  }

  async discard(path: string | null): Promise<void> {
    if (path) await rm(path, { force: true })
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.#verifying.close(), this.#lenient.close()])
    if (this.#dir) await rm(this.#dir, { recursive: true, force: true })
    this.#dir = null
  }
}
