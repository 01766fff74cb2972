/**
 * ipmitool management: boot device through System Boot Options parameter 5 (with the persistent
 * and EFI flags), and NMI through Chassis Control (Ironic's IPMIManagement).
 */
import { ValidationError } from '../../domain/errors.js'
import type { IpmiBootDevice } from '../../protocols/ipmi/client.js'
import { IpmiCompletionCodeError } from '../../protocols/ipmi/errors.js'
import type { DriverContext } from '../driver-context.js'
import type { BootDevice, BootDeviceInfo, BootMode, ManagementInterface } from '../interfaces/management.js'
import type { NodeView } from '../node-view.js'
import { IpmiAccess } from './ipmi-access.js'
import { IPMI_PROPERTIES } from './ipmi-driver-info.js'

/** Ironic's boot devices → boot flag device selectors (§28.13, Ironic's BOOT_DEVICE_HEXA_MAP). */
export const BOOT_DEVICE_TO_IPMI: Readonly<Partial<Record<BootDevice, IpmiBootDevice>>> = {
  pxe: 'pxe',
  disk: 'disk',
  cdrom: 'cdrom',
  bios: 'bios',
  safe: 'disk-safe-mode',
}

/** Boot flag device selectors → Ironic's boot devices; absent ones read as "unknown" (null). */
export const IPMI_TO_BOOT_DEVICE: Readonly<Partial<Record<IpmiBootDevice, BootDevice>>> = {
  pxe: 'pxe',
  disk: 'disk',
  'remote-disk': 'disk',
  'disk-safe-mode': 'safe',
  cdrom: 'cdrom',
  'remote-cdrom': 'cdrom',
  bios: 'bios',
}

const SUPPORTED = Object.keys(BOOT_DEVICE_TO_IPMI) as BootDevice[]

/** Ironic's [deploy]default_boot_mode since Yoga. */
const DEFAULT_BOOT_MODE: BootMode = 'uefi'

/**
 * The boot mode to announce with the boot device: a `boot_mode` capability (instance_info, then
 * properties, then driver_info; "k:v,k:v" strings or objects), then the node's reported
 * boot_mode, then Ironic's default (uefi).
 */
export function bootModeOf(node: NodeView): BootMode {
  for (const source of [node.instanceInfo, node.properties, node.driverInfo]) {
    const mode = capability(source.capabilities, 'boot_mode')
    if (mode === 'uefi' || mode === 'bios') return mode
  }
  if (node.bootMode === 'uefi' || node.bootMode === 'bios') return node.bootMode
  return DEFAULT_BOOT_MODE
}

function capability(caps: unknown, key: string): string | undefined {
  if (typeof caps === 'string') {
    for (const pair of caps.split(',')) {
      const [k, v] = pair.split(':', 2).map((x) => x.trim())
      if (k === key && v !== undefined) return v.toLowerCase()
    }
    return undefined
  }
  if (caps !== null && typeof caps === 'object') {
    const v = (caps as Record<string, unknown>)[key]
    return typeof v === 'string' ? v.toLowerCase() : undefined
  }
  return undefined
}

/** Boot device and NMI through an IPMI BMC. */
export class IpmiManagement implements ManagementInterface {
  readonly kind = 'management'
  readonly name = 'ipmitool'
  readonly #bmc: IpmiAccess

  /** @param access shared with the node's other ipmitool interfaces (one session pool) */
  constructor(access: IpmiAccess = new IpmiAccess()) {
    this.#bmc = access
  }

  validate(node: NodeView): void {
    this.#bmc.info(node, this.kind, this.name)
  }

  getProperties(): Readonly<Record<string, string>> {
    return IPMI_PROPERTIES
  }

  getSupportedBootDevices(_node: NodeView): readonly BootDevice[] {
    return SUPPORTED
  }

  async getBootDevice(ctx: DriverContext): Promise<BootDeviceInfo> {
    const s = await this.#bmc.run(ctx, this.kind, this.name, 'reading the boot device', (c, o) => c.getBootDevice(o))
    return { bootDevice: IPMI_TO_BOOT_DEVICE[s.device] ?? null, persistent: s.persistent }
  }

  /**
   * Sets the boot device with the EFI flag of the node's boot mode. Like Ironic, first asks the
   * BMC to keep the flags beyond its 60 s timeout (parameter 3) unless ipmi_disable_boot_timeout
   * is false; BMCs that refuse that parameter are tolerated.
   * @throws ValidationError for a device this interface does not offer
   */
  async setBootDevice(ctx: DriverContext, device: BootDevice, opts: { readonly persistent?: boolean } = {}): Promise<void> {
    const selector = BOOT_DEVICE_TO_IPMI[device]
    if (selector === undefined) {
      throw new ValidationError(`Boot device "${device}" is not supported by the ipmitool management interface of node ${ctx.node.uuid}; supported: ${SUPPORTED.join(', ')}.`, {
        code: 'FERRUM_INVALID_BOOT_DEVICE',
        details: { device, supported: SUPPORTED },
      })
    }
    const info = this.#bmc.info(ctx.node, this.kind, this.name)
    const efi = bootModeOf(ctx.node) === 'uefi'
    const persistent = opts.persistent ?? false
    const what = `setting the boot device to ${device}${persistent ? ' (persistent)' : ''}${efi ? ' in UEFI mode' : ''}`
    await this.#bmc.run(ctx, this.kind, this.name, what, async (c, o) => {
      if (info.disableBootTimeout) {
        // Set System Boot Options, parameter 3 (boot flag valid bit clearing): bit 3 = don't clear on the 60 s timeout.
        await c.sendRaw(0x00, 0x08, [0x03, 0x08], o).catch((e: unknown) => {
          if (!(e instanceof IpmiCompletionCodeError)) throw e
          ctx.log.debug({ node: ctx.node.uuid }, `node ${ctx.node.uuid}: BMC refused to disable the boot flag timeout (${e.message})`)
        })
      }
      await c.setBootDevice(selector, { persistent, efi }, o)
    })
  }

  injectNmi(ctx: DriverContext): Promise<void> {
    return this.#bmc.run(ctx, this.kind, this.name, 'sending a diagnostic interrupt (NMI)', (c, o) => c.chassisControl('diagnostic-interrupt', o))
  }
}
