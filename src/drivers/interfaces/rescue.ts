/** Rescue interface: boots a rescue ramdisk on an active node, and back. */
import type { DriverContext } from '../driver-context.js'
import type { DriverInterface } from '../interface-kinds.js'
import type { StepResult } from '../steps.js'

/** Rescue mode. */
export interface RescueInterface extends DriverInterface<'rescue'> {
  /** Boots the rescue ramdisk; usually waits for the agent's callback. */
  rescue(ctx: DriverContext): Promise<StepResult>
  /** Boots the instance again. */
  unrescue(ctx: DriverContext): Promise<void>
  /** Undoes `rescue` after a failure or abort. */
  cleanUp(ctx: DriverContext): Promise<void>
}
