import { randomUUID } from 'node:crypto'
import type { ExpressionBuilder, Insertable, Kysely, Selectable, Updateable } from 'kysely'
import type { PortTable, Schema } from '../schema.js'
import { fromBool, fromJson, mapUnique, nowIso, toBool, toJson } from '../codec.js'
import { NotFoundError } from '../../domain/errors.js'
import { applyPage } from './shared.js'
import { isUuid } from '../../domain/ident.js'
import type { ListOptions } from './shared.js'

type Json = Record<string, unknown>

/** A port as the rest of Ferrum sees it: JSON parsed, booleans real, owner UUIDs resolved. */
export interface PortRecord {
  id: number
  uuid: string
  address: string
  node_id: number
  portgroup_id: number | null
  name: string | null
  extra: Json
  internal_info: Json
  local_link_connection: Json
  pxe_enabled: boolean
  physical_network: string | null
  is_smartnic: boolean
  description: string | null
  created_at: string
  updated_at: string | null
  /** UUID of the owning node (looked up with the row). */
  node_uuid: string
  /** UUID of the port group the port belongs to, if any. */
  portgroup_uuid: string | null
}

export type NewPort = Partial<Omit<PortRecord, 'id' | 'created_at' | 'updated_at' | 'node_uuid' | 'portgroup_uuid'>> & {
  address: string
  node_id: number
}
export type PortChanges = Partial<Omit<PortRecord, 'id' | 'uuid' | 'created_at' | 'updated_at' | 'node_uuid' | 'portgroup_uuid'>>

export const PORT_SORT_KEYS = [
  'id', 'uuid', 'address', 'name', 'pxe_enabled', 'physical_network', 'is_smartnic', 'created_at', 'updated_at',
] as const
export type PortSortKey = (typeof PORT_SORT_KEYS)[number]

export interface PortFilters {
  node_id?: number
  portgroup_id?: number
  address?: string
  /** Only ports of nodes in these shards. */
  shards?: string[]
}

type PortRow = Selectable<PortTable> & { node_uuid: string | null; portgroup_uuid: string | null }

const JSON_FIELDS = ['extra', 'internal_info', 'local_link_connection'] as const
const BOOL_FIELDS = ['pxe_enabled', 'is_smartnic'] as const

function fromRow(row: PortRow): PortRecord {
  const out = { ...row } as unknown as Record<string, unknown>
  for (const f of JSON_FIELDS) out[f] = fromJson(row[f], {})
  for (const f of BOOL_FIELDS) out[f] = toBool(row[f])
  out.node_uuid = row.node_uuid ?? ''
  return out as unknown as PortRecord
}

function toRow(rec: PortChanges & { uuid?: string }): Updateable<PortTable> {
  const out: Record<string, unknown> = { ...rec }
  delete out.id
  delete out.node_uuid
  delete out.portgroup_uuid
  for (const f of JSON_FIELDS) if (f in rec) out[f] = toJson(rec[f])
  for (const f of BOOL_FIELDS) if (f in rec) out[f] = fromBool(rec[f])
  return out as Updateable<PortTable>
}

function duplicateMessage(col: string, rec: Partial<PortRecord>): string {
  if (col === 'address') return `A port with MAC address ${rec.address} already exists.`
  if (col === 'name') return `A port with name ${rec.name} already exists.`
  if (col === 'uuid') return `A port with UUID ${rec.uuid} already exists.`
  return `A port with the same ${col} already exists.`
}

const MAC_RE = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i

/** Database access for ports. */
export class PortRepo {
  constructor(private readonly db: Kysely<Schema>) {}

  /** ports.* plus the owning node's and port group's UUIDs (subqueries keep column names unambiguous). */
  private select() {
    return this.db.selectFrom('ports').selectAll('ports').select((eb: ExpressionBuilder<Schema, 'ports'>) => [
      eb.selectFrom('nodes').select('nodes.uuid').whereRef('nodes.id', '=', 'ports.node_id').as('node_uuid'),
      eb.selectFrom('portgroups').select('portgroups.uuid').whereRef('portgroups.id', '=', 'ports.portgroup_id').as('portgroup_uuid'),
    ])
  }

  /** @throws ConflictError (409) when the UUID, MAC address or name is taken. */
  async create(p: NewPort): Promise<PortRecord> {
    const rec = { uuid: randomUUID(), ...p, created_at: nowIso(), updated_at: null }
    const row = toRow(rec) as Insertable<PortTable>
    const inserted = await mapUnique(
      () => this.db.insertInto('ports').values(row).returning('id').executeTakeFirstOrThrow(),
      (col) => duplicateMessage(col, rec),
    )
    return (await this.getById(inserted.id))!
  }

  async getById(id: number): Promise<PortRecord | null> {
    const row = await this.select().where('ports.id', '=', id).executeTakeFirst()
    return row ? fromRow(row) : null
  }

  async getByUuid(uuid: string): Promise<PortRecord | null> {
    const row = await this.select().where('ports.uuid', '=', uuid.toLowerCase()).executeTakeFirst()
    return row ? fromRow(row) : null
  }

  async getByAddress(address: string): Promise<PortRecord | null> {
    const row = await this.select().where('ports.address', '=', address.toLowerCase()).executeTakeFirst()
    return row ? fromRow(row) : null
  }

  async getByName(name: string): Promise<PortRecord | null> {
    const row = await this.select().where('ports.name', '=', name).executeTakeFirst()
    return row ? fromRow(row) : null
  }

  /** By UUID, MAC address or name. @throws NotFoundError naming the identifier. */
  async getByIdent(ident: string): Promise<PortRecord> {
    const p = isUuid(ident) ? await this.getByUuid(ident) : MAC_RE.test(ident) ? await this.getByAddress(ident) : await this.getByName(ident)
    if (!p) throw new NotFoundError(`Port ${ident} could not be found.`, { code: 'PORT_NOT_FOUND' })
    return p
  }

  async list(filters: PortFilters = {}, opts: ListOptions<PortSortKey> = {}): Promise<PortRecord[]> {
    let q = this.select()
    if (filters.node_id !== undefined) q = q.where('ports.node_id', '=', filters.node_id)
    if (filters.portgroup_id !== undefined) q = q.where('ports.portgroup_id', '=', filters.portgroup_id)
    if (filters.address !== undefined) q = q.where('ports.address', '=', filters.address.toLowerCase())
    if (filters.shards !== undefined) {
      const shards = filters.shards
      q = q.where('ports.node_id', 'in', (eb) => eb.selectFrom('nodes').select('nodes.id').where('nodes.shard', 'in', shards))
    }
    q = applyPage(q, opts) as typeof q
    return (await q.execute()).map(fromRow)
  }

  /** Physical networks of the ports in a port group, optionally leaving one port out. */
  async physicalNetworksOfPortgroup(portgroupId: number, excludePortId?: number): Promise<Set<string | null>> {
    let q = this.db.selectFrom('ports').select('physical_network').where('portgroup_id', '=', portgroupId)
    if (excludePortId !== undefined) q = q.where('id', '!=', excludePortId)
    return new Set((await q.execute()).map((r) => r.physical_network))
  }

  /** Writes the given fields and bumps updated_at. @throws ConflictError on a duplicate. */
  async update(id: number, changes: PortChanges): Promise<PortRecord> {
    const row = { ...toRow(changes), updated_at: nowIso() }
    const r = await mapUnique(
      () => this.db.updateTable('ports').set(row).where('id', '=', id).executeTakeFirst(),
      (col) => duplicateMessage(col, changes),
    )
    if (Number(r.numUpdatedRows) === 0) throw new NotFoundError(`Port ${id} could not be found.`, { code: 'PORT_NOT_FOUND' })
    return (await this.getById(id))!
  }

  async delete(id: number): Promise<void> {
    await this.db.deleteFrom('ports').where('id', '=', id).execute()
  }
}
