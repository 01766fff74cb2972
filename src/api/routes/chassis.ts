import { requireVersion } from '../route-meta.js'
import { parseFilters } from './nodes.js'
import { takes } from '../args.js'
import { CHASSIS_DETAIL_ARGS, CHASSIS_LIST_ARGS, NODE_DETAIL_ARGS, NODE_LIST_ARGS, SHOW_ARGS } from '../schemas/query.js'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppDeps } from '../deps.js'
import type { ChassisChanges, ChassisRecord } from '../../db/repos/chassis.js'
import { CHASSIS_SORT_KEYS } from '../../db/repos/chassis.js'
import type { NodeRecord } from '../../db/repos/nodes.js'
import { NODE_SORT_KEYS } from '../../db/repos/nodes.js'
import { ValidationError } from '../../domain/errors.js'
import { allows } from '../microversions.js'
import { baseUrl } from '../links.js'
import { renderNodes } from '../node-lookup.js'
import { nodeFieldVisible } from '../views/node.js'
import { MAX_LIMIT } from './nodes.js'
import { checkSortKey, listFields, parseFields } from '../collection.js'
import { applyPatch, parsePatch } from '../json-patch.js'
import { nextLink, qbool, qfields, qpaging, qstr } from '../query.js'
import type { Query } from '../query.js'
import { check, checkUuid } from '../validate.js'
import { ChassisCreateBody, ChassisPatchedShape } from '../schemas/chassis.js'
import { CHASSIS_DEFAULT_FIELDS, CHASSIS_FIELDS, CHASSIS_UNSORTABLE, chassisView } from '../views/chassis.js'

const READ_ONLY = new Set(['id', 'uuid', 'created_at', 'updated_at', 'links', 'nodes'])

/** The chassis in a URL: a UUID (400 otherwise), 404 when missing. */
async function findChassis(deps: AppDeps, ident: string): Promise<ChassisRecord> {
  if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ident)) {
    throw new ValidationError(`Expected UUID for chassis_uuid: ${ident}`, { code: 'FERRUM_INVALID_UUID' })
  }
  return deps.store.chassis.getByUuid(ident)
}

async function listChassis(deps: AppDeps, req: FastifyRequest, detailPath: boolean): Promise<Record<string, unknown>> {
  const q = req.query as Query
  const fields = listFields(req, q, CHASSIS_FIELDS, CHASSIS_DEFAULT_FIELDS, detailPath)
  checkSortKey(req, q, CHASSIS_FIELDS, CHASSIS_UNSORTABLE)
  const { limit, sortKey, sortDir } = qpaging(q, CHASSIS_SORT_KEYS, MAX_LIMIT)
  const markerIdent = qstr(q, 'marker')
  const marker = markerIdent === undefined ? undefined : await deps.store.chassis.getByUuid(checkUuid(markerIdent, 'marker'))
  const list = await deps.store.chassis.list({ limit, sortKey, sortDir, marker: marker as (ChassisRecord & Record<string, unknown>) | undefined })
  const base = baseUrl(req, deps)
  const out: Record<string, unknown> = { chassis: list.map((c) => chassisView(c, base, req.apiVersion, fields)) }
  const next = nextLink(base, detailPath ? 'chassis/detail' : 'chassis', q, limit, list.length, list.at(-1)?.uuid)
  if (next) out.next = next
  return out
}

/** GET /v1/chassis/{uuid}/nodes[/detail]: the chassis' nodes, paged and shaped like /v1/nodes. */
async function listChassisNodes(deps: AppDeps, req: FastifyRequest, ident: string, detailPath: boolean): Promise<Record<string, unknown>> {
  const chassis = await findChassis(deps, ident)
  const q = req.query as Query
  let detail = detailPath
  if (qstr(q, 'detail') !== undefined) {
    if (detailPath || !allows(req.apiVersion, 'detail_query')) throw new ValidationError(`Invalid query parameter ?detail=${qbool(q, 'detail') ? 'True' : 'False'} received.`)
    detail = qbool(q, 'detail') ?? false
  }
  let fields: string[] | undefined
  if (qstr(q, 'fields') !== undefined) {
    requireVersion(req, 'fields_selector', 'The "fields" query parameter')
    if (detail) throw new ValidationError('Can not specify ?detail=True and fields in the same request.')
    fields = qfields(q, (f) => nodeFieldVisible(f, req.apiVersion))
  }
  const { limit, sortKey, sortDir } = qpaging(q, NODE_SORT_KEYS, MAX_LIMIT)
  const markerIdent = qstr(q, 'marker')
  const marker = markerIdent === undefined ? undefined : await deps.store.nodes.getByIdent(markerIdent)
  // The node filters apply within the chassis, as Ironic's NodesController applies them.
  const nodes = await deps.store.nodes.list({ ...parseFilters(req, q), chassis_id: chassis.id }, { limit, sortKey, sortDir, marker: marker as (NodeRecord & Record<string, unknown>) | undefined })
  const out: Record<string, unknown> = { nodes: await renderNodes(deps, req, nodes, { fields, short: !detail && fields === undefined }) }
  const path = `chassis/${chassis.uuid}/nodes${detailPath ? '/detail' : ''}`
  const next = nextLink(baseUrl(req, deps), path, q, limit, nodes.length, nodes.at(-1)?.uuid)
  if (next) out.next = next
  return out
}

export function registerChassisRoutes(app: FastifyInstance, deps: AppDeps): void {
  type C = { Params: { chassis: string } }

  app.get('/v1/chassis', takes(CHASSIS_LIST_ARGS), async (req) => listChassis(deps, req, false))
  app.get('/v1/chassis/detail', takes(CHASSIS_DETAIL_ARGS), async (req) => listChassis(deps, req, true))
  app.get<C>('/v1/chassis/:chassis/nodes', takes(NODE_LIST_ARGS), async (req) => listChassisNodes(deps, req, req.params.chassis, false))
  app.get<C>('/v1/chassis/:chassis/nodes/detail', takes(NODE_DETAIL_ARGS), async (req) => listChassisNodes(deps, req, req.params.chassis, true))

  app.get<C>('/v1/chassis/:chassis', takes(SHOW_ARGS), async (req) => {
    const fields = parseFields(req, req.query as Query, CHASSIS_FIELDS)
    const c = await findChassis(deps, req.params.chassis)
    return chassisView(c, baseUrl(req, deps), req.apiVersion, fields)
  })

  app.post('/v1/chassis', { schema: { body: ChassisCreateBody } }, async (req, reply) => {
    const body = (req.body ?? {}) as ChassisCreateBody
    const c = await deps.store.chassis.create({
      ...(body.uuid !== undefined && body.uuid !== null ? { uuid: checkUuid(body.uuid, 'uuid') } : {}),
      description: body.description ?? null,
      extra: body.extra ?? {},
    })
    void reply.code(201).header('Location', `${baseUrl(req, deps)}/v1/chassis/${c.uuid}`)
    return chassisView(c, baseUrl(req, deps), req.apiVersion)
  })

  app.patch<C>('/v1/chassis/:chassis', async (req) => {
    const c = await findChassis(deps, req.params.chassis)
    const ops = parsePatch(req.body, READ_ONLY, ['uuid', 'extra', 'description'])
    const after = applyPatch({ description: c.description, extra: c.extra }, ops, ['uuid', 'extra', 'description'])
    if (after.extra === null) after.extra = {}
    check(ChassisPatchedShape, after, 'patch')
    const changes: ChassisChanges = {}
    if (after.description !== c.description) changes.description = (after.description ?? null) as string | null
    if (JSON.stringify(after.extra) !== JSON.stringify(c.extra)) changes.extra = after.extra as Record<string, unknown>
    const updated = Object.keys(changes).length === 0 ? c : await deps.store.chassis.update(c.id, changes)
    return chassisView(updated, baseUrl(req, deps), req.apiVersion)
  })

  app.delete<C>('/v1/chassis/:chassis', async (req, reply) => {
    const c = await findChassis(deps, req.params.chassis)
    await deps.store.chassis.delete(c.id)
    void reply.code(204)
  })
}
