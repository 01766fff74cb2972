/** Storage interface: remote volumes (boot from volume). */
import type { DriverContext } from '../driver-context.js'
import type { DriverInterface } from '../interface-kinds.js'
import type { NodeView } from '../node-view.js'

/** Volume attachment. */
export interface StorageInterface extends DriverInterface<'storage'> {
  attachVolumes(ctx: DriverContext): Promise<void>
  detachVolumes(ctx: DriverContext): Promise<void>
  /** False when the node boots from a remote volume and no image is written locally. */
  shouldWriteImage(node: NodeView): boolean
}
