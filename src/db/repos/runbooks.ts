import type { Kysely } from 'kysely'
import type { Schema } from '../schema.js'
import { fromBool, fromJson, toBool, toJson } from '../codec.js'
import type { ListOptions } from './shared.js'
import { StepListRepo } from './step-lists.js'

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

/** Database access for runbooks and their steps (always written together). */
export class RunbookRepo extends StepListRepo<RunbookRecord, RunbookStep, RunbookFields> {
  constructor(db: Kysely<Schema>) {
    super(db, {
      table: 'runbooks', stepTable: 'runbook_steps', fk: 'runbook_id', rank: 'order', sortSteps: true,
      what: 'runbook', notFound: 'RUNBOOK_NOT_FOUND',
      decode: (r) => ({
        id: r.id as number, uuid: r.uuid as string, name: r.name as string, public: toBool(r.public as number), owner: r.owner as string | null,
        disable_ramdisk: toBool(r.disable_ramdisk as number), extra: fromJson(r.extra as string, {}), created_at: r.created_at as string, updated_at: r.updated_at as string | null,
      }),
      encode: (f) => ({
        ...(f.name !== undefined ? { name: f.name } : {}),
        ...(f.public !== undefined ? { public: fromBool(f.public) } : {}),
        ...(f.owner !== undefined ? { owner: f.owner } : {}),
        ...(f.disable_ramdisk !== undefined ? { disable_ramdisk: fromBool(f.disable_ramdisk) } : {}),
        ...(f.extra !== undefined ? { extra: toJson(f.extra) } : {}),
      }),
      step: (s, order) => ({ ...s, order }),
    })
  }

  /** Runbooks visible to `project` (public ones and its own) when given, else all. */
  async list(opts: ListOptions<RunbookSortKey> & { project?: string } = {}): Promise<RunbookRecord[]> {
    const p = opts.project
    return this.page(opts, p === undefined ? undefined : (q) => q.where((eb) => eb.or([eb('public', '=', 1), eb('owner', '=', p)])))
  }
}
