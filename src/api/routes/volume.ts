import { Type } from '@sinclair/typebox'
import { takes } from '../args.js'
import { SHOW_ARGS, VOLUME_LIST_ARGS } from '../schemas/query.js'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppDeps } from '../deps.js'
import type { NodeRecord } from '../../db/repos/nodes.js'
import type { VolumeConnectorRecord, VolumeTargetRecord } from '../../db/repos/volume.js'
import { CONNECTOR_SORT_KEYS, TARGET_SORT_KEYS } from '../../db/repos/volume.js'
import { NotAuthorizedError, NotFoundError, ValidationError } from '../../domain/errors.js'
import { baseUrl, selfLinks } from '../links.js'
import { findNode } from '../node-lookup.js'
import { checkSortKey, parseFields } from '../collection.js'
import type { FieldTable } from '../collection.js'
import { nextLink, qbool, qpaging, qstr } from '../query.js'
import type { Query } from '../query.js'
import { check, checkUuid } from '../validate.js'
import { applyPatch, parsePatch } from '../json-patch.js'
import {
  CONNECTOR_DEFAULT_FIELDS, CONNECTOR_FIELDS, connectorView, TARGET_DEFAULT_FIELDS, TARGET_FIELDS, targetView, VOLUME_UNSORTABLE,
} from '../views/volume.js'
import { MAX_LIMIT } from './nodes.js'

/** Connector types Ironic's storage interfaces understand. */
export const CONNECTOR_TYPES = ['iqn', 'ip', 'mac', 'wwnn', 'wwpn', 'port', 'portgroup'] as const

const Obj = Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()])
/** Ironic's PATCH_ALLOWED_FIELDS of volume connectors and targets, for its refusal text. */
const CONNECTOR_PATCHABLE = ['connector_id', 'extra', 'node_uuid', 'type']
const TARGET_PATCHABLE = ['boot_index', 'extra', 'node_uuid', 'properties', 'volume_id', 'volume_type']

const ConnectorBody = Type.Object(
  {
    connector_id: Type.String(),
    extra: Type.Optional(Type.Union([Obj, Type.Null()])),
    node_uuid: Type.String(),
    type: Type.String(),
    uuid: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  },
  { additionalProperties: false },
)
const TargetBody = Type.Object(
  {
    boot_index: Type.Integer(),
    extra: Type.Optional(Type.Union([Obj, Type.Null()])),
    node_uuid: Type.String(),
    properties: Type.Optional(Type.Union([Obj, Type.Null()])),
    volume_id: Type.String(),
    volume_type: Type.String(),
    uuid: Type.Optional(Type.Union([Type.String(), Type.Null()])),
  },
  { additionalProperties: false },
)

/** Changing what a node boots from is refused while it may be using it (powered on and active). */
function checkNodeState(node: NodeRecord, action: string): void {
  if (node.power_state !== 'power off' && node.provision_state === 'active') {
    throw new ValidationError(`The requested action "${action}" can not be performed on node "${node.uuid}" while it is in state "${node.power_state}".`, { code: 'INVALID_STATE_REQUESTED' })
  }
}

/** The node a volume resource names; an unknown one is a 400 in Ironic's words (a create and a patch word it differently). */
async function nodeByUuid(deps: AppDeps, req: FastifyRequest, uuid: unknown, on: 'create' | 'patch' = 'create'): Promise<NodeRecord> {
  const u = checkUuid(uuid, 'node_uuid')
  try {
    return await findNode(deps, req, u)
  } catch (e) {
    if (e instanceof NotFoundError) throw new ValidationError(on === 'patch' ? `Node ${u} could not be found.` : `Invalid input for field/attribute node_uuid. Value: '${u}'. `, { code: 'NODE_NOT_FOUND', details: { ferrum_field: 'node_uuid', ferrum_remedy: `No node has UUID ${u}; list them with GET /v1/nodes.` } })
    throw e
  }
}

const withNode = (node?: string) => (node === undefined ? {} : { node })

interface Kind<R extends VolumeConnectorRecord | VolumeTargetRecord> {
  path: 'connectors' | 'targets'
  key: string
  fields: FieldTable
  defaults: readonly string[]
  sortKeys: readonly string[]
  view: (r: R, base: string, v: FastifyRequest['apiVersion'], fields?: readonly string[]) => Record<string, unknown>
  list: (deps: AppDeps, f: { node_id?: number }, opts: Record<string, unknown>) => Promise<R[]>
  get: (deps: AppDeps, uuid: string) => Promise<R>
}

const CONNECTORS: Kind<VolumeConnectorRecord> = {
  path: 'connectors', key: 'connectors', fields: CONNECTOR_FIELDS, defaults: CONNECTOR_DEFAULT_FIELDS, sortKeys: CONNECTOR_SORT_KEYS, view: connectorView,
  list: (d, f, o) => d.store.volume.listConnectors(f, o), get: (d, u) => d.store.volume.getConnector(u),
}
const TARGETS: Kind<VolumeTargetRecord> = {
  path: 'targets', key: 'targets', fields: TARGET_FIELDS, defaults: TARGET_DEFAULT_FIELDS, sortKeys: TARGET_SORT_KEYS, view: targetView,
  list: (d, f, o) => d.store.volume.listTargets(f, o), get: (d, u) => d.store.volume.getTarget(u),
}

/** Volume before 1.32: /volume answers Ironic's NotFound, paths below it webob's 404 (its router). */
const VOLUME_ROOT = { config: { since: 'volume', tooOld: 'absent', what: 'Volume resources' } } as const
const VOLUME = { config: { ...VOLUME_ROOT.config, pecan: '' } } as const

async function listOf<R extends VolumeConnectorRecord | VolumeTargetRecord>(deps: AppDeps, req: FastifyRequest, k: Kind<R>, src: { node?: string; detailPath: boolean; path: string }) {
  const q = req.query as Query
  // Volume lists took ?detail from the start (1.32), unlike the others (1.43).
  const detail = src.detailPath || qbool(q, 'detail') === true
  if (detail && qstr(q, 'fields') !== undefined) throw new ValidationError("Can't fetch a subset of fields with 'detail' set")
  const fields = detail ? undefined : (parseFields(req, q, k.fields) ?? [...k.defaults])
  checkSortKey(req, q, k.fields, VOLUME_UNSORTABLE)
  const { limit, sortKey, sortDir } = qpaging(q, k.sortKeys as readonly string[], MAX_LIMIT)
  const nodeIdent = src.node ?? qstr(q, 'node')
  const f: { node_id?: number } = {}
  if (nodeIdent !== undefined) f.node_id = (await findNode(deps, req, nodeIdent)).id
  const markerIdent = qstr(q, 'marker')
  const marker = markerIdent === undefined ? undefined : await k.get(deps, checkUuid(markerIdent, 'marker'))
  const items = await k.list(deps, f, { limit, sortKey, sortDir, marker })
  const base = baseUrl(req, deps)
  const out: Record<string, unknown> = { [k.key]: items.map((r) => k.view(r, base, req.apiVersion, fields)) }
  const next = nextLink(base, src.path, q, limit, items.length, items.at(-1)?.uuid)
  if (next) out.next = next
  return out
}

/** Volume connectors and targets, top-level and under a node (read-only there). */
export function registerVolumeRoutes(app: FastifyInstance, deps: AppDeps): void {
  type N = { Params: { node: string } }
  type U = { Params: { uuid: string } }

  app.get('/v1/volume', VOLUME_ROOT, async (req) => {
    const base = baseUrl(req, deps)
    return { links: selfLinks(base, 'volume/'), connectors: selfLinks(base, 'volume/connectors'), targets: selfLinks(base, 'volume/targets') }
  })
  app.get<N>('/v1/nodes/:node/volume', VOLUME_ROOT, async (req) => {
    const node = await findNode(deps, req, req.params.node)
    const base = baseUrl(req, deps)
    const p = `nodes/${node.uuid}/volume`
    return { links: selfLinks(base, `${p}/`), connectors: selfLinks(base, `${p}/connectors`), targets: selfLinks(base, `${p}/targets`) }
  })

  for (const k of [CONNECTORS, TARGETS] as Kind<VolumeConnectorRecord | VolumeTargetRecord>[]) {
    app.get(`/v1/volume/${k.path}`, takes(VOLUME_LIST_ARGS, VOLUME), async (req) => listOf(deps, req, k, { detailPath: false, path: `volume/${k.path}` }))
    app.get(`/v1/volume/${k.path}/detail`, takes(VOLUME_LIST_ARGS, VOLUME), async (req) => listOf(deps, req, k, { detailPath: true, path: `volume/${k.path}/detail` }))
    app.get<N>(`/v1/nodes/:node/volume/${k.path}`, takes(VOLUME_LIST_ARGS, VOLUME), async (req) =>
      listOf(deps, req, k, { ...withNode(req.params.node), detailPath: false, path: `nodes/${req.params.node}/volume/${k.path}` }))
    app.get<U>(`/v1/volume/${k.path}/:uuid`, takes(SHOW_ARGS, VOLUME), async (req) => {
      const fields = parseFields(req, req.query as Query, k.fields)
      return k.view(await k.get(deps, checkUuid(req.params.uuid, k.path === 'connectors' ? 'connector_uuid' : 'target_uuid')), baseUrl(req, deps), req.apiVersion, fields)
    })
    const forbidden = async () => {
      throw new NotAuthorizedError('Operation not permitted: volume resources are changed through /v1/volume, not under a node.', { code: 'OPERATION_NOT_PERMITTED' })
    }
    app.post(`/v1/nodes/:node/volume/${k.path}`, VOLUME, forbidden)
  }

  app.post('/v1/volume/connectors', VOLUME, async (req, reply) => {
    const body = check(ConnectorBody, req.body, 'connector')
    if (!(CONNECTOR_TYPES as readonly string[]).includes(body.type)) {
      throw new ValidationError(`Invalid volume connector type "${body.type}". Use one of: ${CONNECTOR_TYPES.join(', ')}.`)
    }
    const node = await nodeByUuid(deps, req, body.node_uuid)
    const c = await deps.store.volume.createConnector({
      uuid: body.uuid ? checkUuid(body.uuid, 'uuid') : undefined, node_id: node.id, type: body.type, connector_id: body.connector_id, extra: body.extra ?? {},
    })
    const base = baseUrl(req, deps)
    void reply.code(201).header('Location', `${base}/v1/volume/connectors/${c.uuid}`)
    return connectorView(c, base, req.apiVersion)
  })

  app.post('/v1/volume/targets', VOLUME, async (req, reply) => {
    const body = check(TargetBody, req.body, 'target')
    const node = await nodeByUuid(deps, req, body.node_uuid)
    const t = await deps.store.volume.createTarget({
      uuid: body.uuid ? checkUuid(body.uuid, 'uuid') : undefined, node_id: node.id, volume_type: body.volume_type,
      volume_id: body.volume_id, boot_index: body.boot_index, properties: body.properties ?? {}, extra: body.extra ?? {},
    })
    const base = baseUrl(req, deps)
    void reply.code(201).header('Location', `${base}/v1/volume/targets/${t.uuid}`)
    return targetView(t, base, req.apiVersion)
  })

  app.patch<U>('/v1/volume/connectors/:uuid', VOLUME, async (req) => {
    const c = await deps.store.volume.getConnector(checkUuid(req.params.uuid, 'connector_uuid'))
    const ops = parsePatch(req.body, new Set(['uuid', 'created_at', 'updated_at', 'links']), CONNECTOR_PATCHABLE)
    const after = applyPatch({ node_uuid: c.node_uuid, type: c.type, connector_id: c.connector_id, extra: c.extra }, ops, CONNECTOR_PATCHABLE)
    const doc = check(ConnectorBody, { ...after, extra: after.extra ?? {} }, 'patch')
    if (!(CONNECTOR_TYPES as readonly string[]).includes(doc.type)) throw new ValidationError(`Invalid volume connector type "${doc.type}". Use one of: ${CONNECTOR_TYPES.join(', ')}.`)
    const node = await nodeByUuid(deps, req, doc.node_uuid, 'patch')
    checkNodeState((await deps.store.nodes.getById(c.node_id))!, 'volume connector update')
    if (node.id !== c.node_id) checkNodeState(node, 'volume connector update')
    const u = await deps.store.volume.updateConnector(c.id, c.uuid, { node_id: node.id, type: doc.type, connector_id: doc.connector_id, extra: doc.extra ?? {} })
    return connectorView(u, baseUrl(req, deps), req.apiVersion)
  })

  app.patch<U>('/v1/volume/targets/:uuid', VOLUME, async (req) => {
    const t = await deps.store.volume.getTarget(checkUuid(req.params.uuid, 'target_uuid'))
    const ops = parsePatch(req.body, new Set(['uuid', 'created_at', 'updated_at', 'links']), TARGET_PATCHABLE)
    const after = applyPatch({ node_uuid: t.node_uuid, volume_type: t.volume_type, volume_id: t.volume_id, boot_index: t.boot_index, properties: t.properties, extra: t.extra }, ops, TARGET_PATCHABLE)
    const doc = check(TargetBody, { ...after, extra: after.extra ?? {}, properties: after.properties ?? {} }, 'patch')
    const node = await nodeByUuid(deps, req, doc.node_uuid, 'patch')
    checkNodeState((await deps.store.nodes.getById(t.node_id))!, 'volume target update')
    if (node.id !== t.node_id) checkNodeState(node, 'volume target update')
    const u = await deps.store.volume.updateTarget(t.id, t.uuid, {
      node_id: node.id, volume_type: doc.volume_type, volume_id: doc.volume_id, boot_index: doc.boot_index, properties: doc.properties ?? {}, extra: doc.extra ?? {},
    })
    return targetView(u, baseUrl(req, deps), req.apiVersion)
  })

  app.delete<U>('/v1/volume/connectors/:uuid', VOLUME, async (req, reply) => {
    const c = await deps.store.volume.getConnector(checkUuid(req.params.uuid, 'connector_uuid'))
    checkNodeState((await deps.store.nodes.getById(c.node_id))!, 'volume connector deletion')
    await deps.store.volume.deleteConnector(c.id)
    void reply.code(204)
  })

  app.delete<U>('/v1/volume/targets/:uuid', VOLUME, async (req, reply) => {
    const t = await deps.store.volume.getTarget(checkUuid(req.params.uuid, 'target_uuid'))
    checkNodeState((await deps.store.nodes.getById(t.node_id))!, 'volume target deletion')
    await deps.store.volume.deleteTarget(t.id)
    void reply.code(204)
  })
}
