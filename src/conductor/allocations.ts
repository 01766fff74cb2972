/**
 * The allocation engine (Ironic's conductor/allocations.py): picks an available node for an
 * allocation and binds it with one compare-and-set, so concurrent allocations never share a
 * node; backfills allocations for nodes already deployed; checks that an allocation may go.
 */
import type { Store } from '../db/store.js'
import type { AllocationRecord } from '../db/repos/allocations.js'
import type { NodeRecord } from '../db/repos/nodes.js'
import { UPDATE_ALLOWED_STATES } from '../domain/provision-states.js'
import { ConflictError, InvalidStateError, NotFoundError } from '../domain/errors.js'
import type { AllocationCreateRequest } from './api.js'
import type { TaskManager } from './task.js'

/** Passes over the candidate list before giving up (others may have taken every candidate). */
const MAX_ROUNDS = 3

export interface AllocationEngineDeps {
  store: Store
  log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void }
  /** Uniform [0, 1) source used to shuffle equal candidates (tests may pin it). */
  random?: () => number
}

/** Why no node could be picked; becomes the allocation's last_error. */
class AllocationFailed extends Error {}

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    ;[items[i], items[j]] = [items[j], items[i]]
  }
  return items
}

/**
 * The nodes that could serve `alloc`, in the order to try them: available, unassociated, with a
 * known power state, not in maintenance, of the resource class, among the candidates and
 * visible to the owner if those are set, having every trait. Shuffled; a node named like the
 * allocation goes first.
 * @throws AllocationFailed naming what filtered everything out
 */
async function candidates(deps: AllocationEngineDeps, alloc: AllocationRecord): Promise<NodeRecord[]> {
  const store = deps.store
  let nodes = await store.nodes.list({
    provision_state: 'available',
    associated: false,
    maintenance: false,
    ...(alloc.resource_class !== null ? { resource_class: alloc.resource_class } : {}),
    ...(alloc.owner ? { project: alloc.owner } : {}),
  })
  nodes = nodes.filter((n) => n.power_state !== null && n.allocation_id === null)
  if (alloc.candidate_nodes.length > 0) {
    const wanted = new Set(alloc.candidate_nodes)
    nodes = nodes.filter((n) => wanted.has(n.uuid))
  }
  if (nodes.length === 0) {
    throw new AllocationFailed(
      alloc.candidate_nodes.length > 0
        ? `none of the requested nodes are available and match the resource class ${alloc.resource_class}`
        : `no available nodes match the resource class ${alloc.resource_class}`,
    )
  }
  if (alloc.traits.length > 0) {
    const traits = await store.nodes.traitsOf(nodes.map((n) => n.id))
    nodes = nodes.filter((n) => {
      const have = new Set(traits.get(n.id) ?? [])
      return alloc.traits.every((t) => have.has(t))
    })
    if (nodes.length === 0) throw new AllocationFailed(`no suitable nodes have the requested traits ${alloc.traits.join(', ')}`)
  }
  shuffle(nodes, deps.random ?? Math.random)
  if (alloc.name !== null) {
    const i = nodes.findIndex((n) => n.name === alloc.name)
    if (i > 0) nodes.unshift(...nodes.splice(i, 1))
  }
  return nodes
}

/**
 * Processes a freshly created allocation: reserves a matching node (state `active`, the node's
 * instance_uuid set to the allocation's UUID) or records why none could be had (state `error`,
 * `last_error`). Never throws for "no node"; returns the final record.
 */
export async function allocate(deps: AllocationEngineDeps, alloc: AllocationRecord): Promise<AllocationRecord> {
  const { store } = deps
  try {
    for (let round = 0; round < MAX_ROUNDS; round++) {
      const nodes = await candidates(deps, alloc)
      for (const node of nodes) {
        const won = await store.allocations.reserveNode(alloc, node.id, { resourceClass: alloc.resource_class, traits: alloc.traits })
        if (won) {
          deps.log?.info({ allocation: alloc.uuid, node: node.uuid }, 'node reserved for allocation')
          return (await store.allocations.getById(alloc.id)) ?? alloc
        }
      }
    }
    throw new AllocationFailed('all nodes were filtered out during reservation')
  } catch (e) {
    const reason = e instanceof AllocationFailed || e instanceof ConflictError ? e.message : `Unexpected exception during allocation: ${(e as Error).message}`
    const message = e instanceof AllocationFailed ? `Failed to process allocation ${alloc.uuid}: ${reason}.` : reason
    deps.log?.warn({ allocation: alloc.uuid, err: e }, 'allocation failed')
    await store.allocations.fail(alloc.id, message)
    return (await store.allocations.getById(alloc.id)) ?? alloc
  }
}

/**
 * Backfill: the node is already deployed (`active`); record that it belongs to `alloc`. The node
 * must match the allocation's resource class, traits and candidates.
 * @throws ConflictError when the node has another instance or allocation; the allocation is then
 *   marked `error` as well
 */
export async function backfill(deps: AllocationEngineDeps, alloc: AllocationRecord, node: NodeRecord): Promise<AllocationRecord> {
  const { store } = deps
  const errors: string[] = []
  if (node.provision_state !== 'active') errors.push(`Node must be in the "active" state, but the current state is "${node.provision_state}"`)
  if (alloc.resource_class && node.resource_class !== alloc.resource_class) {
    errors.push(`Resource class ${node.resource_class} does not match the requested resource class ${alloc.resource_class}`)
  }
  if (alloc.traits.length > 0) {
    const have = new Set(await store.nodes.traits(node.id))
    if (!alloc.traits.every((t) => have.has(t))) errors.push(`List of traits ${[...have].join(', ')} does not match the requested traits ${alloc.traits.join(', ')}`)
  }
  if (alloc.candidate_nodes.length > 0 && !alloc.candidate_nodes.includes(node.uuid)) {
    errors.push(`Candidate nodes must be empty or contain the target node, but got ${alloc.candidate_nodes.join(', ')}`)
  }
  try {
    if (errors.length > 0) throw new ConflictError(`Cannot backfill an allocation for node ${node.uuid}: ${errors.join('; ')}`, { code: 'ALLOCATION_FAILED' })
    if (!(await store.allocations.backfill(alloc, node.id))) {
      throw new ConflictError(`Node ${node.uuid} is already associated with instance ${node.instance_uuid ?? 'or allocation'}.`, { code: 'NODE_ASSOCIATED' })
    }
  } catch (e) {
    await store.allocations.fail(alloc.id, (e as Error).message)
    throw e
  }
  return (await store.allocations.getById(alloc.id)) ?? alloc
}

/**
 * Checks that the allocation may be removed from its node (Ironic's
 * verify_node_for_deallocation): never from an active node or one in a transitional state
 * where updates are refused, unless the node is in maintenance.
 * @throws InvalidStateError naming the node and its state
 */
export function checkDeallocation(node: NodeRecord, alloc: AllocationRecord): void {
  if (node.maintenance) return
  if (node.target_provision_state && !UPDATE_ALLOWED_STATES.has(node.provision_state)) {
    throw new InvalidStateError(
      `Cannot remove allocation ${alloc.uuid} for node ${node.uuid}, because the node is in state ${node.provision_state} where updates are not allowed (and maintenance mode is off).`,
    )
  }
  if (node.provision_state === 'active') {
    throw new InvalidStateError(`Cannot remove allocation ${alloc.uuid} for node ${node.uuid}, because the node is active (and maintenance mode is off).`)
  }
}

/**
 * Creates the allocation (Ironic's create_allocation): with `req.node` a backfill for that
 * deployed node, done at once; else it is returned in state `allocating` and `background` picks
 * an available node afterwards, as Ironic's conductor does in a worker, so clients see the same
 * asynchronous contract (they poll until `active` or `error`).
 * @throws ConflictError from {@link backfill} (the allocation is kept, in state `error`)
 * @throws NotFoundError when the backfill node is gone
 */
export async function createAllocation(deps: AllocationEngineDeps, req: AllocationCreateRequest, background: (work: () => Promise<unknown>) => void): Promise<AllocationRecord> {
  const node = req.node === undefined ? null : await deps.store.nodes.getByIdent(req.node)
  const { node: _node, ...fields } = req
  const created = await deps.store.allocations.create(fields)
  if (node) return backfill(deps, created, node)
  background(() => allocate(deps, created))
  return created
}

/**
 * Deletes an allocation, freeing its node, while holding the node's lock so that no operation
 * starts on the node halfway through (as Ironic's destroy_allocation does). An allocation whose
 * node is gone is simply deleted.
 * @throws NodeLockedError while another operation holds the node
 * @throws InvalidStateError from checkDeallocation
 */
export async function destroyAllocation(deps: AllocationEngineDeps & { tasks: TaskManager }, alloc: AllocationRecord): Promise<void> {
  const { store } = deps
  if (alloc.node_id === null) {
    await store.allocations.delete(alloc.id)
    return
  }
  const task = await deps.tasks.acquire(alloc.node_id, { purpose: 'allocation deletion' }).catch((e: unknown) => {
    if (e instanceof NotFoundError) return null
    throw e
  })
  if (!task) {
    await store.allocations.delete(alloc.id)
    return
  }
  try {
    checkDeallocation(task.node, alloc)
    await store.allocations.delete(alloc.id)
  } finally {
    await deps.tasks.release(task)
  }
}
