/**
 * Tenant VIFs of a node, recorded as `internal_info.tenant_vif_port_id` on its ports and port
 * groups (Ironic's VIFPortIDMixin, used by its flat and neutron network interfaces). The `noop`
 * network interface is a no-op, as in Ironic: attach and detach succeed and record nothing, and
 * the list is empty (clients that attach VIFs to noop nodes, such as Nova's, expect that).
 */

/** Ironic's noop network interface: VIFs are neither recorded nor checked. */
function noopNetwork(node: NodeRecord): boolean {
  return node.network_interface === 'noop'
}
import type { Store } from '../db/store.js'
import type { NodeRecord } from '../db/repos/nodes.js'
import type { PortRecord } from '../db/repos/ports.js'
import type { PortgroupRecord } from '../db/repos/portgroups.js'
import { ConflictError, ValidationError } from '../domain/errors.js'
import type { VifAttachRequest } from './api.js'
import { messageOf } from './failures.js'
import type { NodeTask } from './node-task.js'

export const TENANT_VIF_KEY = 'tenant_vif_port_id'

type PortLike = { kind: 'port'; rec: PortRecord } | { kind: 'portgroup'; rec: PortgroupRecord }

function vifOf(p: { internal_info: Record<string, unknown>; extra: Record<string, unknown> }): string | null {
  const v = p.internal_info[TENANT_VIF_KEY] ?? p.extra.vif_port_id
  return typeof v === 'string' && v !== '' ? v : null
}

async function portLikes(store: Store, nodeId: number): Promise<{ ports: PortRecord[]; portgroups: PortgroupRecord[] }> {
  return { ports: await store.ports.list({ node_id: nodeId }), portgroups: await store.portgroups.list({ node_id: nodeId }) }
}

/** The node's VIFs: port groups first, then ports, each VIF once. */
export async function listVifs(store: Store, node: NodeRecord): Promise<{ id: string }[]> {
  if (noopNetwork(node)) return []
  const { ports, portgroups } = await portLikes(store, node.id)
  const ids = [...portgroups, ...ports].map(vifOf).filter((v): v is string => v !== null)
  return [...new Set(ids)].map((id) => ({ id }))
}

/**
 * Picks the port or port group for a VIF: a port group (with a free member port) before a port,
 * a PXE-enabled port before others; or exactly the one the request names.
 * @throws ConflictError (VifAlreadyAttached) when the VIF is attached anywhere already
 * @throws ValidationError (NoFreePhysicalPorts) when nothing is free
 */
async function pickPortLike(store: Store, node: NodeRecord, req: VifAttachRequest): Promise<PortLike> {
  const { ports, portgroups } = await portLikes(store, node.id)
  for (const o of [...portgroups.map((rec) => ({ kind: 'portgroup' as const, rec })), ...ports.map((rec) => ({ kind: 'port' as const, rec }))]) {
    if (vifOf(o.rec) === req.id) {
      throw new ConflictError(`Unable to attach VIF because VIF ${req.id} is already attached to Ironic ${o.kind === 'port' ? 'Port' : 'Portgroup'} ${o.rec.uuid}`, { code: 'VIF_ALREADY_ATTACHED' })
    }
  }
  const busyGroups = new Set(ports.filter((p) => vifOf(p) !== null && p.portgroup_id !== null).map((p) => p.portgroup_id))
  const free: PortLike[] = []
  if (req.portgroup_uuid === undefined) {
    for (const p of ports) {
      if (req.port_uuid !== undefined ? p.uuid !== req.port_uuid : p.portgroup_id !== null) continue
      if (vifOf(p) === null) free.push({ kind: 'port', rec: p })
    }
  }
  if (req.port_uuid === undefined) {
    for (const g of portgroups) {
      if (req.portgroup_uuid !== undefined && g.uuid !== req.portgroup_uuid) continue
      if (vifOf(g) !== null || busyGroups.has(g.id)) continue
      if (ports.some((p) => p.portgroup_id === g.id)) free.push({ kind: 'portgroup', rec: g })
    }
  }
  if (free.length === 0) throw new ValidationError(`Unable to attach VIF ${req.id}, not enough free physical ports.`, { code: 'NO_FREE_PHYSICAL_PORTS' })
  const rank = (o: PortLike) => (o.kind === 'portgroup' ? 2 : 0) + (o.kind === 'port' && o.rec.pxe_enabled ? 1 : 0)
  free.sort((a, b) => rank(b) - rank(a))
  return free[0]
}

/**
 * The node's network interface must validate before a VIF is attached (noop and flat do; a broken
 * setup says why).
 * @throws ValidationError naming the reason
 */
export async function checkNetwork(task: NodeTask): Promise<void> {
  try {
    task.impl('network').validate(await task.view())
  } catch (e) {
    throw new ValidationError(`The network interface of node ${task.uuid} is not usable: ${messageOf(e) || 'validation failed'}.`)
  }
}

/** Attaches a VIF to the node `task` holds; a VIF id is attached at most once across all nodes. */
export async function attachVif(task: NodeTask, req: VifAttachRequest): Promise<void> {
  const store = task.deps.store
  const n = task.node
  if (noopNetwork(n)) return
  const elsewhere = await store.database.db
    .selectFrom('ports').select('uuid').where('internal_info', 'like', `%"${TENANT_VIF_KEY}":${JSON.stringify(req.id)}%`).executeTakeFirst()
  if (elsewhere) throw new ConflictError(`Unable to attach VIF because VIF ${req.id} is already attached to Ironic Port ${elsewhere.uuid}`, { code: 'VIF_ALREADY_ATTACHED' })
  const target = await pickPortLike(store, n, req)
  const internal = { ...target.rec.internal_info, [TENANT_VIF_KEY]: req.id }
  if (target.kind === 'port') await store.ports.update(target.rec.id, { internal_info: internal })
  else await store.portgroups.update(target.rec.id, { internal_info: internal })
}

/**
 * Detaches a VIF from the node `task` holds.
 * @throws ValidationError (VifNotAttached) when no port or port group of the node has it
 */
export async function detachVif(task: NodeTask, vifId: string): Promise<void> {
  const store = task.deps.store
  const n = task.node
  if (noopNetwork(n)) return
  const { ports, portgroups } = await portLikes(store, n.id)
  const strip = (o: { internal_info: Record<string, unknown>; extra: Record<string, unknown> }) => {
    const internal = { ...o.internal_info }
    delete internal[TENANT_VIF_KEY]
    const extra = { ...o.extra }
    if (extra.vif_port_id === vifId) delete extra.vif_port_id
    return { internal_info: internal, extra }
  }
  const g = portgroups.find((x) => vifOf(x) === vifId)
  if (g) return void (await store.portgroups.update(g.id, strip(g)))
  const p = ports.find((x) => vifOf(x) === vifId)
  if (p) return void (await store.ports.update(p.id, strip(p)))
  throw new ValidationError(`Unable to detach VIF ${vifId} from node ${n.uuid} because it is not attached to it.`, { code: 'VIF_NOT_ATTACHED' })
}
