import { request } from 'undici'

/** A failed API call, with the server's faultstring as the message. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message)
  }
}

/** A small REST client for Ferrum's (or any Ironic's) v1 API. */
export class ApiClient {
  constructor(readonly baseUrl: string, readonly version = 'latest') {}

  async call<T = unknown>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    let res
    try {
      res = await request(`${this.baseUrl.replace(/\/$/, '')}${path}`, {
        method,
        headers: { 'content-type': 'application/json', 'x-openstack-ironic-api-version': this.version },
        body: body === undefined ? undefined : JSON.stringify(body),
        headersTimeout: 30_000,
        bodyTimeout: 60_000,
      })
    } catch (e) {
      throw new Error(`cannot reach the Ferrum API at ${this.baseUrl} (${(e as Error).message}). Is "ferrum up" running? Set --url or FERRUM_URL.`, { cause: e })
    }
    const text = await res.body.text()
    if (res.statusCode >= 400) throw new ApiError(res.statusCode, faultstring(text) ?? `HTTP ${res.statusCode}`)
    return (text === '' ? null : JSON.parse(text)) as T
  }
}

function faultstring(text: string): string | null {
  try {
    const outer = JSON.parse(text) as { error_message?: string }
    if (typeof outer.error_message === 'string') {
      try {
        return (JSON.parse(outer.error_message) as { faultstring?: string }).faultstring ?? outer.error_message
      } catch {
        return outer.error_message
      }
    }
  } catch {
    // not JSON
  }
  return text.slice(0, 500) || null
}

/** The API URL: --url, else FERRUM_URL, else OS_ENDPOINT, else the local default. */
export function apiUrl(flag?: string): string {
  return flag ?? process.env.FERRUM_URL ?? process.env.OS_ENDPOINT ?? 'http://127.0.0.1:6385'
}

/** Renders rows as an aligned text table. */
export function table(headers: string[], rows: unknown[][]): string {
  const cells = rows.map((r) => r.map((c) => (c === null || c === undefined ? '' : typeof c === 'object' ? JSON.stringify(c) : String(c))))
  const widths = headers.map((h, i) => Math.max(h.length, ...cells.map((r) => r[i].length)))
  const line = (r: string[]) => r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd()
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...cells.map(line)].join('\n')
}

/** key=value pairs into an object; values that parse as JSON are taken as JSON. */
export function parsePairs(pairs: string[] = [], what = 'value'): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const p of pairs) {
    const i = p.indexOf('=')
    if (i <= 0) throw new Error(`bad ${what} "${p}": use key=value`)
    const raw = p.slice(i + 1)
    let v: unknown
    try {
      v = JSON.parse(raw)
    } catch {
      v = raw
    }
    out[p.slice(0, i)] = v
  }
  return out
}
