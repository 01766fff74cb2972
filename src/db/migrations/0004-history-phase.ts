import type { Kysely } from 'kysely'
import type { MigrationContext } from '../migrate.js'

/**
 * History entries that close a provisioning phase (power on, network boot, image write, …) name
 * it, so a timeline of the last deploy can be read back from the history alone.
 */
export async function up(db: Kysely<unknown>, _ctx: MigrationContext): Promise<void> {
  await db.schema.alterTable('node_history').addColumn('phase', 'varchar(64)').execute()
}
