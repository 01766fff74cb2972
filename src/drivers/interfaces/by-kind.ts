/** Maps each interface kind to its TypeScript interface. */
import type { BiosInterface } from './bios.js'
import type { BootInterface } from './boot.js'
import type { ConsoleInterface } from './console.js'
import type { DeployInterface } from './deploy.js'
import type { FirmwareInterface } from './firmware.js'
import type { InspectInterface } from './inspect.js'
import type { ManagementInterface } from './management.js'
import type { NetworkInterface } from './network.js'
import type { PowerInterface } from './power.js'
import type { RaidInterface } from './raid.js'
import type { RescueInterface } from './rescue.js'
import type { StorageInterface } from './storage.js'
import type { VendorInterface } from './vendor.js'

/** Interface kind → implementation type. */
export interface InterfaceByKind {
  bios: BiosInterface
  boot: BootInterface
  console: ConsoleInterface
  deploy: DeployInterface
  firmware: FirmwareInterface
  inspect: InspectInterface
  management: ManagementInterface
  network: NetworkInterface
  power: PowerInterface
  raid: RaidInterface
  rescue: RescueInterface
  storage: StorageInterface
  vendor: VendorInterface
}

/** Any interface implementation. */
export type AnyDriverInterface = InterfaceByKind[keyof InterfaceByKind]

/** A node's loaded interfaces, one per kind. */
export type NodeInterfaces = { readonly [K in keyof InterfaceByKind]: InterfaceByKind[K] }
