/**
 * ipmitool power: reads the power state with Get Chassis Status and changes it with Chassis
 * Control, then polls until the node gets there (Ironic's IPMIPower, over Ferrum's own RMCP+
 * client instead of one ipmitool process per command).
 */
import { DriverError } from '../../domain/errors.js'
import { POWER_TARGETS, settledPowerState, type ObservedPowerState, type PowerTarget } from '../../domain/power-states.js'
import type { ChassisAction } from '../../protocols/ipmi/client.js'
import type { DriverContext } from '../driver-context.js'
import type { PowerChangeOptions, PowerInterface } from '../interfaces/power.js'
import type { NodeView } from '../node-view.js'
import { IpmiAccess } from './ipmi-access.js'
import { IPMI_PROPERTIES } from './ipmi-driver-info.js'

/** Get Chassis Status "power is on" bit (§28.2, byte 1 bit 0) → the node's power state. */
export const CHASSIS_POWER_STATE: Readonly<Record<'on' | 'off', ObservedPowerState>> = {
  on: 'power on',
  off: 'power off',
}

/** The Chassis Control action that starts each level change. */
const ACTION_FOR: Readonly<Record<'power on' | 'power off' | 'soft power off', ChassisAction>> = {
  'power on': 'power-on',
  'power off': 'power-off',
  'soft power off': 'soft-off',
}

/** Waits when the caller gives no timeout: hard changes settle fast, an OS may take its time. */
const DEFAULT_HARD_TIMEOUT_MS = 60_000
const DEFAULT_SOFT_TIMEOUT_MS = 600_000

/** Power control through an IPMI BMC. */
export class IpmiPower implements PowerInterface {
  readonly kind = 'power'
  readonly name = 'ipmitool'
  readonly #bmc: IpmiAccess

  /** @param access shared with the node's other ipmitool interfaces (one session pool) */
  constructor(access: IpmiAccess = new IpmiAccess()) {
    this.#bmc = access
  }

  validate(node: NodeView): void {
    this.#bmc.info(node, this.kind, this.name)
  }

  getProperties(): Readonly<Record<string, string>> {
    return IPMI_PROPERTIES
  }

  getPowerState(ctx: DriverContext): Promise<ObservedPowerState> {
    return this.#bmc.run(ctx, this.kind, this.name, 'reading the power state', async (c, o) => CHASSIS_POWER_STATE[await c.getPowerState(o)])
  }

  /**
   * Reboots go off then on, soft ones through an ACPI soft-off first, as Ironic's ipmitool power
   * does; each leg waits until the BMC reports the new state.
   * @throws DriverError FERRUM_POWER_TIMEOUT when the node does not get there in time
   */
  async setPowerState(ctx: DriverContext, target: PowerTarget, opts: PowerChangeOptions = {}): Promise<void> {
    const soft = target === 'soft power off' || target === 'soft rebooting'
    const timeoutMs = opts.timeoutMs ?? (soft ? DEFAULT_SOFT_TIMEOUT_MS : DEFAULT_HARD_TIMEOUT_MS)
    switch (target) {
      case 'power on':
      case 'power off':
      case 'soft power off':
        return this.#drive(ctx, target, timeoutMs)
      case 'rebooting':
        await this.#drive(ctx, 'power off', timeoutMs)
        return this.#drive(ctx, 'power on', timeoutMs)
      case 'soft rebooting':
        await this.#drive(ctx, 'soft power off', timeoutMs)
        return this.#drive(ctx, 'power on', timeoutMs)
    }
  }

  reboot(ctx: DriverContext, opts?: PowerChangeOptions): Promise<void> {
    return this.setPowerState(ctx, 'rebooting', opts)
  }

  getSupportedPowerStates(_node: NodeView): readonly PowerTarget[] {
    return POWER_TARGETS
  }

  /** Sends the action unless the node is already there, then polls until it is. */
  async #drive(ctx: DriverContext, target: 'power on' | 'power off' | 'soft power off', timeoutMs: number): Promise<void> {
    const want = settledPowerState(target)
    if ((await this.getPowerState(ctx)) === want) return
    const action = ACTION_FOR[target]
    ctx.log.debug({ node: ctx.node.uuid, action }, `node ${ctx.node.uuid}: IPMI chassis control ${action}`)
    await this.#bmc.run(ctx, this.kind, this.name, `requesting "${target}" (chassis control ${action})`, (c, o) => c.chassisControl(action, o))
    const deadline = ctx.clock.now() + timeoutMs
    for (;;) {
      const now = await this.getPowerState(ctx)
      if (now === want) return
      if (ctx.clock.now() >= deadline) {
        throw new DriverError(
          `Node ${ctx.node.uuid} did not reach "${want}" within ${Math.round(timeoutMs / 1000)} s of a "${target}" request (IPMI chassis control ${action}); it is "${now}".`,
          { code: 'FERRUM_POWER_TIMEOUT' },
        )
      }
      await ctx.clock.sleep(Math.min(this.#bmc.pollMs, Math.max(deadline - ctx.clock.now(), 1)), ctx.signal)
    }
  }
}
