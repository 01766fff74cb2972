/** `no-inspect`: hardware inspection is not available. */
import type { DriverContext } from '../driver-context.js'
import type { InspectInterface, InspectResult } from '../interfaces/inspect.js'
import { NoSupport } from './no-support.js'

/** No inspection. */
export class NoInspect extends NoSupport<'inspect'> implements InspectInterface {
  readonly kind = 'inspect'
  readonly name = 'no-inspect'

  async inspectHardware(ctx: DriverContext): Promise<InspectResult> {
    throw this.unsupported(ctx.node, 'Hardware inspection')
  }
}
