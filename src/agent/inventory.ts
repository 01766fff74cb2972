/**
 * The hardware inventory, read from the running system in Ironic Python Agent's format (cpu,
 * memory, disks, interfaces, system_vendor, boot, bmc_address). Everything is read under one
 * root directory (default `/`), so a lab node can point the agent at a fake /proc, /sys and
 * /dev of its own; block devices are named as the system names them (`/dev/vda`) and opened under
 * the same root.
 */
import { readdir, readFile, readlink, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { hostname } from 'node:os'

export interface InventoryDisk {
  name: string
  model: string | null
  size: number
  rotational: boolean
  wwn: string | null
  serial: string | null
  vendor: string | null
  wwn_with_extension: string | null
  wwn_vendor_extension: string | null
  hctl: string | null
  by_path: string | null
}

export interface InventoryInterface {
  name: string
  mac_address: string
  ipv4_address: string | null
  ipv6_address: string | null
  has_carrier: boolean
  lldp: null
  vendor: string | null
  product: string | null
  client_id: null
  biosdevname: null
  speed_mbps: number | null
  pci_address: string | null
}

export interface Inventory {
  interfaces: InventoryInterface[]
  cpu: { model_name: string | null; frequency: string | null; count: number; architecture: string; flags: string[]; socket_count: number }
  disks: InventoryDisk[]
  memory: { total: number; physical_mb: number }
  bmc_address: string | null
  bmc_v6address: string | null
  bmc_mac: string | null
  system_vendor: { product_name: string | null; serial_number: string | null; manufacturer: string | null; firmware: { vendor: string | null; version: string | null; build_date: string | null } }
  boot: { current_boot_mode: 'uefi' | 'bios'; pxe_interface: string | null }
  hostname: string
}

async function text(path: string): Promise<string | null> {
  try {
    const v = (await readFile(path, 'utf8')).trim()
    return v === '' ? null : v
  } catch {
    return null
  }
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false)
}

async function list(path: string): Promise<string[]> {
  return readdir(path).then((x) => x.sort(), () => [])
}

/** Block devices that are never install targets. */
const SKIP_DISK = /^(loop|ram|zram|sr|fd|dm-|md)\d*/

function cpuArch(): string {
  return process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : process.arch
}

/** Reads the inventory under `root`. `pxeMac` is the MAC the node booted from, when known. */
export async function collectInventory(root: string, opts: { pxeMac?: string | null; bmcAddress?: string | null } = {}): Promise<Inventory> {
  const p = (...parts: string[]) => join(root, ...parts)
  const cpuinfo = (await text(p('proc/cpuinfo'))) ?? ''
  const blocks = cpuinfo.split(/\n\s*\n/).filter((b) => /^processor\s*:/m.test(b))
  const field = (b: string | undefined, k: string) => (b ? (new RegExp(`^${k}\\s*:\\s*(.*)$`, 'm').exec(b)?.[1]?.trim() ?? null) : null)
  const sockets = new Set(blocks.map((b) => field(b, 'physical id') ?? '0'))
  const meminfo = (await text(p('proc/meminfo'))) ?? ''
  const memKiB = Number(/^MemTotal:\s*(\d+)\s*kB/m.exec(meminfo)?.[1] ?? 0)
  const disks: InventoryDisk[] = []
  for (const name of await list(p('sys/block'))) {
    if (SKIP_DISK.test(name)) continue
    const dir = p('sys/block', name)
    const sectors = Number((await text(join(dir, 'size'))) ?? 0)
    if (!(sectors > 0)) continue
    const byPath = await findByPath(root, name)
    disks.push({
      name: `/dev/${name}`,
      model: await text(join(dir, 'device/model')),
      size: sectors * 512,
      rotational: (await text(join(dir, 'queue/rotational'))) !== '0',
      wwn: await text(join(dir, 'device/wwid')),
      serial: (await text(join(dir, 'device/serial'))) ?? (await text(join(dir, 'serial'))),
      vendor: await text(join(dir, 'device/vendor')),
      wwn_with_extension: null,
      wwn_vendor_extension: null,
      hctl: null,
      by_path: byPath,
    })
  }
  const interfaces: InventoryInterface[] = []
  for (const name of await list(p('sys/class/net'))) {
    if (name === 'lo') continue
    const dir = p('sys/class/net', name)
    const mac = await text(join(dir, 'address'))
    if (!mac || mac === '00:00:00:00:00:00') continue
    const speed = Number(await text(join(dir, 'speed')))
    interfaces.push({
      name,
      mac_address: mac.toLowerCase(),
      ipv4_address: await text(join(dir, 'ferrum_ipv4')),
      ipv6_address: null,
      has_carrier: (await text(join(dir, 'carrier'))) !== '0',
      lldp: null,
      vendor: await text(join(dir, 'device/vendor')),
      product: await text(join(dir, 'device/device')),
      client_id: null,
      biosdevname: null,
      speed_mbps: Number.isFinite(speed) && speed > 0 ? speed : null,
      pci_address: null,
    })
  }
  const dmi = (k: string) => text(p('sys/class/dmi/id', k))
  const pxe = opts.pxeMac?.toLowerCase() ?? null
  return {
    interfaces,
    cpu: {
      model_name: field(blocks[0], 'model name'),
      frequency: field(blocks[0], 'cpu MHz'),
      count: blocks.length,
      architecture: (await text(p('sys/ferrum_arch'))) ?? cpuArch(),
      flags: (field(blocks[0], 'flags') ?? '').split(/\s+/).filter(Boolean),
      socket_count: Math.max(1, sockets.size),
    },
    disks,
    memory: { total: memKiB * 1024, physical_mb: Math.round(memKiB / 1024) },
    bmc_address: opts.bmcAddress ?? null,
    bmc_v6address: null,
    bmc_mac: null,
    system_vendor: {
      product_name: await dmi('product_name'),
      serial_number: await dmi('product_serial'),
      manufacturer: await dmi('sys_vendor'),
      firmware: { vendor: await dmi('bios_vendor'), version: await dmi('bios_version'), build_date: await dmi('bios_date') },
    },
    boot: { current_boot_mode: (await exists(p('sys/firmware/efi'))) ? 'uefi' : 'bios', pxe_interface: pxe && interfaces.some((i) => i.mac_address === pxe) ? pxe : null },
    hostname: (await text(p('etc/hostname'))) ?? hostname(),
  }
}

async function findByPath(root: string, disk: string): Promise<string | null> {
  const dir = join(root, 'dev/disk/by-path')
  for (const entry of await list(dir)) {
    const target = await readlink(join(dir, entry)).catch(() => null)
    if (target && target.endsWith(`/${disk}`)) return `/dev/disk/by-path/${entry}`
  }
  return null
}

/** Ironic's root device hints (`properties.root_device`). */
export interface RootDeviceHints {
  size?: number | string
  model?: string
  serial?: string
  wwn?: string
  name?: string
  rotational?: boolean | string
  by_path?: string
  vendor?: string
}

/**
 * The install target: the smallest disk of at least 4 GiB matching every hint (IPA's default
 * without hints), or the first matching disk when hints are given.
 * @throws Error naming the hints when no disk matches
 */
export function pickRootDisk(disks: readonly InventoryDisk[], hints: RootDeviceHints | null | undefined): InventoryDisk {
  const GiB = 1024 ** 3
  const h = hints ?? {}
  const wantBool = (v: unknown) => (typeof v === 'string' ? ['1', 'true', 'yes', 'on'].includes(v.toLowerCase()) : Boolean(v))
  const matches = (d: InventoryDisk): boolean => {
    if (h.name !== undefined && d.name !== (h.name.startsWith('/dev/') ? h.name : `/dev/${h.name}`)) return false
    if (h.model !== undefined && (d.model ?? '').toLowerCase() !== h.model.toLowerCase()) return false
    if (h.vendor !== undefined && (d.vendor ?? '').toLowerCase() !== h.vendor.toLowerCase()) return false
    if (h.serial !== undefined && (d.serial ?? '').toLowerCase() !== h.serial.toLowerCase()) return false
    if (h.wwn !== undefined && (d.wwn ?? '').toLowerCase() !== h.wwn.toLowerCase()) return false
    if (h.by_path !== undefined && d.by_path !== h.by_path) return false
    if (h.rotational !== undefined && d.rotational !== wantBool(h.rotational)) return false
    if (h.size !== undefined && !sizeMatches(d.size / GiB, h.size)) return false
    return true
  }
  const hinted = Object.keys(h).length > 0
  const candidates = disks.filter(matches)
  const pick = hinted ? candidates[0] : [...candidates].filter((d) => d.size >= 4 * GiB).sort((a, b) => a.size - b.size)[0]
  if (!pick) {
    const seen = disks.map((d) => `${d.name} (${Math.floor(d.size / GiB)} GiB${d.serial ? `, serial ${d.serial}` : ''})`).join(', ') || 'no disks'
    throw new Error(hinted ? `no disk matches the root device hints ${JSON.stringify(h)}; disks seen: ${seen}` : `no disk of at least 4 GiB found; disks seen: ${seen}`)
  }
  return pick
}

/** Size hints in GiB: a number (exact, floored) or an operator expression such as ">= 100". */
function sizeMatches(gib: number, hint: number | string): boolean {
  const actual = Math.floor(gib)
  if (typeof hint === 'number') return actual === hint
  const m = /^\s*(<=|>=|==|<|>|!=|s==)?\s*(\d+)\s*$/.exec(hint)
  if (!m) return false
  const want = Number(m[2])
  switch (m[1]) {
    case '<=': return actual <= want
    case '>=': return actual >= want
    case '<': return actual < want
    case '>': return actual > want
    case '!=': return actual !== want
    default: return actual === want
  }
}
