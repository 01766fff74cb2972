/** `no-firmware`: firmware is not managed; the component list is empty. */
import type { DriverContext } from '../driver-context.js'
import type { FirmwareComponent, FirmwareInterface } from '../interfaces/firmware.js'
import type { StepResult } from '../steps.js'
import { NoSupport } from './no-support.js'

/** No firmware management. */
export class NoFirmware extends NoSupport<'firmware'> implements FirmwareInterface {
  readonly kind = 'firmware'
  readonly name = 'no-firmware'

  async getComponents(_ctx: DriverContext): Promise<readonly FirmwareComponent[]> {
    return []
  }

  async update(ctx: DriverContext): Promise<StepResult> {
    throw this.unsupported(ctx.node, 'Firmware update')
  }
}
