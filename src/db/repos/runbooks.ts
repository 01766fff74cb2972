import { randomUUID } from 'node:crypto'
import type { Kysely, Selectable } from 'kysely'
import type { RunbookTable, Schema } from '../schema.js'
import { fromBool, fromJson, mapUnique, nowIso, toBool, toJson } from '../codec.js'
import { NotFoundError } from '../../domain/errors.js'
import { applyPage } from './shared.js'
import { isUuid } from '../../domain/ident.js'
import type { ListOptions } from './shared.js'

/** One step of a runbook; steps run in `order`. */
export interface RunbookStep {
  interface: string
  step: string
  args: Record<string, unknown>
  order: number
}

/** A runbook: a named (trait-like) list of steps for manual cleaning and servicing. */
export interface RunbookRecord {
  id: number
  uuid: string
  name: string
  public: boolean
  owner: string | null
  disable_ramdisk: boolean
  extra: Record<string, unknown>
  steps: RunbookStep[]
  created_at: string
  updated_at: string | null
}

export type RunbookFields = Pick<RunbookRecord, 'name' | 'public' | 'owner' | 'disable_ramdisk' | 'extra' | 'steps'>

export const RUNBOOK_SORT_KEYS = ['id', 'uuid', 'name', 'owner', 'public', 'created_at', 'updated_at'] as const
export type RunbookSortKey = (typeof RUNBOOK_SORT_KEYS)[number]

function duplicateMessage(col: string, rec: { name?: string; uuid?: string }): string {
  if (col === 'name') return `A runbook with name ${rec.name} already exists.`
  return `A runbook with UUID ${rec.uuid} already exists.`
}

/** Database access for runbooks and their steps (always written together). */
export class RunbookRepo {
  constructor(private readonly db: Kysely<Schema>) {}

  async #withSteps(rows: Selectable<RunbookTable>[]): Promise<RunbookRecord[]> {
    if (rows.length === 0) return []
    const steps = await this.db.selectFrom('runbook_steps').selectAll().where('runbook_id', 'in', rows.map((r) => r.id)).orderBy('order').orderBy('id').execute()
    return rows.map((r) => ({
      ...r,
      public: toBool(r.public),
      disable_ramdisk: toBool(r.disable_ramdisk),
      extra: fromJson(r.extra, {}),
      steps: steps.filter((s) => s.runbook_id === r.id).map((s) => ({ interface: s.interface, step: s.step, args: fromJson(s.args, {}), order: s.order })),
    }))
  }

  async #insertSteps(trx: Kysely<Schema>, id: number, steps: readonly RunbookStep[], now: string): Promise<void> {
    if (steps.length === 0) return
    await trx
      .insertInto('runbook_steps')
      .values(steps.map((s) => ({ runbook_id: id, interface: s.interface, step: s.step, args: toJson(s.args), order: s.order, created_at: now })))
      .execute()
  }

  async create(r: Partial<RunbookFields> & { uuid?: string; name: string; steps: RunbookStep[] }): Promise<RunbookRecord> {
    const uuid = r.uuid ?? randomUUID()
    const id = await mapUnique(
      () =>
        this.db.transaction().execute(async (trx) => {
          const now = nowIso()
          const row = await trx
            .insertInto('runbooks')
            .values({
              uuid, name: r.name, public: fromBool(r.public ?? false), owner: r.owner ?? null,
              disable_ramdisk: fromBool(r.disable_ramdisk ?? false), extra: toJson(r.extra ?? {}), created_at: now, updated_at: null,
            })
            .returning('id')
            .executeTakeFirstOrThrow()
          await this.#insertSteps(trx, row.id, r.steps, now)
          return row.id
        }),
      (col) => duplicateMessage(col, { name: r.name, uuid }),
    )
    return (await this.getById(id))!
  }

  async getById(id: number): Promise<RunbookRecord | null> {
    return (await this.#withSteps(await this.db.selectFrom('runbooks').selectAll().where('id', '=', id).execute()))[0] ?? null
  }

  /** By UUID, else by name. Throws NotFoundError naming the identifier. */
  async getByIdent(ident: string): Promise<RunbookRecord> {
    const q = this.db.selectFrom('runbooks').selectAll()
    const rows = isUuid(ident) ? await q.where('uuid', '=', ident.toLowerCase()).execute() : await q.where('name', '=', ident).execute()
    const r = (await this.#withSteps(rows))[0]
    if (!r) throw new NotFoundError(`Runbook ${ident} could not be found.`, { code: 'RUNBOOK_NOT_FOUND' })
    return r
  }

  /** Runbooks visible to `project` (public ones and its own) when given, else all. */
  async list(opts: ListOptions<RunbookSortKey> & { project?: string } = {}): Promise<RunbookRecord[]> {
    let q = this.db.selectFrom('runbooks').selectAll()
    const p = opts.project
    if (p !== undefined) q = q.where((eb) => eb.or([eb('public', '=', 1), eb('owner', '=', p)]))
    const rows = await (applyPage(q, opts) as { execute(): Promise<Selectable<RunbookTable>[]> }).execute()
    return this.#withSteps(rows)
  }

  async update(id: number, changes: Partial<RunbookFields>): Promise<RunbookRecord> {
    await mapUnique(
      () =>
        this.db.transaction().execute(async (trx) => {
          const now = nowIso()
          const set: Record<string, unknown> = { updated_at: now }
          if (changes.name !== undefined) set.name = changes.name
          if (changes.public !== undefined) set.public = fromBool(changes.public)
          if (changes.owner !== undefined) set.owner = changes.owner
          if (changes.disable_ramdisk !== undefined) set.disable_ramdisk = fromBool(changes.disable_ramdisk)
          if (changes.extra !== undefined) set.extra = toJson(changes.extra)
          await trx.updateTable('runbooks').set(set).where('id', '=', id).execute()
          if (changes.steps !== undefined) {
            await trx.deleteFrom('runbook_steps').where('runbook_id', '=', id).execute()
            await this.#insertSteps(trx, id, changes.steps, now)
          }
        }),
      (col) => duplicateMessage(col, changes),
    )
    const r = await this.getById(id)
    if (!r) throw new NotFoundError(`Runbook ${id} could not be found.`, { code: 'RUNBOOK_NOT_FOUND' })
    return r
  }

  async delete(id: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('runbook_steps').where('runbook_id', '=', id).execute()
      await trx.deleteFrom('runbooks').where('id', '=', id).execute()
    })
  }
}
