/** `no-rescue`: rescue mode is not available. */
import type { DriverContext } from '../driver-context.js'
import type { RescueInterface } from '../interfaces/rescue.js'
import type { StepResult } from '../steps.js'
import { NoSupport } from './no-support.js'

/** No rescue. */
export class NoRescue extends NoSupport<'rescue'> implements RescueInterface {
  readonly kind = 'rescue'
  readonly name = 'no-rescue'

  async rescue(ctx: DriverContext): Promise<StepResult> {
    throw this.unsupported(ctx.node, 'Rescue')
  }

  async unrescue(ctx: DriverContext): Promise<void> {
    throw this.unsupported(ctx.node, 'Unrescue')
  }

  async cleanUp(_ctx: DriverContext): Promise<void> {}
}
