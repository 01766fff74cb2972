import type { EventEmitter } from 'node:events'
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely'
import type { PostgresPool, PostgresPoolClient } from 'kysely'
import { ValidationError } from '../domain/errors.js'
import type { Schema } from './schema.js'
import { withStatementCache } from './sqlite-statement-cache.js'

export type DialectName = 'sqlite' | 'postgres'

/** An open database: the Kysely handle plus which engine is behind it. */
export interface Database {
  readonly db: Kysely<Schema>
  readonly dialect: DialectName
  /** Human-readable location with any password masked (for logs). */
  readonly where: string
  close(): Promise<void>
}

/**
 * Opens a database from a URL: `sqlite:///abs/path.db`, `sqlite::memory:` or
 * `postgres://user:pass@host:port/db` (`postgresql://` too). SQLite runs in WAL mode with
 * foreign keys on. Throws a ValidationError-like Error naming the URL forms for anything else.
 */
export async function openDatabase(url: string): Promise<Database> {
  if (url.startsWith('sqlite:')) {
    const { default: SQLite } = await import('better-sqlite3')
    const path = url === 'sqlite::memory:' ? ':memory:' : url.replace(/^sqlite:\/\//, '')
    if (path === '') throw new Error(`bad database URL "${url}": use sqlite:///ABSOLUTE/PATH.db or sqlite::memory:`)
    const sqlite = new SQLite(path)
    sqlite.pragma('journal_mode = WAL')
    sqlite.pragma('synchronous = NORMAL')
    sqlite.pragma('foreign_keys = ON')
    sqlite.pragma('busy_timeout = 5000')
    const db = new Kysely<Schema>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) })
    return { db, dialect: 'sqlite', where: `sqlite:${path}`, close: () => db.destroy() }
  }
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const pg = await import('pg')
    const Pool = pg.default.Pool
    const pool = new Pool({ connectionString: url, max: 10 })
    // The connections not yet closed, so that close() can wait for them.
    const live = new Set<EventEmitter>()
    pool.on('connect', (c: EventEmitter) => {
      live.add(c)
      c.once('end', () => live.delete(c))
    })
    // Fail fast with a clear message when the server is not there.
    const client = await pool.connect().catch((e: unknown) => {
      void pool.end()
      throw new Error(`cannot connect to PostgreSQL at ${maskUrl(url)}: ${(e as Error).message}`, { cause: e })
    })
    client.release()
    const db = new Kysely<Schema>({ dialect: new PostgresDialect({ pool: mappingDataErrors(pool) }) })
    return { db, dialect: 'postgres', where: maskUrl(url), close: () => closePool(db, live) }
  }
  throw new Error(`unsupported database URL "${maskUrl(url)}": use sqlite:///PATH.db, sqlite::memory: or postgres://USER:PASS@HOST/DB`)
}

export function maskUrl(url: string): string {
  return url.replace(/(\/\/[^:/@]+:)[^@]*@/, '$1******@')
}

/**
 * Ends the pool and waits until every connection has really closed: pg's Pool.end() resolves as
 * soon as it has asked its clients to end, before their sockets close, and a server stopped right
 * after (a test's cluster, a restart) would find them still open. Waits at most 5 s.
 */
async function closePool(db: Kysely<Schema>, live: ReadonlySet<EventEmitter>): Promise<void> {
  const closing = [...live].map((c) => new Promise<void>((resolve) => c.once('end', () => resolve())))
  await db.destroy()
  let timer: NodeJS.Timeout | undefined
  await Promise.race([Promise.all(closing), new Promise<void>((resolve) => (timer = setTimeout(resolve, 5000).unref()))])
  clearTimeout(timer)
}

/**
 * PostgreSQL refuses some values SQLite stores: NUL characters in text (22021, 22P05) and
 * strings longer than a varchar column (22001). Those are bad input, so they become a
 * ValidationError (400) instead of reaching the API as an unexpected 500.
 */
function mappingDataErrors(pool: PostgresPool): PostgresPool {
  const map = (e: unknown): unknown => {
    const code = (e as { code?: string } | null)?.code
    if (code === '22021' || code === '22P05') {
      return new ValidationError('Invalid input: text values can not contain NUL (\\u0000) characters.', { cause: e, code: 'FERRUM_INVALID_TEXT' })
    }
    if (code === '22001') {
      return new ValidationError(`Invalid input: a value is too long (${(e as Error).message}).`, { cause: e, code: 'FERRUM_VALUE_TOO_LONG' })
    }
    return e
  }
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect()
      const query = ((sql: unknown, parameters?: ReadonlyArray<unknown>) => {
        // Cursors (streaming) pass through untouched; plain queries get their data errors mapped.
        if (typeof sql !== 'string') return (client.query as (c: unknown) => unknown)(sql)
        return (client.query as (s: string, p?: ReadonlyArray<unknown>) => Promise<unknown>)(sql, parameters).catch((e: unknown) => {
          throw map(e)
        })
      }) as PostgresPoolClient['query']
      return { query, release: (destroy?: boolean) => client.release(destroy) }
    },
    end: () => pool.end(),
  }
}
