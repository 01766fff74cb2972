import type { InterfaceKind } from '../domain/interface-kinds.js'
import type { NodeRecord } from '../db/repos/nodes.js'
import type { AllocationRecord } from '../db/repos/allocations.js'
import type { BiosSettingRecord } from '../db/repos/bios.js'
import type { RequestContext } from '../domain/request-context.js'
import type { HeartbeatRequest, LookupAnswer, LookupRequest } from './agent-callbacks.js'
import type { InspectionData } from './inspection.js'

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

/** Node fields a node update may write (the API computed them from the client's JSON Patch). */
export type NodeChanges = Partial<Omit<NodeRecord, 'id' | 'uuid' | 'created_at' | 'updated_at' | 'reservation'>>

/** A node update as the API accepted it (Ironic's update_node). */
export interface NodeUpdate {
  /** The fields that change, with their new values (input already checked by the API). */
  changes: NodeChanges
  /**
   * With a driver change: true or undefined resets the interfaces the request does not name to the
   * new hardware type's defaults; false keeps them (`reset_interfaces`, 1.45).
   */
  resetInterfaces?: boolean
}

/** What a VIF attach names: the VIF, and optionally the port or port group to use (1.67+). */
export interface VifAttachRequest {
  id: string
  port_uuid?: string
  portgroup_uuid?: string
}

/** An allocation to create, as the API accepted it (names resolved, resource class defaulted). */
export interface AllocationCreateRequest {
  uuid?: string
  name: string | null
  owner: string | null
  resource_class: string | null
  traits: string[]
  /** Candidate node UUIDs (empty: any node). */
  candidate_nodes: string[]
  extra: Record<string, unknown>
  /** Backfill: the UUID of the node already deployed for this allocation. */
  node?: string
}

/**
 * What the API asks of the conductor: the RPC surface (Ironic's conductor/rpcapi.py). All-in-one,
 * the Conductor implements it in-process; split (issue 14), a JSON-RPC client will. So that it can
 * be a network hop, every method is async, takes the caller's RequestContext first and names nodes
 * by UUID, and every argument, result and error is plain JSON: no NodeRecord (whose driver_info
 * holds secrets) crosses it, results are summaries, and errors are FerrumErrors, which
 * conductor/rpc-wire.ts carries as code, HTTP status, message and details. test/helpers/app.ts
 * runs the API suite through such a JSON round trip (FERRUM_TEST_RPC_SERIALIZE=1).
 *
 * Methods that start work return once the node is locked and the work is running (the API answers
 * 202). Every method that changes a node takes its lock and throws NodeLockedError (409) while
 * another operation holds it, and NotFoundError (404) for a node that does not exist.
 */
export interface ConductorApi {
  /** The conductor the API talks to (shown as a node's `conductor`, recorded in history). */
  readonly hostname: string

  // ---- drivers (hardware types) ----
  listDrivers(ctx: RequestContext): Promise<DriverSummary[]>
  /** @throws NotFoundError when the hardware type is not enabled */
  getDriver(ctx: RequestContext, name: string): Promise<DriverSummary>
  driverProperties(ctx: RequestContext, name: string): Promise<Record<string, string>>
  /**
   * Fills `*_interface` defaults for a hardware type and checks the requested ones (node create).
   * Returns the complete map. @throws ValidationError naming the bad driver or interface
   */
  resolveInterfaces(ctx: RequestContext, driver: string, requested: Partial<Record<InterfaceKind, string | null>>): Promise<Record<InterfaceKind, string>>

  // ---- node updates ----
  /**
   * Applies a node update under the node lock (see node-updates.ts for the checks).
   * @throws NotAuthorizedError (403) for instance changes on a protected node; ConflictError, ValidationError
   */
  updateNode(ctx: RequestContext, node: string, update: NodeUpdate): Promise<void>
  /** Deletes a node under its lock. @throws NotAuthorizedError (protected), ConflictError (instance, state) */
  destroyNode(ctx: RequestContext, node: string): Promise<void>
  /** Sets (null: removes) the node's target RAID configuration. */
  setTargetRaidConfig(ctx: RequestContext, node: string, config: Record<string, unknown> | null): Promise<void>

  // ---- synchronous driver calls ----
  /** Ironic's `node validate`: every interface's validate(), without BMC I/O. */
  validate(ctx: RequestContext, node: string): Promise<Record<InterfaceKind, InterfaceValidation>>
  getBootDevice(ctx: RequestContext, node: string): Promise<{ boot_device: string | null; persistent: boolean | null }>
  setBootDevice(ctx: RequestContext, node: string, device: string, persistent: boolean): Promise<void>
  getSupportedBootDevices(ctx: RequestContext, node: string): Promise<string[]>
  injectNmi(ctx: RequestContext, node: string): Promise<void>
  /**
   * The node's console: whether it is enabled and, if so, where to reach it.
   * @throws when the node's console interface supports no console (Ironic's UnsupportedDriverExtension)
   */
  getConsole(ctx: RequestContext, node: string): Promise<{ console_enabled: boolean; console_info: { type: string; url: string } | null }>
  /** Starts or stops the node's console (nothing happens when it already is as asked). */
  setConsole(ctx: RequestContext, node: string, enabled: boolean): Promise<void>
  /** The node's indicators (no lock, no BMC I/O); empty when its management has none. */
  listIndicators(ctx: RequestContext, node: string): Promise<IndicatorSummary[]>
  /**
   * The state of one indicator, read through the driver without a lock.
   * @throws NotFoundError for an indicator the node does not have
   */
  getIndicatorState(ctx: RequestContext, node: string, component: string, indicator: string): Promise<string>
  /**
   * Sets one indicator under the node lock.
   * @throws NotFoundError for an unknown indicator; ValidationError for a read-only one or an unsupported state
   */
  setIndicatorState(ctx: RequestContext, node: string, component: string, indicator: string, state: string): Promise<void>
  /**
   * The node's BIOS settings, refreshed from its BIOS interface when it can be read (no lock
   * needed, see bios-cache.ts), else as cached.
   */
  biosSettings(ctx: RequestContext, node: string): Promise<BiosSettingRecord[]>

  // ---- vendor passthru ----
  /** The node's vendor passthru methods (its vendor interface's `methods`). */
  nodeVendorMethods(ctx: RequestContext, node: string): Promise<Record<string, PassthruMethodInfo>>
  /**
   * Calls a node vendor method, under the node lock when it requires one (async methods always
   * run under it, in the background). @throws ValidationError for an unknown method or HTTP verb
   */
  nodeVendorPassthru(ctx: RequestContext, node: string, method: string, httpMethod: string, args: Record<string, unknown>): Promise<PassthruResult>
  /** Driver-level methods of the hardware type's default vendor interface. @throws NotFoundError for an unknown driver */
  driverVendorMethods(ctx: RequestContext, driver: string): Promise<Record<string, PassthruMethodInfo>>
  /** Calls a driver-level vendor method (no node, no lock). */
  driverVendorPassthru(ctx: RequestContext, driver: string, method: string, httpMethod: string, args: Record<string, unknown>): Promise<PassthruResult>

  // ---- asynchronous actions ----
  /** Locks the node, shows the target power state and changes power in the background. */
  changePowerState(ctx: RequestContext, node: string, target: string, opts: { timeoutS?: number }): Promise<void>
  /**
   * A provision verb (Ironic's do_provisioning_action). @throws InvalidStateRequestedError (400)
   * naming the state and the verbs allowed there
   */
  provision(ctx: RequestContext, node: string, req: ProvisionRequest): Promise<void>
  /** Continues a node parked in a wait state (the agent's heartbeat). @throws InvalidStateError when it is not waiting */
  continueNode(ctx: RequestContext, node: string): Promise<void>
  /**
   * An agent looks up its node by MACs or UUID (Ironic's `GET /v1/lookup`); the first lookup of a
   * ramdisk boot gets the agent token, later ones see it masked.
   * @throws ValidationError (INCOMPLETE_LOOKUP) with neither; NotFoundError outside lookup states
   */
  agentLookup(ctx: RequestContext, req: LookupRequest): Promise<LookupAnswer>
  /**
   * An agent's heartbeat (Ironic's `POST /v1/heartbeat/{node}`): recorded, and a node waiting on
   * the agent continues when its deploy interface says so.
   * @throws ValidationError (INVALID_AGENT_TOKEN) for a missing or wrong token
   */
  agentHeartbeat(ctx: RequestContext, node: string, req: HeartbeatRequest): Promise<void>
  /**
   * An agent posts its inspection data (Ironic's `POST /v1/continue_inspection`): the node is
   * found, processed in the background, and the lookup answer (with the token) returned.
   * @throws ValidationError without lookup information; NotFoundError when no node waits for it
   */
  continueInspection(ctx: RequestContext, data: InspectionData): Promise<LookupAnswer>
  /** Place (1-based) of a node waiting for a deploy/clean slot, or null (Ferrum's own). No database read. */
  queuePosition(ctx: RequestContext, node: string): Promise<number | null>

  // ---- VIFs and allocations ----
  /** The node's VIFs, port groups first. */
  listVifs(ctx: RequestContext, node: string): Promise<{ id: string }[]>
  /** Attaches a VIF under the node lock. @throws ValidationError (network unusable, no free port), ConflictError (attached already) */
  attachVif(ctx: RequestContext, node: string, vif: VifAttachRequest): Promise<void>
  /** Detaches a VIF under the node lock. @throws ValidationError when it is not attached */
  detachVif(ctx: RequestContext, node: string, vifId: string): Promise<void>
  /** Creates and processes an allocation; returns it (state `active` or `error`). */
  createAllocation(ctx: RequestContext, req: AllocationCreateRequest): Promise<AllocationRecord>
  /** Deletes an allocation (by UUID), under its node's lock. @throws InvalidStateError (node active or busy) */
  destroyAllocation(ctx: RequestContext, allocation: string): Promise<void>
}
