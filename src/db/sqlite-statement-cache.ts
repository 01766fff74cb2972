import type { SqliteDatabase, SqliteStatement } from 'kysely'

/** The part of better-sqlite3's Database this wrapper needs. */
interface PreparingDatabase {
  prepare(sql: string): SqliteStatement & { readonly busy?: boolean }
  close(): void
}

/**
 * Wraps a better-sqlite3 database for Kysely so that each distinct SQL text is prepared once.
 *
 * Kysely's SQLite driver calls `prepare()` for every query, and compiling the statement cost
 * about as much as running it (≈ 14 % of Ferrum's CPU in the lifecycle benchmark, bench/). The
 * cache keeps the `max` most recently used statements; one that is still iterating (a streamed
 * query) is never handed out twice — a fresh one is prepared instead.
 */
export function withStatementCache(db: PreparingDatabase, max = 256): SqliteDatabase {
  const cache = new Map<string, SqliteStatement & { readonly busy?: boolean }>()
  return {
    prepare(sql: string): SqliteStatement {
      const hit = cache.get(sql)
      if (hit && !hit.busy) {
        // Re-insert to keep the Map in least-recently-used order.
        cache.delete(sql)
        cache.set(sql, hit)
        return hit
      }
      const stmt = db.prepare(sql)
      if (!hit) {
        cache.set(sql, stmt)
        if (cache.size > max) cache.delete(cache.keys().next().value as string)
      }
      return stmt
    },
    close(): void {
      cache.clear()
      db.close()
    },
  }
}
