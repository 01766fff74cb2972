/**
 * What the conductor's feature modules (provisioning, node updates, VIFs, allocations…) share:
 * its dependencies, the task manager (the node lock), the background workers and the queues.
 */
import type { NetbootLogs } from '../netboot/node-boot-stages.js'
import type { Logger } from 'pino'
import type { Clock } from '../common/clock.js'
import type { FerrumConfig } from '../config/schema.js'
import type { Store } from '../db/store.js'
import type { AgentSettings, BootFiles } from '../drivers/driver-context.js'
import type { AdmissionQueue } from './admission.js'
import type { DriverCatalog } from './driver-catalog.js'
import type { NodeWorkers } from './node-workers.js'
import type { TaskManager } from './task.js'
import type { WorkflowHost } from './workflows.js'
import type { DhcpProvider } from '../netboot/dhcp-hosts.js'

export interface ConductorDeps {
  store: Store
  drivers: DriverCatalog
  config: FerrumConfig['conductor']
  log: Logger
  clock: Clock
  /** Ferrum's HTTP boot server (dir + URL prefix), handed to drivers; unset when none runs. */
  bootFiles?: BootFiles
  /** DHCP host entries for nodes in the boot flow (netboot/dhcp-hosts.ts), handed to drivers; unset when Ferrum manages no DHCP. */
  dhcp?: DhcpProvider
  /** dnsmasq's log and the boot server's request log: a callback timeout names the last boot stage seen. */
  netboot?: NetbootLogs
  /** Agent protocol settings (API URL agents call home to…), handed to drivers; unset in bare tests. */
  agent?: AgentSettings
}

/** The conductor as its feature modules see it. */
export interface ConductorCore extends WorkflowHost {
  readonly deps: ConductorDeps
  readonly hostname: string
  /** The only way to lock a node. */
  readonly tasks: TaskManager
  /** Work in flight, by node UUID. */
  readonly workers: NodeWorkers
  readonly deployQueue: AdmissionQueue
  readonly cleanQueue: AdmissionQueue
  /** Place (1-based) of a node waiting for a deploy or clean slot, else null. */
  admissionPosition(nodeId: number): number | null
  /** Processes again the allocations a stopped conductor left in `allocating`; how many. */
  resumeAllocations(): Promise<number>
}
