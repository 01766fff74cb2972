/**
 * Fake power: remembers the power state in driver_internal_info `fake_power_state`. Knobs in
 * driver_info:
 * - `fake_power_fail: true`: every power change fails with a driver error.
 * - `fake_power_read_fail: true`: reading the power state fails (the BMC does not answer), which
 *   is what the conductor's power sync counts towards "power failure".
 * - `fake_power_delay_ms`: how long a power change takes (so `target_power_state` can be seen).
 * - `fake_soft_power_ignored: true`: the OS ignores the ACPI request, so soft power off and soft
 *   reboot run into their timeout.
 */
import { DriverError } from '../../domain/errors.js'
import { isSoftTarget, POWER_TARGETS, settledPowerState, type ObservedPowerState, type PowerTarget } from '../../domain/power-states.js'
import type { DriverContext } from '../driver-context.js'
import { knobMs, knobTrue } from './fake-knobs.js'
import type { PowerChangeOptions, PowerInterface } from '../interfaces/power.js'
import type { NodeView } from '../node-view.js'

/** What a soft power change waits for when the caller gives no timeout. */
const DEFAULT_SOFT_TIMEOUT_MS = 600_000

/** Power that lives in driver_internal_info, with failure and delay knobs. */
export class FakePower implements PowerInterface {
  readonly kind = 'power'
  readonly name = 'fake'

  validate(node: NodeView): void {
    knobMs(node, 'fake_power_delay_ms')
  }

  getProperties(): Readonly<Record<string, string>> {
    return {
      fake_power_fail: 'When true, every power change fails with a driver error. Optional.',
      fake_power_read_fail: 'When true, reading the power state fails as if the BMC did not answer. Optional.',
      fake_power_delay_ms: 'Milliseconds a power change takes. Optional.',
      fake_soft_power_ignored: 'When true, soft power off and soft reboot time out. Optional.',
    }
  }

  async getPowerState(ctx: DriverContext): Promise<ObservedPowerState> {
    ctx.signal.throwIfAborted()
    if (knobTrue(ctx.node, 'fake_power_read_fail')) {
      throw new DriverError('Fake BMC did not answer the power state query (driver_info fake_power_read_fail).', {
        code: 'FERRUM_FAKE_FAILURE',
        retryable: true,
      })
    }
    return ctx.internalInfo.fake_power_state === 'power on' ? 'power on' : 'power off'
  }

  async setPowerState(ctx: DriverContext, target: PowerTarget, opts: PowerChangeOptions = {}): Promise<void> {
    ctx.signal.throwIfAborted()
    if (knobTrue(ctx.node, 'fake_power_fail')) {
      throw new DriverError(`Fake power change to "${target}" failed (driver_info fake_power_fail).`, {
        code: 'FERRUM_FAKE_FAILURE',
      })
    }
    if (isSoftTarget(target) && knobTrue(ctx.node, 'fake_soft_power_ignored')) {
      const timeoutMs = opts.timeoutMs ?? DEFAULT_SOFT_TIMEOUT_MS
      await ctx.clock.sleep(timeoutMs, ctx.signal)
      throw new DriverError(`The node did not reach "${settledPowerState(target)}" within ${timeoutMs / 1000} s of a "${target}" request (the OS ignored it).`, {
        code: 'FERRUM_POWER_TIMEOUT',
      })
    }
    const delay = knobMs(ctx.node, 'fake_power_delay_ms')
    if (delay > 0) await ctx.clock.sleep(delay, ctx.signal)
    if (target === 'rebooting' || target === 'soft rebooting') {
      const count = typeof ctx.internalInfo.fake_reboot_count === 'number' ? ctx.internalInfo.fake_reboot_count : 0
      ctx.internalInfo.fake_reboot_count = count + 1
    }
    ctx.internalInfo.fake_power_state = settledPowerState(target)
  }

  reboot(ctx: DriverContext, opts?: PowerChangeOptions): Promise<void> {
    return this.setPowerState(ctx, 'rebooting', opts)
  }

  getSupportedPowerStates(_node: NodeView): readonly PowerTarget[] {
    return POWER_TARGETS
  }
}
