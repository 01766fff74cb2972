import type { Kysely } from 'kysely'
import type { Schema } from '../schema.js'
import { fromJson, toJson } from '../codec.js'
import type { ListOptions } from './shared.js'
import { StepListRepo } from './step-lists.js'

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

/** The fields of a deploy template a caller writes. */
export type DeployTemplateFields = Pick<DeployTemplateRecord, 'name' | 'extra' | 'steps'>

/** Database access for deploy templates and their steps (always written together). */
export class DeployTemplateRepo extends StepListRepo<DeployTemplateRecord, TemplateStep, DeployTemplateFields> {
  constructor(db: Kysely<Schema>) {
    super(db, {
      table: 'deploy_templates', stepTable: 'deploy_template_steps', fk: 'deploy_template_id', rank: 'priority', sortSteps: false,
      what: 'deploy template', notFound: 'DEPLOY_TEMPLATE_NOT_FOUND',
      decode: (r) => ({
        id: r.id as number, uuid: r.uuid as string, name: r.name as string, extra: fromJson(r.extra as string, {}),
        created_at: r.created_at as string, updated_at: r.updated_at as string | null,
      }),
      encode: (f) => ({
        ...(f.name !== undefined ? { name: f.name } : {}),
        ...(f.extra !== undefined ? { extra: toJson(f.extra) } : {}),
      }),
      step: (s, priority) => ({ ...s, priority }),
    })
  }

  /** The templates whose names are among `names` (a node's instance traits). */
  async byNames(names: readonly string[]): Promise<DeployTemplateRecord[]> {
    if (names.length === 0) return []
    return this.withSteps(await this.base().where('name', 'in', [...names]).orderBy('id').execute())
  }

  async list(opts: ListOptions<DeployTemplateSortKey> = {}): Promise<DeployTemplateRecord[]> {
    return this.page(opts)
  }
}
