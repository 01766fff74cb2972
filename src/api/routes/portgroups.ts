import { tooOldError } from '../route-meta.js'
import { takes } from '../args.js'
import { PORTGROUP_DETAIL_ARGS, PORTGROUP_LIST_ARGS, SHOW_ARGS } from '../schemas/query.js'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppDeps } from '../deps.js'
import type { PortgroupChanges, PortgroupFilters, PortgroupRecord } from '../../db/repos/portgroups.js'
import { PORTGROUP_SORT_KEYS, portgroupNotEmpty } from '../../db/repos/portgroups.js'
import { ConflictError, InvalidStateError, NotFoundError, ValidationError } from '../../domain/errors.js'
import { allows } from '../microversions.js'
import { baseUrl } from '../links.js'
import { findNode } from '../node-lookup.js'
import { MAX_LIMIT } from './nodes.js'
import { checkSortKey, listFields, parseFields } from '../collection.js'
import { applyPatch, parsePatch } from '../json-patch.js'
import { nextLink, qpaging, qstr } from '../query.js'
import type { Query } from '../query.js'
import { check, checkName, checkUuid } from '../validate.js'
import { boolLike, normaliseMac } from '../schemas/port.js'
import { PORTGROUP_PATCHABLE, PortgroupCreateBody, PortgroupPatchedShape } from '../schemas/portgroup.js'
import { PORTGROUP_DEFAULT_FIELDS, PORTGROUP_FIELDS, PORTGROUP_UNSORTABLE, portgroupView } from '../views/portgroup.js'
import { assertUnlocked, bodyNode, CONNECTIVITY_UPDATE_STATES, findPortgroup } from './port-rules.js'

const READ_ONLY = new Set(['id', 'uuid', 'created_at', 'updated_at', 'links', 'ports', 'internal_info', 'node_id'])

/** mode and properties need 1.26 when given a value (as Ironic checks). */
function rejectModeProperties(req: FastifyRequest, mode: unknown, properties: unknown): void {
  const given = (v: unknown) => v !== undefined && v !== null && v !== '' && !(typeof v === 'object' && Object.keys(v).length === 0)
  if ((given(mode) || given(properties)) && !allows(req.apiVersion, 'portgroup_mode_properties')) {
    throw tooOldError(req, 'portgroup_mode_properties', 'The "mode" and "properties" fields')
  }
}

/** A port group name, refused with Ironic's text (`ironic` names the action, NAME the name). */
function checkPortgroupName(v: unknown, ironic = "Cannot create portgroup with invalid name 'NAME'"): string | null {
  return checkName(v, 'name', ironic)
}

async function listPortgroups(deps: AppDeps, req: FastifyRequest, path: string, detailPath: boolean, parentNode?: string): Promise<Record<string, unknown>> {
  const q = req.query as Query
  const fields = listFields(req, q, PORTGROUP_FIELDS, PORTGROUP_DEFAULT_FIELDS, detailPath)
  checkSortKey(req, q, PORTGROUP_FIELDS, PORTGROUP_UNSORTABLE)
  const { limit, sortKey, sortDir } = qpaging(q, PORTGROUP_SORT_KEYS, MAX_LIMIT)
  const filters: PortgroupFilters = {}
  const nodeIdent = parentNode ?? qstr(q, 'node')
  if (nodeIdent) filters.node_id = (await findNode(deps, req, nodeIdent)).id
  const address = qstr(q, 'address')
  if (address !== undefined) filters.address = normaliseMac(address, 'address')
  const markerIdent = qstr(q, 'marker')
  let marker: PortgroupRecord | undefined
  if (markerIdent !== undefined) {
    marker = (await deps.store.portgroups.getByUuid(checkUuid(markerIdent, 'marker'))) ?? undefined
    if (!marker) throw new NotFoundError(`Portgroup ${markerIdent} could not be found.`, { code: 'PORTGROUP_NOT_FOUND' })
  }
  const pgs = await deps.store.portgroups.list(filters, { limit, sortKey, sortDir, marker: marker as (PortgroupRecord & Record<string, unknown>) | undefined })
  const base = baseUrl(req, deps)
  const out: Record<string, unknown> = { portgroups: pgs.map((pg) => portgroupView(pg, base, req.apiVersion, fields)) }
  const next = nextLink(base, path, q, limit, pgs.length, pgs.at(-1)?.uuid)
  if (next) out.next = next
  return out
}

/** Applies a JSON Patch with Ironic's rules for port groups. */
async function patchPortgroup(deps: AppDeps, req: FastifyRequest, pg: PortgroupRecord): Promise<PortgroupRecord> {
  const ops = parsePatch(req.body, READ_ONLY, PORTGROUP_PATCHABLE)
  for (const o of ops) {
    const top = o.path.split('/')[1]
    if (!(PORTGROUP_PATCHABLE as readonly string[]).includes(top)) throw new ValidationError(`Cannot patch /${top}. Only the following can be updated: ${PORTGROUP_PATCHABLE.join(', ')}.`)
    if ((top === 'mode' || top === 'properties') && !allows(req.apiVersion, 'portgroup_mode_properties')) throw tooOldError(req, 'portgroup_mode_properties', `The "${top}" field`)
    if (o.op === 'remove' && o.path === '/mode') throw new ValidationError("'mode' is a mandatory attribute and can not be removed.")
  }
  const before: Record<string, unknown> = {
    node_uuid: pg.node_uuid, address: pg.address, name: pg.name, extra: pg.extra, mode: pg.mode,
    properties: pg.properties, standalone_ports_supported: pg.standalone_ports_supported,
  }
  const after = applyPatch(before, ops, PORTGROUP_PATCHABLE)
  if (after.extra === null) after.extra = {}
  if (after.properties === null) after.properties = {}
  if (after.standalone_ports_supported === null) after.standalone_ports_supported = true
  check(PortgroupPatchedShape, after, 'patch')
  const changes: PortgroupChanges = {}
  const address = after.address === null || after.address === undefined ? null : normaliseMac(after.address, 'address')
  if (address !== pg.address) changes.address = address
  const name = after.name === pg.name ? pg.name : checkPortgroupName(after.name, `Portgroup ${pg.uuid}: Cannot change name to invalid name 'NAME'`)
  if (name !== pg.name) changes.name = name
  if (JSON.stringify(after.extra) !== JSON.stringify(pg.extra)) changes.extra = after.extra as Record<string, unknown>
  if (JSON.stringify(after.properties) !== JSON.stringify(pg.properties)) changes.properties = after.properties as Record<string, unknown>
  if (after.mode !== pg.mode) changes.mode = after.mode as string | null
  const standalone = boolLike(after.standalone_ports_supported, 'standalone_ports_supported') ?? true
  if (standalone !== pg.standalone_ports_supported) changes.standalone_ports_supported = standalone
  const node = await deps.store.nodes.getById(pg.node_id)
  if (!node) throw new NotFoundError(`Node of portgroup ${pg.uuid} could not be found.`, { code: 'NODE_NOT_FOUND' })
  let target = node
  const nodeUuid = checkUuid(after.node_uuid, 'node_uuid')
  if (nodeUuid !== pg.node_uuid) {
    target = await bodyNode(deps, nodeUuid)
    if (target.id !== node.id) changes.node_id = target.id
  }
  if (Object.keys(changes).length === 0) return pg

  if (target.provision_state === 'inspecting' && allows(req.apiVersion, 'inspect_wait')) {
    throw new ConflictError(`Cannot update portgroup "${pg.uuid}" on node "${target.uuid}" while it is in state "inspecting".`, { code: 'FERRUM_INVALID_STATE' })
  }
  assertUnlocked(node)
  if (target !== node) assertUnlocked(target)
  const members = await deps.store.ports.list({ portgroup_id: pg.id })
  if ('node_id' in changes) {
    if (!(CONNECTIVITY_UPDATE_STATES.has(target.provision_state) || target.maintenance)) {
      throw new InvalidStateError(`Portgroup ${pg.uuid} can not be associated to node ${target.uuid} unless the node is in a ${[...CONNECTIVITY_UPDATE_STATES].join(', ')} state or in maintenance mode.`)
    }
    if (members.length > 0) throw portgroupNotEmpty(pg.uuid)
  }
  if (changes.standalone_ports_supported === false) {
    const pxe = members.find((p) => p.pxe_enabled)
    if (pxe) {
      throw new ConflictError(`standalone_ports_supported can not be set to False, because the port group ${pg.uuid} contains port ${pxe.uuid} with 'pxe_enabled' set to True.`, { code: 'PORTGROUP_NO_STANDALONE' })
    }
  }
  return deps.store.portgroups.update(pg.id, changes)
}

/** Port groups before 1.23: the collection answers Ironic's NotFound, paths below it webob's 404 (its router). */
const PORTGROUPS_ROOT = { config: { since: 'portgroups', tooOld: 'absent', what: 'Port groups' } } as const
const PORTGROUPS = { config: { ...PORTGROUPS_ROOT.config, pecan: '' } } as const

const NODE_PORTGROUPS = { config: { since: 'portgroup_subcontrollers', tooOld: 'absent', what: 'Port groups of a node', pecan: '' } } as const

export function registerPortgroupRoutes(app: FastifyInstance, deps: AppDeps): void {
  type N = { Params: { node: string } }
  type G = { Params: { portgroup: string } }

  app.get('/v1/portgroups', takes(PORTGROUP_LIST_ARGS, PORTGROUPS_ROOT), async (req) => {
    return listPortgroups(deps, req, 'portgroups', false)
  })
  app.get('/v1/portgroups/detail', takes(PORTGROUP_DETAIL_ARGS, PORTGROUPS), async (req) => {
    return listPortgroups(deps, req, 'portgroups/detail', true)
  })
  app.get<N>('/v1/nodes/:node/portgroups', takes(PORTGROUP_LIST_ARGS, NODE_PORTGROUPS), async (req) => {
    return listPortgroups(deps, req, `nodes/${req.params.node}/portgroups`, false, req.params.node)
  })
  app.get<N>('/v1/nodes/:node/portgroups/detail', takes(PORTGROUP_DETAIL_ARGS, NODE_PORTGROUPS), async (req) => {
    return listPortgroups(deps, req, `nodes/${req.params.node}/portgroups/detail`, true, req.params.node)
  })

  app.get<G>('/v1/portgroups/:portgroup', takes(SHOW_ARGS, PORTGROUPS), async (req) => {
    const fields = parseFields(req, req.query as Query, PORTGROUP_FIELDS)
    const pg = await findPortgroup(deps, req, req.params.portgroup)
    return portgroupView(pg, baseUrl(req, deps), req.apiVersion, fields)
  })

  app.post('/v1/portgroups', { ...PORTGROUPS_ROOT, schema: { body: PortgroupCreateBody } }, async (req, reply) => {
    const body = req.body as PortgroupCreateBody
    const node = await bodyNode(deps, body.node_uuid)
    rejectModeProperties(req, body.mode, body.properties)
    const pg = await deps.store.portgroups.create({
      ...(body.uuid !== undefined && body.uuid !== null ? { uuid: checkUuid(body.uuid, 'uuid') } : {}),
      node_id: node.id,
      name: checkPortgroupName(body.name),
      address: body.address === undefined || body.address === null ? null : normaliseMac(body.address, 'address'),
      extra: body.extra ?? {},
      mode: body.mode ?? null,
      properties: body.properties ?? {},
      standalone_ports_supported: boolLike(body.standalone_ports_supported, 'standalone_ports_supported') ?? true,
    })
    void reply.code(201).header('Location', `${baseUrl(req, deps)}/v1/portgroups/${pg.uuid}`)
    return portgroupView(pg, baseUrl(req, deps), req.apiVersion)
  })

  app.patch<G>('/v1/portgroups/:portgroup', PORTGROUPS, async (req) => {
    const pg = await findPortgroup(deps, req, req.params.portgroup)
    return portgroupView(await patchPortgroup(deps, req, pg), baseUrl(req, deps), req.apiVersion)
  })

  app.delete<G>('/v1/portgroups/:portgroup', PORTGROUPS, async (req, reply) => {
    const pg = await findPortgroup(deps, req, req.params.portgroup)
    const node = await deps.store.nodes.getById(pg.node_id)
    if (node) assertUnlocked(node)
    await deps.store.portgroups.delete(pg.id)
    void reply.code(204)
  })
}
