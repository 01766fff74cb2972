import { Agent, request } from 'undici'

export interface Reply {
  status: number
  body: unknown
  ms: number
}

/** Counts what the benchmark sent, so each phase can report its request load. */
export interface RequestCounter {
  requests: number
  retries: number
}

/**
 * A small Ironic v1 REST client over undici with a fixed microversion header and a keep-alive
 * connection pool. Every request body is JSON; every response is read fully.
 */
export class BenchClient {
  readonly #agent: Agent
  readonly #base: string
  readonly #headers: Record<string, string>

  constructor(endpoint: string, apiVersion: string, connections: number) {
    this.#base = endpoint.replace(/\/+$/, '')
    this.#agent = new Agent({ connections, keepAliveTimeout: 30_000, headersTimeout: 300_000, bodyTimeout: 300_000 })
    this.#headers = { 'x-openstack-ironic-api-version': apiVersion, accept: 'application/json' }
  }

  get base(): string {
    return this.#base
  }

  async call(method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown, counter?: RequestCounter): Promise<Reply> {
    const url = path.startsWith('http') ? path : `${this.#base}${path}`
    const headers = body === undefined ? this.#headers : { ...this.#headers, 'content-type': 'application/json' }
    const t0 = performance.now()
    const res = await request(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), dispatcher: this.#agent })
    const text = await res.body.text()
    const ms = performance.now() - t0
    if (counter) counter.requests++
    let parsed: unknown = null
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text)
      } catch {
        parsed = text
      }
    }
    return { status: res.statusCode, body: parsed, ms }
  }

  /**
   * Sends an action and retries it while the server says "try again": 409 for a node that is
   * still locked by its previous operation, 503 for a conductor with no free worker.
   */
  async action(method: 'POST' | 'PUT', path: string, body: unknown, counter: RequestCounter, deadline: number): Promise<Reply> {
    let delay = 20
    while (true) {
      const r = await this.call(method, path, body, counter)
      const retryable = r.status === 503 || (r.status === 409 && /locked/i.test(faultString(r.body)))
      if (!retryable || Date.now() + delay > deadline) return r
      counter.retries++
      await sleep(delay)
      delay = Math.min(delay * 2, 1000)
    }
  }

  async close(): Promise<void> {
    await this.#agent.close()
  }
}

/** The human-readable message inside Ironic's error body (`error_message` holds JSON). */
export function faultString(body: unknown): string {
  if (body === null || typeof body !== 'object') return String(body ?? '')
  const em = (body as Record<string, unknown>).error_message
  if (typeof em !== 'string') return JSON.stringify(body)
  try {
    const inner = JSON.parse(em) as { faultstring?: string }
    return inner.faultstring ?? em
  } catch {
    return em
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}
