/** `noop` storage: no remote volumes; the image is always written to the local disk. */
import type { DriverContext } from '../driver-context.js'
import type { StorageInterface } from '../interfaces/storage.js'
import type { NodeView } from '../node-view.js'

/** Local disks only. */
export class NoopStorage implements StorageInterface {
  readonly kind = 'storage'
  readonly name = 'noop'

  validate(_node: NodeView): void {}

  getProperties(): Readonly<Record<string, string>> {
    return {}
  }

  async attachVolumes(_ctx: DriverContext): Promise<void> {}

  async detachVolumes(_ctx: DriverContext): Promise<void> {}

  shouldWriteImage(_node: NodeView): boolean {
    return true
  }
}
