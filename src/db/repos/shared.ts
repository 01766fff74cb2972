/** What every repository shares: list options, keyset pagination, LIKE escaping. */

/** Options of a list query. */
export interface ListOptions<K extends string> {
  limit?: number
  sortKey?: K
  sortDir?: 'asc' | 'desc'
  /** The record the previous page ended with. */
  marker?: Record<string, unknown> & { id: number }
}

/** `s` with LIKE wildcards escaped (use with ESCAPE '\\'). */
export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`)
}

/**
 * Keyset pagination shared by every list: ORDER BY sortKey, id; with a marker, only rows after
 * it. NULLs sort first ascending on both engines (PostgreSQL is told so explicitly).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function applyPage(q: any, opts: ListOptions<string>): any {
  const key = opts.sortKey ?? 'id'
  const dir = opts.sortDir ?? 'asc'
  const cmp = dir === 'asc' ? '>' : '<'
  if (opts.marker) {
    const m = opts.marker
    const mv = m[key] ?? null
    if (key === 'id') {
      q = q.where('id', cmp, m.id)
    } else {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      q = q.where((eb: any) => {
        const v = normaliseSortValue(mv)
        if (v === null) {
          // NULLs come first ascending (last descending): after a NULL come the non-NULLs (asc) or the rest of NULLs.
          return dir === 'asc'
            ? eb.or([eb(key, 'is not', null), eb.and([eb(key, 'is', null), eb('id', '>', m.id)])])
            : eb.and([eb(key, 'is', null), eb('id', '<', m.id)])
        }
        const after = eb.or([eb(key, cmp, v), eb.and([eb(key, '=', v), eb('id', cmp, m.id)])])
        return dir === 'asc' ? after : eb.or([after, eb(key, 'is', null)])
      })
    }
  }
  q = q.orderBy(key, (ob: { asc(): unknown; desc(): unknown; nullsFirst(): unknown; nullsLast(): unknown }) =>
    dir === 'asc' ? (ob.asc() as typeof ob).nullsFirst() : (ob.desc() as typeof ob).nullsLast())
  if (key !== 'id') q = q.orderBy('id', dir)
  if (opts.limit !== undefined) q = q.limit(opts.limit)
  return q
}

function normaliseSortValue(v: unknown): unknown {
  if (typeof v === 'boolean') return v ? 1 : 0
  if (v !== null && typeof v === 'object') return JSON.stringify(v)
  return v ?? null
}
