import { tooOldError } from '../route-meta.js'
import { takes } from '../args.js'
import { NODE_DETAIL_ARGS, NODE_LIST_ARGS, NODE_PATCH_ARGS, SHOW_ARGS } from '../schemas/query.js'
import type { InterfaceKind } from '../../domain/interface-kinds.js'
import { INTERFACE_KINDS } from '../../domain/interface-kinds.js'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppDeps } from '../deps.js'
import type { NodeFilters, NodeRecord } from '../../db/repos/nodes.js'
import { NODE_SORT_KEYS } from '../../db/repos/nodes.js'
import { isUuid } from '../../domain/ident.js'
import { NotAcceptableError, NotFoundError, ValidationError } from '../../domain/errors.js'
import { requestContext } from '../context.js'
import { NodeCreateBody, NodePatchedShape } from '../schemas/node.js'
import { allows } from '../microversions.js'
import type { Feature } from '../microversions.js'
import { baseUrl } from '../links.js'
import { nodeFieldVisible } from '../views/node.js'
import { initialProvisionState } from '../../domain/provision-states-api.js'
import { check, checkName, checkTrait, checkUuid, ironicBool, pyRepr } from '../validate.js'
import { PROVISION_STATES } from '../../domain/provision-states.js'
import { applyPatch, parsePatch } from '../json-patch.js'
import { nextLink, qbool, qfields, qpaging, qstr } from '../query.js'
import type { Query } from '../query.js'
import { chassisIdFor, findNode, renderNode, renderNodes } from '../node-lookup.js'

export const MAX_LIMIT = 1000

/** The faults a node list can be filtered by (Ironic's VALID_FAULTS). */
const NODE_FAULTS = ['power failure', 'clean failure', 'rescue abort failure'] as const
/** Node fields Ironic refuses to sort by (its invalid_sort_key_list). */
const NODE_UNSORTABLE = ['properties', 'driver_info', 'extra', 'instance_info', 'driver_internal_info', 'clean_step', 'deploy_step', 'raid_config', 'target_raid_config', 'traits', 'network_data']

/** Fields a JSON Patch may not touch (changed only by the conductor or dedicated endpoints). */
const READ_ONLY = new Set([
  'id', 'uuid', 'created_at', 'updated_at', 'links', 'ports', 'portgroups', 'states', 'volume',
  'power_state', 'target_power_state', 'provision_state', 'target_provision_state', 'provision_updated_at',
  'last_error', 'reservation', 'console_enabled', 'driver_internal_info', 'inspection_started_at',
  'inspection_finished_at', 'clean_step', 'deploy_step', 'service_step', 'raid_config', 'target_raid_config',
  'traits', 'conductor', 'allocation_uuid', 'fault',
])

/** Request body fields that need a newer microversion than 1.1. */
function rejectNewerFields(req: FastifyRequest, fields: Iterable<string>): void {
  for (const f of fields) {
    if (f === 'uuid' || f === 'driver') continue
    if (!nodeFieldVisible(f, req.apiVersion)) {
      throw tooOldError(req, null, `The "${f}" field`)
    }
  }
}

function requestedInterfaces(body: Record<string, unknown>): Partial<Record<InterfaceKind, string | null>> {
  const out: Partial<Record<InterfaceKind, string | null>> = {}
  for (const k of INTERFACE_KINDS) {
    const v = body[`${k}_interface`]
    if (v !== undefined) out[k] = v as string | null
  }
  return out
}

/** Query filters for node lists, each gated by the version that introduced it. */
export function parseFilters(req: FastifyRequest, q: Query): NodeFilters {
  const f: NodeFilters = {}
  const gate = (key: string, feature: Feature | null) => {
    const v = qstr(q, key)
    if (v !== undefined && feature !== null && !allows(req.apiVersion, feature)) {
      throw tooOldError(req, feature, `The "${key}" filter`)
    }
    return v
  }
  const ps = gate('provision_state', 'provision_state_filter')
  if (ps !== undefined) {
    if (!(PROVISION_STATES as readonly string[]).includes(ps)) throw new ValidationError(`Provision state "${ps}" is not valid`, { details: { ferrum_remedy: `Use one of: ${PROVISION_STATES.join(', ')}.` } })
    f.provision_state = ps
  }
  const driver = gate('driver', 'driver_filter')
  if (driver !== undefined) f.driver = driver
  if (gate('maintenance', null) !== undefined) f.maintenance = qbool(q, 'maintenance')
  if (gate('associated', null) !== undefined) f.associated = qbool(q, 'associated')
  const iu = gate('instance_uuid', null)
  if (iu !== undefined) f.instance_uuid = checkUuid(iu, 'instance_uuid')
  const rc = gate('resource_class', 'resource_class')
  if (rc !== undefined) f.resource_class = rc
  const fault = gate('fault', 'fault')
  if (fault !== undefined) {
    if (!(NODE_FAULTS as readonly string[]).includes(fault)) throw new ValidationError(`Unrecognized fault "${fault}" is specified, allowed faults are (${NODE_FAULTS.map((x) => pyRepr(x)).join(', ')})`)
    f.fault = fault
  }
  const cg = gate('conductor_group', 'conductor_group')
  if (cg !== undefined) f.conductor_group = cg
  const owner = gate('owner', 'owner')
  if (owner !== undefined) f.owner = owner
  const lessee = gate('lessee', 'lessee')
  if (lessee !== undefined) f.lessee = lessee
  // Owner or lessee (Ironic's project filter, which its policy also narrows a project to).
  const project = gate('project', null)
  if (project !== undefined) f.project = project
  const dc = gate('description_contains', 'description')
  if (dc !== undefined) f.description_contains = dc
  if (gate('retired', 'retired') !== undefined) f.retired = qbool(q, 'retired')
  const shard = gate('shard', 'shards')
  if (shard !== undefined) f.shard = shard.split(',').map((s) => s.trim()).filter(Boolean)
  if (gate('sharded', 'shards') !== undefined) f.sharded = qbool(q, 'sharded')
  const parent = gate('parent_node', 'parent_node')
  if (parent !== undefined) f.parent_node = parent
  if (gate('include_children', 'parent_node') !== undefined) f.include_children = qbool(q, 'include_children')
  else if (allows(req.apiVersion, 'parent_node') && f.parent_node === undefined) f.include_children = false
  return f
}

async function listNodes(deps: AppDeps, req: FastifyRequest, detail: boolean): Promise<Record<string, unknown>> {
  const q = req.query as Query
  const detailParam = qbool(q, 'detail')
  if (detailParam !== undefined) {
    if (!allows(req.apiVersion, 'detail_query')) throw new NotAcceptableError('The "detail" query parameter requires API version 1.43 or newer.')
    // (/v1/nodes/detail does not take `detail`: its schema refuses it, as Ironic does.)
    detail = detailParam
  }
  let fields: string[] | undefined
  if (qstr(q, 'fields') !== undefined) {
    if (!allows(req.apiVersion, 'fields_selector')) throw new NotAcceptableError('The "fields" query parameter requires API version 1.8 or newer.')
    if (detail) throw new ValidationError('Can not specify ?detail=True and fields in the same request.')
    fields = qfields(q, (f) => nodeFieldVisible(f, req.apiVersion))
  }
  const sortKeyAsked = qstr(q, 'sort_key')
  if (sortKeyAsked !== undefined && NODE_UNSORTABLE.includes(sortKeyAsked)) throw new ValidationError(`The sort_key value ${sortKeyAsked} is an invalid field for sorting`)
  const { limit, sortKey, sortDir } = qpaging(q, NODE_SORT_KEYS, MAX_LIMIT)
  const filters = parseFilters(req, q)
  // Every node is managed by this conductor (all-in-one): another conductor's name lists none.
  const conductor = qstr(q, 'conductor')
  if (conductor !== undefined) {
    if (!allows(req.apiVersion, 'conductors')) throw tooOldError(req, 'conductors', 'The "conductor" filter')
    if (conductor !== deps.conductor.hostname) return { nodes: [] }
  }
  // The client's `node list --chassis UUID` sends chassis_uuid (any version); an unknown chassis is a 404, as in Ironic.
  const chassisUuid = qstr(q, 'chassis_uuid')
  if (chassisUuid !== undefined) {
    const row = await deps.store.database.db.selectFrom('chassis').select('id').where('uuid', '=', checkUuid(chassisUuid, 'chassis_uuid')).executeTakeFirst()
    if (!row) throw new NotFoundError(`Chassis ${chassisUuid} could not be found.`, { code: 'CHASSIS_NOT_FOUND' })
    filters.chassis_id = row.id
  }
  const markerIdent = qstr(q, 'marker')
  const marker = markerIdent === undefined ? undefined : await deps.store.nodes.getByIdent(markerIdent)
  const nodes = await deps.store.nodes.list(filters, { limit, sortKey, sortDir, marker: marker as (NodeRecord & Record<string, unknown>) | undefined })
  const rendered = await renderNodes(deps, req, nodes, { fields, short: !detail && fields === undefined })
  const out: Record<string, unknown> = { nodes: rendered }
  const next = nextLink(baseUrl(req, deps), detail && qstr(q, 'detail') === undefined ? 'nodes/detail' : 'nodes', q, limit, nodes.length, nodes.at(-1)?.uuid)
  if (next) out.next = next
  return out
}

/** The fields of a node as a JSON Patch sees them (secrets unmasked, chassis as UUID). */
async function patchableDoc(deps: AppDeps, n: NodeRecord): Promise<Record<string, unknown>> {
  const doc: Record<string, unknown> = {}
  for (const k of Object.keys(NodePatchedShape.properties)) doc[k] = (n as unknown as Record<string, unknown>)[k] ?? null
  doc.chassis_uuid = n.chassis_id === null ? null : (await deps.store.chassis.getById(n.chassis_id))?.uuid ?? null
  return doc
}

/**
 * parent_node is stored as the parent's UUID (the column holds 36 characters); a name is
 * resolved. A parent that does not exist is a 400, like other nodes named in a body.
 */
async function parentNodeUuid(deps: AppDeps, ident: string): Promise<string> {
  const parent = isUuid(ident) ? await deps.store.nodes.getByUuid(ident.toLowerCase()) : await deps.store.nodes.getByName(ident)
  if (!parent) throw new ValidationError(`Parent node ${ident} could not be found.`, { code: 'NODE_NOT_FOUND' })
  return parent.uuid
}

/** The fields Ironic lets a node PATCH change (its PATCH_ALLOWED_FIELDS), for its refusal text. */
const NODE_PATCHABLE = ['automated_clean', 'bios_interface', 'boot_interface', 'chassis_uuid', 'conductor_group', 'console_interface', 'deploy_interface', 'description', 'driver', 'driver_info', 'extra', 'inspect_interface', 'instance_info', 'instance_uuid', 'lessee', 'maintenance', 'management_interface', 'name', 'network_data', 'network_interface', 'owner', 'power_interface', 'properties', 'protected', 'protected_reason', 'raid_interface', 'rescue_interface', 'resource_class', 'retired', 'retired_reason', 'shard', 'storage_interface', 'vendor_interface']

export function registerNodeRoutes(app: FastifyInstance, deps: AppDeps): void {
  app.post('/v1/nodes', { schema: { body: NodeCreateBody } }, async (req, reply) => {
    const body = req.body as NodeCreateBody
    rejectNewerFields(req, Object.keys(body))
    // After the schema, as Ironic: booleans may be strings ("yes"), the documents may be null.
    const flags = body as Record<string, unknown>
    for (const k of ['automated_clean', 'maintenance', 'retired', 'secure_boot']) if (k in flags) flags[k] = ironicBool(flags[k], k)
    for (const k of ['maintenance', 'retired']) if (flags[k] === null) flags[k] = false
    for (const k of ['driver_info', 'extra', 'instance_info', 'properties', 'network_data']) if (flags[k] === null) flags[k] = {}
    const name = checkName(body.name, 'name', "Cannot create node with invalid name 'NAME'")
    const traits = (body.traits ?? []).map((t) => checkTrait(t))
    const interfaces = await deps.conductor.resolveInterfaces(requestContext(req), body.driver, requestedInterfaces(body as Record<string, unknown>))
    const { chassis_uuid, traits: _t, uuid, ...rest } = body
    const rec: Partial<NodeRecord> & { driver: string } = {
      ...(rest as Partial<NodeRecord>),
      name,
      driver: body.driver,
      conductor_group: (body.conductor_group ?? '').toLowerCase(),
      provision_state: initialProvisionState(req.apiVersion.minor),
      power_state: null,
    }
    for (const k of INTERFACE_KINDS) rec[`${k}_interface`] = interfaces[k]
    if (uuid) rec.uuid = checkUuid(uuid, 'uuid')
    if (body.instance_uuid) rec.instance_uuid = checkUuid(body.instance_uuid, 'instance_uuid')
    if (chassis_uuid) rec.chassis_id = await chassisIdFor(deps, chassis_uuid)
    if (body.parent_node) rec.parent_node = await parentNodeUuid(deps, body.parent_node)
    if (rec.maintenance === false) rec.maintenance_reason = null
    const node = await deps.store.nodes.create(rec)
    if (traits.length > 0) await deps.store.nodes.setTraits(node.id, traits)
    await deps.store.history.add({ node_id: node.id, event_type: 'create', severity: 'INFO', event: `Node created with driver ${node.driver}`, provision_state: node.provision_state, conductor: deps.conductor.hostname })
    void reply.code(201).header('Location', `${baseUrl(req, deps)}/v1/nodes/${node.uuid}`)
    return renderNode(deps, req, node)
  })

  app.get('/v1/nodes', takes(NODE_LIST_ARGS), async (req) => listNodes(deps, req, false))
  app.get('/v1/nodes/detail', takes(NODE_DETAIL_ARGS), async (req) => listNodes(deps, req, true))

  app.get<{ Params: { node: string } }>('/v1/nodes/:node', takes(SHOW_ARGS), async (req) => {
    const q = req.query as Query
    let fields: string[] | undefined
    if (qstr(q, 'fields') !== undefined) {
      if (!allows(req.apiVersion, 'fields_selector')) throw new NotAcceptableError('The "fields" query parameter requires API version 1.8 or newer.')
      fields = qfields(q, (f) => nodeFieldVisible(f, req.apiVersion))
    }
    const node = await findNode(deps, req, req.params.node)
    return renderNode(deps, req, node, fields)
  })

  app.patch<{ Params: { node: string } }>('/v1/nodes/:node', takes(NODE_PATCH_ARGS), async (req) => {
    const node = await findNode(deps, req, req.params.node)
    const ops = parsePatch(req.body, READ_ONLY, NODE_PATCHABLE)
    rejectNewerFields(req, ops.map((o) => o.path.split('/')[1]))
    const before = await patchableDoc(deps, node)
    const after = applyPatch(before, ops, NODE_PATCHABLE)
    // Top-level "remove" resets a field; the JSON documents reset to {}, flags to their default.
    for (const k of ['driver_info', 'properties', 'extra', 'instance_info', 'network_data']) if (after[k] === null) after[k] = {}
    for (const k of ['protected', 'retired', 'maintenance']) if (after[k] === null) after[k] = false
    if (after.conductor_group === null) after.conductor_group = ''
    if (after.driver === null) throw new ValidationError('The driver field can not be removed; replace it with another hardware type.')
    const clean = Object.fromEntries(Object.entries(after).filter(([, v]) => v !== undefined))
    check(NodePatchedShape, clean, 'patch')
    for (const k of ['automated_clean', 'protected', 'maintenance', 'retired']) if (k in after) after[k] = ironicBool(after[k], k)
    const changes: Partial<NodeRecord> = {}
    for (const [k, v] of Object.entries(after)) {
      if (JSON.stringify(v) !== JSON.stringify(before[k])) (changes as Record<string, unknown>)[k] = v
    }
    if (Object.keys(changes).length === 0) return renderNode(deps, req, node)
    if ('name' in changes) changes.name = checkName(changes.name, 'name', `Node ${req.params.node}: Cannot change name to invalid name 'NAME'`)
    if ('instance_uuid' in changes && changes.instance_uuid !== null) changes.instance_uuid = checkUuid(changes.instance_uuid, 'instance_uuid')
    if ('conductor_group' in changes) changes.conductor_group = String(changes.conductor_group).toLowerCase()
    if ('chassis_uuid' in changes) {
      const cu = (changes as Record<string, unknown>).chassis_uuid as string | null
      delete (changes as Record<string, unknown>).chassis_uuid
      changes.chassis_id = cu === null ? null : await chassisIdFor(deps, cu)
    }
    if (changes.parent_node) changes.parent_node = await parentNodeUuid(deps, changes.parent_node)
    if (changes.maintenance === false) changes.maintenance_reason = null
    if (changes.protected === false) changes.protected_reason = null
    if (changes.retired === false) changes.retired_reason = null
    // reset_interfaces counts only when the driver or an interface changes.
    const ifaceTouched = 'driver' in changes || INTERFACE_KINDS.some((k) => `${k}_interface` in changes)
    const resetAll = ifaceTouched ? qbool(req.query as Query, 'reset_interfaces') : undefined
    if (resetAll !== undefined) {
      if (!allows(req.apiVersion, 'reset_interfaces')) throw new NotAcceptableError('reset_interfaces requires API version 1.45 or newer.')
      if (resetAll && !('driver' in changes)) throw new ValidationError('reset_interfaces can only be used when the driver is changed.')
    }
    // Under the node lock, the conductor checks what depends on the node's state (protected,
    // interfaces for the hardware type) and writes.
    await deps.conductor.updateNode(requestContext(req), node.uuid, { changes, ...(resetAll !== undefined ? { resetInterfaces: resetAll } : {}) })
    return renderNode(deps, req, await deps.store.nodes.getByIdent(node.uuid))
  })

  app.delete<{ Params: { node: string } }>('/v1/nodes/:node', async (req, reply) => {
    const node = await findNode(deps, req, req.params.node)
    await deps.conductor.destroyNode(requestContext(req), node.uuid)
    void reply.code(204)
  })
}
