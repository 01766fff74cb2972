/**
 * Redfish virtual media boot (`redfish-virtual-media`): the BMC mounts an ISO from a URL on its
 * virtual CD (`#VirtualMedia.InsertMedia` on the manager's CD/DVD slot) and the node boots it
 * once; no DHCP or TFTP involved. The ISO is prebuilt: instance_info `deploy_iso`, else
 * driver_info `redfish_deploy_iso`, else driver_info `deploy_iso`.
 */
import { ValidationError } from '../../domain/errors.js'
import type { ResourceCollection, VirtualMedia } from '../../protocols/redfish/resources.js'
import { RedfishError } from '../../protocols/redfish/errors.js'
import type { DriverContext } from '../driver-context.js'
import { invalidDriverInfo } from '../driver-errors.js'
import type { BootInterface, RamdiskParams } from '../interfaces/boot.js'
import type { NodeView } from '../node-view.js'
import { RedfishAccess, type RedfishInterfaceOptions } from './redfish-access.js'
import type { SystemHandle } from './redfish-connections.js'
import { REDFISH_PROPERTIES } from './redfish-driver-info.js'
import { RedfishManagement } from './redfish-management.js'

/** Where the deploy ISO may be named, first match wins. */
const ISO_SOURCES = [
  ['instance_info', 'deploy_iso'],
  ['driver_info', 'redfish_deploy_iso'],
  ['driver_info', 'deploy_iso'],
] as const

/** driver_internal_info key recording what this interface inserted. */
export const VMEDIA_KEY = 'redfish_virtual_media'

/** Slot media types that hold a bootable ISO. */
const CD_TYPES = ['CD', 'DVD']

/** Booting deploy and instance ISOs from Redfish virtual media. */
export class RedfishVirtualMediaBoot implements BootInterface {
  readonly kind = 'boot'
  readonly name: string
  readonly capabilities: readonly string[] = ['ramdisk_boot']
  readonly #bmc: RedfishAccess
  readonly #mgmt: RedfishManagement

  constructor(opts: RedfishInterfaceOptions = {}) {
    this.#bmc = new RedfishAccess('boot', 'redfish-virtual-media', opts)
    this.name = this.#bmc.name
    this.#mgmt = new RedfishManagement({ ...opts, name: this.name })
  }

  /** @throws ValidationError for bad redfish driver_info or a missing/bad deploy ISO URL */
  validate(node: NodeView): void {
    this.#bmc.info(node)
    deployIsoOf(node)
  }

  validateInspection(node: NodeView): void {
    this.validate(node)
  }

  getProperties(): Readonly<Record<string, string>> {
    return {
      ...REDFISH_PROPERTIES,
      redfish_deploy_iso: 'http(s) URL of the deploy ISO the BMC mounts as virtual CD. Required unless deploy_iso is set.',
      deploy_iso: 'http(s) URL of the deploy ISO (generic name; instance_info deploy_iso overrides both). Optional.',
    }
  }

  /** Mounts the deploy ISO and makes the next boot use the virtual CD. */
  async prepareRamdisk(ctx: DriverContext, params: RamdiskParams): Promise<void> {
    const iso = deployIsoOf(ctx.node)
    if (Object.keys(params).length > 0) {
      ctx.log.debug({ node: ctx.node.uuid }, `node ${ctx.node.uuid}: kernel parameters must be built into the prebuilt ISO; ${Object.keys(params).join(', ')} not passed`)
    }
    await this.#insert(ctx, iso)
    await this.#mgmt.setBootDevice(ctx, 'cdrom', { persistent: false })
  }

  async cleanUpRamdisk(ctx: DriverContext): Promise<void> {
    await this.#eject(ctx)
  }

  /**
   * An instance ISO (instance_info `boot_iso`, ramdisk deploys) is mounted and booted every
   * time; otherwise the media is ejected and the node boots from disk.
   */
  async prepareInstance(ctx: DriverContext): Promise<void> {
    const bootIso = ctx.node.instanceInfo.boot_iso
    if (typeof bootIso === 'string' && bootIso !== '') {
      await this.#insert(ctx, checkIsoUrl(bootIso, () => new ValidationError(`instance_info boot_iso "${bootIso}" must be an http(s) URL.`)))
      await this.#mgmt.setBootDevice(ctx, 'cdrom', { persistent: true })
      return
    }
    await this.#eject(ctx)
    await this.#mgmt.setBootDevice(ctx, 'disk', { persistent: true })
  }

  async cleanUpInstance(ctx: DriverContext): Promise<void> {
    await this.#eject(ctx)
  }

  /** The CD/DVD slot of the node's manager. */
  async #slot(ctx: DriverContext, handle: SystemHandle): Promise<VirtualMedia> {
    const { manager, path } = await this.#bmc.manager(ctx, handle)
    const link = manager.VirtualMedia?.['@odata.id']
    if (link !== undefined) {
      const members = (await handle.client.get<ResourceCollection>(link, { signal: ctx.signal })).body.Members ?? []
      for (const m of members) {
        const slot = (await handle.client.get<VirtualMedia>(m['@odata.id'], { signal: ctx.signal })).body
        if ((slot.MediaTypes ?? []).some((t) => CD_TYPES.includes(t))) return slot
      }
    }
    throw new RedfishError(`The BMC of node ${ctx.node.uuid} (manager ${path}) has no virtual CD/DVD.`, { code: 'REDFISH_NOT_FOUND' })
  }

  async #insert(ctx: DriverContext, image: string): Promise<void> {
    const handle = await this.#bmc.system(ctx)
    let slot = await this.#slot(ctx, handle)
    if (slot.Inserted === true && slot.Image === image) {
      ctx.internalInfo[VMEDIA_KEY] = { slot: slot['@odata.id'], image }
      return
    }
    if (slot.Inserted === true) {
      await this.#ejectSlot(ctx, handle, slot)
      slot = (await handle.client.get<VirtualMedia>(slot['@odata.id'], { signal: ctx.signal })).body
    }
    const action = slot.Actions?.['#VirtualMedia.InsertMedia']?.target
    const res = action !== undefined
      ? await handle.client.post(action, { Image: image, Inserted: true, WriteProtected: true }, { signal: ctx.signal })
      : await handle.client.patch(slot['@odata.id'], { Image: image, Inserted: true, WriteProtected: true }, { signal: ctx.signal })
    await handle.client.waitForTask(res, { signal: ctx.signal })
    ctx.internalInfo[VMEDIA_KEY] = { slot: slot['@odata.id'], image }
    ctx.log.info({ node: ctx.node.uuid, image }, `node ${ctx.node.uuid}: virtual media ${image} inserted into ${slot['@odata.id']}`)
  }

  async #eject(ctx: DriverContext): Promise<void> {
    const handle = await this.#bmc.system(ctx)
    const slot = await this.#slot(ctx, handle)
    if (slot.Inserted === true || (slot.Image ?? null) !== null) await this.#ejectSlot(ctx, handle, slot)
    delete ctx.internalInfo[VMEDIA_KEY]
  }

  async #ejectSlot(ctx: DriverContext, handle: SystemHandle, slot: VirtualMedia): Promise<void> {
    const action = slot.Actions?.['#VirtualMedia.EjectMedia']?.target
    const res = action !== undefined
      ? await handle.client.post(action, {}, { signal: ctx.signal })
      : await handle.client.patch(slot['@odata.id'], { Image: null, Inserted: false }, { signal: ctx.signal })
    await handle.client.waitForTask(res, { signal: ctx.signal })
    ctx.log.info({ node: ctx.node.uuid }, `node ${ctx.node.uuid}: virtual media ejected from ${slot['@odata.id']}`)
  }
}

/**
 * The deploy ISO URL of a node.
 * @throws ValidationError when none is set or it is not an http(s) URL
 */
export function deployIsoOf(node: NodeView): string {
  for (const [where, key] of ISO_SOURCES) {
    const v = (where === 'instance_info' ? node.instanceInfo : node.driverInfo)[key]
    if (v === undefined || v === null || v === '') continue
    return checkIsoUrl(v, () =>
      where === 'driver_info'
        ? invalidDriverInfo(node, key, 'expected the http(s) URL of an ISO image the BMC can fetch')
        : new ValidationError(`Node ${node.uuid} has an invalid instance_info field "${key}": expected an http(s) URL.`),
    )
  }
  throw new ValidationError(
    `Node ${node.uuid} has no deploy ISO for virtual media boot: set driver_info redfish_deploy_iso (or deploy_iso) to an http(s) URL.`,
    { code: 'FERRUM_MISSING_DRIVER_INFO', details: { missing: ['redfish_deploy_iso'] } },
  )
}

function checkIsoUrl(value: unknown, error: () => ValidationError): string {
  if (typeof value !== 'string') throw error()
  try {
    const u = new URL(value)
    if (u.protocol === 'http:' || u.protocol === 'https:') return value
  } catch {
    // fall through
  }
  throw error()
}
