/** Fake management: boot device, boot mode, NMI and indicators kept in driver_internal_info. */
import { ValidationError } from '../../domain/errors.js'
import type { DriverContext } from '../driver-context.js'
import type {
  BootDevice,
  BootDeviceInfo,
  BootMode,
  IndicatorComponent,
  IndicatorInfo,
  IndicatorState,
  ManagementInterface,
  SensorsData,
} from '../interfaces/management.js'
import type { NodeView } from '../node-view.js'
import { scratchObject } from './fake-knobs.js'

const DEVICES: readonly BootDevice[] = ['pxe', 'disk', 'cdrom', 'bios', 'safe']
const INDICATORS: Readonly<Partial<Record<IndicatorComponent, Readonly<Record<string, IndicatorInfo>>>>> = {
  system: { led: { readonly: false, states: ['off', 'on', 'blinking'] } },
  chassis: { led: { readonly: true, states: ['off', 'on'] } },
}

/** Management that remembers what it was told. */
export class FakeManagement implements ManagementInterface {
  readonly kind = 'management'
  readonly name = 'fake'

  validate(_node: NodeView): void {}

  getProperties(): Readonly<Record<string, string>> {
    return {}
  }

  async getBootDevice(ctx: DriverContext): Promise<BootDeviceInfo> {
    const saved = scratchObject(ctx, 'fake_boot_device')
    return {
      bootDevice: typeof saved.device === 'string' ? (saved.device as BootDevice) : 'pxe',
      persistent: typeof saved.persistent === 'boolean' ? saved.persistent : false,
    }
  }

  async setBootDevice(ctx: DriverContext, device: BootDevice, opts: { readonly persistent?: boolean } = {}): Promise<void> {
    ctx.signal.throwIfAborted()
    if (!DEVICES.includes(device)) {
      throw new ValidationError(`Boot device "${device}" is not supported by the fake management interface.`)
    }
    ctx.internalInfo.fake_boot_device = { device, persistent: opts.persistent ?? false }
  }

  getSupportedBootDevices(_node: NodeView): readonly BootDevice[] {
    return DEVICES
  }

  async getBootMode(ctx: DriverContext): Promise<BootMode | null> {
    const saved = ctx.internalInfo.fake_boot_mode
    if (saved === 'bios' || saved === 'uefi') return saved
    return ctx.node.bootMode === 'bios' ? 'bios' : 'uefi'
  }

  async setBootMode(ctx: DriverContext, mode: BootMode): Promise<void> {
    ctx.internalInfo.fake_boot_mode = mode
  }

  getSupportedBootModes(_node: NodeView): readonly BootMode[] {
    return ['bios', 'uefi']
  }

  async injectNmi(ctx: DriverContext): Promise<void> {
    const count = typeof ctx.internalInfo.fake_nmi_count === 'number' ? ctx.internalInfo.fake_nmi_count : 0
    ctx.internalInfo.fake_nmi_count = count + 1
  }

  async getSensorsData(_ctx: DriverContext): Promise<SensorsData> {
    return {
      Temperature: { 'CPU Temp (0x1)': { Sensor_Reading: '40 degrees C', Sensor_ID: 'CPU Temp (0x1)' } },
      Fan: { 'Fan 1 (0x30)': { Sensor_Reading: '4800 RPM', Sensor_ID: 'Fan 1 (0x30)' } },
    }
  }

  getSupportedIndicators(_node: NodeView): typeof INDICATORS {
    return INDICATORS
  }

  async getIndicatorState(ctx: DriverContext, component: IndicatorComponent, indicator: string): Promise<IndicatorState> {
    this.#indicator(component, indicator)
    const state = scratchObject(ctx, 'fake_indicators')[`${component}/${indicator}`]
    return typeof state === 'string' ? (state as IndicatorState) : 'off'
  }

  async setIndicatorState(ctx: DriverContext, component: IndicatorComponent, indicator: string, state: IndicatorState): Promise<void> {
    const info = this.#indicator(component, indicator)
    if (info.readonly || !info.states.includes(state)) {
      throw new ValidationError(`Indicator ${component}/${indicator} cannot be set to "${state}".`)
    }
    ctx.internalInfo.fake_indicators = { ...scratchObject(ctx, 'fake_indicators'), [`${component}/${indicator}`]: state }
  }

  #indicator(component: IndicatorComponent, indicator: string): IndicatorInfo {
    const info = INDICATORS[component]?.[indicator]
    if (info === undefined) throw new ValidationError(`No indicator "${indicator}" on component "${component}".`)
    return info
  }
}
