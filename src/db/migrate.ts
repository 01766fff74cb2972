import { Migrator } from 'kysely'
import type { Kysely, Migration, MigrationProvider } from 'kysely'
import type { Database, DialectName } from './database.js'
import * as m0001 from './migrations/0001-initial.js'
import * as m0002 from './migrations/0002-allocations-templates-volume.js'
import * as m0003 from './migrations/0003-node-inventory.js'
import * as m0004 from './migrations/0004-history-phase.js'

/** What each migration gets besides the handle: the engine-specific pieces of DDL. */
export interface MigrationContext {
  dialect: DialectName
  /** Auto-incrementing integer primary key type. */
  idColumn: 'integer' | 'serial'
}

type MigrationModule = { up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> }

/** Every migration, in order. Add new ones here (NNNN-name.ts); never edit a released one. */
export const MIGRATIONS: ReadonlyArray<readonly [string, MigrationModule]> = [
  ['0001-initial', m0001],
  ['0002-allocations-templates-volume', m0002],
  ['0003-node-inventory', m0003],
  ['0004-history-phase', m0004],
]

/**
 * Brings the schema up to date. Idempotent; safe to run at every start. Throws with the name of
 * the failing migration.
 */
export async function migrateToLatest(database: Database): Promise<string[]> {
  const ctx: MigrationContext = {
    dialect: database.dialect,
    idColumn: database.dialect === 'postgres' ? 'serial' : 'integer',
  }
  const provider: MigrationProvider = {
    async getMigrations() {
      const out: Record<string, Migration> = {}
      for (const [name, mod] of MIGRATIONS) out[name] = { up: (db) => mod.up(db, ctx) }
      return out
    },
  }
  const migrator = new Migrator({ db: database.db, provider })
  const { error, results } = await migrator.migrateToLatest()
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown'
    throw new Error(`database migration ${failed} failed: ${(error as Error).message}`, { cause: error })
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName)
}
