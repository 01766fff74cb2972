import type { Kysely } from 'kysely'
import type { Schema } from '../schema.js'
import { fromJson, nowIso, toBool } from '../codec.js'

export interface ConductorRecord {
  id: number
  hostname: string
  conductor_group: string
  drivers: string[]
  online: boolean
  created_at: string
  updated_at: string | null
}

/** Conductor registrations and heartbeats. */
export class ConductorRepo {
  constructor(private readonly db: Kysely<Schema>) {}

  /** Registers (or re-registers) a conductor as online with its drivers. */
  async register(hostname: string, group: string, drivers: readonly string[]): Promise<ConductorRecord> {
    const now = nowIso()
    const existing = await this.db.selectFrom('conductors').select('id').where('hostname', '=', hostname).executeTakeFirst()
    if (existing) {
      await this.db.updateTable('conductors')
        .set({ conductor_group: group, drivers: JSON.stringify(drivers), online: 1, updated_at: now })
        .where('id', '=', existing.id).execute()
    } else {
      await this.db.insertInto('conductors')
        .values({ hostname, conductor_group: group, drivers: JSON.stringify(drivers), online: 1, created_at: now, updated_at: now })
        .execute()
    }
    return (await this.get(hostname))!
  }

  async heartbeat(hostname: string): Promise<void> {
    await this.db.updateTable('conductors').set({ updated_at: nowIso(), online: 1 }).where('hostname', '=', hostname).execute()
  }

  async unregister(hostname: string): Promise<void> {
    await this.db.updateTable('conductors').set({ online: 0, updated_at: nowIso() }).where('hostname', '=', hostname).execute()
  }

  async get(hostname: string): Promise<ConductorRecord | null> {
    const r = await this.db.selectFrom('conductors').selectAll().where('hostname', '=', hostname).executeTakeFirst()
    return r ? fromRow(r) : null
  }

  async list(): Promise<ConductorRecord[]> {
    const rows = await this.db.selectFrom('conductors').selectAll().orderBy('hostname').execute()
    return rows.map(fromRow)
  }
}

function fromRow(r: { id: number; hostname: string; conductor_group: string; drivers: string; online: number; created_at: string; updated_at: string | null }): ConductorRecord {
  return { ...r, drivers: fromJson<string[]>(r.drivers, []), online: toBool(r.online) }
}
