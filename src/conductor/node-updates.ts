/**
 * Node update and destroy (Ironic's update_node / destroy_node): the API computed what the client
 * asks for; the conductor applies it under the node lock, checking the rules that depend on the
 * node's current state on the record it just locked, so nothing can change in between.
 */
import type { InterfaceKind } from '../domain/interface-kinds.js'
import { INTERFACE_KINDS } from '../domain/interface-kinds.js'
import type { NodeRecord } from '../db/repos/nodes.js'
import { canDeleteNode, DELETE_ALLOWED_STATES } from '../domain/provision-states.js'
import { ConflictError, NotAuthorizedError, ValidationError } from '../domain/errors.js'
import type { NodeUpdate } from './api.js'
import type { ConductorCore } from './conductor-core.js'
import { resolveInterfaces as resolveFor } from './conductor-drivers.js'

/**
 * Writes `update.changes` under the node lock. A protected node refuses instance changes (403)
 * and only an active node can be made protected (409). When the driver or an interface changes,
 * the interfaces are resolved for the (new) hardware type: with a driver change, interfaces the
 * request does not name are reset to the new type's defaults unless `resetInterfaces` is false.
 * @throws NodeLockedError (409) while another operation holds the node
 * @throws NotAuthorizedError (403), ConflictError (409), ValidationError (400) as above
 */
export async function updateNode(c: ConductorCore, uuid: string, update: NodeUpdate): Promise<void> {
  await c.tasks.withNodeLock(uuid, async (task) => {
    const node = task.node
    const changes = { ...update.changes } as Partial<NodeRecord>
    if (node.protected && changes.protected !== false) {
      const touchesInstance = Object.keys(changes).some((k) => k === 'instance_info' || k === 'instance_uuid')
      if (touchesInstance) throw new NotAuthorizedError(`Node ${node.uuid} is protected and cannot be undeployed, rebuilt or deleted; unset "protected" first.`, { code: 'NODE_PROTECTED' })
    }
    if ((changes.protected === true || (node.protected && changes.protected !== false && 'protected_reason' in changes)) && node.provision_state !== 'active' && node.provision_state !== 'rescue') {
      throw new ConflictError(`Node ${node.uuid} can only be made protected in provision states 'active' or 'rescue', the current state is '${node.provision_state}'`, { code: 'FERRUM_INVALID_STATE' })
    }
    // Ironic's _check_update_retired: not in "available" (retire a node from manageable or
    // active; an active one goes to manageable on undeploy), and a reason only with retired set.
    const retired = changes.retired ?? node.retired
    if ('retired' in changes && changes.retired === true && node.provision_state === 'available') {
      throw new ConflictError(`Node ${node.uuid} can not have 'retired' set in provision state 'available', the current state is '${node.provision_state}'`, { code: 'FERRUM_INVALID_STATE' })
    }
    if ('retired_reason' in changes && changes.retired_reason && !retired) {
      throw new ValidationError('The retired_reason field can only be set when retired is True')
    }
    const ifaceTouched = INTERFACE_KINDS.some((k) => `${k}_interface` in changes)
    if ('driver' in changes || ifaceTouched) Object.assign(changes, nodeInterfaces(c, node, changes, update.resetInterfaces))
    await task.save(changes)
  }, { purpose: 'node update' })
}

/** The complete `*_interface` fields after `changes` (see {@link updateNode}). */
function nodeInterfaces(c: ConductorCore, node: NodeRecord, changes: Partial<NodeRecord>, resetAll: boolean | undefined): Partial<NodeRecord> {
  const requested: Partial<Record<InterfaceKind, string | null>> = {}
  const driverChanged = 'driver' in changes
  for (const k of INTERFACE_KINDS) {
    const key = `${k}_interface` as const
    if (key in changes) requested[k] = changes[key] ?? null
    else if (!driverChanged || resetAll === false) requested[k] = node[key]
  }
  const driver = changes.driver ?? node.driver
  const resolved = resolveFor(c, driver, requested)
  const out: Partial<NodeRecord> = {}
  for (const k of INTERFACE_KINDS) out[`${k}_interface`] = resolved[k]
  return out
}

/**
 * Deletes the node (with its ports, port groups, traits and history) under the node lock.
 * @throws NotAuthorizedError (403) for a protected node
 * @throws ConflictError (409) for a node with an instance, or in a state that does not allow it
 * @throws NodeLockedError (409) while another operation holds the node
 */
export async function destroyNode(c: ConductorCore, uuid: string): Promise<void> {
  await c.tasks.withNodeLock(uuid, async (task) => {
    const node = task.node
    if (node.protected) throw new NotAuthorizedError(`Node ${node.uuid} is protected and cannot be undeployed, rebuilt or deleted; unset "protected" first.`, { code: 'NODE_PROTECTED' })
    if (node.instance_uuid !== null) {
      throw new ConflictError(`Can not delete node ${node.uuid}: it is associated with instance ${node.instance_uuid}. Undeploy it or remove instance_uuid first.`, { code: 'NODE_ASSOCIATED' })
    }
    if (!canDeleteNode(task.state, { maintenance: node.maintenance })) {
      throw new ConflictError(
        `Can not delete node ${node.uuid} while it is in provision state "${node.provision_state}". Valid states are: ${[...DELETE_ALLOWED_STATES, 'available'].join(', ')}; or put the node in maintenance first.`,
        { code: 'FERRUM_INVALID_STATE' },
      )
    }
    await c.deps.store.nodes.delete(node.id)
  }, { purpose: 'node deletion' })
}
