import { tooOldError, requireVersion } from '../route-meta.js'
import { takes } from '../args.js'
import { ALLOCATION_LIST_ARGS, SHOW_ARGS } from '../schemas/query.js'
import { Type } from '@sinclair/typebox'
import type { Static } from '@sinclair/typebox'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppDeps } from '../deps.js'
import type { AllocationFilters, AllocationRecord } from '../../db/repos/allocations.js'
import { ALLOCATION_SORT_KEYS } from '../../db/repos/allocations.js'
import { NotFoundError, ValidationError } from '../../domain/errors.js'
import { allows } from '../microversions.js'
import { baseUrl } from '../links.js'
import { findNode } from '../node-lookup.js'
import { checkFieldNames, checkSortKey, parseFields } from '../collection.js'
import { nextLink, qpaging, qstr } from '../query.js'
import type { Query } from '../query.js'
import { check, checkName, checkTrait, checkUuid } from '../validate.js'
import { applyPatch, parsePatch } from '../json-patch.js'
import { ALLOCATION_FIELDS, ALLOCATION_UNSORTABLE, allocationView } from '../views/allocation.js'
import { requestContext } from '../context.js'
import { MAX_LIMIT } from './nodes.js'

const Nullable = <T extends ReturnType<typeof Type.String>>(t: T) => Type.Union([t, Type.Null()])

/** POST /v1/allocations (Ironic's ALLOCATION_SCHEMA). */
export const AllocationCreateBody = Type.Object(
  {
    uuid: Type.Optional(Nullable(Type.String())),
    name: Type.Optional(Nullable(Type.String())),
    node: Type.Optional(Nullable(Type.String())),
    owner: Type.Optional(Nullable(Type.String())),
    resource_class: Type.Optional(Nullable(Type.String({ maxLength: 80 }))),
    candidate_nodes: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()])),
    traits: Type.Optional(Type.Union([Type.Array(Type.String()), Type.Null()])),
    extra: Type.Optional(Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])),
  },
  { additionalProperties: false },
)
type AllocationCreateBody = Static<typeof AllocationCreateBody>

const PatchedShape = Type.Object(
  { name: Type.Union([Type.String({ maxLength: 255 }), Type.Null()]), extra: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]) },
  { additionalProperties: false },
)

async function findAllocation(deps: AppDeps, ident: string): Promise<AllocationRecord> {
  return deps.store.allocations.getByIdent(ident)
}

async function listAllocations(deps: AppDeps, req: FastifyRequest): Promise<Record<string, unknown>> {
  const q = req.query as Query
  const fields = parseFields(req, q, ALLOCATION_FIELDS)
  checkSortKey(req, q, ALLOCATION_FIELDS, ALLOCATION_UNSORTABLE)
  const { limit, sortKey, sortDir } = qpaging(q, ALLOCATION_SORT_KEYS, MAX_LIMIT)
  const f: AllocationFilters = {}
  const node = qstr(q, 'node')
  if (node !== undefined) {
    try {
      f.node_id = (await findNode(deps, req, node)).id
    } catch (e) {
      if (e instanceof NotFoundError) throw new ValidationError(e.message, { code: 'NODE_NOT_FOUND' })
      throw e
    }
  }
  for (const k of ['resource_class', 'state'] as const) {
    const v = qstr(q, k)
    if (v !== undefined) f[k] = v
  }
  const owner = qstr(q, 'owner')
  if (owner !== undefined) {
    if (!allows(req.apiVersion, 'allocation_owner')) throw tooOldError(req, 'allocation_owner', 'The "owner" filter')
    f.owner = owner
  }
  const markerIdent = qstr(q, 'marker')
  const marker = markerIdent === undefined ? undefined : await deps.store.allocations.getByIdent(checkUuid(markerIdent, 'marker'))
  const list = await deps.store.allocations.list(f, { limit, sortKey, sortDir, marker: marker as (AllocationRecord & Record<string, unknown>) | undefined })
  const base = baseUrl(req, deps)
  const out: Record<string, unknown> = { allocations: list.map((a) => allocationView(a, base, req.apiVersion, fields)) }
  const next = nextLink(base, 'allocations', q, limit, list.length, list.at(-1)?.uuid)
  if (next) out.next = next
  return out
}

async function createAllocation(deps: AppDeps, req: FastifyRequest, body: AllocationCreateBody): Promise<AllocationRecord> {
  if (body.owner !== undefined && body.owner !== null && !allows(req.apiVersion, 'allocation_owner')) throw tooOldError(req, 'allocation_owner', 'The "owner" field')
  const name = body.name ? checkName(body.name, 'name', "Cannot create allocation with invalid name 'NAME'") : null
  const traits = (body.traits ?? []).map((t) => checkTrait(t, 'allocation'))
  let node = null
  if (body.node) {
    if (!allows(req.apiVersion, 'allocation_backfill')) throw new ValidationError('Cannot set node when creating an allocation in this API version.')
    try {
      node = await findNode(deps, req, body.node)
    } catch (e) {
      if (e instanceof NotFoundError) throw new ValidationError(e.message, { code: 'NODE_NOT_FOUND' })
      throw e
    }
  }
  let resourceClass = body.resource_class ?? null
  if (!resourceClass) {
    if (!node) throw new ValidationError('The resource_class field is mandatory when not backfilling.')
    resourceClass = node.resource_class
  }
  const candidates: string[] = []
  const missing: string[] = []
  for (const ident of body.candidate_nodes ?? []) {
    try {
      candidates.push((await findNode(deps, req, ident)).uuid)
    } catch (e) {
      if (e instanceof NotFoundError) missing.push(ident)
      else throw e
    }
  }
  // Ironic's text (its database layer collects every missing one).
  if (missing.length > 0) throw new ValidationError(`Nodes cannot be found: ${missing.join(', ')}`, { code: 'NODE_NOT_FOUND' })
  let uuid = body.uuid ? checkUuid(body.uuid, 'uuid') : undefined
  if (!uuid && node?.instance_uuid) uuid = node.instance_uuid
  return deps.conductor.createAllocation(requestContext(req), {
    ...(uuid !== undefined ? { uuid } : {}), name, owner: body.owner ?? null, resource_class: resourceClass, traits, candidate_nodes: candidates, extra: body.extra ?? {},
    ...(node ? { node: node.uuid } : {}),
  })
}

/** Allocations appeared in 1.52: before that, reads are 404 and writes 405 (as Ironic hides them). */
const ALLOCATIONS = { config: { since: 'allocations', tooOld: 'hidden', what: 'Allocations', pecan: 'The API version does not allow allocations' } } as const

const NODE_ALLOCATION = { config: { since: 'allocations', tooOld: 'absent', what: 'The allocation of a node', pecan: '' } } as const

/** Allocations: create (the node is picked before the answer), list, show, update, delete. */
export function registerAllocationRoutes(app: FastifyInstance, deps: AppDeps): void {
  type A = { Params: { allocation: string } }
  type N = { Params: { node: string } }

  app.get('/v1/allocations', takes(ALLOCATION_LIST_ARGS, ALLOCATIONS), async (req) => {
    return listAllocations(deps, req)
  })

  app.post('/v1/allocations', ALLOCATIONS, async (req, reply) => {
    const body = check(AllocationCreateBody, req.body, 'allocation')
    const a = await createAllocation(deps, req, body)
    const base = baseUrl(req, deps)
    void reply.code(201).header('Location', `${base}/v1/allocations/${a.uuid}`)
    return allocationView(a, base, req.apiVersion)
  })

  app.get<A>('/v1/allocations/:allocation', takes(SHOW_ARGS, ALLOCATIONS), async (req) => {
    const fields = parseFields(req, req.query as Query, ALLOCATION_FIELDS)
    const a = await findAllocation(deps, req.params.allocation)
    return allocationView(a, baseUrl(req, deps), req.apiVersion, fields)
  })

  app.patch<A>('/v1/allocations/:allocation', ALLOCATIONS, async (req) => {
    requireVersion(req, 'allocation_update', 'Updating an allocation', 'not-allowed')
    const a = await findAllocation(deps, req.params.allocation)
    const readOnly = new Set(ALLOCATION_FIELDS.map(([f]) => f).filter((f) => f !== 'name' && f !== 'extra'))
    const ops = parsePatch(req.body, readOnly)
    checkFieldNames(req, ALLOCATION_FIELDS, ops.map((o) => o.path.split('/')[1]))
    const after = applyPatch({ name: a.name, extra: a.extra }, ops)
    if (after.extra === null) after.extra = {}
    const doc = check(PatchedShape, after, 'patch')
    if (doc.name !== a.name && doc.name !== null) checkName(doc.name, 'name', "Cannot update allocation with invalid name 'NAME'")
    const updated = await deps.store.allocations.update(a.id, { name: doc.name, extra: doc.extra ?? {} })
    return allocationView(updated, baseUrl(req, deps), req.apiVersion)
  })

  app.delete<A>('/v1/allocations/:allocation', ALLOCATIONS, async (req, reply) => {
    const a = await findAllocation(deps, req.params.allocation)
    await deps.conductor.destroyAllocation(requestContext(req), a.uuid)
    void reply.code(204)
  })

  app.get<N>('/v1/nodes/:node/allocation', takes(SHOW_ARGS, NODE_ALLOCATION), async (req) => {
    const fields = parseFields(req, req.query as Query, ALLOCATION_FIELDS)
    const node = await findNode(deps, req, req.params.node)
    const a = await deps.store.allocations.forNode(node.id)
    if (!a) throw new NotFoundError(`Allocation for node ${req.params.node} was not found`, { code: 'ALLOCATION_NOT_FOUND' })
    return allocationView(a, baseUrl(req, deps), req.apiVersion, fields)
  })

  app.delete<N>('/v1/nodes/:node/allocation', NODE_ALLOCATION, async (req, reply) => {
    const node = await findNode(deps, req, req.params.node)
    const a = await deps.store.allocations.forNode(node.id)
    if (!a) throw new NotFoundError(`Allocation for node ${req.params.node} was not found`, { code: 'ALLOCATION_NOT_FOUND' })
    await deps.conductor.destroyAllocation(requestContext(req), a.uuid)
    void reply.code(204)
  })
}
