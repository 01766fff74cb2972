import { randomUUID } from 'node:crypto'
import type { ExpressionBuilder, Insertable, Kysely, Selectable, Updateable } from 'kysely'
import type { PortgroupTable, Schema } from '../schema.js'
import { fromBool, fromJson, mapUnique, nowIso, toBool, toJson } from '../codec.js'
import { NotFoundError, ValidationError } from '../../domain/errors.js'
import { applyPage } from './shared.js'
import { isUuid } from '../../domain/ident.js'
import type { ListOptions } from './shared.js'

type Json = Record<string, unknown>

/** Ironic's default bonding mode for a port group created without one. */
export const DEFAULT_PORTGROUP_MODE = 'active-backup'

/** A port group: JSON parsed, booleans real, the owning node's UUID resolved. */
export interface PortgroupRecord {
  id: number
  uuid: string
  name: string | null
  address: string | null
  node_id: number
  extra: Json
  internal_info: Json
  standalone_ports_supported: boolean
  mode: string | null
  properties: Json
  physical_network: string | null
  created_at: string
  updated_at: string | null
  node_uuid: string
}

export type NewPortgroup = Partial<Omit<PortgroupRecord, 'id' | 'created_at' | 'updated_at' | 'node_uuid'>> & { node_id: number }
export type PortgroupChanges = Partial<Omit<PortgroupRecord, 'id' | 'uuid' | 'created_at' | 'updated_at' | 'node_uuid'>>

export const PORTGROUP_SORT_KEYS = ['id', 'uuid', 'name', 'address', 'mode', 'standalone_ports_supported', 'created_at', 'updated_at'] as const
export type PortgroupSortKey = (typeof PORTGROUP_SORT_KEYS)[number]

export interface PortgroupFilters {
  node_id?: number
  address?: string
}

type PortgroupRow = Selectable<PortgroupTable> & { node_uuid: string | null }

const JSON_FIELDS = ['extra', 'internal_info', 'properties'] as const

function fromRow(row: PortgroupRow): PortgroupRecord {
  const out = { ...row } as unknown as Record<string, unknown>
  for (const f of JSON_FIELDS) out[f] = fromJson(row[f], {})
  out.standalone_ports_supported = toBool(row.standalone_ports_supported)
  out.node_uuid = row.node_uuid ?? ''
  return out as unknown as PortgroupRecord
}

function toRow(rec: PortgroupChanges & { uuid?: string }): Updateable<PortgroupTable> {
  const out: Record<string, unknown> = { ...rec }
  delete out.id
  delete out.node_uuid
  for (const f of JSON_FIELDS) if (f in rec) out[f] = toJson(rec[f])
  if ('standalone_ports_supported' in rec) out.standalone_ports_supported = fromBool(rec.standalone_ports_supported)
  return out as Updateable<PortgroupTable>
}

function duplicateMessage(col: string, rec: Partial<PortgroupRecord>): string {
  if (col === 'address') return `A portgroup with MAC address ${rec.address} already exists.`
  if (col === 'name') return `A portgroup with name ${rec.name} already exists.`
  if (col === 'uuid') return `A portgroup with UUID ${rec.uuid} already exists.`
  return `A portgroup with the same ${col} already exists.`
}

/** Ironic's PortgroupNotEmpty: a 400 (an Invalid request), not a 409. */
export function portgroupNotEmpty(uuid: string): ValidationError {
  return new ValidationError(`Cannot complete the requested action because portgroup ${uuid} contains ports. Delete the ports or move them out of it first.`, { code: 'PORTGROUP_NOT_EMPTY' })
}

/** Database access for port groups. */
export class PortgroupRepo {
  constructor(private readonly db: Kysely<Schema>) {}

  private select() {
    return this.db.selectFrom('portgroups').selectAll('portgroups').select((eb: ExpressionBuilder<Schema, 'portgroups'>) => [
      eb.selectFrom('nodes').select('nodes.uuid').whereRef('nodes.id', '=', 'portgroups.node_id').as('node_uuid'),
    ])
  }

  /** Missing `mode` becomes Ironic's default. @throws ConflictError (409) on a taken UUID, name or address. */
  async create(p: NewPortgroup): Promise<PortgroupRecord> {
    const rec = { uuid: randomUUID(), ...p, mode: p.mode ?? DEFAULT_PORTGROUP_MODE, created_at: nowIso(), updated_at: null }
    const inserted = await mapUnique(
      () => this.db.insertInto('portgroups').values(toRow(rec) as Insertable<PortgroupTable>).returning('id').executeTakeFirstOrThrow(),
      (col) => duplicateMessage(col, rec),
    )
    return (await this.getById(inserted.id))!
  }

  async getById(id: number): Promise<PortgroupRecord | null> {
    const row = await this.select().where('portgroups.id', '=', id).executeTakeFirst()
    return row ? fromRow(row) : null
  }

  async getByUuid(uuid: string): Promise<PortgroupRecord | null> {
    const row = await this.select().where('portgroups.uuid', '=', uuid.toLowerCase()).executeTakeFirst()
    return row ? fromRow(row) : null
  }

  async getByName(name: string): Promise<PortgroupRecord | null> {
    const row = await this.select().where('portgroups.name', '=', name).executeTakeFirst()
    return row ? fromRow(row) : null
  }

  async getByAddress(address: string): Promise<PortgroupRecord | null> {
    const row = await this.select().where('portgroups.address', '=', address.toLowerCase()).executeTakeFirst()
    return row ? fromRow(row) : null
  }

  /** By UUID, else by name. @throws NotFoundError naming the identifier. */
  async getByIdent(ident: string): Promise<PortgroupRecord> {
    const pg = isUuid(ident) ? await this.getByUuid(ident) : await this.getByName(ident)
    if (!pg) throw new NotFoundError(`Portgroup ${ident} could not be found.`, { code: 'PORTGROUP_NOT_FOUND' })
    return pg
  }

  async list(filters: PortgroupFilters = {}, opts: ListOptions<PortgroupSortKey> = {}): Promise<PortgroupRecord[]> {
    let q = this.select()
    if (filters.node_id !== undefined) q = q.where('portgroups.node_id', '=', filters.node_id)
    if (filters.address !== undefined) q = q.where('portgroups.address', '=', filters.address.toLowerCase())
    q = applyPage(q, opts) as typeof q
    return (await q.execute()).map(fromRow)
  }

  async countPorts(id: number): Promise<number> {
    const r = await this.db.selectFrom('ports').select((eb) => eb.fn.countAll<number>().as('n')).where('portgroup_id', '=', id).executeTakeFirstOrThrow()
    return Number(r.n)
  }

  /** @throws ConflictError (409) on a duplicate name or address. */
  async update(id: number, changes: PortgroupChanges): Promise<PortgroupRecord> {
    const row = { ...toRow(changes), updated_at: nowIso() }
    const r = await mapUnique(
      () => this.db.updateTable('portgroups').set(row).where('id', '=', id).executeTakeFirst(),
      (col) => duplicateMessage(col, changes),
    )
    if (Number(r.numUpdatedRows) === 0) throw new NotFoundError(`Portgroup ${id} could not be found.`, { code: 'PORTGROUP_NOT_FOUND' })
    return (await this.getById(id))!
  }

  /** Deletes an empty port group. @throws ValidationError (400, as Ironic) while ports belong to it. */
  async delete(id: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const pg = await trx.selectFrom('portgroups').select('uuid').where('id', '=', id).executeTakeFirst()
      if (!pg) return
      const member = await trx.selectFrom('ports').select('id').where('portgroup_id', '=', id).limit(1).executeTakeFirst()
      if (member) throw portgroupNotEmpty(pg.uuid)
      await trx.deleteFrom('portgroups').where('id', '=', id).execute()
    })
  }
}
