import { ValidationError } from '../domain/errors.js'
import { ironicBool } from './validate.js'

/** Query-string helpers with Ironic's parsing rules and clear 400s. */
export type Query = Record<string, string | string[] | undefined>

export function qstr(q: Query, key: string): string | undefined {
  const v = q[key]
  return Array.isArray(v) ? v[v.length - 1] : v
}

/** A boolean query parameter, read as Ironic reads it (strictly), with its message. */
export function qbool(q: Query, key: string): boolean | undefined {
  const v = qstr(q, key)
  if (v === undefined) return undefined
  return ironicBool(v, key) ?? undefined
}

export function qint(q: Query, key: string, min: number, max: number): number | undefined {
  const v = qstr(q, key)
  if (v === undefined) return undefined
  if (!/^\s*[-+]?\d+\s*$/.test(v)) throw new ValidationError(`Expected an integer for ${key}: ${v}`, { details: { ferrum_remedy: 'Use a whole number.' } })
  const n = Number(v)
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
    params.set(k, Array.isArray(v) ? v[v.length - 1] : v)
  }
  params.set('limit', String(limit))
  params.set('marker', lastId)
  return `${base}/v1/${path}?${params.toString()}`
}
