import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Schema } from '../schema.js'
import { fromJson, nowIso } from '../codec.js'

export interface HistoryErrorDetail {
  /** Stable error code, e.g. DEPLOY_STEP_FAILED. */
  code: string
  /** Phase the failure happened in, e.g. "deploying / deploy step deploy.write_image". */
  phase: string
  /** What an operator can do about it. */
  remedy: string
}

export interface HistoryRecord {
  id: number
  uuid: string
  node_id: number
  conductor: string | null
  event_type: string
  severity: 'INFO' | 'WARNING' | 'ERROR'
  event: string
  user: string | null
  provision_state: string | null
  duration_ms: number | null
  error_detail: HistoryErrorDetail | null
  /** The provisioning phase the entry closes (its duration in duration_ms), else null. */
  phase: string | null
  created_at: string
}

export type NewHistory = Omit<HistoryRecord, 'id' | 'uuid' | 'created_at' | 'error_detail' | 'user' | 'provision_state' | 'duration_ms' | 'conductor' | 'phase'> &
  Partial<Pick<HistoryRecord, 'error_detail' | 'user' | 'provision_state' | 'duration_ms' | 'conductor' | 'phase'>>

/** Node history: every state change and error, with timestamps and durations. */
export class HistoryRepo {
  constructor(private readonly db: Kysely<Schema>) {}

  async add(h: NewHistory): Promise<void> {
    await this.db.insertInto('node_history').values({
      uuid: randomUUID(),
      node_id: h.node_id,
      conductor: h.conductor ?? null,
      event_type: h.event_type,
      severity: h.severity,
      event: h.event,
      user: h.user ?? null,
      provision_state: h.provision_state ?? null,
      duration_ms: h.duration_ms ?? null,
      error_detail: h.error_detail ? JSON.stringify(h.error_detail) : null,
      phase: h.phase ?? null,
      created_at: nowIso(),
    }).execute()
  }

  async list(nodeId: number, opts: { limit?: number; markerId?: number } = {}): Promise<HistoryRecord[]> {
    let q = this.db.selectFrom('node_history').selectAll().where('node_id', '=', nodeId).orderBy('id', 'asc')
    if (opts.markerId !== undefined) q = q.where('id', '>', opts.markerId)
    if (opts.limit !== undefined) q = q.limit(opts.limit)
    const rows = await q.execute()
    return rows.map((r) => ({
      ...r,
      severity: r.severity as HistoryRecord['severity'],
      error_detail: r.error_detail ? fromJson<HistoryErrorDetail>(r.error_detail, { code: '', phase: '', remedy: '' }) : null,
    }))
  }

  async getByUuid(nodeId: number, uuid: string): Promise<HistoryRecord | null> {
    const list = await this.db.selectFrom('node_history').select('id').where('node_id', '=', nodeId).where('uuid', '=', uuid).executeTakeFirst()
    if (!list) return null
    return (await this.list(nodeId, { markerId: list.id - 1, limit: 1 }))[0] ?? null
  }
}
