/** iDRAC power (`idrac-redfish`): Redfish power with the iDRAC's fixed system id. */
import type { ObservedPowerState, PowerTarget } from '../../domain/power-states.js'
import type { DriverContext } from '../driver-context.js'
import type { PowerChangeOptions, PowerInterface } from '../interfaces/power.js'
import type { NodeView } from '../node-view.js'
import type { RedfishInterfaceOptions } from '../redfish/redfish-access.js'
import { RedfishPower } from '../redfish/redfish-power.js'
import { idracOptions } from './idrac-defaults.js'

/** Power control of a Dell server through its iDRAC's Redfish service. */
export class IdracRedfishPower implements PowerInterface {
  readonly kind = 'power'
  readonly name = 'idrac-redfish'
  readonly #redfish: RedfishPower

  constructor(opts: RedfishInterfaceOptions = {}) {
    this.#redfish = new RedfishPower(idracOptions(this.name, opts))
  }

  validate(node: NodeView): void {
    this.#redfish.validate(node)
  }

  getProperties(): Readonly<Record<string, string>> {
    return this.#redfish.getProperties()
  }

  getPowerState(ctx: DriverContext): Promise<ObservedPowerState> {
    return this.#redfish.getPowerState(ctx)
  }

  setPowerState(ctx: DriverContext, target: PowerTarget, opts?: PowerChangeOptions): Promise<void> {
    return this.#redfish.setPowerState(ctx, target, opts)
  }

  reboot(ctx: DriverContext, opts?: PowerChangeOptions): Promise<void> {
    return this.#redfish.reboot(ctx, opts)
  }

  getSupportedPowerStates(node: NodeView): readonly PowerTarget[] {
    return this.#redfish.getSupportedPowerStates(node)
  }
}
