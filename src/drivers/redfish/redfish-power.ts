/**
 * Redfish power: reads `ComputerSystem.PowerState` and changes it with `#ComputerSystem.Reset`,
 * then polls until the system settles (Ironic's redfish power interface).
 */
import { DriverError } from '../../domain/errors.js'
import { POWER_TARGETS, settledPowerState, type ObservedPowerState, type PowerTarget } from '../../domain/power-states.js'
import type { DriverContext } from '../driver-context.js'
import type { PowerChangeOptions, PowerInterface } from '../interfaces/power.js'
import type { NodeView } from '../node-view.js'
import { RedfishAccess, type RedfishInterfaceOptions } from './redfish-access.js'
import type { SystemHandle } from './redfish-connections.js'
import { REDFISH_PROPERTIES } from './redfish-driver-info.js'

/** Redfish PowerState → what the node shows; transitional states count as where they head. */
export const POWER_STATE_MAP: Readonly<Record<string, { readonly state: ObservedPowerState; readonly settled: boolean }>> = {
  On: { state: 'power on', settled: true },
  Off: { state: 'power off', settled: true },
  PoweringOn: { state: 'power on', settled: false },
  PoweringOff: { state: 'power off', settled: false },
  Paused: { state: 'power on', settled: true },
}

/** Reset types per power target, preferred first (used when the system is not already there). */
export const RESET_TYPES_FOR: Readonly<Record<PowerTarget, readonly string[]>> = {
  'power on': ['On', 'ForceOn'],
  'power off': ['ForceOff'],
  'soft power off': ['GracefulShutdown'],
  rebooting: ['ForceRestart', 'PowerCycle'],
  'soft rebooting': ['GracefulRestart'],
}

/** Waits when the caller gives no timeout: hard changes are quick, the OS may take its time. */
const DEFAULT_HARD_TIMEOUT_MS = 120_000
const DEFAULT_SOFT_TIMEOUT_MS = 600_000

/** Power control through a Redfish BMC. */
export class RedfishPower implements PowerInterface {
  readonly kind = 'power'
  readonly name: string
  readonly #bmc: RedfishAccess

  constructor(opts: RedfishInterfaceOptions = {}) {
    this.#bmc = new RedfishAccess('power', 'redfish', opts)
    this.name = this.#bmc.name
  }

  validate(node: NodeView): void {
    this.#bmc.info(node)
  }

  getProperties(): Readonly<Record<string, string>> {
    return REDFISH_PROPERTIES
  }

  async getPowerState(ctx: DriverContext): Promise<ObservedPowerState> {
    return stateOf((await this.#bmc.system(ctx)).system.PowerState).state
  }

  async setPowerState(ctx: DriverContext, target: PowerTarget, opts: PowerChangeOptions = {}): Promise<void> {
    const handle = await this.#bmc.system(ctx)
    const current = stateOf(handle.system.PowerState)
    const want = settledPowerState(target)
    const reboot = target === 'rebooting' || target === 'soft rebooting'
    if (!reboot && current.settled && current.state === want) return
    // A reboot of a node that is off is a power-on (Ironic does the same).
    const types = reboot && current.state === 'power off' ? RESET_TYPES_FOR['power on'] : RESET_TYPES_FOR[target]
    const used = await this.#bmc.reset(ctx, handle, types)
    const soft = target === 'soft power off' || target === 'soft rebooting'
    const timeoutMs = opts.timeoutMs ?? (soft ? DEFAULT_SOFT_TIMEOUT_MS : DEFAULT_HARD_TIMEOUT_MS)
    await this.#waitFor(ctx, handle, want, timeoutMs, `${target} (${used})`)
  }

  reboot(ctx: DriverContext, opts?: PowerChangeOptions): Promise<void> {
    return this.setPowerState(ctx, 'rebooting', opts)
  }

  getSupportedPowerStates(_node: NodeView): readonly PowerTarget[] {
    return POWER_TARGETS
  }

  /** Sends a diagnostic interrupt (used by management's injectNmi). */
  async injectNmi(ctx: DriverContext): Promise<void> {
    await this.#bmc.reset(ctx, await this.#bmc.system(ctx), ['Nmi'])
  }

  /**
   * Polls PowerState until it settles at `want`.
   * @throws DriverError FERRUM_POWER_TIMEOUT when it does not within `timeoutMs`
   */
  async #waitFor(ctx: DriverContext, handle: SystemHandle, want: ObservedPowerState, timeoutMs: number, what: string): Promise<void> {
    const deadline = ctx.clock.now() + timeoutMs
    for (;;) {
      const s = stateOf((await handle.client.get<{ PowerState?: string }>(handle.path, { signal: ctx.signal })).body.PowerState)
      if (s.settled && s.state === want) return
      if (ctx.clock.now() >= deadline) {
        throw new DriverError(
          `Node ${ctx.node.uuid} did not reach "${want}" within ${Math.round(timeoutMs / 1000)} s of a "${what}" request; it is "${s.state}".`,
          { code: 'FERRUM_POWER_TIMEOUT' },
        )
      }
      await ctx.clock.sleep(Math.min(this.#bmc.pollMs, Math.max(deadline - ctx.clock.now(), 1)), ctx.signal)
    }
  }
}

function stateOf(value: string | null | undefined): { state: ObservedPowerState; settled: boolean } {
  return typeof value === 'string' && Object.hasOwn(POWER_STATE_MAP, value) ? POWER_STATE_MAP[value] : { state: 'error', settled: true }
}
