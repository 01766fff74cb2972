import { randomUUID } from 'node:crypto'
import { sql } from 'kysely'
import type { Insertable, Kysely, Selectable, Updateable } from 'kysely'
import type { AllocationTable, Schema } from '../schema.js'
import { fromJson, mapUnique, nowIso, toJson, uniqueViolationColumn } from '../codec.js'
import { ConflictError, NotFoundError } from '../../domain/errors.js'
import { applyPage } from './shared.js'
import { isUuid } from '../../domain/ident.js'
import type { ListOptions } from './shared.js'

/** Allocation states (Ironic's `allocating`, `active`, `error`). */
export type AllocationState = 'allocating' | 'active' | 'error'

/** An allocation as the rest of Ferrum sees it: JSON parsed, the node's UUID resolved. */
export interface AllocationRecord {
  id: number
  uuid: string
  name: string | null
  node_id: number | null
  /** UUID of the allocated node (looked up with the row), or null. */
  node_uuid: string | null
  state: AllocationState
  owner: string | null
  last_error: string | null
  resource_class: string | null
  traits: string[]
  candidate_nodes: string[]
  extra: Record<string, unknown>
  created_at: string
  updated_at: string | null
}

export type NewAllocation = Partial<Pick<AllocationRecord, 'uuid' | 'name' | 'owner' | 'resource_class' | 'traits' | 'candidate_nodes' | 'extra'>>

export const ALLOCATION_SORT_KEYS = ['id', 'uuid', 'name', 'state', 'owner', 'resource_class', 'created_at', 'updated_at'] as const
export type AllocationSortKey = (typeof ALLOCATION_SORT_KEYS)[number]

export interface AllocationFilters {
  node_id?: number
  resource_class?: string
  state?: string
  owner?: string
}

type Row = Selectable<AllocationTable> & { node_uuid: string | null }

function fromRow(row: Row): AllocationRecord {
  return {
    ...row,
    state: row.state as AllocationState,
    traits: fromJson<string[]>(row.traits, []),
    candidate_nodes: fromJson<string[]>(row.candidate_nodes, []),
    extra: fromJson(row.extra, {}),
    node_uuid: row.node_uuid ?? null,
  }
}

function duplicateMessage(col: string, rec: { name?: string | null; uuid?: string }): string {
  if (col === 'name') return `An allocation with name ${rec.name} already exists.`
  return `An allocation with UUID ${rec.uuid} already exists.`
}

/** What reserving a node for an allocation needs to match (checked in the same statement). */
export interface ReserveConditions {
  resourceClass: string | null
  traits: readonly string[]
}

/** Database access for allocations, including the compare-and-set that binds one to a node. */
export class AllocationRepo {
  constructor(private readonly db: Kysely<Schema>) {}

  #select() {
    return this.db
      .selectFrom('allocations')
      .leftJoin('nodes', 'nodes.id', 'allocations.node_id')
      .selectAll('allocations')
      .select('nodes.uuid as node_uuid')
  }

  async create(a: NewAllocation): Promise<AllocationRecord> {
    const row: Insertable<AllocationTable> = {
      uuid: a.uuid ?? randomUUID(),
      name: a.name ?? null,
      node_id: null,
      state: 'allocating',
      owner: a.owner ?? null,
      last_error: null,
      resource_class: a.resource_class ?? null,
      traits: toJson(a.traits ?? []),
      candidate_nodes: toJson(a.candidate_nodes ?? []),
      extra: toJson(a.extra ?? {}),
      created_at: nowIso(),
      updated_at: null,
    }
    const inserted = await mapUnique(
      () => this.db.insertInto('allocations').values(row).returning('id').executeTakeFirstOrThrow(),
      (col) => duplicateMessage(col, row),
    )
    return (await this.getById(inserted.id))!
  }

  async getById(id: number): Promise<AllocationRecord | null> {
    const row = await this.#select().where('allocations.id', '=', id).executeTakeFirst()
    return row ? fromRow(row) : null
  }

  /** By UUID, else by name. Throws NotFoundError naming the identifier. */
  async getByIdent(ident: string): Promise<AllocationRecord> {
    const q = this.#select()
    const row = isUuid(ident)
      ? await q.where('allocations.uuid', '=', ident.toLowerCase()).executeTakeFirst()
      : await q.where('allocations.name', '=', ident).executeTakeFirst()
    if (!row) throw new NotFoundError(`Allocation ${ident} could not be found.`, { code: 'ALLOCATION_NOT_FOUND' })
    return fromRow(row)
  }

  async forNode(nodeId: number): Promise<AllocationRecord | null> {
    const row = await this.#select().where('allocations.node_id', '=', nodeId).executeTakeFirst()
    return row ? fromRow(row) : null
  }

  async list(f: AllocationFilters = {}, opts: ListOptions<AllocationSortKey> = {}): Promise<AllocationRecord[]> {
    let q = this.db.selectFrom('allocations').selectAll()
    if (f.node_id !== undefined) q = q.where('node_id', '=', f.node_id)
    if (f.resource_class !== undefined) q = q.where('resource_class', '=', f.resource_class)
    if (f.state !== undefined) q = q.where('state', '=', f.state)
    if (f.owner !== undefined) q = q.where('owner', '=', f.owner)
    q = applyPage(q, opts) as typeof q
    const rows = await q.execute()
    const nodeIds = [...new Set(rows.map((r) => r.node_id).filter((x): x is number => x !== null))]
    const uuids = new Map<number, string>()
    if (nodeIds.length > 0) {
      for (const n of await this.db.selectFrom('nodes').select(['id', 'uuid']).where('id', 'in', nodeIds).execute()) uuids.set(n.id, n.uuid)
    }
    return rows.map((r) => fromRow({ ...r, node_uuid: r.node_id === null ? null : uuids.get(r.node_id) ?? null }))
  }

  /** Updates name/extra (the fields a PATCH may change). */
  async update(id: number, changes: { name?: string | null; extra?: Record<string, unknown> }): Promise<AllocationRecord> {
    const row: Updateable<AllocationTable> = { updated_at: nowIso() }
    if ('name' in changes) row.name = changes.name ?? null
    if ('extra' in changes) row.extra = toJson(changes.extra)
    await mapUnique(() => this.db.updateTable('allocations').set(row).where('id', '=', id).execute(), (col) => duplicateMessage(col, changes))
    const out = await this.getById(id)
    if (!out) throw new NotFoundError(`Allocation ${id} could not be found.`, { code: 'ALLOCATION_NOT_FOUND' })
    return out
  }

  /** Marks an allocation failed; it keeps no node. */
  async fail(id: number, error: string): Promise<void> {
    await this.db.updateTable('allocations').set({ state: 'error', last_error: error, node_id: null, updated_at: nowIso() }).where('id', '=', id).execute()
  }

  /**
   * Binds the allocation to the node in one compare-and-set: the node gets instance_uuid and
   * allocation_id only if it still has neither, is available, not in maintenance, of the
   * resource class and has every trait. Two allocations racing for one node: exactly one wins.
   * Returns false when the node no longer qualifies.
   * @throws ConflictError when the allocation's UUID is already some other node's instance_uuid
   */
  async reserveNode(alloc: AllocationRecord, nodeId: number, cond: ReserveConditions): Promise<boolean> {
    const won = await this.db.transaction().execute(async (trx) => {
      let q = trx
        .updateTable('nodes')
        .set({ instance_uuid: alloc.uuid, allocation_id: alloc.id, updated_at: nowIso() })
        .where('id', '=', nodeId)
        .where('instance_uuid', 'is', null)
        .where('allocation_id', 'is', null)
        .where('provision_state', '=', 'available')
        .where('maintenance', '=', 0)
      q = cond.resourceClass === null ? q.where('resource_class', 'is', null) : q.where('resource_class', '=', cond.resourceClass)
      if (cond.traits.length > 0) {
        const wanted = [...new Set(cond.traits)]
        q = q.where(
          sql<number>`(select count(*) from node_traits t where t.node_id = nodes.id and t.trait in (${sql.join(wanted)}))`,
          '=',
          wanted.length,
        )
      }
      let r
      try {
        r = await q.executeTakeFirst()
      } catch (e) {
        if (uniqueViolationColumn(e) !== null) {
          throw new ConflictError(`Instance ${alloc.uuid} is already associated with a node.`, { cause: e, code: 'INSTANCE_ASSOCIATED' })
        }
        throw e
      }
      if (Number(r.numUpdatedRows) !== 1) return false
      const node = await trx.selectFrom('nodes').select('instance_info').where('id', '=', nodeId).executeTakeFirstOrThrow()
      const ii = { ...fromJson(node.instance_info, {}), traits: alloc.traits }
      await trx.updateTable('nodes').set({ instance_info: toJson(ii) }).where('id', '=', nodeId).execute()
      await trx.updateTable('allocations').set({ node_id: nodeId, state: 'active', last_error: null, updated_at: nowIso() }).where('id', '=', alloc.id).execute()
      return true
    })
    return won
  }

  /**
   * Backfill: records an existing association (node already deployed with this instance) as the
   * allocation. The node must have no allocation and no other instance_uuid.
   */
  async backfill(alloc: AllocationRecord, nodeId: number): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      let r
      try {
        r = await trx
          .updateTable('nodes')
          .set({ instance_uuid: alloc.uuid, allocation_id: alloc.id, updated_at: nowIso() })
          .where('id', '=', nodeId)
          .where('allocation_id', 'is', null)
          .where((eb) => eb.or([eb('instance_uuid', 'is', null), eb('instance_uuid', '=', alloc.uuid)]))
          .executeTakeFirst()
      } catch (e) {
        if (uniqueViolationColumn(e) !== null) {
          throw new ConflictError(`Instance ${alloc.uuid} is already associated with a node.`, { cause: e, code: 'INSTANCE_ASSOCIATED' })
        }
        throw e
      }
      if (Number(r.numUpdatedRows) !== 1) return false
      await trx.updateTable('allocations').set({ node_id: nodeId, state: 'active', last_error: null, updated_at: nowIso() }).where('id', '=', alloc.id).execute()
      return true
    })
  }

  /** Deletes the allocation and frees its node (instance_uuid and allocation_id cleared). */
  async delete(id: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('nodes').set({ allocation_id: null, instance_uuid: null, updated_at: nowIso() }).where('allocation_id', '=', id).execute()
      await trx.deleteFrom('allocations').where('id', '=', id).execute()
    })
  }
}
