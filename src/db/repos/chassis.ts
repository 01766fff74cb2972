import { randomUUID } from 'node:crypto'
import type { Insertable, Kysely, Selectable, Updateable } from 'kysely'
import type { ChassisTable, Schema } from '../schema.js'
import { fromJson, mapUnique, nowIso, toJson } from '../codec.js'
import { NotFoundError, ValidationError } from '../../domain/errors.js'
import { applyPage } from './shared.js'
import type { ListOptions } from './shared.js'

/** A chassis: a group of nodes, with a description and free-form extra data. */
export interface ChassisRecord {
  id: number
  uuid: string
  description: string | null
  extra: Record<string, unknown>
  created_at: string
  updated_at: string | null
}

export type ChassisChanges = Partial<Pick<ChassisRecord, 'description' | 'extra'>>

export const CHASSIS_SORT_KEYS = ['id', 'uuid', 'description', 'created_at', 'updated_at'] as const
export type ChassisSortKey = (typeof CHASSIS_SORT_KEYS)[number]

function fromRow(row: Selectable<ChassisTable>): ChassisRecord {
  return { ...row, extra: fromJson(row.extra, {}) }
}

function toRow(rec: ChassisChanges & { uuid?: string }): Updateable<ChassisTable> {
  const out: Record<string, unknown> = { ...rec }
  if ('extra' in rec) out.extra = toJson(rec.extra)
  return out as Updateable<ChassisTable>
}

/** Database access for chassis. */
export class ChassisRepo {
  constructor(private readonly db: Kysely<Schema>) {}

  /** @throws ConflictError (409) when the UUID is taken. */
  async create(c: ChassisChanges & { uuid?: string }): Promise<ChassisRecord> {
    const rec = { uuid: randomUUID(), ...c }
    const row = { ...toRow(rec), created_at: nowIso(), updated_at: null } as Insertable<ChassisTable>
    const inserted = await mapUnique(
      () => this.db.insertInto('chassis').values(row).returningAll().executeTakeFirstOrThrow(),
      () => `A chassis with UUID ${rec.uuid} already exists.`,
    )
    return fromRow(inserted)
  }

  async getById(id: number): Promise<ChassisRecord | null> {
    const row = await this.db.selectFrom('chassis').selectAll().where('id', '=', id).executeTakeFirst()
    return row ? fromRow(row) : null
  }

  /** @throws NotFoundError naming the UUID. */
  async getByUuid(uuid: string): Promise<ChassisRecord> {
    const row = await this.db.selectFrom('chassis').selectAll().where('uuid', '=', uuid.toLowerCase()).executeTakeFirst()
    if (!row) throw new NotFoundError(`Chassis ${uuid} could not be found.`, { code: 'CHASSIS_NOT_FOUND' })
    return fromRow(row)
  }

  async list(opts: ListOptions<ChassisSortKey> = {}): Promise<ChassisRecord[]> {
    let q = this.db.selectFrom('chassis').selectAll()
    q = applyPage(q, opts) as typeof q
    return (await q.execute()).map(fromRow)
  }

  async update(id: number, changes: ChassisChanges): Promise<ChassisRecord> {
    const row = await this.db.updateTable('chassis').set({ ...toRow(changes), updated_at: nowIso() }).where('id', '=', id).returningAll().executeTakeFirst()
    if (!row) throw new NotFoundError(`Chassis ${id} could not be found.`, { code: 'CHASSIS_NOT_FOUND' })
    return fromRow(row)
  }

  /** Deletes a chassis no node belongs to. @throws ValidationError (400, Ironic's ChassisNotEmpty) otherwise. */
  async delete(id: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const c = await trx.selectFrom('chassis').select('uuid').where('id', '=', id).executeTakeFirst()
      if (!c) return
      const member = await trx.selectFrom('nodes').select('id').where('chassis_id', '=', id).limit(1).executeTakeFirst()
      if (member) {
        throw new ValidationError(`Cannot complete the requested action because chassis ${c.uuid} contains nodes. Move or delete its nodes first.`, { code: 'CHASSIS_NOT_EMPTY' })
      }
      await trx.deleteFrom('chassis').where('id', '=', id).execute()
    })
  }
}
