import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { Insertable, Kysely, Selectable, Updateable } from 'kysely'
import type { NodeTable, Schema } from '../schema.js'
import { fromBool, fromJson, mapUnique, nowIso, toBool, toBoolOrNull, toJson } from '../codec.js'
import { NotFoundError } from '../../domain/errors.js'
import { isUuid } from '../../domain/ident.js'
import { applyPage, escapeLike, type ListOptions } from './shared.js'
import type { ProvisionState } from '../../domain/provision-states.js'

type Json = Record<string, unknown>

const JSON_FIELDS = ['driver_info', 'driver_internal_info', 'extra', 'instance_info', 'properties', 'network_data'] as const
const NULLABLE_JSON_FIELDS = ['clean_step', 'deploy_step', 'service_step', 'raid_config', 'target_raid_config'] as const
const BOOL_FIELDS = ['maintenance', 'console_enabled', 'protected', 'retired', 'disable_power_off'] as const
const NULLABLE_BOOL_FIELDS = ['automated_clean', 'secure_boot'] as const

type JsonField = (typeof JSON_FIELDS)[number]
type NullableJsonField = (typeof NULLABLE_JSON_FIELDS)[number]
type BoolField = (typeof BOOL_FIELDS)[number]
type NullableBoolField = (typeof NULLABLE_BOOL_FIELDS)[number]
type Decoded = JsonField | NullableJsonField | BoolField | NullableBoolField | 'provision_state' | 'target_provision_state'

/**
 * A node as the rest of Ferrum sees it: the `nodes` row (Ironic's field names) with JSON parsed,
 * booleans real and the provision states typed. Derived from the table type, so a new column
 * appears here by itself.
 */
export type NodeRecord = {
  [K in keyof Selectable<NodeTable> as K extends Decoded ? never : K]: Selectable<NodeTable>[K]
} & {
  [K in JsonField]: Json
} & {
  [K in NullableJsonField]: Json | null
} & {
  [K in BoolField]: boolean
} & {
  [K in NullableBoolField]: boolean | null
} & {
  provision_state: ProvisionState
  target_provision_state: ProvisionState | null
}

export function nodeFromRow(row: Selectable<NodeTable>): NodeRecord {
  const out = { ...row } as unknown as Record<string, unknown>
  for (const f of JSON_FIELDS) out[f] = fromJson(row[f], {})
  for (const f of NULLABLE_JSON_FIELDS) out[f] = row[f] === null ? null : fromJson(row[f], {})
  for (const f of BOOL_FIELDS) out[f] = toBool(row[f])
  for (const f of NULLABLE_BOOL_FIELDS) out[f] = toBoolOrNull(row[f])
  return out as unknown as NodeRecord
}

/** Converts a partial record to column values; only the keys present are converted. */
export function nodeToRow(rec: Partial<NodeRecord>): Updateable<NodeTable> {
  const out: Record<string, unknown> = { ...rec }
  delete out.id
  for (const f of JSON_FIELDS) if (f in rec) out[f] = toJson(rec[f])
  for (const f of NULLABLE_JSON_FIELDS) if (f in rec) out[f] = rec[f] === null ? null : toJson(rec[f])
  for (const f of BOOL_FIELDS) if (f in rec) out[f] = fromBool(rec[f])
  for (const f of NULLABLE_BOOL_FIELDS) if (f in rec) out[f] = rec[f] === null || rec[f] === undefined ? null : fromBool(rec[f])
  return out as Updateable<NodeTable>
}

export type NewNode = Partial<Omit<NodeRecord, 'id' | 'created_at' | 'updated_at'>> & { driver: string }

export const NODE_SORT_KEYS = [
  'id', 'uuid', 'name', 'driver', 'created_at', 'updated_at', 'provision_state', 'power_state',
  'provision_updated_at', 'maintenance', 'resource_class', 'conductor_group', 'owner', 'lessee',
  'instance_uuid', 'inspection_started_at', 'inspection_finished_at', 'shard', 'description',
] as const
export type NodeSortKey = (typeof NODE_SORT_KEYS)[number]

export interface NodeFilters {
  provision_state?: string
  driver?: string
  maintenance?: boolean
  associated?: boolean
  instance_uuid?: string
  resource_class?: string
  conductor_group?: string
  fault?: string
  owner?: string
  lessee?: string
  /** Either owner or lessee matches (project-scoped listing). */
  project?: string
  chassis_id?: number
  description_contains?: string
  retired?: boolean
  shard?: string[]
  sharded?: boolean
  parent_node?: string
  include_children?: boolean
  reserved_by?: string
  reserved?: boolean
  provision_states?: string[]
}


/** Database access for nodes. All methods are single statements or short transactions. */
export class NodeRepo {
  constructor(private readonly db: Kysely<Schema>) {}

  async create(n: NewNode): Promise<NodeRecord> {
    const now = nowIso()
    const rec: Partial<NodeRecord> = {
      uuid: randomUUID(),
      provision_state: 'enroll',
      conductor_group: '',
      // A new node's step and RAID fields are empty documents, as Ironic shows them.
      clean_step: {},
      deploy_step: {},
      raid_config: {},
      target_raid_config: {},
      ...n,
      created_at: now,
      updated_at: null,
    }
    const row = nodeToRow(rec) as Insertable<NodeTable>
    const inserted = await mapUnique(
      () => this.db.insertInto('nodes').values(row).returningAll().executeTakeFirstOrThrow(),
      (col) => nodeDuplicateMessage(col, rec),
    )
    return nodeFromRow(inserted)
  }

  async getById(id: number): Promise<NodeRecord | null> {
    const row = await this.db.selectFrom('nodes').selectAll().where('id', '=', id).executeTakeFirst()
    return row ? nodeFromRow(row) : null
  }

  async getByUuid(uuid: string): Promise<NodeRecord | null> {
    const row = await this.db.selectFrom('nodes').selectAll().where('uuid', '=', uuid).executeTakeFirst()
    return row ? nodeFromRow(row) : null
  }

  async getByName(name: string): Promise<NodeRecord | null> {
    const row = await this.db.selectFrom('nodes').selectAll().where('name', '=', name).executeTakeFirst()
    return row ? nodeFromRow(row) : null
  }

  async getByInstanceUuid(uuid: string): Promise<NodeRecord | null> {
    const row = await this.db.selectFrom('nodes').selectAll().where('instance_uuid', '=', uuid).executeTakeFirst()
    return row ? nodeFromRow(row) : null
  }

  /** By UUID, else by name. Throws NotFoundError naming the identifier. */
  async getByIdent(ident: string): Promise<NodeRecord> {
    const n = isUuid(ident) ? await this.getByUuid(ident.toLowerCase()) : await this.getByName(ident)
    if (!n) throw new NotFoundError(`Node ${ident} could not be found.`, { code: 'NODE_NOT_FOUND' })
    return n
  }

  async list(filters: NodeFilters = {}, opts: ListOptions<NodeSortKey> = {}): Promise<NodeRecord[]> {
    let q = this.db.selectFrom('nodes').selectAll()
    const f = filters
    if (f.provision_state !== undefined) q = q.where('provision_state', '=', f.provision_state)
    if (f.provision_states !== undefined) q = q.where('provision_state', 'in', f.provision_states)
    if (f.driver !== undefined) q = q.where('driver', '=', f.driver)
    if (f.maintenance !== undefined) q = q.where('maintenance', '=', fromBool(f.maintenance))
    if (f.associated !== undefined) q = q.where('instance_uuid', f.associated ? 'is not' : 'is', null)
    if (f.instance_uuid !== undefined) q = q.where('instance_uuid', '=', f.instance_uuid)
    if (f.resource_class !== undefined) q = q.where('resource_class', '=', f.resource_class)
    if (f.conductor_group !== undefined) q = q.where('conductor_group', '=', f.conductor_group.toLowerCase())
    if (f.fault !== undefined) q = q.where('fault', '=', f.fault)
    if (f.owner !== undefined) q = q.where('owner', '=', f.owner)
    if (f.lessee !== undefined) q = q.where('lessee', '=', f.lessee)
    if (f.project !== undefined) {
      const p = f.project
      q = q.where((eb) => eb.or([eb('owner', '=', p), eb('lessee', '=', p)]))
    }
    if (f.chassis_id !== undefined) q = q.where('chassis_id', '=', f.chassis_id)
    if (f.description_contains !== undefined) {
      // lower() on both sides: SQLite's LIKE ignores ASCII case, PostgreSQL's does not (as MySQL-backed Ironic).
      const pattern = `%${escapeLike(f.description_contains.toLowerCase())}%`
      q = q.where(sql<boolean>`lower(description) like ${pattern} escape '\\'`)
    }
    if (f.retired !== undefined) q = q.where('retired', '=', fromBool(f.retired))
    if (f.shard !== undefined) q = q.where('shard', 'in', f.shard)
    if (f.sharded !== undefined) q = q.where('shard', f.sharded ? 'is not' : 'is', null)
    if (f.parent_node !== undefined) q = q.where('parent_node', '=', f.parent_node)
    else if (f.include_children === false) q = q.where('parent_node', 'is', null)
    if (f.reserved_by !== undefined) q = q.where('reservation', '=', f.reserved_by)
    if (f.reserved !== undefined) q = q.where('reservation', f.reserved ? 'is not' : 'is', null)
    q = applyPage(q, opts) as typeof q
    const rows = await q.execute()
    return rows.map(nodeFromRow)
  }

  async count(filters: Pick<NodeFilters, 'provision_state'> = {}): Promise<number> {
    let q = this.db.selectFrom('nodes').select((eb) => eb.fn.countAll<number>().as('n'))
    if (filters.provision_state) q = q.where('provision_state', '=', filters.provision_state)
    const r = await q.executeTakeFirstOrThrow()
    return Number(r.n)
  }

  /** Writes the given fields and bumps updated_at. Returns the new record. */
  async update(id: number, changes: Partial<NodeRecord>): Promise<NodeRecord> {
    const row = { ...nodeToRow(changes), updated_at: nowIso() }
    // Clearing instance_uuid (teardown, or a PATCH) ends the node's allocation, as in Ironic.
    const endsAllocation = 'instance_uuid' in changes && changes.instance_uuid === null
    if (endsAllocation) row.allocation_id = null
    const updated = await mapUnique(
      () => this.db.updateTable('nodes').set(row).where('id', '=', id).returningAll().executeTakeFirst(),
      (col) => nodeDuplicateMessage(col, changes),
    )
    if (!updated) throw new NotFoundError(`Node ${id} could not be found.`, { code: 'NODE_NOT_FOUND' })
    if (endsAllocation) await this.db.deleteFrom('allocations').where('node_id', '=', id).execute()
    return nodeFromRow(updated)
  }

  /**
   * The node lock's compare-and-set: sets reservation to `host` only if nobody holds it. Returns
   * the locked record, or null when someone else holds it or the node does not exist (same SQL on
   * both engines). Only the conductor's task manager (src/conductor/task.ts) calls this.
   * @param node the node's id, or its UUID
   */
  async reserve(node: number | string, host: string): Promise<NodeRecord | null> {
    const row = await this.db
      .updateTable('nodes')
      .set({ reservation: host })
      .where(typeof node === 'number' ? 'id' : 'uuid', '=', node)
      .where('reservation', 'is', null)
      .returningAll()
      .executeTakeFirst()
    return row ? nodeFromRow(row) : null
  }

  /** Releases the lock if `host` holds it. Returns whether it did. */
  async release(id: number, host: string): Promise<boolean> {
    const r = await this.db
      .updateTable('nodes')
      .set({ reservation: null })
      .where('id', '=', id)
      .where('reservation', '=', host)
      .executeTakeFirst()
    return Number(r.numUpdatedRows) > 0
  }

  /** Clears every lock held by `host` (a restarting conductor). Returns the node ids released. */
  async releaseAllHeldBy(host: string): Promise<number[]> {
    const rows = await this.db
      .updateTable('nodes')
      .set({ reservation: null })
      .where('reservation', '=', host)
      .returning('id')
      .execute()
    return rows.map((r) => r.id)
  }

  /** Deletes the node with its ports, port groups, traits and history, in one transaction. */
  async delete(id: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('ports').where('node_id', '=', id).execute()
      await trx.deleteFrom('portgroups').where('node_id', '=', id).execute()
      await trx.deleteFrom('node_traits').where('node_id', '=', id).execute()
      await trx.deleteFrom('node_history').where('node_id', '=', id).execute()
      await trx.deleteFrom('node_inventory').where('node_id', '=', id).execute()
      await trx.deleteFrom('nodes').where('id', '=', id).execute()
    })
  }

  // ---- traits -------------------------------------------------------------------------------

  async traits(nodeId: number): Promise<string[]> {
    const rows = await this.db.selectFrom('node_traits').select('trait').where('node_id', '=', nodeId).orderBy('trait').execute()
    return rows.map((r) => r.trait)
  }

  /** Traits of many nodes at once (for detailed lists). */
  async traitsOf(nodeIds: readonly number[]): Promise<Map<number, string[]>> {
    const out = new Map<number, string[]>()
    if (nodeIds.length === 0) return out
    for (let i = 0; i < nodeIds.length; i += 500) {
      const chunk = nodeIds.slice(i, i + 500)
      const rows = await this.db.selectFrom('node_traits').select(['node_id', 'trait']).where('node_id', 'in', chunk).orderBy('trait').execute()
      for (const r of rows) {
        const list = out.get(r.node_id) ?? []
        list.push(r.trait)
        out.set(r.node_id, list)
      }
    }
    return out
  }

  /** Replaces the node's traits with `traits` (deduplicated). */
  async setTraits(nodeId: number, traits: readonly string[]): Promise<void> {
    const now = nowIso()
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('node_traits').where('node_id', '=', nodeId).execute()
      const unique = [...new Set(traits)]
      if (unique.length > 0) {
        await trx.insertInto('node_traits').values(unique.map((trait) => ({ node_id: nodeId, trait, created_at: now }))).execute()
      }
    })
  }

  async addTrait(nodeId: number, trait: string): Promise<void> {
    const exists = await this.db.selectFrom('node_traits').select('trait').where('node_id', '=', nodeId).where('trait', '=', trait).executeTakeFirst()
    if (!exists) await this.db.insertInto('node_traits').values({ node_id: nodeId, trait, created_at: nowIso() }).execute()
  }

  /** Returns false when the node did not have the trait. */
  async removeTrait(nodeId: number, trait: string): Promise<boolean> {
    const r = await this.db.deleteFrom('node_traits').where('node_id', '=', nodeId).where('trait', '=', trait).executeTakeFirst()
    return Number(r.numDeletedRows) > 0
  }
}

function nodeDuplicateMessage(col: string, rec: Partial<NodeRecord>): string {
  if (col === 'name') return `A node with name ${rec.name} already exists.`
  if (col === 'instance_uuid') return `Instance ${rec.instance_uuid} is already associated with a node.`
  if (col === 'uuid') return `A node with UUID ${rec.uuid} already exists.`
  return `A node with the same ${col} already exists.`
}
