/**
 * PXE boot: the node network-boots the deploy ramdisk, then boots the instance from its disk.
 * For the ramdisk it sets the boot device to PXE (once) through the node's management interface
 * and, when Ferrum runs its HTTP boot server, writes the node's iPXE script — kernel, initrd and
 * the kernel command line (`ipa-api-url=…`, `ipa-inspection-callback-url=…`, `BOOTIF=…`) — at
 * `<uuid>/boot.ipxe` and one copy per PXE-enabled MAC at `pxelinux.cfg/01-<mac with dashes>`
 * (Ironic's naming), which is what a booting node asks for. The instance boots from disk
 * (persistent), and the scripts are removed; for a `ramdisk` deploy the instance is its own kernel
 * and initrd, written the same way and booted from the network every time (persistent PXE).
 * While the node boots a ramdisk (deploy, clean, inspect, rescue) its PXE MACs are in the boot
 * flow (DHCP host entries, `ctx.dhcp`), so the DHCP server answers them; they leave it when
 * the ramdisk's work is done. `ipxe` is the same interface under Ironic's other name: both write
 * iPXE scripts, which Ferrum's dnsmasq hands to iPXE (chain-loaded over TFTP for plain PXE ROMs).
 * Firmware that asks with vendor class HTTPClient (UEFI HTTP boot) gets iPXE's EFI binary by URL
 * from the boot server instead of TFTP; the `http`/`http-ipxe` interface names are not registered.
 */
import { createHash } from 'node:crypto'
import { mkdir, rm, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import type { DriverContext } from '../driver-context.js'
import type { BootInterface, RamdiskParams } from '../interfaces/boot.js'
import type { NodeView } from '../node-view.js'
import { DriverError } from '../../domain/errors.js'
import { bootFilePath, bootFileUrl, localPathOf, publishBootFile } from '../boot-files.js'
import { ramdiskInstance } from '../agent/ramdisk-deploy.js'

function management(ctx: DriverContext) {
  if (!ctx.interfaces) throw new DriverError(`node ${ctx.node.uuid}: the pxe boot interface needs the node's management interface, which this call was not given`)
  return ctx.interfaces.management
}

/** Boot-server names of the per-MAC configurations (`pxelinux.cfg/01-aa-bb-…`). */
export function macConfigName(mac: string): string {
  return `pxelinux.cfg/01-${mac.toLowerCase().replace(/:/g, '-')}`
}

/** The kernel command line: the params as key=value, in a stable order. */
export function kernelCmdline(params: RamdiskParams): string {
  return Object.entries(params).map(([k, v]) => (v === '' ? k : `${k}=${v}`)).join(' ')
}

/** The node's iPXE script for the deploy ramdisk. */
export function ramdiskScript(kernel: string, ramdisk: string, params: RamdiskParams, append = ''): string {
  return ['#!ipxe', `kernel ${kernel} initrd=deploy_ramdisk ${append ? `${append} ` : ''}${kernelCmdline(params)}`.trimEnd(), `initrd --name deploy_ramdisk ${ramdisk}`, 'boot', ''].join('\n')
}

/** Writes `script` at `<uuid>/boot.ipxe` and once per MAC; returns the names written. */
async function writeScripts(ctx: DriverContext, files: NonNullable<DriverContext['bootFiles']>, macs: readonly string[], script: string): Promise<string[]> {
  const names = [`${ctx.node.uuid}/boot.ipxe`, ...macs.map(macConfigName)]
  for (const name of names) {
    const path = bootFilePath(files, name)
    await mkdir(dirname(path), { recursive: true })
    await writeFile(path, script)
  }
  return names
}

/** Removes the scripts {@link writeScripts} wrote (and the node's directory). */
async function removeScripts(ctx: DriverContext, names: unknown): Promise<void> {
  if (!ctx.bootFiles || !Array.isArray(names)) return
  for (const name of names) await rm(bootFilePath(ctx.bootFiles, String(name)), { force: true })
  await rm(dirname(bootFilePath(ctx.bootFiles, `${ctx.node.uuid}/boot.ipxe`)), { recursive: true, force: true })
}

/** driver_info `kernel_append_params` (as Ironic's): extra kernel arguments for the ramdisk, e.g. `console=ttyS0`. */
function appendParams(node: NodeView): string {
  const v = node.driverInfo.kernel_append_params
  return typeof v === 'string' ? v.trim().replace(/\s+/g, ' ') : ''
}

/** The node's PXE-enabled MACs: what joins the DHCP boot flow. */
export function pxeMacs(ctx: DriverContext): string[] {
  return ctx.node.ports.filter((p) => p.pxeEnabled).map((p) => p.address)
}

/** Boot through the network for the ramdisk, from the disk for the instance. */
export class PxeBoot implements BootInterface {
  readonly kind = 'boot'
  readonly capabilities: readonly string[] = ['ramdisk_boot']

  constructor(readonly name: 'pxe' | 'ipxe' = 'pxe') {}

  validate(_node: NodeView): void {}

  getProperties(): Readonly<Record<string, string>> {
    return {
      deploy_kernel: 'URL (or boot-server name) of the deploy kernel the iPXE script loads. Optional; default deploy/kernel on the boot server.',
      deploy_ramdisk: 'URL (or boot-server name) of the deploy initramfs. Optional; default deploy/initrd on the boot server.',
      kernel_append_params: 'Extra kernel command line for the deploy ramdisk, e.g. "console=ttyS0 quiet". Optional.',
    }
  }

  async prepareRamdisk(ctx: DriverContext, params: RamdiskParams): Promise<void> {
    const macs = pxeMacs(ctx)
    const all: Record<string, string> = { ...params }
    if (macs[0]) all.BOOTIF = `01-${macs[0].replace(/:/g, '-')}`
    ctx.internalInfo.ferrum_ramdisk_params = all
    if (ctx.bootFiles && ctx.bootFiles.baseUrl !== '') {
      const files = ctx.bootFiles
      // A local file (absolute path or file:// URL on the conductor) is published on the boot server.
      const fileUrl = async (v: unknown, fallback: string, as: string): Promise<string> => {
        if (typeof v !== 'string' || v === '') return bootFileUrl(files, fallback)
        const local = localPathOf(v)
        if (local !== null) return publishBootFile(files, local, `deploy/local/${createHash('sha256').update(local).digest('hex').slice(0, 12)}/${as}`)
        return /^[a-z]+:\/\//.test(v) ? v : bootFileUrl(files, v)
      }
      const kernel = await fileUrl(ctx.node.driverInfo.deploy_kernel, 'deploy/kernel', 'kernel')
      const script = ramdiskScript(kernel, await fileUrl(ctx.node.driverInfo.deploy_ramdisk, 'deploy/initrd', 'initrd'), all, appendParams(ctx.node))
      ctx.internalInfo.ferrum_pxe_configs = await writeScripts(ctx, files, macs, script)
    }
    await ctx.dhcp?.update(ctx.node.uuid, macs)
    await management(ctx).setBootDevice(ctx, 'pxe', { persistent: false })
  }

  async cleanUpRamdisk(ctx: DriverContext): Promise<void> {
    delete ctx.internalInfo.ferrum_ramdisk_params
    await removeScripts(ctx, ctx.internalInfo.ferrum_pxe_configs)
    delete ctx.internalInfo.ferrum_pxe_configs
    await ctx.dhcp?.clean(ctx.node.uuid, pxeMacs(ctx))
  }

  async prepareInstance(ctx: DriverContext): Promise<void> {
    await this.cleanUpRamdisk(ctx)
    if (ctx.node.interfaces.deploy === 'ramdisk') return this.#prepareRamdiskInstance(ctx)
    await management(ctx).setBootDevice(ctx, 'disk', { persistent: true })
  }

  /** A `ramdisk` deploy's instance: its own kernel and initrd from the network, on every boot. */
  async #prepareRamdiskInstance(ctx: DriverContext): Promise<void> {
    const { kernel, ramdisk, cmdline } = ramdiskInstance(ctx.node)
    if (!ctx.bootFiles || ctx.bootFiles.baseUrl === '') throw new DriverError(`node ${ctx.node.uuid}: a ramdisk instance boots from Ferrum's boot server, which is not running (ferrum up serves it)`)
    const macs = pxeMacs(ctx)
    const script = ['#!ipxe', `kernel ${kernel} initrd=instance_ramdisk ${cmdline}`.trimEnd(), `initrd --name instance_ramdisk ${ramdisk}`, 'boot', ''].join('\n')
    ctx.internalInfo.ferrum_instance_pxe_configs = await writeScripts(ctx, ctx.bootFiles, macs, script)
    await ctx.dhcp?.update(ctx.node.uuid, macs)
    await management(ctx).setBootDevice(ctx, 'pxe', { persistent: true })
  }

  /** The ramdisk instance's boot scripts go with the instance. */
  async cleanUpInstance(ctx: DriverContext): Promise<void> {
    const had = ctx.internalInfo.ferrum_instance_pxe_configs !== undefined
    await removeScripts(ctx, ctx.internalInfo.ferrum_instance_pxe_configs)
    delete ctx.internalInfo.ferrum_instance_pxe_configs
    if (had) await ctx.dhcp?.clean(ctx.node.uuid, pxeMacs(ctx))
  }

  validateRescue(_node: NodeView): void {}

  validateInspection(_node: NodeView): void {}
}
