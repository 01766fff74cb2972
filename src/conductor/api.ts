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

/** One indicator LED of a node (`GET /v1/nodes/{node}/management/indicators`). */
export interface IndicatorSummary {
  /** A component from INDICATOR_COMPONENTS (system, chassis, drive, nic, power). */
  component: string
  /** The driver's indicator id within the component. */
  name: string
  readonly: boolean
  /** Lower-case driver states (off, on, blinking, unknown); the API shows them upper-case. */
  states: string[]
}

/** A vendor passthru method as `GET …/vendor_passthru/methods` shows it (Ironic's keys). */
export interface PassthruMethodInfo {
  http_methods: string[]
  async: boolean
  description: string
  attach: boolean
  require_exclusive_lock: boolean
}

/** What a vendor passthru call produced: the API answers 202 when `async`, else 200 with `return`. */
export interface PassthruResult {
  async: boolean
  attach: boolean
  /** The method's return value (always null for async methods). */
  return: unknown
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
  /** The node's indicators (no lock, no BMC I/O); empty when its management has none. */
  listIndicators(node: NodeRecord): Promise<IndicatorSummary[]>
  /**
   * The state of one indicator, read through the driver without a lock.
   * @throws NotFoundError for an indicator the node does not have
   */
  getIndicatorState(node: NodeRecord, component: string, indicator: string): Promise<string>
  /**
   * Sets one indicator under the node lock.
   * @throws NotFoundError for an unknown indicator; ValidationError for a read-only one or an unsupported state
   */
  setIndicatorState(node: NodeRecord, component: string, indicator: string, state: string): Promise<void>
  /** The node's vendor passthru methods (its vendor interface's `methods`). */
  nodeVendorMethods(node: NodeRecord): Promise<Record<string, PassthruMethodInfo>>
  /**
   * Calls a node vendor method, under the node lock when it requires one (async methods always
   * run under it, in the background). @throws ValidationError for an unknown method or HTTP verb
   */
  nodeVendorPassthru(node: NodeRecord, method: string, httpMethod: string, args: Record<string, unknown>): Promise<PassthruResult>
  /** Driver-level methods of the hardware type's default vendor interface. @throws NotFoundError for an unknown driver */
  driverVendorMethods(driver: string): Record<string, PassthruMethodInfo>
  /** Calls a driver-level vendor method (no node, no lock). */
  driverVendorPassthru(driver: string, method: string, httpMethod: string, args: Record<string, unknown>): Promise<PassthruResult>
  /** Place (1-based) of a node waiting for a deploy/clean slot, or null (Ferrum's own). */
  queuePosition(nodeId: number): number | null
}
