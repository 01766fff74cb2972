import type { Kysely } from 'kysely'
import type { MigrationContext } from '../migrate.js'

/** The inventory: nodes, traits, ports, port groups, chassis, conductors, node history. */
export async function up(db: Kysely<unknown>, ctx: MigrationContext): Promise<void> {
  const { idColumn } = ctx
  await db.schema
    .createTable('chassis')
    .addColumn('id', idColumn, (c) => c.primaryKey())
    .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('description', 'text')
    .addColumn('extra', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)')
    .execute()

  let nodes = db.schema
    .createTable('nodes')
    .addColumn('id', idColumn, (c) => c.primaryKey())
    .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('name', 'varchar(255)', (c) => c.unique())
    .addColumn('chassis_id', 'integer', (c) => c.references('chassis.id'))
    .addColumn('instance_uuid', 'varchar(36)', (c) => c.unique())
    .addColumn('driver', 'varchar(255)', (c) => c.notNull())
  for (const col of ['driver_info', 'driver_internal_info', 'extra', 'instance_info', 'properties']) {
    nodes = nodes.addColumn(col, 'text', (c) => c.notNull().defaultTo('{}'))
  }
  nodes = nodes
    .addColumn('power_state', 'varchar(15)')
    .addColumn('target_power_state', 'varchar(15)')
    .addColumn('provision_state', 'varchar(15)', (c) => c.notNull())
    .addColumn('target_provision_state', 'varchar(15)')
    .addColumn('provision_updated_at', 'varchar(32)')
    .addColumn('last_error', 'text')
    .addColumn('maintenance', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('maintenance_reason', 'text')
    .addColumn('fault', 'varchar(255)')
    .addColumn('console_enabled', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('reservation', 'varchar(255)')
    .addColumn('conductor_affinity', 'integer')
    .addColumn('conductor_group', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('resource_class', 'varchar(80)')
  for (const kind of [
    'bios', 'boot', 'console', 'deploy', 'firmware', 'inspect', 'management',
    'network', 'power', 'raid', 'rescue', 'storage', 'vendor',
  ]) {
    nodes = nodes.addColumn(`${kind}_interface`, 'varchar(255)')
  }
  nodes = nodes
    .addColumn('inspection_started_at', 'varchar(32)')
    .addColumn('inspection_finished_at', 'varchar(32)')
    .addColumn('clean_step', 'text')
    .addColumn('deploy_step', 'text')
    .addColumn('service_step', 'text')
    .addColumn('raid_config', 'text')
    .addColumn('target_raid_config', 'text')
    .addColumn('owner', 'varchar(255)')
    .addColumn('lessee', 'varchar(255)')
    .addColumn('allocation_id', 'integer')
    .addColumn('description', 'text')
    .addColumn('automated_clean', 'integer')
    .addColumn('protected', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('protected_reason', 'text')
    .addColumn('retired', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('retired_reason', 'text')
    .addColumn('network_data', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('boot_mode', 'varchar(16)')
    .addColumn('secure_boot', 'integer')
    .addColumn('shard', 'varchar(255)')
    .addColumn('parent_node', 'varchar(36)')
    .addColumn('disable_power_off', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)')
  await nodes.execute()
  for (const col of ['provision_state', 'reservation', 'conductor_group', 'resource_class', 'owner', 'lessee', 'shard']) {
    await db.schema.createIndex(`nodes_${col}_idx`).on('nodes').column(col).execute()
  }

  await db.schema
    .createTable('node_traits')
    .addColumn('node_id', 'integer', (c) => c.notNull().references('nodes.id').onDelete('cascade'))
    .addColumn('trait', 'varchar(255)', (c) => c.notNull())
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addPrimaryKeyConstraint('node_traits_pk', ['node_id', 'trait'])
    .execute()

  await db.schema
    .createTable('portgroups')
    .addColumn('id', idColumn, (c) => c.primaryKey())
    .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('name', 'varchar(255)', (c) => c.unique())
    .addColumn('address', 'varchar(18)', (c) => c.unique())
    .addColumn('node_id', 'integer', (c) => c.notNull().references('nodes.id'))
    .addColumn('extra', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('internal_info', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('standalone_ports_supported', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('mode', 'varchar(255)')
    .addColumn('properties', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('physical_network', 'varchar(64)')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)')
    .execute()

  await db.schema
    .createTable('ports')
    .addColumn('id', idColumn, (c) => c.primaryKey())
    .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('address', 'varchar(18)', (c) => c.notNull().unique())
    .addColumn('node_id', 'integer', (c) => c.notNull().references('nodes.id'))
    .addColumn('portgroup_id', 'integer', (c) => c.references('portgroups.id'))
    .addColumn('name', 'varchar(255)', (c) => c.unique())
    .addColumn('extra', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('internal_info', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('local_link_connection', 'text', (c) => c.notNull().defaultTo('{}'))
    .addColumn('pxe_enabled', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('physical_network', 'varchar(64)')
    .addColumn('is_smartnic', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('description', 'text')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)')
    .execute()
  await db.schema.createIndex('ports_node_id_idx').on('ports').column('node_id').execute()

  await db.schema
    .createTable('conductors')
    .addColumn('id', idColumn, (c) => c.primaryKey())
    .addColumn('hostname', 'varchar(255)', (c) => c.notNull().unique())
    .addColumn('conductor_group', 'varchar(255)', (c) => c.notNull().defaultTo(''))
    .addColumn('drivers', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('online', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .addColumn('updated_at', 'varchar(32)')
    .execute()

  await db.schema
    .createTable('node_history')
    .addColumn('id', idColumn, (c) => c.primaryKey())
    .addColumn('uuid', 'varchar(36)', (c) => c.notNull().unique())
    .addColumn('node_id', 'integer', (c) => c.notNull().references('nodes.id').onDelete('cascade'))
    .addColumn('conductor', 'varchar(255)')
    .addColumn('event_type', 'varchar(255)', (c) => c.notNull())
    .addColumn('severity', 'varchar(255)', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('user', 'varchar(255)')
    .addColumn('provision_state', 'varchar(15)')
    .addColumn('duration_ms', 'integer')
    .addColumn('error_detail', 'text')
    .addColumn('created_at', 'varchar(32)', (c) => c.notNull())
    .execute()
  await db.schema.createIndex('node_history_node_id_idx').on('node_history').column('node_id').execute()
}
