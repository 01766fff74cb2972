import type { Kysely, Selectable } from 'kysely'
import type { BiosSettingTable, Schema } from '../schema.js'
import { fromJson, nowIso, toBoolOrNull } from '../codec.js'

/** A node's BIOS setting as cached from its BIOS interface (Ironic's bios_settings row). */
export interface BiosSettingRecord {
  name: string
  value: string | null
  attribute_type: string | null
  allowable_values: string[] | null
  lower_bound: number | null
  max_length: number | null
  min_length: number | null
  read_only: boolean | null
  reset_required: boolean | null
  unique: boolean | null
  upper_bound: number | null
  created_at: string
  updated_at: string | null
}

export type BiosSettingInput = { name: string; value: string | null } & Partial<Omit<BiosSettingRecord, 'name' | 'value' | 'created_at' | 'updated_at'>>

function fromRow(r: Selectable<BiosSettingTable>): BiosSettingRecord {
  return {
    name: r.name, value: r.value, attribute_type: r.attribute_type,
    allowable_values: r.allowable_values === null ? null : fromJson<string[]>(r.allowable_values, []),
    lower_bound: r.lower_bound, max_length: r.max_length, min_length: r.min_length,
    read_only: toBoolOrNull(r.read_only), reset_required: toBoolOrNull(r.reset_required), unique: toBoolOrNull(r.unique),
    upper_bound: r.upper_bound, created_at: r.created_at, updated_at: r.updated_at,
  }
}

const flag = (v: boolean | null | undefined): number | null => (v === null || v === undefined ? null : v ? 1 : 0)

/** The BIOS settings cache (what `GET /v1/nodes/{node}/bios` shows). */
export class BiosSettingRepo {
  constructor(private readonly db: Kysely<Schema>) {}

  async list(nodeId: number): Promise<BiosSettingRecord[]> {
    const rows = await this.db.selectFrom('bios_settings').selectAll().where('node_id', '=', nodeId).orderBy('name').execute()
    return rows.map(fromRow)
  }

  async get(nodeId: number, name: string): Promise<BiosSettingRecord | null> {
    const row = await this.db.selectFrom('bios_settings').selectAll().where('node_id', '=', nodeId).where('name', '=', name).executeTakeFirst()
    return row ? fromRow(row) : null
  }

  /**
   * Makes the cache equal to `settings`: new names inserted, changed ones updated (created_at
   * kept), vanished ones deleted, in one transaction.
   */
  async sync(nodeId: number, settings: readonly BiosSettingInput[]): Promise<void> {
    const now = nowIso()
    await this.db.transaction().execute(async (trx) => {
      const existing = new Map((await trx.selectFrom('bios_settings').selectAll().where('node_id', '=', nodeId).execute()).map((r) => [r.name, r]))
      const seen = new Set<string>()
      for (const s of settings) {
        seen.add(s.name)
        const cols = {
          value: s.value, attribute_type: s.attribute_type ?? null,
          allowable_values: s.allowable_values === undefined || s.allowable_values === null ? null : JSON.stringify(s.allowable_values),
          lower_bound: s.lower_bound ?? null, max_length: s.max_length ?? null, min_length: s.min_length ?? null,
          read_only: flag(s.read_only), reset_required: flag(s.reset_required), unique: flag(s.unique), upper_bound: s.upper_bound ?? null,
        }
        const old = existing.get(s.name)
        if (!old) await trx.insertInto('bios_settings').values({ node_id: nodeId, name: s.name, ...cols, created_at: now, updated_at: null }).execute()
        else if (Object.entries(cols).some(([k, v]) => (old as Record<string, unknown>)[k] !== v)) {
          await trx.updateTable('bios_settings').set({ ...cols, updated_at: now }).where('node_id', '=', nodeId).where('name', '=', s.name).execute()
        }
      }
      const gone = [...existing.keys()].filter((n) => !seen.has(n))
      if (gone.length > 0) await trx.deleteFrom('bios_settings').where('node_id', '=', nodeId).where('name', 'in', gone).execute()
    })
  }
}
