import { readFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { join } from 'node:path'
import { request } from 'undici'
import { parseDocument, LineCounter } from 'yaml'

/** A failed API call, with the server's faultstring as the message. */
export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message)
  }
}

/** A small REST client for Ferrum's (or any Ironic's) v1 API. */
export class ApiClient {
  constructor(readonly baseUrl: string, readonly version = 'latest', readonly token: string | null = null) {}

  async call<T = unknown>(method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    let res
    const headers: Record<string, string> = { 'content-type': 'application/json', 'x-openstack-ironic-api-version': this.version }
    if (this.token) headers['x-auth-token'] = this.token
    try {
      res = await request(`${this.baseUrl.replace(/\/$/, '')}${path}`, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        headersTimeout: 30_000,
        bodyTimeout: 60_000,
      })
    } catch (e) {
      throw new Error(`cannot reach the Ferrum API at ${this.baseUrl} (${(e as Error).message}). Is "ferrum up" running? Set --url or FERRUM_URL.`, { cause: e })
    }
    const text = await res.body.text()
    if (res.statusCode === 401 || res.statusCode === 403) {
      const why = faultstring(text) ?? `HTTP ${res.statusCode}`
      throw new ApiError(res.statusCode, `the API at ${this.baseUrl} refused the request (${why}): ${this.token ? 'the token given is not accepted; get a new one' : 'it wants credentials; set token in ~/.config/ferrum/config.yaml or OS_TOKEN'}`)
    }
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

/** What `~/.config/ferrum/config.yaml` (or $FERRUM_CONFIG) may say. */
export interface CliConfig {
  /** The API URL. */
  url?: string
  /** A token sent as X-Auth-Token. */
  token?: string
}

/** Where the CLI's config file lives: $FERRUM_CONFIG, else $XDG_CONFIG_HOME/ferrum/config.yaml. */
export function cliConfigPath(): string {
  return process.env.FERRUM_CONFIG ?? join(process.env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'ferrum', 'config.yaml')
}

/**
 * The CLI's config file, or {} when there is none.
 * @throws Error naming the file and line of a malformed one
 */
export function readCliConfig(path = cliConfigPath()): CliConfig {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {}
    throw new Error(`cannot read ${path}: ${(e as Error).message}`, { cause: e })
  }
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines })
  if (doc.errors.length > 0) {
    const err = doc.errors[0]
    throw new Error(`${path}:${lines.linePos(err.pos[0]).line}: ${err.message.split('\n')[0]}`)
  }
  const value: unknown = doc.toJS() ?? {}
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${path}: expected keys such as "url: http://HOST:6385", got ${Array.isArray(value) ? 'a list' : typeof value}`)
  const out: CliConfig = {}
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k !== 'url' && k !== 'token') throw new Error(`${path}: unknown key "${k}" (known: url, token)`)
    if (typeof v !== 'string' || v === '') throw new Error(`${path}: "${k}" must be a non-empty string`)
    out[k] = v
  }
  return out
}

/** The API URL: --url, else FERRUM_URL, else OS_ENDPOINT, else the config file, else the local default. */
export function apiUrl(flag?: string): string {
  return flag ?? process.env.FERRUM_URL ?? process.env.OS_ENDPOINT ?? readCliConfig().url ?? 'http://127.0.0.1:6385'
}

/** A client for the API the flags, environment or config file name (with its token, if any). */
export function clientFor(flagUrl?: string): ApiClient {
  return new ApiClient(apiUrl(flagUrl), 'latest', process.env.OS_TOKEN ?? readCliConfig().token ?? null)
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
