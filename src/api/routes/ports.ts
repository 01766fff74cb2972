import { requireVersion } from '../route-meta.js'
import { takes } from '../args.js'
import { PORT_DETAIL_ARGS, PORT_LIST_ARGS, SHOW_ARGS } from '../schemas/query.js'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppDeps } from '../deps.js'
import type { PortFilters, PortRecord } from '../../db/repos/ports.js'
import { PORT_SORT_KEYS } from '../../db/repos/ports.js'
import { isUuid } from '../../domain/ident.js'
import type { PortgroupRecord } from '../../db/repos/portgroups.js'
import { ConflictError, NotAuthorizedError, NotFoundError, ValidationError } from '../../domain/errors.js'
import { baseUrl } from '../links.js'
import { findNode } from '../node-lookup.js'
import { MAX_LIMIT } from './nodes.js'
import { checkSortKey, listFields, parseFields } from '../collection.js'
import { nextLink, qpaging, qstr } from '../query.js'
import type { Query } from '../query.js'
import { checkName, checkUuid } from '../validate.js'
import { boolLike, checkLocalLink, checkSmartNicLink, normaliseMac, PortCreateBody } from '../schemas/port.js'
import { PORT_DEFAULT_FIELDS, PORT_FIELDS, PORT_UNSORTABLE, portView } from '../views/port.js'
import {
  assertUnlocked, attachedVif, bodyNode, bodyPortgroup, checkPhysnet, findPort, findPortgroup, patchPort, rejectNewerPortFields,
} from './port-rules.js'

/** Where a port list comes from: everything, a node's ports or a port group's ports. */
interface ListSource {
  path: string
  detailPath: boolean
  node?: string
  portgroup?: string
}

async function listPorts(deps: AppDeps, req: FastifyRequest, src: ListSource): Promise<Record<string, unknown>> {
  const q = req.query as Query
  const fields = listFields(req, q, PORT_FIELDS, PORT_DEFAULT_FIELDS, src.detailPath)
  checkSortKey(req, q, PORT_FIELDS, PORT_UNSORTABLE)
  const { limit, sortKey, sortDir } = qpaging(q, PORT_SORT_KEYS, MAX_LIMIT)
  const nodeUuidParam = qstr(q, 'node_uuid')
  const nodeIdent = src.node ?? (nodeUuidParam !== undefined ? checkUuid(nodeUuidParam, 'node_uuid') : qstr(q, 'node'))
  const nodeParam = qstr(q, 'node')
  if (src.node === undefined && nodeUuidParam === undefined && nodeParam !== undefined && !isUuid(nodeParam)) requireVersion(req, 'name', 'Filtering ports by node name')
  const pgParam = qstr(q, 'portgroup')
  if (pgParam !== undefined) requireVersion(req, 'portgroup_subcontrollers', 'The "portgroup" filter')
  const pgIdent = src.portgroup ?? pgParam
  const shard = qstr(q, 'shard')
  if (shard !== undefined) requireVersion(req, 'shards', 'The "shard" filter')
  if ([nodeIdent, pgIdent, shard].filter((x) => x !== undefined && x !== '').length > 1) {
    throw new NotAuthorizedError('Operation not permitted: filter ports by only one of node, portgroup or shard.', { code: 'FERRUM_EXCLUSIVE_FILTERS' })
  }
  const filters: PortFilters = {}
  if (nodeIdent) filters.node_id = (await findNode(deps, req, nodeIdent)).id
  if (pgIdent) filters.portgroup_id = (await findPortgroup(deps, req, pgIdent)).id
  if (shard) filters.shards = shard.split(',').map((s) => s.trim()).filter(Boolean)
  const address = qstr(q, 'address')
  if (address !== undefined) filters.address = normaliseMac(address, 'address')
  const markerIdent = qstr(q, 'marker')
  let marker: PortRecord | undefined
  if (markerIdent !== undefined) {
    marker = (await deps.store.ports.getByUuid(checkUuid(markerIdent, 'marker'))) ?? undefined
    if (!marker) throw new NotFoundError(`Port ${markerIdent} could not be found.`, { code: 'PORT_NOT_FOUND' })
  }
  const ports = await deps.store.ports.list(filters, { limit, sortKey, sortDir, marker: marker as (PortRecord & Record<string, unknown>) | undefined })
  const base = baseUrl(req, deps)
  const out: Record<string, unknown> = { ports: ports.map((p) => portView(p, base, req.apiVersion, fields)) }
  const next = nextLink(base, src.path, q, limit, ports.length, ports.at(-1)?.uuid)
  if (next) out.next = next
  return out
}

const PG_PORTS = { config: { since: 'portgroup_subcontrollers', tooOld: 'absent', what: 'Ports of a port group', pecan: '' } } as const

export function registerPortRoutes(app: FastifyInstance, deps: AppDeps): void {
  type N = { Params: { node: string } }
  type G = { Params: { portgroup: string } }
  type P = { Params: { port: string } }

  app.get('/v1/ports', takes(PORT_LIST_ARGS), async (req) => listPorts(deps, req, { path: 'ports', detailPath: false }))
  app.get('/v1/ports/detail', takes(PORT_DETAIL_ARGS), async (req) => listPorts(deps, req, { path: 'ports/detail', detailPath: true }))
  app.get<N>('/v1/nodes/:node/ports', takes(PORT_LIST_ARGS), async (req) =>
    listPorts(deps, req, { path: `nodes/${req.params.node}/ports`, detailPath: false, node: req.params.node }))
  app.get<N>('/v1/nodes/:node/ports/detail', takes(PORT_DETAIL_ARGS), async (req) =>
    listPorts(deps, req, { path: `nodes/${req.params.node}/ports/detail`, detailPath: true, node: req.params.node }))

  const pgPorts = (detailPath: boolean) => async (req: FastifyRequest<G>) => {
    const path = `portgroups/${req.params.portgroup}/ports${detailPath ? '/detail' : ''}`
    return listPorts(deps, req, { path, detailPath, portgroup: req.params.portgroup })
  }
  app.get<G>('/v1/portgroups/:portgroup/ports', takes(PORT_LIST_ARGS, PG_PORTS), pgPorts(false))
  app.get<G>('/v1/portgroups/:portgroup/ports/detail', takes(PORT_DETAIL_ARGS, PG_PORTS), pgPorts(true))

  app.get<P>('/v1/ports/:port', takes(SHOW_ARGS), async (req) => {
    const fields = parseFields(req, req.query as Query, PORT_FIELDS)
    const port = await findPort(deps, req, req.params.port)
    return portView(port, baseUrl(req, deps), req.apiVersion, fields)
  })

  app.post('/v1/ports', { schema: { body: PortCreateBody } }, async (req, reply) => {
    const body = req.body as PortCreateBody
    rejectNewerPortFields(req, Object.keys(body), body.local_link_connection)
    const address = normaliseMac(body.address, 'address')
    const node = await bodyNode(deps, body.node_uuid)
    const link = checkLocalLink(body.local_link_connection)
    const pxeEnabled = boolLike(body.pxe_enabled, 'pxe_enabled') ?? true
    const isSmartnic = boolLike(body.is_smartnic, 'is_smartnic') ?? false
    if (isSmartnic) checkSmartNicLink(link)
    const physnet = body.physical_network ?? null
    if (physnet === '') throw new ValidationError('A non-empty value is required when setting physical_network.')
    let pg: PortgroupRecord | null = null
    if (body.portgroup_uuid) {
      pg = await bodyPortgroup(deps, req, body.portgroup_uuid)
      if (pg.node_id !== node.id) throw new ValidationError('Port can not be added to a portgroup belonging to a different node.')
      if (pxeEnabled && !pg.standalone_ports_supported) {
        throw new ConflictError(
          `Port group ${pg.uuid} doesn't support standalone ports. This port cannot be created as a member of that portgroup as the port's 'pxe_enabled' field was set to True.`,
          { code: 'PORTGROUP_NO_STANDALONE' },
        )
      }
    }
    assertUnlocked(node)
    if (pg) await checkPhysnet(deps, pg, physnet)
    const port = await deps.store.ports.create({
      ...(body.uuid !== undefined && body.uuid !== null ? { uuid: checkUuid(body.uuid, 'uuid') } : {}),
      address,
      node_id: node.id,
      portgroup_id: pg?.id ?? null,
      name: checkName(body.name, 'name'),
      extra: body.extra ?? {},
      local_link_connection: link,
      pxe_enabled: pxeEnabled,
      physical_network: physnet,
      is_smartnic: isSmartnic,
    })
    void reply.code(201).header('Location', `${baseUrl(req, deps)}/v1/ports/${port.uuid}`)
    return portView(port, baseUrl(req, deps), req.apiVersion)
  })

  app.patch<P>('/v1/ports/:port', async (req) => {
    const port = await findPort(deps, req, req.params.port)
    const updated = await patchPort(deps, req, port)
    return portView(updated, baseUrl(req, deps), req.apiVersion)
  })

  app.delete<P>('/v1/ports/:port', async (req, reply) => {
    const port = await findPort(deps, req, req.params.port)
    const node = await deps.store.nodes.getById(port.node_id)
    if (node) {
      assertUnlocked(node)
      const vif = attachedVif(port)
      if (vif && !node.maintenance) {
        throw new ConflictError(`Cannot delete the port ${port.uuid} as it is bound to VIF ${vif[0]} for ${vif[1]} use. Detach the VIF or put node ${node.uuid} in maintenance first.`, { code: 'FERRUM_INVALID_STATE' })
      }
    }
    await deps.store.ports.delete(port.id)
    void reply.code(204)
  })
}
