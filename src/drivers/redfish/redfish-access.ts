/**
 * What every redfish/idrac interface shares: its driver_info parser (with vendor defaults), the
 * client pool, and the few system-level operations several kinds need (reset, manager lookup).
 */
import type { RedfishClient } from '../../protocols/redfish/client.js'
import { RedfishError } from '../../protocols/redfish/errors.js'
import { findManagerPath, type Manager } from '../../protocols/redfish/resources.js'
import type { DriverContext } from '../driver-context.js'
import type { InterfaceKind } from '../interface-kinds.js'
import type { NodeView } from '../node-view.js'
import { RedfishConnections, type SystemHandle } from './redfish-connections.js'
import { parseRedfishDriverInfo, type RedfishDefaults, type RedfishDriverInfo } from './redfish-driver-info.js'

/** Construction options every redfish/idrac interface accepts. */
export interface RedfishInterfaceOptions {
  /** Implementation name; the redfish one by default (`redfish`, `redfish-virtual-media`). */
  readonly name?: string
  /** Client pool; the registry passes the one its interfaces share (and closes it). Default: a pool of its own. */
  readonly connections?: RedfishConnections
  /** Vendor defaults for driver_info (the iDRAC's system id). */
  readonly defaults?: RedfishDefaults
  /** Poll interval while waiting for the BMC (power transitions, BIOS jobs). Default 1 s. */
  readonly pollMs?: number
}

/** Per-interface access to a node's BMC. */
export class RedfishAccess {
  readonly kind: InterfaceKind
  readonly name: string
  readonly connections: RedfishConnections
  readonly defaults: RedfishDefaults
  readonly pollMs: number

  constructor(kind: InterfaceKind, defaultName: string, opts: RedfishInterfaceOptions = {}) {
    this.kind = kind
    this.name = opts.name ?? defaultName
    this.connections = opts.connections ?? new RedfishConnections()
    this.defaults = opts.defaults ?? {}
    this.pollMs = opts.pollMs ?? 1000
  }

  /** @throws ValidationError for bad driver_info */
  info(node: NodeView): RedfishDriverInfo {
    return parseRedfishDriverInfo(node, this.kind, this.name, this.defaults)
  }

  client(ctx: DriverContext): RedfishClient {
    return this.connections.client(this.info(ctx.node))
  }

  /** The node's ComputerSystem, read now. */
  system(ctx: DriverContext): Promise<SystemHandle> {
    return this.connections.system(ctx, this.info(ctx.node))
  }

  /**
   * Posts `#ComputerSystem.Reset` with the first of `types` the BMC allows (all are tried in
   * order when it lists no AllowableValues, the first one only), following a task if it answers 202.
   * @throws RedfishError when the BMC offers none of them or refuses the reset
   */
  async reset(ctx: DriverContext, handle: SystemHandle, types: readonly string[]): Promise<string> {
    const action = handle.system.Actions?.['#ComputerSystem.Reset']
    const target = action?.target ?? `${handle.path}/Actions/ComputerSystem.Reset`
    const allowed = action?.['ResetType@Redfish.AllowableValues']
    const type = allowed === undefined ? types[0] : types.find((t) => allowed.includes(t))
    if (type === undefined) {
      throw new RedfishError(
        `The BMC of node ${ctx.node.uuid} offers none of the reset types ${types.join(', ')} (it allows ${allowed?.join(', ')}).`,
        { code: 'REDFISH_ERROR', url: target },
      )
    }
    ctx.log.debug({ node: ctx.node.uuid, resetType: type }, `node ${ctx.node.uuid}: ComputerSystem.Reset ${type}`)
    const res = await handle.client.post(target, { ResetType: type }, { signal: ctx.signal })
    await handle.client.waitForTask(res, { signal: ctx.signal })
    return type
  }

  /** The Manager (BMC) of the node's system. */
  async manager(ctx: DriverContext, handle: SystemHandle): Promise<{ path: string; manager: Manager }> {
    const path = await findManagerPath(handle.client, handle.system, { signal: ctx.signal })
    return { path, manager: (await handle.client.get<Manager>(path, { signal: ctx.signal })).body }
  }
}
