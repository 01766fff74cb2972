import type { Kysely } from 'kysely'
import type { MigrationContext } from '../migrate.js'

/**
 * Allocations, deploy templates and runbooks (each with its steps), volume connectors and
 * targets, and the cached BIOS settings of nodes. Rows that belong to a node go with it
 * (ON DELETE CASCADE), as Ironic's destroy_node removes them.
 */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  const { idColumn } = ctx
  await db.schema
    .createTable('allocations')
    .addColumn('id', idColumn, (c) => c.primaryKey())
    .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('name', 'varchar(255)', (c) => c.unique())
    .addColumn('node_id', 'integer', (c) => c.references('nodes.id').onDelete('cascade'))
    .addColumn('state', 'varchar(15)', (c) => c.notNull())
    .addColumn('owner', 'varchar(255)')
    .addColumn('last_error', 'text')
    .addColumn('resource_class', 'varchar(80)')
    .addColumn('traits', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('candidate_nodes', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('extra', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('conductor_affinity', 'integer')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)')
    .execute()
  await db.schema.createIndex('allocations_node_id_idx').on('allocations').column('node_id').execute()
  await db.schema.createIndex('allocations_state_idx').on('allocations').column('state').execute()

  await db.schema
    .createTable('deploy_templates')
    .addColumn('id', idColumn, (c) => c.primaryKey())
    .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('name', 'varchar(255)', (c) => c.notNull().unique())
    .addColumn('extra', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)')
    .execute()
  await db.schema
    .createTable('deploy_template_steps')
    .addColumn('id', idColumn, (c) => c.primaryKey())
    .addColumn('deploy_template_id', 'integer', (c) => c.notNull().references('deploy_templates.id').onDelete('cascade'))
    .addColumn('interface', 'varchar(255)', (c) => c.notNull())
    .addColumn('step', 'varchar(255)', (c) => c.notNull())
    .addColumn('args', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('priority', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('deploy_template_steps_template_idx').on('deploy_template_steps').column('deploy_template_id').execute()

  await db.schema
    .createTable('runbooks')
    .addColumn('id', idColumn, (c) => c.primaryKey())
    .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('name', 'varchar(255)', (c) => c.notNull().unique())
    .addColumn('public', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('owner', 'varchar(255)')
    .addColumn('disable_ramdisk', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('extra', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)')
    .execute()
  await db.schema
    .createTable('runbook_steps')
    .addColumn('id', idColumn, (c) => c.primaryKey())
    .addColumn('runbook_id', 'integer', (c) => c.notNull().references('runbooks.id').onDelete('cascade'))
    .addColumn('interface', 'varchar(255)', (c) => c.notNull())
    .addColumn('step', 'varchar(255)', (c) => c.notNull())
    .addColumn('args', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('order', 'integer', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('runbook_steps_runbook_idx').on('runbook_steps').column('runbook_id').execute()

  await db.schema
    .createTable('volume_connectors')
    .addColumn('id', idColumn, (c) => c.primaryKey())
    .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('node_id', 'integer', (c) => c.notNull().references('nodes.id').onDelete('cascade'))
    .addColumn('type', 'varchar(32)', (c) => c.notNull())
    .addColumn('connector_id', 'varchar(255)', (c) => c.notNull())
    .addColumn('extra', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)')
    .addUniqueConstraint('volume_connectors_type_connector_id_uq', ['type', 'connector_id'])
    .execute()
  await db.schema.createIndex('volume_connectors_node_id_idx').on('volume_connectors').column('node_id').execute()

  await db.schema
    .createTable('volume_targets')
    .addColumn('id', idColumn, (c) => c.primaryKey())
    .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('node_id', 'integer', (c) => c.notNull().references('nodes.id').onDelete('cascade'))
    .addColumn('volume_type', 'varchar(64)', (c) => c.notNull())
    .addColumn('properties', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('boot_index', 'integer', (c) => c.notNull())
    .addColumn('volume_id', 'varchar(36)', (c) => c.notNull())
    .addColumn('extra', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)')
    .addUniqueConstraint('volume_targets_node_id_boot_index_uq', ['node_id', 'boot_index'])
    .execute()

  await db.schema
    .createTable('bios_settings')
    .addColumn('node_id', 'integer', (c) => c.notNull().references('nodes.id').onDelete('cascade'))
    .addColumn('name', 'varchar(255)', (c) => c.notNull())
    .addColumn('value', 'text')
    .addColumn('attribute_type', 'varchar(255)')
    .addColumn('allowable_values', 'text')
    .addColumn('lower_bound', 'integer')
    .addColumn('max_length', 'integer')
    .addColumn('min_length', 'integer')
    .addColumn('read_only', 'integer')
    .addColumn('reset_required', 'integer')
    .addColumn('unique', 'integer')
    .addColumn('upper_bound', 'integer')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)')
    .addPrimaryKeyConstraint('bios_settings_pk', ['node_id', 'name'])
    .execute()
}
