import { ValidationError } from '../domain/errors.js'
import { readArg } from './args.js'

/**
 * Readers of a request's query arguments. The route's `querystring` schema (src/api/args.ts)
 * has checked them with Ironic's validators and typed booleans and integers; these read them
 * (and check any that a route reads without declaring, with the same validators and words).
 */
export type Query = Record<string, unknown>

export function qstr(q: Query, key: string): string | undefined {
  const v = q[key]
  if (v === undefined) return undefined
  return typeof v === 'string' ? v : Array.isArray(v) ? String(v[v.length - 1]) : String(v)
}

/** A boolean query argument, read as Ironic reads it (strictly). */
export function qbool(q: Query, key: string): boolean | undefined {
  return q[key] === undefined ? undefined : (readArg('boolean', key, q[key]) as boolean)
}

/** An integer query argument, between `min` and `max`. */
export function qint(q: Query, key: string, min: number, max: number): number | undefined {
  if (q[key] === undefined) return undefined
  const n = readArg('integer', key, q[key]) as number
  if (n < min || n > max) throw new ValidationError(`Invalid value for query parameter ${key}: ${n}. It must be between ${min} and ${max}.`)
  return n
}

/** `fields=a,b,c`, checked against the allowed names. */
export function qfields(q: Query, allowed: (f: string) => boolean): string[] | undefined {
  const v = qstr(q, 'fields')
  if (v === undefined) return undefined
  const list = v.split(',').map((s) => s.trim()).filter((s) => s !== '')
  const bad = list.filter((f) => !allowed(f))
  if (bad.length > 0) throw new ValidationError(`Field ${bad[0]} is not a valid field.`, { details: { ferrum_remedy: `Field(s) "${bad.join(', ')}" are not valid for this resource or API version.` } })
  return list
}

/** Ironic's `limit` (0 or absent = the server maximum) and `sort_key`/`sort_dir`. */
export function qpaging<K extends string>(q: Query, sortKeys: readonly K[], maxLimit: number): { limit: number; sortKey: K; sortDir: 'asc' | 'desc' } {
  const raw = qint(q, 'limit', Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)
  if (raw !== undefined && raw <= 0) throw new ValidationError('Limit must be positive', { details: { ferrum_remedy: 'Give a limit of 1 or more, or leave it out for the server maximum.' } })
  const limit = raw === undefined ? maxLimit : Math.min(raw, maxLimit)
  const sortKey = (qstr(q, 'sort_key') ?? 'id') as K
  if (!sortKeys.includes(sortKey)) {
    throw new ValidationError(`The sort_key value "${sortKey}" is an invalid field for sorting`, { details: { ferrum_remedy: `Use one of: ${sortKeys.join(', ')}.` } })
  }
  const dir = (qstr(q, 'sort_dir') ?? 'asc').toLowerCase()
  if (dir !== 'asc' && dir !== 'desc') throw new ValidationError(`Invalid sort direction: ${dir}. Acceptable values are 'asc' or 'desc'.`)
  return { limit, sortKey, sortDir: dir }
}

/** The `next` link of a page: the same query with the marker set to the last item. */
export function nextLink(base: string, path: string, q: Query, limit: number, count: number, lastId: string | undefined): string | undefined {
  if (count < limit || lastId === undefined) return undefined
  const params = new URLSearchParams()
  for (const [k, v] of Object.entries(q)) {
    if (k === 'marker' || v === undefined) continue
    params.set(k, qstr(q, k)!)
  }
  params.set('limit', String(limit))
  params.set('marker', lastId)
  return `${base}/v1/${path}?${params.toString()}`
}
