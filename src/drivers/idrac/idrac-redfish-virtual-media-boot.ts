/** iDRAC virtual media boot (`idrac-redfish-virtual-media`): Redfish virtual media with the iDRAC's fixed ids. */
import type { DriverContext } from '../driver-context.js'
import type { BootInterface, RamdiskParams } from '../interfaces/boot.js'
import type { NodeView } from '../node-view.js'
import type { RedfishInterfaceOptions } from '../redfish/redfish-access.js'
import { RedfishVirtualMediaBoot } from '../redfish/redfish-virtual-media-boot.js'
import { idracOptions } from './idrac-defaults.js'

/** Booting ISOs from the iDRAC's virtual CD. */
export class IdracRedfishVirtualMediaBoot implements BootInterface {
  readonly kind = 'boot'
  readonly name = 'idrac-redfish-virtual-media'
  readonly #redfish: RedfishVirtualMediaBoot

  constructor(opts: RedfishInterfaceOptions = {}) {
    this.#redfish = new RedfishVirtualMediaBoot(idracOptions(this.name, opts))
  }

  get capabilities(): readonly string[] {
    return this.#redfish.capabilities
  }

  validate(node: NodeView): void {
    this.#redfish.validate(node)
  }

  validateInspection(node: NodeView): void {
    this.#redfish.validateInspection(node)
  }

  getProperties(): Readonly<Record<string, string>> {
    return this.#redfish.getProperties()
  }

  prepareRamdisk(ctx: DriverContext, params: RamdiskParams): Promise<void> {
    return this.#redfish.prepareRamdisk(ctx, params)
  }

  cleanUpRamdisk(ctx: DriverContext): Promise<void> {
    return this.#redfish.cleanUpRamdisk(ctx)
  }

  prepareInstance(ctx: DriverContext): Promise<void> {
    return this.#redfish.prepareInstance(ctx)
  }

  cleanUpInstance(ctx: DriverContext): Promise<void> {
    return this.#redfish.cleanUpInstance(ctx)
  }
}
