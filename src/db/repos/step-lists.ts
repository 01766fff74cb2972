/**
 * What deploy templates and runbooks share: a named row with a list of steps in a child table,
 * always written together in one transaction (create, update with the steps replaced, delete),
 * read with their steps, found by UUID or name.
 */
import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Schema } from '../schema.js'
import { fromJson, mapUnique, nowIso, toJson } from '../codec.js'
import { NotFoundError } from '../../domain/errors.js'
import type { ErrorCode } from '../../domain/error-codes.js'
import { isUuid } from '../../domain/ident.js'
import { applyPage, type ListOptions } from './shared.js'

/** A step as both kinds store it; `rank` is the kind's extra column (priority or order). */
export interface StoredStep {
  interface: string
  step: string
  args: Record<string, unknown>
}

/** How one kind maps onto its tables. */
export interface StepListSpec<Rec, Step extends StoredStep, Fields> {
  readonly table: 'deploy_templates' | 'runbooks'
  readonly stepTable: 'deploy_template_steps' | 'runbook_steps'
  /** The steps' column naming their parent row. */
  readonly fk: 'deploy_template_id' | 'runbook_id'
  /** The steps' extra column (`priority` of template steps, `order` of runbook steps), also their sort order when `sortSteps`. */
  readonly rank: 'priority' | 'order'
  readonly sortSteps: boolean
  /** For messages: "deploy template", "runbook". */
  readonly what: string
  readonly notFound: ErrorCode
  /** A parent row (columns as stored) → the record without its steps. */
  decode(row: Record<string, unknown>): Omit<Rec, 'steps'>
  /** The parent columns for the fields given (booleans and JSON encoded). */
  encode(fields: Partial<Fields>): Record<string, unknown>
  /** A step as the record shows it, from its stored parts and rank. */
  step(s: StoredStep, rank: number): Step
}

/** Database access for one kind of named step list. */
export class StepListRepo<Rec extends { id: number }, Step extends StoredStep, Fields extends { name: string; steps: Step[] }> {
  // Kysely cannot type a table chosen at run time; the spec fixes the names, so the queries below are untyped.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  protected readonly q: Kysely<any>

  constructor(db: Kysely<Schema>, private readonly spec: StepListSpec<Rec, Step, Fields>) {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    this.q = db as unknown as Kysely<any>
  }

  /** The records of these parent rows, each with its steps. */
  protected async withSteps(rows: Record<string, unknown>[]): Promise<Rec[]> {
    if (rows.length === 0) return []
    const { spec } = this
    let sq = this.q.selectFrom(spec.stepTable).selectAll().where(spec.fk, 'in', rows.map((r) => r.id))
    if (spec.sortSteps) sq = sq.orderBy(spec.rank)
    const steps = (await sq.orderBy('id').execute()) as Record<string, unknown>[]
    return rows.map((r) => ({
      ...spec.decode(r),
      steps: steps
        .filter((s) => s[spec.fk] === r.id)
        .map((s) => spec.step({ interface: String(s.interface), step: String(s.step), args: fromJson(s.args as string, {}) }, Number(s[spec.rank]))),
    }) as unknown as Rec)
  }

  async #insertSteps(trx: Kysely<Schema>, id: number, steps: readonly Step[], now: string): Promise<void> {
    if (steps.length === 0) return
    const { spec } = this
    await (trx as unknown as typeof this.q)
      .insertInto(spec.stepTable)
      .values(steps.map((s) => ({ [spec.fk]: id, interface: s.interface, step: s.step, args: toJson(s.args), [spec.rank]: (s as unknown as Record<string, number>)[spec.rank], created_at: now })))
      .execute()
  }

  #duplicate(col: string, rec: { name?: string; uuid?: string }): string {
    if (col === 'name') return `A ${this.spec.what} with name ${rec.name} already exists.`
    return `A ${this.spec.what} with UUID ${rec.uuid} already exists.`
  }

  #notFound(ident: string | number): NotFoundError {
    const w = this.spec.what
    return new NotFoundError(`${w[0].toUpperCase()}${w.slice(1)} ${ident} could not be found.`, { code: this.spec.notFound })
  }

  async create(f: Partial<Fields> & { uuid?: string; name: string; steps: Step[] }): Promise<Rec> {
    const uuid = f.uuid ?? randomUUID()
    const id = await mapUnique(
      () =>
        this.q.transaction().execute(async (trx) => {
          const now = nowIso()
          const row = await trx
            .insertInto(this.spec.table)
            .values({ ...this.spec.encode(f), uuid, name: f.name, created_at: now, updated_at: null })
            .returning('id')
            .executeTakeFirstOrThrow() as { id: number }
          await this.#insertSteps(trx as unknown as Kysely<Schema>, row.id, f.steps, now)
          return row.id
        }),
      (col) => this.#duplicate(col, { name: f.name, uuid }),
    )
    return (await this.getById(id))!
  }

  async getById(id: number): Promise<Rec | null> {
    const rows = await this.q.selectFrom(this.spec.table).selectAll().where('id', '=', id).execute()
    return (await this.withSteps(rows))[0] ?? null
  }

  /** By UUID, else by name. Throws NotFoundError naming the identifier. */
  async getByIdent(ident: string): Promise<Rec> {
    const q = this.q.selectFrom(this.spec.table).selectAll()
    const rows = isUuid(ident) ? await q.where('uuid', '=', ident.toLowerCase()).execute() : await q.where('name', '=', ident).execute()
    const r = (await this.withSteps(rows))[0]
    if (!r) throw this.#notFound(ident)
    return r
  }

  /** A page of records; `where` narrows the rows first. */
  protected async page(opts: ListOptions<string>, where?: (q: ReturnType<typeof this.base>) => ReturnType<typeof this.base>): Promise<Rec[]> {
    const q = where ? where(this.base()) : this.base()
    return this.withSteps(await (applyPage(q, opts) as { execute(): Promise<Record<string, unknown>[]> }).execute())
  }

  protected base() {
    return this.q.selectFrom(this.spec.table).selectAll()
  }

  /** Changes the fields given; the steps, when given, are replaced. */
  async update(id: number, changes: Partial<Fields>): Promise<Rec> {
    await mapUnique(
      () =>
        this.q.transaction().execute(async (trx) => {
          const now = nowIso()
          const { steps, ...rest } = changes
          await trx.updateTable(this.spec.table).set({ ...this.spec.encode(rest as Partial<Fields>), updated_at: now }).where('id', '=', id).execute()
          if (steps !== undefined) {
            await trx.deleteFrom(this.spec.stepTable).where(this.spec.fk, '=', id).execute()
            await this.#insertSteps(trx as unknown as Kysely<Schema>, id, steps, now)
          }
        }),
      (col) => this.#duplicate(col, changes),
    )
    const r = await this.getById(id)
    if (!r) throw this.#notFound(id)
    return r
  }

  async delete(id: number): Promise<void> {
    await this.q.transaction().execute(async (trx) => {
      await trx.deleteFrom(this.spec.stepTable).where(this.spec.fk, '=', id).execute()
      await trx.deleteFrom(this.spec.table).where('id', '=', id).execute()
    })
  }
}
