/**
 * `noop` management: for nodes whose boot device an operator sets by hand. Accepts boot device
 * changes and does nothing; reports nothing.
 */
import type { DriverContext } from '../driver-context.js'
import { unsupportedOperation } from '../driver-errors.js'
import type { BootDevice, BootDeviceInfo, ManagementInterface } from '../interfaces/management.js'
import type { NodeView } from '../node-view.js'

/** Management that trusts the operator. */
export class NoopManagement implements ManagementInterface {
  readonly kind = 'management'
  readonly name = 'noop'

  validate(_node: NodeView): void {}

  getProperties(): Readonly<Record<string, string>> {
    return {}
  }

  async getBootDevice(_ctx: DriverContext): Promise<BootDeviceInfo> {
    return { bootDevice: null, persistent: null }
  }

  async setBootDevice(_ctx: DriverContext, _device: BootDevice): Promise<void> {}

  getSupportedBootDevices(_node: NodeView): readonly BootDevice[] {
    return ['pxe', 'disk']
  }

  async injectNmi(ctx: DriverContext): Promise<void> {
    throw unsupportedOperation(ctx.node, 'management', this.name, 'Injecting an NMI')
  }
}
