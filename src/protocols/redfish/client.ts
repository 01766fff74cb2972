/**
 * Ferrum's Redfish client over undici: session authentication (DSP0266 §13.3.4) with HTTP Basic
 * as fallback, TLS verification (on, off, or a CA bundle), bounded retries with backoff on
 * connection errors and 5xx answers, a timeout on every exchange, ETag/If-Match on PATCH and
 * task-monitor polling for 202 answers (DSP0266 §12.2). It knows nothing of nodes or drivers.
 */
import { systemClock, type Clock } from '../../common/clock.js'
import { readFile } from 'node:fs/promises'
import { Agent, request, type Dispatcher } from 'undici'
import { RedfishError, errorForStatus } from './errors.js'

/** How the client authenticates: a session token, HTTP Basic, or session with Basic as fallback. */
export const REDFISH_AUTH_TYPES = ['auto', 'session', 'basic'] as const
/** One authentication mode. */
export type RedfishAuthType = (typeof REDFISH_AUTH_TYPES)[number]

const SESSIONS_PATH = '/redfish/v1/SessionService/Sessions'

/** Construction options of a {@link RedfishClient}. */
export interface RedfishClientOptions {
  /** `https://host[:port]`; paths given to the methods are appended to it. */
  readonly baseUrl: string
  readonly username?: string
  readonly password?: string
  /** Default `auto`: a session when the BMC offers one, else HTTP Basic. */
  readonly authType?: RedfishAuthType
  /** true (system CAs, the default), false (no verification) or the path of a PEM CA bundle. */
  readonly verify?: boolean | string
  /** PEM CA certificates to trust instead of reading `verify` as a path. */
  readonly caPem?: string
  /** Limit of one exchange (connect, headers and body). Default 30 s. */
  readonly timeoutMs?: number
  /** Extra attempts after a connection error, timeout or 5xx answer. Default 3. */
  readonly retries?: number
  /** First backoff delay; it doubles per attempt up to 5 s. Default 500 ms. */
  readonly retryDelayMs?: number
  /** Injected time (the conductor's clock); the system clock by default. */
  readonly clock?: Clock
}

/** One answer of the BMC. */
export interface RedfishResponse<T = unknown> {
  readonly status: number
  /** Lower-case header names; repeated headers are joined with ", ". */
  readonly headers: Readonly<Record<string, string>>
  /** The parsed JSON body; null when there was none. */
  readonly body: T
  readonly etag: string | undefined
  readonly location: string | undefined
}

/** Per-call options. */
export interface RedfishCallOptions {
  readonly signal?: AbortSignal
  /** Overrides the client's per-exchange timeout. */
  readonly timeoutMs?: number
  readonly headers?: Readonly<Record<string, string>>
}

/** Options of {@link RedfishClient.waitForTask}. */
export interface TaskWaitOptions {
  readonly signal?: AbortSignal
  /** Deadline for the whole task. Default 10 minutes. */
  readonly timeoutMs?: number
  /** Poll interval when the BMC sends no Retry-After. Default 1 s. */
  readonly pollMs?: number
}

type HttpMethod = 'GET' | 'POST' | 'PATCH' | 'DELETE'
type Transport = { readonly kind: 'timeout' | 'connection'; readonly cause: unknown }

/**
 * A connection to one Redfish service as one user. Safe for concurrent calls; reuse it.
 *
 * @example
 * const c = new RedfishClient({ baseUrl: 'https://10.0.0.5', username: 'root', password: 'pw', verify: false })
 * const sys = await c.get('/redfish/v1/Systems/1')
 * await c.close()   // logs the session out
 */
export class RedfishClient {
  readonly baseUrl: string
  readonly #opts: RedfishClientOptions
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>
  readonly #now: () => number
  #dispatcher: Promise<Dispatcher> | null = null
  /** Decided auth mode: null until `auto` has tried a session. */
  #mode: 'session' | 'basic' | null
  #session: { token: string; location: string | undefined } | null = null
  #login: Promise<void> | null = null
  #closed = false

  constructor(opts: RedfishClientOptions) {
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '')
    this.#opts = opts
    const clock = opts.clock ?? systemClock
    this.#sleep = (ms, signal) => clock.sleep(ms, signal)
    this.#now = () => clock.now()
    const auth = opts.authType ?? 'auto'
    this.#mode = auth === 'auto' ? null : auth
  }

  /** The authentication in use: `session`, `basic`, or null before the first authenticated call. */
  get authMode(): 'session' | 'basic' | null {
    return this.#mode
  }

  get<T = Record<string, unknown>>(path: string, opts?: RedfishCallOptions): Promise<RedfishResponse<T>> {
    return this.call<T>('GET', path, undefined, opts)
  }

  post<T = Record<string, unknown> | null>(path: string, body: unknown, opts?: RedfishCallOptions): Promise<RedfishResponse<T>> {
    return this.call<T>('POST', path, body, opts)
  }

  /** PATCH with `If-Match: ifMatch` when given. */
  patch<T = Record<string, unknown> | null>(path: string, body: unknown, opts: RedfishCallOptions & { ifMatch?: string } = {}): Promise<RedfishResponse<T>> {
    const headers = opts.ifMatch === undefined ? opts.headers : { ...opts.headers, 'If-Match': opts.ifMatch }
    return this.call<T>('PATCH', path, body, { ...opts, headers })
  }

  delete(path: string, opts?: RedfishCallOptions): Promise<RedfishResponse<unknown>> {
    return this.call('DELETE', path, undefined, opts)
  }

  /**
   * PATCHes a resource guarded by its current ETag (read first; sent as If-Match when the BMC
   * gives one). A 412 means someone changed it in between: read again and retry once.
   */
  async patchWithEtag<T = Record<string, unknown> | null>(path: string, body: unknown, opts: RedfishCallOptions = {}): Promise<RedfishResponse<T>> {
    for (let attempt = 0; ; attempt++) {
      const current = await this.get(path, opts)
      const etag = current.etag ?? etagOfBody(current.body)
      try {
        return await this.patch<T>(path, body, { ...opts, ifMatch: etag })
      } catch (e) {
        if (attempt === 0 && e instanceof RedfishError && e.status === 412) continue
        throw e
      }
    }
  }

  /**
   * Follows an asynchronous operation: for a 202 with a task monitor in Location, polls it
   * (honouring Retry-After) until it stops answering 202, and returns that answer; any other
   * response is returned as is.
   * @throws RedfishError REDFISH_TIMEOUT past the deadline; REDFISH_ERROR when the task failed
   */
  async waitForTask<T>(res: RedfishResponse<T>, opts: TaskWaitOptions = {}): Promise<RedfishResponse<unknown>> {
    if (res.status !== 202 || res.location === undefined) return res
    const deadline = this.#now() + (opts.timeoutMs ?? 600_000)
    const pollMs = opts.pollMs ?? 1000
    let last: RedfishResponse<unknown> = res
    while (last.status === 202) {
      const wait = Math.min(Math.max(retryAfterMs(last.headers['retry-after'], this.#now()) ?? pollMs, 50), 10_000)
      if (this.#now() + wait > deadline) {
        throw new RedfishError(`The Redfish task ${res.location} did not finish within ${Math.round((opts.timeoutMs ?? 600_000) / 1000)} s.`, {
          code: 'REDFISH_TIMEOUT',
          method: 'GET',
          url: res.location,
        })
      }
      await this.#sleep(wait, opts.signal)
      last = await this.get(res.location, { signal: opts.signal })
    }
    const task = last.body as { TaskState?: unknown; Messages?: { Message?: string; MessageId?: string }[] } | null
    if (task !== null && typeof task === 'object' && ['Exception', 'Killed', 'Cancelled'].includes(String(task.TaskState))) {
      const msg = task.Messages?.[0]
      throw new RedfishError(`The Redfish task ${res.location} ended in state ${String(task.TaskState)}${msg?.Message ? `: ${msg.Message}` : ''}`, {
        code: 'REDFISH_ERROR',
        messageId: msg?.MessageId,
        url: res.location,
      })
    }
    return last
  }

  /**
   * One authenticated call, retried on connection errors and 5xx answers, re-authenticated
   * once on a 401 when a session may have expired.
   * @throws RedfishError (see REDFISH_ERROR_CODES) for failure statuses and exhausted retries
   */
  async call<T>(method: HttpMethod, path: string, body: unknown, opts: RedfishCallOptions = {}): Promise<RedfishResponse<T>> {
    if (this.#closed) throw new RedfishError(`The Redfish client for ${this.baseUrl} is closed.`, { code: 'REDFISH_ERROR' })
    const url = this.#url(path)
    let res = await this.#withRetries(method, url, async () => this.#exchange(method, url, body, await this.#authHeaders(opts), opts), opts)
    if (res.status === 401 && this.#mode === 'session') {
      this.#session = null
      res = await this.#withRetries(method, url, async () => this.#exchange(method, url, body, await this.#authHeaders(opts), opts), opts)
    }
    if (res.status >= 400) throw errorForStatus(method, url, res.status, res.body)
    return res as RedfishResponse<T>
  }

  /** Logs the session out (best effort) and closes the connections. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return
    this.#closed = true
    const session = this.#session
    this.#session = null
    if (session?.location !== undefined) {
      try {
        await this.#exchange('DELETE', this.#url(session.location), undefined, { 'X-Auth-Token': session.token }, { timeoutMs: 5000 })
      } catch {
        // The BMC forgets idle sessions by itself; nothing else to do.
      }
    }
    if (this.#dispatcher !== null) await (await this.#dispatcher.catch(() => null))?.close()
  }

  #url(path: string): string {
    if (/^https?:\/\//i.test(path)) return path
    return `${this.baseUrl}${path.startsWith('/') ? '' : '/'}${path}`
  }

  async #authHeaders(opts: RedfishCallOptions): Promise<Record<string, string>> {
    const { username, password } = this.#opts
    if (username === undefined) return {}
    if (this.#mode === null || this.#mode === 'session') {
      if (this.#session === null) {
        this.#login ??= this.#createSession(opts).finally(() => {
          this.#login = null
        })
        await this.#login
      }
      if (this.#mode === 'session' && this.#session !== null) return { 'X-Auth-Token': this.#session.token }
    }
    return { Authorization: `Basic ${Buffer.from(`${username}:${password ?? ''}`).toString('base64')}` }
  }

  /** POSTs to the Sessions collection. In `auto` mode a BMC without sessions means Basic. */
  async #createSession(opts: RedfishCallOptions): Promise<void> {
    const url = this.#url(SESSIONS_PATH)
    const creds = { UserName: this.#opts.username, Password: this.#opts.password ?? '' }
    const res = await this.#withRetries('POST', url, () => this.#exchange('POST', url, creds, {}, opts), opts)
    const token = res.headers['x-auth-token']
    if (res.status < 300 && token) {
      this.#session = { token, location: res.location ?? idOf(res.body) }
      this.#mode = 'session'
      return
    }
    if (res.status === 401 || res.status === 403 || this.#mode === 'session') {
      throw errorForStatus('POST', url, res.status < 300 ? 500 : res.status, res.body)
    }
    this.#mode = 'basic'
  }

  async #withRetries(method: string, url: string, once: () => Promise<RedfishResponse | Transport>, opts: RedfishCallOptions): Promise<RedfishResponse> {
    const retries = this.#opts.retries ?? 3
    for (let attempt = 0; ; attempt++) {
      const r = await once()
      const failed = 'kind' in r || (r.status >= 500 && r.status !== 501)
      if (!failed) return r
      if (attempt >= retries) {
        if (!('kind' in r)) return r
        const what = r.kind === 'timeout' ? `did not answer within ${Math.round(this.#timeout(opts) / 1000)} s` : `could not be reached (${describe(r.cause)})`
        throw new RedfishError(`The Redfish BMC at ${this.baseUrl} ${what}: ${method} ${url}, ${attempt + 1} attempt(s).`, {
          code: r.kind === 'timeout' ? 'REDFISH_TIMEOUT' : 'REDFISH_UNREACHABLE',
          method,
          url,
          cause: r.cause,
        })
      }
      const base = this.#opts.retryDelayMs ?? 500
      await this.#sleep(Math.min(base * 2 ** attempt, 5000), opts.signal)
    }
  }

  #timeout(opts: RedfishCallOptions): number {
    return opts.timeoutMs ?? this.#opts.timeoutMs ?? 30_000
  }

  /** One HTTP exchange; transport failures come back as values so the caller can retry them. */
  async #exchange(method: string, url: string, body: unknown, auth: Record<string, string>, opts: RedfishCallOptions): Promise<RedfishResponse | Transport> {
    opts.signal?.throwIfAborted()
    const timeout = AbortSignal.timeout(this.#timeout(opts))
    const signal = opts.signal === undefined ? timeout : AbortSignal.any([opts.signal, timeout])
    const payload = body === undefined ? undefined : JSON.stringify(body)
    try {
      const res = await request(url, {
        method: method as Dispatcher.HttpMethod,
        dispatcher: await this.#agent(),
        signal,
        headers: {
          Accept: 'application/json',
          'OData-Version': '4.0',
          ...(payload === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...auth,
          ...opts.headers,
        },
        body: payload,
      })
      const text = await res.body.text()
      const headers: Record<string, string> = {}
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v
      let parsed: unknown = null
      if (text.trim().length > 0) {
        try {
          parsed = JSON.parse(text)
        } catch {
          parsed = { error: { message: text.slice(0, 200) } }
        }
      }
      return { status: res.statusCode, headers, body: parsed, etag: headers.etag, location: headers.location }
    } catch (e) {
      if (opts.signal?.aborted) throw opts.signal.reason
      if (e instanceof RedfishError) throw e
      return { kind: timeout.aborted ? 'timeout' : 'connection', cause: e }
    }
  }

  #agent(): Promise<Dispatcher> {
    this.#dispatcher ??= (async () => {
      const { verify = true, caPem } = this.#opts
      let ca: string | undefined = caPem
      if (ca === undefined && typeof verify === 'string') {
        try {
          ca = await readFile(verify, 'utf8')
        } catch (e) {
          throw new RedfishError(`Cannot read the Redfish CA bundle ${verify}: ${describe(e)}`, { code: 'REDFISH_ERROR', cause: e })
        }
      }
      return new Agent({ connect: { rejectUnauthorized: verify !== false, ...(ca === undefined ? {} : { ca }) }, keepAliveTimeout: 4000 })
    })()
    return this.#dispatcher
  }
}

/** Milliseconds to wait per a Retry-After header (delta-seconds or HTTP-date). */
export function retryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined || value.trim() === '') return undefined
  if (/^\d+$/.test(value.trim())) return Number(value.trim()) * 1000
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

function etagOfBody(body: unknown): string | undefined {
  const tag = (body as { '@odata.etag'?: unknown } | null)?.['@odata.etag']
  return typeof tag === 'string' ? tag : undefined
}

function idOf(body: unknown): string | undefined {
  const id = (body as { '@odata.id'?: unknown } | null)?.['@odata.id']
  return typeof id === 'string' ? id : undefined
}

function describe(e: unknown): string {
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code
    const cause = e.cause instanceof Error ? `: ${e.cause.message}` : ''
    return `${typeof code === 'string' ? `${code} ` : ''}${e.message}${cause}`
  }
  return String(e)
}
