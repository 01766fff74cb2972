import type { NodeRecord, InterfaceKind } from '../db/repos/nodes.js'

/** Result of validating one interface of a node (Ironic's `node validate`). */
export interface InterfaceValidation {
  result: boolean | null
  reason?: string
}

/** A provision request as the API accepted it (already checked against the microversion). */
export interface ProvisionRequest {
  verb: string
  /** The client's microversion minor (1.N → N); error messages list only verbs it may send. */
  apiMinor?: number
  configdrive?: unknown
  clean_steps?: unknown[]
  deploy_steps?: unknown[]
  service_steps?: unknown[]
  rescue_password?: string
  disable_ramdisk?: boolean
  runbook?: string
}

export interface DriverSummary {
  name: string
  hosts: string[]
  type: 'dynamic'
  /** interface kind → { default, enabled[] } */
  interfaces: Partial<Record<InterfaceKind, { default: string | null; enabled: string[] }>>
}

/**
 * What the API asks of the conductor. All-in-one, this is the conductor itself; split, an RPC
 * client. Methods that start work return once the node is locked and the work is queued (the
 * API answers 202); they throw ConflictError (node locked / invalid state) or ValidationError.
 */
export interface ConductorApi {
  readonly hostname: string
  listDrivers(): DriverSummary[]
  /** Throws NotFoundError when the hardware type is not enabled. */
  getDriver(name: string): DriverSummary
  driverProperties(name: string): Record<string, string>
  /**
   * Fills `*_interface` defaults for a hardware type and checks the requested ones. Returns the
   * complete map; throws ValidationError naming the bad interface.
   */
  resolveInterfaces(driver: string, requested: Partial<Record<InterfaceKind, string | null>>): Record<InterfaceKind, string>
  validate(node: NodeRecord): Promise<Record<InterfaceKind, InterfaceValidation>>
  changePowerState(node: NodeRecord, target: string, opts: { timeoutS?: number }): Promise<void>
  provision(node: NodeRecord, req: ProvisionRequest): Promise<void>
  getBootDevice(node: NodeRecord): Promise<{ boot_device: string | null; persistent: boolean | null }>
  setBootDevice(node: NodeRecord, device: string, persistent: boolean): Promise<void>
  getSupportedBootDevices(node: NodeRecord): Promise<string[]>
  injectNmi(node: NodeRecord): Promise<void>
  /** Place (1-based) of a node waiting for a deploy/clean slot, or null (Ferrum's own). */
  queuePosition(nodeId: number): number | null
}
