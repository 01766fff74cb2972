/** Management interface: boot device, boot mode, NMI, sensors and indicators through the BMC. */
import type { DriverContext } from '../driver-context.js'
import type { DriverInterface } from '../interface-kinds.js'
import type { NodeView } from '../node-view.js'

/** Boot devices, spelled as Ironic's API spells them. */
export const BOOT_DEVICES = ['pxe', 'disk', 'cdrom', 'bios', 'safe', 'wanboot', 'iscsiboot', 'floppy', 'uefihttp'] as const
/** A boot device. */
export type BootDevice = (typeof BOOT_DEVICES)[number]
/** Other spellings the API accepts for a boot device. */
export const BOOT_DEVICE_ALIASES: Readonly<Record<string, BootDevice>> = { 'uefi http': 'uefihttp' }
/** The boot devices the API accepts: every device and its aliases. */
export const API_BOOT_DEVICES: readonly string[] = [...BOOT_DEVICES, ...Object.keys(BOOT_DEVICE_ALIASES)]

/** Firmware boot modes. */
export const BOOT_MODES = ['bios', 'uefi'] as const
/** A boot mode. */
export type BootMode = (typeof BOOT_MODES)[number]

/** Components that carry indicator LEDs. */
export const INDICATOR_COMPONENTS = ['system', 'chassis', 'drive', 'nic', 'power'] as const
/** An indicator component. */
export type IndicatorComponent = (typeof INDICATOR_COMPONENTS)[number]
/** Indicator LED states. */
export const INDICATOR_STATES = ['off', 'on', 'blinking', 'unknown'] as const
/** An indicator state. */
export type IndicatorState = (typeof INDICATOR_STATES)[number]

/** The current boot device; null fields mean the BMC would not say. */
export interface BootDeviceInfo {
  readonly bootDevice: BootDevice | null
  readonly persistent: boolean | null
}

/** One indicator as listed by `GET /v1/nodes/{node}/management/indicators`. */
export interface IndicatorInfo {
  readonly readonly: boolean
  readonly states: readonly IndicatorState[]
}

/** Sensor data: sensor type → sensor id → reading fields. */
export type SensorsData = Readonly<Record<string, Readonly<Record<string, Readonly<Record<string, unknown>>>>>>

/** Out-of-band management of a node. */
export interface ManagementInterface extends DriverInterface<'management'> {
  getBootDevice(ctx: DriverContext): Promise<BootDeviceInfo>
  /** Sets the next (or, with `persistent`, every) boot device. */
  setBootDevice(ctx: DriverContext, device: BootDevice, opts?: { readonly persistent?: boolean }): Promise<void>
  getSupportedBootDevices(node: NodeView): readonly BootDevice[]
  getBootMode?(ctx: DriverContext): Promise<BootMode | null>
  setBootMode?(ctx: DriverContext, mode: BootMode): Promise<void>
  getSupportedBootModes?(node: NodeView): readonly BootMode[]
  /** Sends a diagnostic interrupt. */
  injectNmi(ctx: DriverContext): Promise<void>
  getSensorsData?(ctx: DriverContext): Promise<SensorsData>
  /** component → indicator name → what it supports. */
  getSupportedIndicators?(node: NodeView): Readonly<Partial<Record<IndicatorComponent, Readonly<Record<string, IndicatorInfo>>>>>
  getIndicatorState?(ctx: DriverContext, component: IndicatorComponent, indicator: string): Promise<IndicatorState>
  setIndicatorState?(ctx: DriverContext, component: IndicatorComponent, indicator: string, state: IndicatorState): Promise<void>
}
