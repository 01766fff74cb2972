import type { FastifyRequest } from 'fastify'
import type { AppDeps } from './deps.js'

export interface Link {
  href: string
  rel: 'self' | 'bookmark' | 'next' | 'describedby'
  type?: string
}

/** The base URL clients reached us on (or the configured public URL). */
export function baseUrl(req: FastifyRequest, deps: AppDeps): string {
  if (deps.publicUrl) return deps.publicUrl.replace(/\/$/, '')
  const host = req.headers['x-forwarded-host'] ?? req.headers.host ?? '127.0.0.1'
  return `${req.protocol}://${Array.isArray(host) ? host[0] : host}`
}

/** Ironic's self + bookmark pair for `/v1/<path>`. */
export function selfLinks(base: string, path: string): Link[] {
  return [
    { href: `${base}/v1/${path}`, rel: 'self' },
    { href: `${base}/${path}`, rel: 'bookmark' },
  ]
}
