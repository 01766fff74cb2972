import { Type } from '@sinclair/typebox'
import { takes } from '../args.js'
import { RUNBOOK_LIST_ARGS, SHOW_ARGS } from '../schemas/query.js'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppDeps } from '../deps.js'
import type { NodeRecord } from '../../db/repos/nodes.js'
import type { RunbookRecord, RunbookStep } from '../../db/repos/runbooks.js'
import { RUNBOOK_SORT_KEYS } from '../../db/repos/runbooks.js'
import { ValidationError } from '../../domain/errors.js'
import { baseUrl, selfLinks } from '../links.js'
import { checkSortKey, listFields, parseFields, pickFields } from '../collection.js'
import type { FieldTable } from '../collection.js'
import { nextLink, qpaging, qstr } from '../query.js'
import type { Query } from '../query.js'
import { check, checkTrait, checkUuid } from '../validate.js'
import { applyPatch, parsePatch } from '../json-patch.js'
import { MAX_LIMIT } from './nodes.js'
import type { ProvisionRequest } from '../../conductor/api.js'

const STEP_INTERFACES = ['bios', 'deploy', 'firmware', 'management', 'network', 'power', 'raid', 'storage', 'vendor'] as const
const RunbookStepSchema = Type.Object(
  {
    interface: Type.Union(STEP_INTERFACES.map((i) => Type.Literal(i))),
    step: Type.String({ minLength: 1, maxLength: 255 }),
    args: Type.Record(Type.String(), Type.Unknown()),
    order: Type.Union([Type.Integer({ minimum: 0 }), Type.String({ minLength: 1, pattern: '^[0-9]+$' })]),
  },
  { additionalProperties: false },
)
const Fields = {
  name: Type.String({ minLength: 1, maxLength: 255 }),
  steps: Type.Array(RunbookStepSchema, { minItems: 1 }),
  disable_ramdisk: Type.Optional(Type.Boolean()),
  public: Type.Optional(Type.Boolean()),
  owner: Type.Optional(Type.Union([Type.String({ maxLength: 255 }), Type.Null()])),
  extra: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
}
const RunbookBody = Type.Object({ uuid: Type.Optional(Type.Union([Type.String(), Type.Null()])), ...Fields }, { additionalProperties: false })
const RunbookPatched = Type.Object(Fields, { additionalProperties: false })

const RUNBOOK_FIELDS: FieldTable = [
  ['uuid', null], ['name', null], ['steps', null], ['disable_ramdisk', null], ['public', null], ['owner', null],
  ['extra', null], ['created_at', null], ['updated_at', null], ['links', null],
]
const DEFAULT_FIELDS = ['uuid', 'name'] as const

function steps(list: { interface: string; step: string; args: Record<string, unknown>; order: number | string }[]): RunbookStep[] {
  const seen = new Set<string>()
  for (const s of list) {
    const k = `${s.interface}.${s.step}.${String(s.order)}`
    if (seen.has(k)) throw new ValidationError(`Duplicate runbook step ${s.interface}.${s.step} with order ${String(s.order)}.`)
    seen.add(k)
  }
  return list.map((s) => ({ interface: s.interface, step: s.step, args: s.args, order: Number(s.order) }))
}

function view(r: RunbookRecord, base: string, req: FastifyRequest, fields?: readonly string[]): Record<string, unknown> {
  return pickFields({ ...r, links: selfLinks(base, `runbooks/${r.uuid}`) }, RUNBOOK_FIELDS, req.apiVersion, fields)
}

/**
 * The steps a runbook gives a node's manual clean or service: the node must carry a trait named
 * like the runbook, and the runbook must be public, unowned, or owned by the node's owner or lessee.
 * @throws ValidationError naming which rule refused it
 */
export async function runbookFor(deps: AppDeps, node: NodeRecord, ident: string): Promise<RunbookRecord> {
  const rb = await deps.store.runbooks.getByIdent(ident)
  const traits = await deps.store.nodes.traits(node.id)
  if (!traits.includes(rb.name)) {
    throw new ValidationError(`Runbook ${rb.name} can not be used on node ${node.uuid}: the node does not have the trait ${rb.name}.`, { code: 'RUNBOOK_NOT_APPLICABLE' })
  }
  if (!rb.public && rb.owner !== null && rb.owner !== node.owner && rb.owner !== node.lessee) {
    throw new ValidationError(`Runbook ${rb.name} is private to project ${rb.owner}, which neither owns nor leases node ${node.uuid}.`, { code: 'RUNBOOK_NOT_APPLICABLE' })
  }
  return rb
}

/** Runbooks (1.92+): named step lists for manual cleaning and servicing. */
/** Runbooks appeared in 1.92: before that, reads are 404 and writes 405. */
const RUNBOOKS = { config: { since: 'runbooks', tooOld: 'hidden', what: 'Runbooks' } } as const

export function registerRunbookRoutes(app: FastifyInstance, deps: AppDeps): void {
  type R = { Params: { runbook: string } }
  app.get('/v1/runbooks', takes(RUNBOOK_LIST_ARGS, RUNBOOKS), async (req) => {
    const q = req.query as Query
    const fields = listFields(req, q, RUNBOOK_FIELDS, DEFAULT_FIELDS, false)
    checkSortKey(req, q, RUNBOOK_FIELDS, ['extra', 'steps', 'links'])
    const { limit, sortKey, sortDir } = qpaging(q, RUNBOOK_SORT_KEYS, MAX_LIMIT)
    const markerIdent = qstr(q, 'marker')
    const marker = markerIdent === undefined ? undefined : await deps.store.runbooks.getByIdent(checkUuid(markerIdent, 'marker'))
    const project = qstr(q, 'project')
    const items = await deps.store.runbooks.list({ limit, sortKey, sortDir, marker: marker as (RunbookRecord & Record<string, unknown>) | undefined, ...(project ? { project } : {}) })
    const base = baseUrl(req, deps)
    const out: Record<string, unknown> = { runbooks: items.map((r) => view(r, base, req, fields)) }
    const next = nextLink(base, 'runbooks', q, limit, items.length, items.at(-1)?.uuid)
    if (next) out.next = next
    return out
  })

  app.post('/v1/runbooks', RUNBOOKS, async (req, reply) => {
    const b = check(RunbookBody, req.body, 'runbook')
    const r = await deps.store.runbooks.create({
      uuid: b.uuid ? checkUuid(b.uuid, 'uuid') : undefined, name: checkTrait(b.name), steps: steps(b.steps),
      disable_ramdisk: b.disable_ramdisk ?? false, public: b.public ?? false, owner: b.owner ?? null, extra: b.extra ?? {},
    })
    const base = baseUrl(req, deps)
    void reply.code(201).header('Location', `${base}/v1/runbooks/${r.uuid}`)
    return view(r, base, req)
  })

  app.get<R>('/v1/runbooks/:runbook', takes(SHOW_ARGS, RUNBOOKS), async (req) => {
    const fields = parseFields(req, req.query as Query, RUNBOOK_FIELDS)
    return view(await deps.store.runbooks.getByIdent(req.params.runbook), baseUrl(req, deps), req, fields)
  })

  app.patch<R>('/v1/runbooks/:runbook', RUNBOOKS, async (req) => {
    const r = await deps.store.runbooks.getByIdent(req.params.runbook)
    const ops = parsePatch(req.body, new Set(['uuid', 'created_at', 'updated_at', 'links']))
    const after = applyPatch({ name: r.name, steps: r.steps, disable_ramdisk: r.disable_ramdisk, public: r.public, owner: r.owner, extra: r.extra }, ops)
    for (const k of ['disable_ramdisk', 'public'] as const) if (after[k] === null) after[k] = false
    const d = check(RunbookPatched, after, 'patch')
    const u = await deps.store.runbooks.update(r.id, {
      name: checkTrait(d.name), steps: steps(d.steps), disable_ramdisk: d.disable_ramdisk ?? false, public: d.public ?? false, owner: d.owner ?? null, extra: d.extra ?? {},
    })
    return view(u, baseUrl(req, deps), req)
  })

  app.delete<R>('/v1/runbooks/:runbook', RUNBOOKS, async (req, reply) => {
    const r = await deps.store.runbooks.getByIdent(req.params.runbook)
    await deps.store.runbooks.delete(r.id)
    void reply.code(204)
  })
}

/**
 * Turns `runbook` in a clean or service request into the runbook's steps (in `order`), after
 * checking the node may use it (runbookFor). Leaves other requests as they are.
 */
export async function applyRunbook(deps: AppDeps, node: NodeRecord, pr: ProvisionRequest): Promise<void> {
  if (pr.runbook === undefined) return
  if (pr.verb !== 'clean' && pr.verb !== 'service') throw new ValidationError('"runbook" is only valid for the "clean" and "service" actions.')
  if (pr.clean_steps !== undefined || pr.service_steps !== undefined) throw new ValidationError('Cannot specify both a runbook and explicit steps; send one of them.')
  const rb = await runbookFor(deps, node, pr.runbook)
  const list = [...rb.steps].sort((a, b) => a.order - b.order).map((s) => ({ interface: s.interface, step: s.step, args: s.args }))
  if (pr.verb === 'clean') pr.clean_steps = list
  else pr.service_steps = list
  if (rb.disable_ramdisk) pr.disable_ramdisk = true
}
