/** iDRAC inspection (`idrac-redfish`): Redfish out-of-band inspection with the iDRAC's fixed ids. */
import type { DriverContext } from '../driver-context.js'
import type { InspectInterface, InspectResult } from '../interfaces/inspect.js'
import type { NodeView } from '../node-view.js'
import type { RedfishInterfaceOptions } from '../redfish/redfish-access.js'
import { RedfishInspect } from '../redfish/redfish-inspect.js'
import { idracOptions } from './idrac-defaults.js'

/** Hardware discovery of a Dell server through its iDRAC. */
export class IdracRedfishInspect implements InspectInterface {
  readonly kind = 'inspect'
  readonly name = 'idrac-redfish'
  readonly #redfish: RedfishInspect

  constructor(opts: RedfishInterfaceOptions = {}) {
    this.#redfish = new RedfishInspect(idracOptions(this.name, opts))
  }

  validate(node: NodeView): void {
    this.#redfish.validate(node)
  }

  getProperties(): Readonly<Record<string, string>> {
    return this.#redfish.getProperties()
  }

  inspectHardware(ctx: DriverContext): Promise<InspectResult> {
    return this.#redfish.inspectHardware(ctx)
  }
}
