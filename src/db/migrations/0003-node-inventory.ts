import type { Kysely } from 'kysely'
import type { MigrationContext } from '../migrate.js'

/**
 * The hardware inventory in-band inspection stores per node (Ironic's node_inventory: the agent's
 * inventory and the plugin data beside it, as JSON). One row per node; it goes with the node.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  await db.schema
    .createTable('node_inventory')
    .addColumn('id', ctx.idColumn, (c) => c.primaryKey())
    .addColumn('node_id', 'integer', (c) => c.notNull().unique().references('nodes.id').onDelete('cascade'))
    .addColumn('inventory_data', 'text', (c) => c.notNull())
    .addColumn('plugin_data', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)')
    .execute()
}
