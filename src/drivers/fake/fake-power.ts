/** Fake power: remembers the power state in driver_internal_info `fake_power_state`. */
import { DriverError } from '../../domain/errors.js'
import { POWER_TARGETS, settledPowerState, type ObservedPowerState, type PowerTarget } from '../../domain/power-states.js'
import type { DriverContext } from '../driver-context.js'
import type { PowerInterface } from '../interfaces/power.js'
import type { NodeView } from '../node-view.js'

/** Power that lives in driver_internal_info; `driver_info.fake_power_fail` makes changes fail. */
export class FakePower implements PowerInterface {
  readonly kind = 'power'
  readonly name = 'fake'

  validate(_node: NodeView): void {}

  getProperties(): Readonly<Record<string, string>> {
    return { fake_power_fail: 'When true, every power change fails with a driver error. Optional.' }
  }

  async getPowerState(ctx: DriverContext): Promise<ObservedPowerState> {
    ctx.signal.throwIfAborted()
    return ctx.internalInfo.fake_power_state === 'power on' ? 'power on' : 'power off'
  }

  async setPowerState(ctx: DriverContext, target: PowerTarget): Promise<void> {
    ctx.signal.throwIfAborted()
    if (ctx.node.driverInfo.fake_power_fail === true) {
      throw new DriverError(`Fake power change to "${target}" failed (driver_info fake_power_fail).`, {
        code: 'FERRUM_FAKE_FAILURE',
      })
    }
    if (target === 'rebooting' || target === 'soft rebooting') {
      const count = typeof ctx.internalInfo.fake_reboot_count === 'number' ? ctx.internalInfo.fake_reboot_count : 0
      ctx.internalInfo.fake_reboot_count = count + 1
    }
    ctx.internalInfo.fake_power_state = settledPowerState(target)
  }

  reboot(ctx: DriverContext): Promise<void> {
    return this.setPowerState(ctx, 'rebooting')
  }

  getSupportedPowerStates(_node: NodeView): readonly PowerTarget[] {
    return POWER_TARGETS
  }
}
