/**
 * Redfish management: the boot source override (`ComputerSystem.Boot`) for boot device and boot
 * mode, and NMI through `#ComputerSystem.Reset` (Ironic's redfish management interface).
 */
import { ValidationError } from '../../domain/errors.js'
import type { BootProperties } from '../../protocols/redfish/resources.js'
import type { DriverContext } from '../driver-context.js'
import type { BootDevice, BootDeviceInfo, BootMode, ManagementInterface } from '../interfaces/management.js'
import type { NodeView } from '../node-view.js'
import { RedfishAccess, type RedfishInterfaceOptions } from './redfish-access.js'
import type { SystemHandle } from './redfish-connections.js'
import { REDFISH_PROPERTIES } from './redfish-driver-info.js'

/** Ironic boot device → Redfish BootSourceOverrideTarget. */
export const BOOT_TARGET_OF: Readonly<Partial<Record<BootDevice, string>>> = {
  pxe: 'Pxe',
  disk: 'Hdd',
  cdrom: 'Cd',
  bios: 'BiosSetup',
  floppy: 'Floppy',
  uefihttp: 'UefiHttp',
}

/** Redfish BootSourceOverrideTarget → Ironic boot device (None and unknown targets map to null). */
export const BOOT_DEVICE_OF: Readonly<Record<string, BootDevice>> = Object.fromEntries(
  Object.entries(BOOT_TARGET_OF).map(([device, target]) => [target, device as BootDevice]),
)

/** Ironic boot mode ↔ Redfish BootSourceOverrideMode. */
export const BOOT_MODE_TARGET_OF: Readonly<Record<BootMode, string>> = { uefi: 'UEFI', bios: 'Legacy' }
export const BOOT_MODE_OF: Readonly<Record<string, BootMode>> = { UEFI: 'uefi', Legacy: 'bios' }

/** Offered until the BMC has told us its AllowableValues. */
const DEFAULT_DEVICES: readonly BootDevice[] = ['pxe', 'disk', 'cdrom', 'bios']

/** driver_internal_info key caching the BMC's BootSourceOverrideTarget AllowableValues. */
export const ALLOWED_TARGETS_KEY = 'redfish_boot_targets'

/** Boot device, boot mode and NMI through a Redfish BMC. */
export class RedfishManagement implements ManagementInterface {
  readonly kind = 'management'
  readonly name: string
  readonly #bmc: RedfishAccess

  constructor(opts: RedfishInterfaceOptions = {}) {
    this.#bmc = new RedfishAccess('management', 'redfish', opts)
    this.name = this.#bmc.name
  }

  validate(node: NodeView): void {
    this.#bmc.info(node)
  }

  getProperties(): Readonly<Record<string, string>> {
    return REDFISH_PROPERTIES
  }

  async getBootDevice(ctx: DriverContext): Promise<BootDeviceInfo> {
    const boot = this.#boot(ctx, await this.#bmc.system(ctx))
    const target = boot.BootSourceOverrideTarget
    const enabled = boot.BootSourceOverrideEnabled
    return {
      bootDevice: typeof target === 'string' && Object.hasOwn(BOOT_DEVICE_OF, target) ? BOOT_DEVICE_OF[target] : null,
      persistent: enabled === 'Continuous' ? true : enabled === 'Once' ? false : null,
    }
  }

  /**
   * Sets the boot source override: once (the default) or, with `persistent`, continuous.
   * @throws ValidationError when the BMC does not offer the device
   */
  async setBootDevice(ctx: DriverContext, device: BootDevice, opts: { readonly persistent?: boolean } = {}): Promise<void> {
    const handle = await this.#bmc.system(ctx)
    const allowed = this.#boot(ctx, handle)['BootSourceOverrideTarget@Redfish.AllowableValues']
    const target = BOOT_TARGET_OF[device]
    if (target === undefined || (allowed !== undefined && !allowed.includes(target))) {
      throw new ValidationError(
        `Boot device "${device}" is not supported by the BMC of node ${ctx.node.uuid}; supported: ${this.#devicesOf(allowed).join(', ')}.`,
        { code: 'FERRUM_UNSUPPORTED_BOOT_DEVICE', details: { device } },
      )
    }
    const enabled = opts.persistent === true ? 'Continuous' : 'Once'
    await handle.client.patchWithEtag(handle.path, { Boot: { BootSourceOverrideTarget: target, BootSourceOverrideEnabled: enabled } }, { signal: ctx.signal })
    ctx.log.info({ node: ctx.node.uuid, device, persistent: opts.persistent === true }, `node ${ctx.node.uuid}: boot device set to ${device} (${enabled})`)
  }

  getSupportedBootDevices(node: NodeView): readonly BootDevice[] {
    const cached = node.driverInternalInfo[ALLOWED_TARGETS_KEY]
    return Array.isArray(cached) ? this.#devicesOf(cached as string[]) : DEFAULT_DEVICES
  }

  async getBootMode(ctx: DriverContext): Promise<BootMode | null> {
    const mode = this.#boot(ctx, await this.#bmc.system(ctx)).BootSourceOverrideMode
    return typeof mode === 'string' && Object.hasOwn(BOOT_MODE_OF, mode) ? BOOT_MODE_OF[mode] : null
  }

  /** @throws ValidationError when the BMC does not offer the mode */
  async setBootMode(ctx: DriverContext, mode: BootMode): Promise<void> {
    const handle = await this.#bmc.system(ctx)
    const allowed = this.#boot(ctx, handle)['BootSourceOverrideMode@Redfish.AllowableValues']
    const value = BOOT_MODE_TARGET_OF[mode]
    if (allowed !== undefined && !allowed.includes(value)) {
      throw new ValidationError(`Boot mode "${mode}" is not supported by the BMC of node ${ctx.node.uuid} (it allows ${allowed.join(', ')}).`)
    }
    await handle.client.patchWithEtag(handle.path, { Boot: { BootSourceOverrideMode: value } }, { signal: ctx.signal })
  }

  getSupportedBootModes(_node: NodeView): readonly BootMode[] {
    return ['uefi', 'bios']
  }

  async injectNmi(ctx: DriverContext): Promise<void> {
    await this.#bmc.reset(ctx, await this.#bmc.system(ctx), ['Nmi'])
  }

  /** The Boot object; remembers its AllowableValues for getSupportedBootDevices. */
  #boot(ctx: DriverContext, handle: SystemHandle): BootProperties {
    const boot = handle.system.Boot ?? {}
    const allowed = boot['BootSourceOverrideTarget@Redfish.AllowableValues']
    if (allowed !== undefined) ctx.internalInfo[ALLOWED_TARGETS_KEY] = [...allowed]
    return boot
  }

  #devicesOf(targets: readonly string[] | undefined): BootDevice[] {
    if (targets === undefined) return [...DEFAULT_DEVICES]
    return targets.filter((t) => Object.hasOwn(BOOT_DEVICE_OF, t)).map((t) => BOOT_DEVICE_OF[t])
  }
}
