/**
 * In-band inspection's second half (Ironic's `POST /v1/continue_inspection`): the agent posts its
 * inventory; the conductor finds the node (by MACs, then BMC address, or the UUID given), stores
 * the inventory and plugin data, sets the properties Ironic's default hooks set (cpus, cpu_arch,
 * memory_mb, local_gb from the root disk less 1 GiB for partitioning, `boot_mode` capability),
 * creates ports for the NICs, ends the ramdisk and moves the node to `manageable`.
 */
import { NotFoundError, ValidationError } from '../domain/errors.js'
import { validMacs } from '../domain/mac.js'
import type { NodeRecord } from '../db/repos/nodes.js'
import { pickRootDisk, type InventoryDisk, type RootDeviceHints } from '../agent/inventory.js'
import type { ConductorCore } from './conductor-core.js'
import type { NodeTask } from './node-task.js'
import { withToken, type LookupAnswer } from './agent-callbacks.js'
import { createPortsForMacs } from './workflows.js'
import { failTask } from './fail.js'

/** What the agent posts (Ironic's continue_inspection body): `inventory` plus plugin data. */
export interface InspectionData {
  inventory: Record<string, unknown>
  pluginData: Record<string, unknown>
  nodeUuid?: string
}

function macsOf(inventory: Record<string, unknown>): string[] {
  const ifaces = Array.isArray(inventory.interfaces) ? (inventory.interfaces as Record<string, unknown>[]) : []
  return validMacs(ifaces.map((i) => i.mac_address))
}

function hostOf(v: unknown): string | null {
  if (typeof v !== 'string' || v === '') return null
  try {
    return new URL(v.includes('://') ? v : `x://${v}`).hostname.replace(/^\[|\]$/g, '')
  } catch {
    return v
  }
}

/** The node the data belongs to, or null. MACs first; a BMC address only when it names exactly one node. */
async function findNode(c: ConductorCore, macs: string[], bmcs: string[], uuid?: string): Promise<NodeRecord | null> {
  const store = c.deps.store
  if (uuid) return store.nodes.getByUuid(uuid)
  const ids = new Set<number>()
  for (const mac of macs) {
    const port = await store.ports.getByAddress(mac)
    if (port) ids.add(port.node_id)
  }
  if (ids.size > 1) return null
  if (ids.size === 1) return store.nodes.getById([...ids][0]!)
  if (bmcs.length === 0) return null
  const waiting = await store.nodes.list({ provision_state: 'inspect wait' })
  const hits = waiting.filter((n) => ['ipmi_address', 'redfish_address', 'drac_address'].some((k) => bmcs.includes(hostOf(n.driver_info[k]) ?? '')))
  return hits.length === 1 ? hits[0]! : null
}

/**
 * Accepts an agent's inspection data. Answers at once with the lookup data (node and config with
 * the agent token), as Ironic's 1.84+ endpoint does; the processing runs under the node lock.
 * @throws ValidationError (400) without any lookup information
 * @throws NotFoundError (404) when no node matches or it is not in `inspect wait`
 */
export async function continueInspection(c: ConductorCore, data: InspectionData, heartbeatTimeoutS: number): Promise<LookupAnswer> {
  const macs = macsOf(data.inventory)
  const bmcs = [data.inventory.bmc_address, data.inventory.bmc_v6address].filter((a): a is string => typeof a === 'string' && a !== '' && a !== '0.0.0.0' && a !== '::/0')
  if (macs.length === 0 && bmcs.length === 0 && !data.nodeUuid) throw new ValidationError('No lookup information provided')
  const node = await findNode(c, macs, bmcs, data.nodeUuid)
  if (!node || node.provision_state !== 'inspect wait') {
    c.deps.log.warn({ macs, bmcs, node: node?.uuid, state: node?.provision_state }, 'inspection data for no node waiting for it')
    throw new NotFoundError('Resource could not be found.')
  }
  const answer = await withToken(c, node.uuid, heartbeatTimeoutS)
  const task = await c.tasks.acquire(node.uuid, { purpose: 'continue inspection' })
  if (task.state !== 'inspect wait') {
    await c.tasks.release(task)
    throw new NotFoundError('Resource could not be found.')
  }
  c.workers.spawn(task, async () => {
    try {
      await processInspection(task, data, macs)
    } catch (e) {
      await failTask(task, e, { code: 'INSPECT_FAILED' })
    }
  })
  return answer
}

/** Properties from an inventory, as Ironic's default inspection hooks derive them. */
export function propertiesFrom(inventory: Record<string, unknown>, current: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  const cpu = (inventory.cpu ?? {}) as Record<string, unknown>
  const memory = (inventory.memory ?? {}) as Record<string, unknown>
  const boot = (inventory.boot ?? {}) as Record<string, unknown>
  if (typeof cpu.count === 'number') out.cpus = cpu.count
  if (typeof cpu.architecture === 'string') out.cpu_arch = cpu.architecture
  if (typeof memory.physical_mb === 'number') out.memory_mb = memory.physical_mb
  const disks = Array.isArray(inventory.disks) ? (inventory.disks as InventoryDisk[]) : []
  try {
    const root = pickRootDisk(disks, (current.root_device ?? null) as RootDeviceHints | null)
    out.local_gb = Math.max(0, Math.floor(root.size / 1024 ** 3) - 1)
  } catch {
    out.local_gb = 0
  }
  if (boot.current_boot_mode === 'uefi' || boot.current_boot_mode === 'bios') {
    const caps = typeof current.capabilities === 'string' && current.capabilities !== '' ? current.capabilities.split(',').filter((c) => !c.startsWith('boot_mode:')) : []
    out.capabilities = [...caps, `boot_mode:${boot.current_boot_mode}`].join(',')
  }
  return out
}

async function processInspection(task: NodeTask, data: InspectionData, macs: string[]): Promise<void> {
  await task.phase('inventory')
  await task.deps.store.inventory.put(task.node.id, data.inventory, data.pluginData)
  await createPortsForMacs(task, macs)
  const insp = task.impl('inspect')
  if (insp.abort) await task.call((ctx) => insp.abort!(ctx))
  const properties = { ...task.node.properties, ...propertiesFrom(data.inventory, task.node.properties) }
  await task.history('inspection', 'INFO', `Inventory received: ${String(properties.cpus ?? '?')} CPUs, ${String(properties.memory_mb ?? '?')} MiB, ${String(properties.local_gb ?? '?')} GiB root disk, ${macs.length} NIC(s)`)
  await task.event('done', { lastError: null, changes: { properties, inspection_finished_at: task.nowIso(), power_state: 'power off' } })
}
