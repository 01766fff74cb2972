import { randomUUID } from 'node:crypto'
import type { Kysely, Selectable } from 'kysely'
import type { DeployTemplateTable, Schema } from '../schema.js'
import { fromJson, mapUnique, nowIso, toJson } from '../codec.js'
import { NotFoundError } from '../../domain/errors.js'
import { applyPage } from './shared.js'
import { isUuid } from '../../domain/ident.js'
import type { ListOptions } from './shared.js'

/** One step of a deploy template (Ironic's field names). */
export interface TemplateStep {
  interface: string
  step: string
  args: Record<string, unknown>
  priority: number
}

/** A deploy template: a trait name and the deploy steps a node with that instance trait runs. */
export interface DeployTemplateRecord {
  id: number
  uuid: string
  name: string
  extra: Record<string, unknown>
  steps: TemplateStep[]
  created_at: string
  updated_at: string | null
}

export const DEPLOY_TEMPLATE_SORT_KEYS = ['id', 'uuid', 'name', 'created_at', 'updated_at'] as const
export type DeployTemplateSortKey = (typeof DEPLOY_TEMPLATE_SORT_KEYS)[number]

function duplicateMessage(col: string, rec: { name?: string; uuid?: string }): string {
  if (col === 'name') return `A deploy template with name ${rec.name} already exists.`
  return `A deploy template with UUID ${rec.uuid} already exists.`
}

/** Database access for deploy templates and their steps (always written together). */
export class DeployTemplateRepo {
  constructor(private readonly db: Kysely<Schema>) {}

  async #withSteps(rows: Selectable<DeployTemplateTable>[]): Promise<DeployTemplateRecord[]> {
    if (rows.length === 0) return []
    const steps = await this.db
      .selectFrom('deploy_template_steps')
      .selectAll()
      .where('deploy_template_id', 'in', rows.map((r) => r.id))
      .orderBy('id')
      .execute()
    return rows.map((r) => ({
      ...r,
      extra: fromJson(r.extra, {}),
      steps: steps
        .filter((s) => s.deploy_template_id === r.id)
        .map((s) => ({ interface: s.interface, step: s.step, args: fromJson(s.args, {}), priority: s.priority })),
    }))
  }

  async create(t: { uuid?: string; name: string; extra?: Record<string, unknown>; steps: TemplateStep[] }): Promise<DeployTemplateRecord> {
    const uuid = t.uuid ?? randomUUID()
    const id = await mapUnique(
      () =>
        this.db.transaction().execute(async (trx) => {
          const now = nowIso()
          const row = await trx
            .insertInto('deploy_templates')
            .values({ uuid, name: t.name, extra: toJson(t.extra ?? {}), created_at: now, updated_at: null })
            .returning('id')
            .executeTakeFirstOrThrow()
          await this.#insertSteps(trx, row.id, t.steps, now)
          return row.id
        }),
      (col) => duplicateMessage(col, { name: t.name, uuid }),
    )
    return (await this.getById(id))!
  }

  async #insertSteps(trx: Kysely<Schema>, id: number, steps: readonly TemplateStep[], now: string): Promise<void> {
    if (steps.length === 0) return
    await trx
      .insertInto('deploy_template_steps')
      .values(steps.map((s) => ({ deploy_template_id: id, interface: s.interface, step: s.step, args: toJson(s.args), priority: s.priority, created_at: now })))
      .execute()
  }

  async getById(id: number): Promise<DeployTemplateRecord | null> {
    const rows = await this.db.selectFrom('deploy_templates').selectAll().where('id', '=', id).execute()
    return (await this.#withSteps(rows))[0] ?? null
  }

  /** By UUID, else by name. Throws NotFoundError naming the identifier. */
  async getByIdent(ident: string): Promise<DeployTemplateRecord> {
    const q = this.db.selectFrom('deploy_templates').selectAll()
    const rows = isUuid(ident) ? await q.where('uuid', '=', ident.toLowerCase()).execute() : await q.where('name', '=', ident).execute()
    const t = (await this.#withSteps(rows))[0]
    if (!t) throw new NotFoundError(`Deploy template ${ident} could not be found.`, { code: 'DEPLOY_TEMPLATE_NOT_FOUND' })
    return t
  }

  /** The templates whose names are among `names` (a node's instance traits). */
  async byNames(names: readonly string[]): Promise<DeployTemplateRecord[]> {
    if (names.length === 0) return []
    const rows = await this.db.selectFrom('deploy_templates').selectAll().where('name', 'in', [...names]).orderBy('id').execute()
    return this.#withSteps(rows)
  }

  async list(opts: ListOptions<DeployTemplateSortKey> = {}): Promise<DeployTemplateRecord[]> {
    const q = applyPage(this.db.selectFrom('deploy_templates').selectAll(), opts) as { execute(): Promise<Selectable<DeployTemplateTable>[]> }
    return this.#withSteps(await q.execute())
  }

  /** Replaces name, extra and (when given) the steps. */
  async update(id: number, changes: { name?: string; extra?: Record<string, unknown>; steps?: TemplateStep[] }): Promise<DeployTemplateRecord> {
    await mapUnique(
      () =>
        this.db.transaction().execute(async (trx) => {
          const now = nowIso()
          const set: Record<string, unknown> = { updated_at: now }
          if (changes.name !== undefined) set.name = changes.name
          if (changes.extra !== undefined) set.extra = toJson(changes.extra)
          await trx.updateTable('deploy_templates').set(set).where('id', '=', id).execute()
          if (changes.steps !== undefined) {
            await trx.deleteFrom('deploy_template_steps').where('deploy_template_id', '=', id).execute()
            await this.#insertSteps(trx, id, changes.steps, now)
          }
        }),
      (col) => duplicateMessage(col, changes),
    )
    const t = await this.getById(id)
    if (!t) throw new NotFoundError(`Deploy template ${id} could not be found.`, { code: 'DEPLOY_TEMPLATE_NOT_FOUND' })
    return t
  }

  async delete(id: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('deploy_template_steps').where('deploy_template_id', '=', id).execute()
      await trx.deleteFrom('deploy_templates').where('id', '=', id).execute()
    })
  }
}
