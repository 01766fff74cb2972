/** Network interface: which networks a node's ports sit on during each phase, and VIFs. */
import type { DriverContext } from '../driver-context.js'
import type { DriverInterface } from '../interface-kinds.js'
import type { NodeView } from '../node-view.js'

/** Phases that may put the node on a dedicated network. */
export type NetworkPhase = 'provisioning' | 'cleaning' | 'rescuing' | 'inspection' | 'servicing'

/** An attached virtual interface. */
export interface VifInfo {
  readonly id: string
}

/** Node network plumbing. */
export interface NetworkInterface extends DriverInterface<'network'> {
  vifList(ctx: DriverContext): Promise<readonly VifInfo[]>
  vifAttach(ctx: DriverContext, vif: VifInfo): Promise<void>
  vifDetach(ctx: DriverContext, vifId: string): Promise<void>
  addNetwork(ctx: DriverContext, phase: NetworkPhase): Promise<void>
  removeNetwork(ctx: DriverContext, phase: NetworkPhase): Promise<void>
  configureTenantNetworks(ctx: DriverContext): Promise<void>
  unconfigureTenantNetworks(ctx: DriverContext): Promise<void>
  /** Whether the node must be powered on for network changes (smart NICs). */
  needPowerOn(node: NodeView): boolean
}
