import { tooOldError, requireVersion } from './route-meta.js'
import type { FastifyRequest } from 'fastify'
import { ValidationError } from '../domain/errors.js'
import { allows } from './microversions.js'
import type { ApiVersion, Feature } from './microversions.js'
import { qbool, qstr } from './query.js'
import type { Query } from './query.js'

/**
 * Shared rules of Ironic's simpler collections (ports, port groups, chassis, conductors):
 * which fields a resource has and when each appeared, `fields=` and `detail=` parsing, and
 * field selection. Fields newer than the request's version are hidden in responses and
 * rejected with 406 in requests; unknown fields are a 400.
 */

/** Field name → the feature it appeared with (null = always there), in display order. */
export type FieldTable = ReadonlyArray<readonly [string, Feature | null]>

/** Whether `field` exists in the table and is visible at `v`. */
export function fieldVisible(table: FieldTable, field: string, v: ApiVersion): boolean {
  const row = table.find(([f]) => f === field)
  return row !== undefined && (row[1] === null || allows(v, row[1]))
}

/** Throws 400 for names the resource does not have and 406 for names newer than the request. */
export function checkFieldNames(req: FastifyRequest, table: FieldTable, names: readonly string[], what = 'field'): void {
  const unknown = names.filter((n) => !table.some(([f]) => f === n))
  if (unknown.length > 0) throw new ValidationError(`Field(s) "${unknown.join(', ')}" are not valid for this resource.`, { code: 'FERRUM_INVALID_FIELD' })
  for (const n of names) {
    const feature = table.find(([f]) => f === n)![1]
    if (feature !== null && !allows(req.apiVersion, feature)) throw tooOldError(req, feature, `The "${n}" ${what}`)
  }
}

/** `?fields=a,b` of a show or list request (1.8+), checked against the table. */
export function parseFields(req: FastifyRequest, q: Query, table: FieldTable): string[] | undefined {
  const raw = qstr(q, 'fields')
  if (raw === undefined) return undefined
  requireVersion(req, 'fields_selector', 'The "fields" query parameter')
  const names = raw.split(',').map((s) => s.trim()).filter((s) => s !== '')
  checkFieldNames(req, table, names)
  return names
}

/**
 * What a list request wants: the fields to show, or undefined for all of them (detail). A plain
 * list shows `defaults`; `?detail=true` (1.43+) or the `/detail` path shows everything.
 */
export function listFields(req: FastifyRequest, q: Query, table: FieldTable, defaults: readonly string[], onDetailPath: boolean): string[] | undefined {
  const detailRaw = qstr(q, 'detail')
  let detail = onDetailPath
  if (detailRaw !== undefined) {
    if (onDetailPath) throw new ValidationError('The "detail" query parameter can not be used on a /detail path.')
    if (!allows(req.apiVersion, 'detail_query')) {
      // Ironic prints the value it read (a Python bool); the version needed goes in the remedy.
      throw new ValidationError(`Invalid query parameter ?detail=${qbool(q, 'detail') ? 'True' : 'False'} received.`, { details: { ferrum_remedy: 'The "detail" query parameter needs API version 1.43 or newer.' } })
    }
    detail = qbool(q, 'detail') ?? false
  }
  if (qstr(q, 'fields') !== undefined) {
    if (onDetailPath) throw new ValidationError('The "fields" query parameter can not be used on a /detail path; use the plain list.')
    if (detail) throw new ValidationError('Can not specify ?detail=True and fields in the same request.')
    return parseFields(req, q, table)
  }
  return detail ? undefined : [...defaults]
}

/**
 * Picks the visible fields of `all` in table order: every visible one, or only `fields`.
 * `links` (and any other link lists) are always kept, as Ironic does.
 */
export function pickFields(all: Record<string, unknown>, table: FieldTable, v: ApiVersion, fields?: readonly string[], alwaysKept: readonly string[] = ['links']): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const [f, feature] of table) {
    if (feature !== null && !allows(v, feature)) continue
    if (fields !== undefined && !fields.includes(f) && !alwaysKept.includes(f)) continue
    if (all[f] === undefined) continue
    out[f] = all[f]
  }
  return out
}

/** `sort_key` must be a sortable column the request's version can see. */
export function checkSortKey(req: FastifyRequest, q: Query, table: FieldTable, notSortable: readonly string[]): void {
  const key = qstr(q, 'sort_key')
  if (key === undefined) return
  if (notSortable.includes(key)) throw new ValidationError(`The sort_key value ${key} is an invalid field for sorting`)
  const row = table.find(([f]) => f === key)
  if (row && row[1] !== null && !allows(req.apiVersion, row[1])) throw tooOldError(req, row[1], `Sorting by "${key}"`)
}
