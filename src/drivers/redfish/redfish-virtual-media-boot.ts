/**
 * Redfish virtual media boot (`redfish-virtual-media`): the BMC mounts an ISO from a URL on its
 * virtual CD (`#VirtualMedia.InsertMedia` on the manager's CD/DVD slot) and the node boots it
 * once; no DHCP or TFTP involved. The ISO is prebuilt: instance_info `deploy_iso`, else
 * driver_info `redfish_deploy_iso`, else driver_info `deploy_iso`. An http(s) URL goes to the
 * BMC as it is; a local file (absolute path or file:// URL, on the conductor's host) is published
 * on Ferrum's HTTP boot server (`ctx.bootFiles`) and the BMC gets that URL; ejecting the media
 * takes the file off the boot server again.
 */
import { ValidationError } from '../../domain/errors.js'
import type { ResourceCollection, VirtualMedia } from '../../protocols/redfish/resources.js'
import { RedfishError } from '../../protocols/redfish/errors.js'
import type { DriverContext } from '../driver-context.js'
import { invalidDriverInfo } from '../driver-errors.js'
import { localPathOf, publishBootFile, unpublishBootFile } from '../boot-files.js'
import { pxeMacs } from '../pxe/pxe-boot.js'
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

/** What {@link VMEDIA_KEY} records: the slot, the URL inserted and, for local files, the published name. */
interface InsertedMedia {
  slot: string
  image: string
  published?: string
}

/** An ISO location: a URL the BMC fetches itself, or a local file Ferrum serves it. */
export type IsoSource = { readonly url: string } | { readonly path: string }

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
      redfish_deploy_iso: 'The deploy ISO the BMC mounts as virtual CD: an http(s) URL, or a local path (absolute or file://) on the conductor that Ferrum serves from its boot server. Required unless deploy_iso is set.',
      deploy_iso: 'The deploy ISO, as redfish_deploy_iso (generic name; instance_info deploy_iso overrides both). Optional.',
    }
  }

  /** Mounts the deploy ISO and makes the next boot use the virtual CD. */
  async prepareRamdisk(ctx: DriverContext, params: RamdiskParams): Promise<void> {
    const iso = deployIsoOf(ctx.node)
    if (Object.keys(params).length > 0) {
      ctx.log.debug({ node: ctx.node.uuid }, `node ${ctx.node.uuid}: a prebuilt ISO carries no per-node kernel parameters (${Object.keys(params).join(', ')}); Ferrum's ramdisk takes the API URL from DHCP option 224`)
    }
    await this.#insert(ctx, iso, 'deploy')
    // The ramdisk still needs an address: its MACs join the boot flow, and Ferrum's dnsmasq also
    // tells it the API's URL (DHCP option 224), which a prebuilt ISO cannot carry per node.
    await ctx.dhcp?.update(ctx.node.uuid, pxeMacs(ctx))
    await this.#mgmt.setBootDevice(ctx, 'cdrom', { persistent: false })
  }

  async cleanUpRamdisk(ctx: DriverContext): Promise<void> {
    await this.#eject(ctx)
    await ctx.dhcp?.clean(ctx.node.uuid, pxeMacs(ctx))
  }

  /**
   * An instance ISO (instance_info `boot_iso`, ramdisk deploys) is mounted and booted every
   * time; otherwise the media is ejected and the node boots from disk.
   */
  async prepareInstance(ctx: DriverContext): Promise<void> {
    const bootIso = ctx.node.instanceInfo.boot_iso
    if (typeof bootIso === 'string' && bootIso !== '') {
      await this.#insert(ctx, isoSourceOf(bootIso, () => new ValidationError(`instance_info boot_iso "${bootIso}" must be an http(s) URL or an absolute local path.`)), 'instance')
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

  /** The URL to give the BMC; a local file is published on the boot server first. */
  async #urlOf(ctx: DriverContext, source: IsoSource, purpose: 'deploy' | 'instance'): Promise<{ url: string; published?: string }> {
    if ('url' in source) return { url: source.url }
    const files = ctx.bootFiles
    if (files === undefined || files.baseUrl === '') {
      throw new ValidationError(
        `Node ${ctx.node.uuid}: the ${purpose} ISO ${source.path} is a local file, but this conductor runs no HTTP boot server to serve it to the BMC; use an http(s) URL.`,
      )
    }
    const name = `vmedia/${ctx.node.uuid}/${purpose}.iso`
    const url = await publishBootFile(files, source.path, name)
    ctx.log.info({ node: ctx.node.uuid, path: source.path, url }, `node ${ctx.node.uuid}: ${source.path} published at ${url}`)
    return { url, published: name }
  }

  async #unpublish(ctx: DriverContext, name: string | undefined): Promise<void> {
    if (name === undefined || ctx.bootFiles === undefined) return
    await unpublishBootFile(ctx.bootFiles, name)
  }

  async #insert(ctx: DriverContext, source: IsoSource, purpose: 'deploy' | 'instance'): Promise<void> {
    const before = ctx.internalInfo[VMEDIA_KEY] as InsertedMedia | undefined
    const { url: image, published } = await this.#urlOf(ctx, source, purpose)
    try {
      await this.#insertUrl(ctx, image, published)
    } catch (e) {
      if (published !== undefined && published !== before?.published) await this.#unpublish(ctx, published).catch(() => undefined)
      throw e
    }
    // A different file that was published for the media just swapped out is no longer needed.
    if (before?.published !== undefined && before.published !== published) await this.#unpublish(ctx, before.published)
  }

  async #insertUrl(ctx: DriverContext, image: string, published: string | undefined): Promise<void> {
    const handle = await this.#bmc.system(ctx)
    let slot = await this.#slot(ctx, handle)
    const record = (): InsertedMedia => ({ slot: slot['@odata.id'], image, ...(published !== undefined ? { published } : {}) })
    if (slot.Inserted === true && slot.Image === image) {
      ctx.internalInfo[VMEDIA_KEY] = record()
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
    ctx.internalInfo[VMEDIA_KEY] = record()
    ctx.log.info({ node: ctx.node.uuid, image }, `node ${ctx.node.uuid}: virtual media ${image} inserted into ${slot['@odata.id']}`)
  }

  async #eject(ctx: DriverContext): Promise<void> {
    const handle = await this.#bmc.system(ctx)
    const slot = await this.#slot(ctx, handle)
    if (slot.Inserted === true || (slot.Image ?? null) !== null) await this.#ejectSlot(ctx, handle, slot)
    await this.#unpublish(ctx, (ctx.internalInfo[VMEDIA_KEY] as InsertedMedia | undefined)?.published)
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
 * The deploy ISO of a node: an http(s) URL, or a local file to publish on the boot server.
 * @throws ValidationError when none is set or it is neither
 */
export function deployIsoOf(node: NodeView): IsoSource {
  for (const [where, key] of ISO_SOURCES) {
    const v = (where === 'instance_info' ? node.instanceInfo : node.driverInfo)[key]
    if (v === undefined || v === null || v === '') continue
    return isoSourceOf(v, () =>
      where === 'driver_info'
        ? invalidDriverInfo(node, key, 'expected the http(s) URL of an ISO image the BMC can fetch, or an absolute path (or file:// URL) of one on the conductor')
        : new ValidationError(`Node ${node.uuid} has an invalid instance_info field "${key}": expected an http(s) URL or an absolute local path.`),
    )
  }
  throw new ValidationError(
    `Node ${node.uuid} has no deploy ISO for virtual media boot: set driver_info redfish_deploy_iso (or deploy_iso) to an http(s) URL or a local path.`,
    { code: 'FERRUM_MISSING_DRIVER_INFO', details: { missing: ['redfish_deploy_iso'] } },
  )
}

function isoSourceOf(value: unknown, error: () => ValidationError): IsoSource {
  if (typeof value !== 'string') throw error()
  const path = localPathOf(value)
  if (path !== null) return { path }
  try {
    const u = new URL(value)
    if (u.protocol === 'http:' || u.protocol === 'https:') return { url: value }
  } catch {
    // fall through
  }
  throw error()
}
