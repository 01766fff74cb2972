import type { Kysely } from 'kysely'
import type { Schema } from '../schema.js'
import { fromJson, nowIso } from '../codec.js'

/** What in-band inspection recorded for a node (`GET /v1/nodes/{node}/inventory`). */
export interface InventoryRecord {
  inventory: Record<string, unknown>
  plugin_data: Record<string, unknown>
  created_at: string
  updated_at: string | null
}

/** Node inventories: one per node, replaced by each inspection. */
export class InventoryRepo {
  constructor(private readonly db: Kysely<Schema>) {}

  async get(nodeId: number): Promise<InventoryRecord | null> {
    const r = await this.db.selectFrom('node_inventory').selectAll().where('node_id', '=', nodeId).executeTakeFirst()
    if (!r) return null
    return { inventory: fromJson(r.inventory_data, {}), plugin_data: fromJson(r.plugin_data, {}), created_at: r.created_at, updated_at: r.updated_at }
  }

  /** Stores the node's inventory, replacing an earlier one (created_at kept). */
  async put(nodeId: number, inventory: Record<string, unknown>, pluginData: Record<string, unknown>): Promise<void> {
    const now = nowIso()
    const cols = { inventory_data: JSON.stringify(inventory), plugin_data: JSON.stringify(pluginData) }
    await this.db.transaction().execute(async (trx) => {
      const had = await trx.selectFrom('node_inventory').select('id').where('node_id', '=', nodeId).executeTakeFirst()
      if (had) await trx.updateTable('node_inventory').set({ ...cols, updated_at: now }).where('node_id', '=', nodeId).execute()
      else await trx.insertInto('node_inventory').values({ node_id: nodeId, ...cols, created_at: now, updated_at: null }).execute()
    })
  }

  async delete(nodeId: number): Promise<void> {
    await this.db.deleteFrom('node_inventory').where('node_id', '=', nodeId).execute()
  }
}
