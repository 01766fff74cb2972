/** `no-bios`: BIOS settings are not managed; the cached list is empty. */
import type { DriverContext } from '../driver-context.js'
import type { BiosInterface, BiosSetting } from '../interfaces/bios.js'
import type { StepResult } from '../steps.js'
import { NoSupport } from './no-support.js'

/** No BIOS management. */
export class NoBios extends NoSupport<'bios'> implements BiosInterface {
  readonly kind = 'bios'
  readonly name = 'no-bios'

  async getSettings(_ctx: DriverContext): Promise<readonly BiosSetting[]> {
    return []
  }

  async applySettings(ctx: DriverContext): Promise<StepResult> {
    throw this.unsupported(ctx.node, 'Applying BIOS settings')
  }

  async factoryReset(ctx: DriverContext): Promise<StepResult> {
    throw this.unsupported(ctx.node, 'BIOS factory reset')
  }
}
