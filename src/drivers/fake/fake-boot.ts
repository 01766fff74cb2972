/** Fake boot: records what the node would boot next in driver_internal_info `fake_boot_target`. */
import type { DriverContext } from '../driver-context.js'
import type { BootInterface, RamdiskParams } from '../interfaces/boot.js'
import type { NodeView } from '../node-view.js'

/** Boot preparation that only takes notes. */
export class FakeBoot implements BootInterface {
  readonly kind = 'boot'
  readonly name = 'fake'
  readonly capabilities: readonly string[] = ['ramdisk_boot']

  validate(_node: NodeView): void {}

  getProperties(): Readonly<Record<string, string>> {
    return {}
  }

  async prepareRamdisk(ctx: DriverContext, params: RamdiskParams): Promise<void> {
    ctx.signal.throwIfAborted()
    ctx.internalInfo.fake_boot_target = 'ramdisk'
    ctx.internalInfo.fake_ramdisk_params = { ...params }
  }

  async cleanUpRamdisk(ctx: DriverContext): Promise<void> {
    delete ctx.internalInfo.fake_ramdisk_params
    if (ctx.internalInfo.fake_boot_target === 'ramdisk') delete ctx.internalInfo.fake_boot_target
  }

  async prepareInstance(ctx: DriverContext): Promise<void> {
    ctx.signal.throwIfAborted()
    ctx.internalInfo.fake_boot_target = 'instance'
  }

  async cleanUpInstance(ctx: DriverContext): Promise<void> {
    if (ctx.internalInfo.fake_boot_target === 'instance') delete ctx.internalInfo.fake_boot_target
  }

  validateRescue(_node: NodeView): void {}

  validateInspection(_node: NodeView): void {}
}
