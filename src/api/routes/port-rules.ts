import { tooOldError } from '../route-meta.js'
import { readArg } from '../args.js'
import type { FastifyRequest } from 'fastify'
import type { AppDeps } from '../deps.js'
import type { NodeRecord } from '../../db/repos/nodes.js'
import type { PortChanges, PortRecord } from '../../db/repos/ports.js'
import type { PortgroupRecord } from '../../db/repos/portgroups.js'
import { ConflictError, InvalidStateError, NodeLockedError, NotFoundError, ValidationError } from '../../domain/errors.js'
import { allows } from '../microversions.js'
import { checkFieldNames } from '../collection.js'
import { applyPatch, cannotPatch, parsePatch } from '../json-patch.js'
import { check, checkName, checkUuid } from '../validate.js'
import { boolLike, checkLocalLink, checkSmartNicLink, normaliseMac, PORT_PATCHABLE, PortPatchedShape } from '../schemas/port.js'
import { PORT_FIELDS } from '../views/port.js'

/**
 * The rules ports and port groups share with Ironic's API and conductor: lookups that answer
 * 400 for bodies and 404 for URLs, node locks, VIFs, physical networks, and the port PATCH.
 */

/** Provision states in which a port's connectivity (or a port group's node) may change outside maintenance. */
export const CONNECTIVITY_UPDATE_STATES: ReadonlySet<string> = new Set(['enroll', 'inspecting', 'inspect wait', 'manageable'])

/** The port group named in a URL, filter or body: UUID or name. 400 for neither, 404 when missing. */
export async function findPortgroup(deps: AppDeps, _req: FastifyRequest, ident: string): Promise<PortgroupRecord> {
  readArg('uuid_or_name', 'portgroup', ident)
  return deps.store.portgroups.getByIdent(ident)
}

/** Throws 406 for body fields (and local_link_connection keys) newer than the request. */
export function rejectNewerPortFields(req: FastifyRequest, fields: readonly string[], link: unknown): void {
  checkFieldNames(req, PORT_FIELDS, fields.filter((f) => PORT_FIELDS.some(([n]) => n === f)), 'field')
  if (link !== null && typeof link === 'object') {
    if ('network_type' in link && !allows(req.apiVersion, 'local_link_network_type')) throw tooOldError(req, 'local_link_network_type', 'local_link_connection.network_type')
    if (Object.keys(link).some((k) => k.startsWith('vtep-')) && !allows(req.apiVersion, 'ovn_vtep')) throw tooOldError(req, 'ovn_vtep', 'OVN VTEP switches in local_link_connection')
  }
}

/** Ironic's PATCH_ALLOWED_FIELDS of ports (21.4; Ferrum's `name` comes with 1.88), for its refusal text. */
const IRONIC_PORT_PATCHABLE = PORT_PATCHABLE.filter((f) => f !== 'name')

/** The port named in a URL: a UUID, or from 1.88 a name. Throws 400 for anything else, 404 when missing. */

export async function findPort(deps: AppDeps, req: FastifyRequest, ident: string): Promise<PortRecord> {
  let port: PortRecord | null
  if (/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(ident)) port = await deps.store.ports.getByUuid(ident)
  else if (allows(req.apiVersion, 'port_name')) port = await deps.store.ports.getByName(checkName(ident, 'port') as string)
  else {
    readArg('uuid', 'port_uuid', ident) // Ironic's 400 for a non-UUID (the 32-digit form passes)
    port = await deps.store.ports.getByUuid(ident)
  }
  if (!port) throw new NotFoundError(`Port ${ident} could not be found.`, { code: 'PORT_NOT_FOUND' })
  return port
}

/** A node named in a request body: 400 (not 404) when it does not exist, as Ironic answers. */
export async function bodyNode(deps: AppDeps, uuid: unknown): Promise<NodeRecord> {
  const id = checkUuid(uuid, 'node_uuid')
  const node = await deps.store.nodes.getByUuid(id)
  if (!node) throw new ValidationError(`Node ${id} could not be found.`, { code: 'NODE_NOT_FOUND' })
  return node
}

/** A port group named in a request body: 400 when it does not exist. */
export async function bodyPortgroup(deps: AppDeps, req: FastifyRequest, ident: string): Promise<PortgroupRecord> {
  try {
    return await findPortgroup(deps, req, ident)
  } catch (e) {
    if (e instanceof NotFoundError) throw new ValidationError(e.message, { code: e.code, cause: e })
    throw e
  }
}

export function assertUnlocked(node: NodeRecord): void {
  if (node.reservation !== null) throw new NodeLockedError(node.uuid, node.reservation)
}

/** The VIF attached to a port and what it is used for, as the network layer records it. */
export function attachedVif(p: PortRecord): [string, string] | null {
  for (const use of ['tenant', 'cleaning', 'provisioning', 'rescuing', 'inspection', 'servicing']) {
    const v = p.internal_info[`${use}_vif_port_id`]
    if (typeof v === 'string' && v !== '') return [v, use]
  }
  const legacy = p.extra.vif_port_id
  return typeof legacy === 'string' && legacy !== '' ? [legacy, 'tenant'] : null
}

/** Every port of a port group is on one physical network; a new member must match it. */
export async function checkPhysnet(deps: AppDeps, pg: PortgroupRecord, physnet: string | null, excludePortId?: number): Promise<void> {
  const nets = await deps.store.ports.physicalNetworksOfPortgroup(pg.id, excludePortId)
  if (nets.size === 0) return
  const current = [...nets][0]
  if (nets.size > 1 || current !== physnet) {
    throw new ConflictError(
      `Port with physical network ${physnet} cannot become a member of port group ${pg.uuid} which has ports in physical network ${[...nets].join(', ')}.`,
      { code: 'PORTGROUP_PHYSNET_CONFLICT' },
    )
  }
}

const PORT_READ_ONLY = new Set(['id', 'uuid', 'created_at', 'updated_at', 'links', 'internal_info', 'node_id', 'portgroup_id'])
const CONNECTIVITY = ['portgroup_id', 'pxe_enabled', 'local_link_connection', 'physical_network'] as const

/** The local_link_connection a patch writes (to gate its keys by version), if it touches one. */
function patchedLink(ops: readonly { path: string; value?: unknown }[]): Record<string, unknown> | null {
  const keys: Record<string, unknown> = {}
  for (const o of ops) {
    const parts = o.path.split('/')
    if (parts[1] !== 'local_link_connection') continue
    if (parts.length > 2) keys[parts[2]] = true
    else if (o.value !== null && typeof o.value === 'object') Object.assign(keys, o.value)
  }
  return Object.keys(keys).length > 0 ? keys : null
}

/**
 * Applies a JSON Patch to a port with Ironic's rules: only the writable fields, newer fields
 * rejected (406), node and port group must exist (400), the node must not be locked (409), the
 * MAC of a deployed node's port changes only in maintenance, and connectivity only in
 * enroll/manageable/inspection states or maintenance (409).
 */
export async function patchPort(deps: AppDeps, req: FastifyRequest, port: PortRecord): Promise<PortRecord> {
  const ops = parsePatch(req.body, PORT_READ_ONLY, IRONIC_PORT_PATCHABLE)
  const tops = [...new Set(ops.map((o) => o.path.split('/')[1]))]
  for (const t of tops) {
    if (!(PORT_PATCHABLE as readonly string[]).includes(t)) throw cannotPatch(`/${t}`, IRONIC_PORT_PATCHABLE)
  }
  rejectNewerPortFields(req, tops, patchedLink(ops))
  const before: Record<string, unknown> = {
    address: port.address, extra: port.extra, is_smartnic: port.is_smartnic, local_link_connection: port.local_link_connection,
    node_uuid: port.node_uuid, physical_network: port.physical_network, portgroup_uuid: port.portgroup_uuid,
    pxe_enabled: port.pxe_enabled, name: port.name,
  }
  const after = applyPatch(before, ops, IRONIC_PORT_PATCHABLE)
  // Removing a top-level field resets it to its default.
  if (after.extra === null) after.extra = {}
  if (after.local_link_connection === null) after.local_link_connection = {}
  if (after.pxe_enabled === null) after.pxe_enabled = true
  if (after.is_smartnic === null) after.is_smartnic = false
  check(PortPatchedShape, after, 'patch')

  const changes: PortChanges = {}
  const address = normaliseMac(after.address, 'address')
  if (address !== port.address) changes.address = address
  if (JSON.stringify(after.extra) !== JSON.stringify(port.extra)) changes.extra = after.extra as Record<string, unknown>
  const link = checkLocalLink(after.local_link_connection)
  if (JSON.stringify(link) !== JSON.stringify(port.local_link_connection)) changes.local_link_connection = link
  const pxe = boolLike(after.pxe_enabled, 'pxe_enabled') ?? true
  if (pxe !== port.pxe_enabled) changes.pxe_enabled = pxe
  const smart = boolLike(after.is_smartnic, 'is_smartnic') ?? false
  if (smart !== port.is_smartnic) changes.is_smartnic = smart
  const physnet = (after.physical_network ?? null) as string | null
  if (physnet !== port.physical_network) changes.physical_network = physnet
  const name = checkName(after.name, 'name')
  if (name !== port.name) changes.name = name

  const node = await deps.store.nodes.getById(port.node_id)
  if (!node) throw new NotFoundError(`Node of port ${port.uuid} could not be found.`, { code: 'NODE_NOT_FOUND' })
  let target = node
  const nodeUuid = checkUuid(after.node_uuid, 'node_uuid')
  if (nodeUuid !== port.node_uuid) {
    target = await bodyNode(deps, nodeUuid)
    if (target.id !== node.id) changes.node_id = target.id
  }
  let pg: PortgroupRecord | null = port.portgroup_id === null ? null : await deps.store.portgroups.getById(port.portgroup_id)
  const pgIdent = (after.portgroup_uuid ?? null) as string | null
  if (pgIdent !== port.portgroup_uuid) {
    pg = pgIdent ? await bodyPortgroup(deps, req, pgIdent) : null
    if ((pg?.id ?? null) !== port.portgroup_id) changes.portgroup_id = pg?.id ?? null
  }
  if (Object.keys(changes).length === 0) return port

  if (pg && pg.node_id !== target.id) throw new ValidationError('Port can not be added to a portgroup belonging to a different node.')
  if (changes.physical_network === '') throw new ValidationError('A non-empty value is required when setting physical_network.')
  if (smart && ('is_smartnic' in changes || 'local_link_connection' in changes)) checkSmartNicLink(link)
  if (target.provision_state === 'inspecting' && allows(req.apiVersion, 'inspect_wait')) {
    throw new ConflictError(`Cannot update port "${port.uuid}" on "${target.uuid}" while it is in state "inspecting".`, { code: 'FERRUM_INVALID_STATE' })
  }
  assertUnlocked(node)
  if (target !== node) assertUnlocked(target)
  if ('address' in changes && (target.provision_state === 'active' || target.instance_uuid !== null) && !target.maintenance) {
    throw new InvalidStateError(`Cannot update hardware address for port ${port.uuid} as node ${target.uuid} is active or has instance UUID assigned; put the node in maintenance first.`)
  }
  const connectivity = CONNECTIVITY.filter((k) => k in changes)
  if (connectivity.length > 0 && !(CONNECTIVITY_UPDATE_STATES.has(target.provision_state) || target.maintenance)) {
    throw new InvalidStateError(
      `Port ${port.uuid} can not have any connectivity attributes (${connectivity.join(', ')}) updated unless node ${target.uuid} is in a ${[...CONNECTIVITY_UPDATE_STATES].join(', ')} state or in maintenance mode. The current state is ${target.provision_state}.`,
    )
  }
  if (pg && ('portgroup_id' in changes || 'physical_network' in changes)) await checkPhysnet(deps, pg, physnet, port.id)
  if (pg && !pg.standalone_ports_supported && ('pxe_enabled' in changes || 'portgroup_id' in changes)) {
    const reasons: string[] = []
    if (pxe) reasons.push("'pxe_enabled' was set to True")
    const vif = attachedVif(port)
    if (vif) reasons.push(`VIF ${vif[0]} is attached to the port`)
    if (reasons.length > 0) {
      throw new ConflictError(`Port group ${pg.uuid} doesn't support standalone ports. This port ${port.uuid} cannot be a member of that port group because of: ${reasons.join(', ')}.`, { code: 'PORTGROUP_NO_STANDALONE' })
    }
  }
  return deps.store.ports.update(port.id, changes)
}
