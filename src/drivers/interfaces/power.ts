/** Power interface: reads and changes a node's power through its BMC. */
import type { ObservedPowerState, PowerTarget } from '../../domain/power-states.js'
import type { DriverContext } from '../driver-context.js'
import type { DriverInterface } from '../interface-kinds.js'
import type { NodeView } from '../node-view.js'

/** Options of a power change. */
export interface PowerChangeOptions {
  /** How long to wait for the node to reach the target; the driver's default when absent. */
  readonly timeoutMs?: number
}

/** Power control of a node. */
export interface PowerInterface extends DriverInterface<'power'> {
  /** Asks the BMC; `error` when the BMC answered but the state could not be determined. */
  getPowerState(ctx: DriverContext): Promise<ObservedPowerState>
  /**
   * Drives the node to `target` and resolves once it is reached. Idempotent for level targets:
   * asking for `power on` when already on resolves at once.
   */
  setPowerState(ctx: DriverContext, target: PowerTarget, opts?: PowerChangeOptions): Promise<void>
  /** Hard reboot; resolves once the node is powered on again. */
  reboot(ctx: DriverContext, opts?: PowerChangeOptions): Promise<void>
  /** The targets this implementation can reach for the node (no I/O). */
  getSupportedPowerStates(node: NodeView): readonly PowerTarget[]
}
