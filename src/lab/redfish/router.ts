import type { IncomingHttpHeaders } from 'node:http'
import { errors } from './errors.js'

/** What a handler sees: the decoded path parameters and the parsed JSON body (POST/PATCH only). */
export interface RouteContext {
  readonly method: string
  readonly path: string
  readonly params: Readonly<Record<string, string>>
  readonly headers: IncomingHttpHeaders
  /** A JSON object for POST/PATCH/PUT with a body; `{}` when the body was empty. */
  readonly body: Record<string, unknown>
}

/** What a handler returns. `etag: true` stamps `@odata.etag` into the body and sets `ETag`. */
export interface Reply {
  status: number
  body?: unknown
  headers?: Record<string, string>
  etag?: boolean
}

export type Handler = (ctx: RouteContext) => Reply | Promise<Reply>

interface Route {
  segments: readonly string[]
  handlers: Map<string, Handler>
}

export type RouteMatch =
  | { kind: 'found'; handler: Handler; params: Record<string, string>; allow: string[] }
  | { kind: 'method'; allow: string[] }
  | { kind: 'none' }

/**
 * A small exact-segment router: `:name` matches one path segment. Literal routes win over
 * parameterised ones at the same depth, so `/Sessions/Members` never shadows a literal.
 */
export class Router {
  readonly #routes: Route[] = []

  on(method: string, pattern: string, handler: Handler): this {
    const segments = split(pattern)
    let route = this.#routes.find((r) => r.segments.join('/') === segments.join('/'))
    if (!route) {
      route = { segments, handlers: new Map() }
      this.#routes.push(route)
      // More literal segments first: a literal beats a parameter in the same position.
      this.#routes.sort((a, b) => literalScore(b) - literalScore(a))
    }
    route.handlers.set(method, handler)
    return this
  }

  get(pattern: string, handler: Handler): this {
    return this.on('GET', pattern, handler)
  }

  match(method: string, path: string): RouteMatch {
    const parts = split(path)
    for (const route of this.#routes) {
      const params = matchSegments(route.segments, parts)
      if (!params) continue
      const allow = [...route.handlers.keys()]
      if (allow.includes('GET')) allow.push('HEAD')
      const effective = method === 'HEAD' ? 'GET' : method
      const handler = route.handlers.get(effective)
      if (handler) return { kind: 'found', handler, params, allow }
      return { kind: 'method', allow }
    }
    return { kind: 'none' }
  }
}

function split(path: string): string[] {
  return path.split('/').filter((s) => s.length > 0)
}

function literalScore(r: Route): number {
  return r.segments.reduce((n, s, i) => n + (s.startsWith(':') ? 0 : 2 ** (16 - i)), 0)
}

function matchSegments(pattern: readonly string[], parts: readonly string[]): Record<string, string> | null {
  if (pattern.length !== parts.length) return null
  const params: Record<string, string> = {}
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i]
    const v = parts[i]
    if (p.startsWith(':')) params[p.slice(1)] = v
    else if (p !== v) return null
  }
  return params
}

/**
 * Normalises a request target: drops the query string and trailing slashes and percent-decodes
 * each segment. Throws a Redfish 404 for undecodable input rather than letting it escape.
 */
export function normalisePath(rawUrl: string): string {
  const q = rawUrl.indexOf('?')
  const pathOnly = q >= 0 ? rawUrl.slice(0, q) : rawUrl
  let decoded: string
  try {
    decoded = pathOnly
      .split('/')
      .map((s) => decodeURIComponent(s))
      .join('/')
  } catch {
    throw errors.notFound(pathOnly.slice(0, 200))
  }
  const trimmed = decoded.replace(/\/+$/, '')
  return trimmed === '' ? '/' : trimmed
}
