/**
 * Partition images (IPA's `image_type: partition`): the agent partitions the disk itself, as IPA
 * does — GPT for UEFI (an EFI system partition first), MBR for BIOS — with optional ephemeral
 * and swap partitions and the root partition of `root_mb` last (IPA's order, so the root can
 * grow to the end of the disk), then the image is written into the root partition. The ephemeral
 * partition gets a file system labelled `ephemeral0` (IPA's mkfs), ext4 unless asked otherwise. The partition table is written with util-linux's sfdisk; the UUIDs it reports are
 * what `standby.get_partition_uuids` answers (root_uuid, efi_system_partition_uuid).
 */
import { open } from 'node:fs/promises'
import { ImageWriteError } from './image-writer.js'
import { runTool, sfdisk } from './tool.js'
import { BOOT_SCAN_BYTES, LAB_OS_MARKER, markerOf } from '../lab/lab-os-image.js'

const SECTOR = 512
const MiB_SECTORS = 2048
/** IPA's default EFI system partition size (CONF.efi_system_partition_size). */
export const ESP_MIB = 550

const TYPES = {
  gpt: { esp: 'C12A7328-F81F-11D2-BA4B-00A0C93EC93B', bios: '21686148-6449-6E6F-744E-656564454649', swap: '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F', root: '0FC63DAF-8483-4772-8E79-3D69D8477DE4', ephemeral: '0FC63DAF-8483-4772-8E79-3D69D8477DE4' },
  dos: { esp: 'ef', bios: '', swap: '82', root: '83', ephemeral: '83' },
} as const

export interface PartitionLayout {
  bootMode: 'uefi' | 'bios'
  rootMiB: number
  swapMiB: number
  /** An ephemeral partition of this size (0: none), formatted `ephemeralFormat` (ext4 by default). */
  ephemeralMiB?: number
  ephemeralFormat?: string
  /** gpt or dos (msdos); by default gpt for UEFI, dos for BIOS (IPA's disk_label default). */
  label?: 'gpt' | 'dos'
}

export interface MadePartition {
  number: number
  startBytes: number
  sizeBytes: number
  uuid: string
}

export interface MadePartitions {
  label: 'gpt' | 'dos'
  root: MadePartition
  efi: MadePartition | null
  swap: MadePartition | null
  ephemeral: MadePartition | null
}

/** File systems the agent makes on an ephemeral partition (e2fsprogs' mke2fs, in every Debian base). */
export const EPHEMERAL_FORMATS = ['ext4', 'ext3', 'ext2'] as const


/** Writes a new partition table for a partition image on `devicePath` (`deviceSize` bytes). */
export async function makePartitions(devicePath: string, deviceSize: number, layout: PartitionLayout, shown = devicePath, isFile = true): Promise<MadePartitions> {
  const label = layout.label ?? (layout.bootMode === 'uefi' ? 'gpt' : 'dos')
  const t = TYPES[label]
  const lines: string[] = [`label: ${label}`]
  const roles: ('efi' | 'bios' | 'swap' | 'root' | 'ephemeral')[] = []
  let next = MiB_SECTORS
  const add = (role: (typeof roles)[number], mib: number, name: string) => {
    lines.push(`start=${next}, size=${mib * MiB_SECTORS}, type=${t[role === 'bios' ? 'bios' : role === 'efi' ? 'esp' : role]}${label === 'gpt' ? `, name=${name}` : role === 'root' ? ', bootable' : ''}`)
    roles.push(role)
    next += mib * MiB_SECTORS
  }
  if (layout.bootMode === 'uefi') add('efi', ESP_MIB, 'efi-part')
  else if (label === 'gpt') add('bios', 1, 'bios-boot')
  const ephemeralMiB = layout.ephemeralMiB ?? 0
  const format = layout.ephemeralFormat ?? 'ext4'
  if (ephemeralMiB > 0 && !(EPHEMERAL_FORMATS as readonly string[]).includes(format)) throw new ImageWriteError(`ephemeral_format "${format}" is not one the agent can make (${EPHEMERAL_FORMATS.join(', ')})`)
  if (ephemeralMiB > 0) add('ephemeral', ephemeralMiB, 'ephemeral-part')
  if (layout.swapMiB > 0) add('swap', layout.swapMiB, 'swap-part')
  add('root', layout.rootMiB, 'root-part')
  // GPT keeps 33 sectors at the end for its backup; leave room for a 64 MiB config drive too.
  const needed = (next + 34) * SECTOR
  if (needed > deviceSize) throw new ImageWriteError(`the partitions (root ${layout.rootMiB} MiB${layout.swapMiB ? `, swap ${layout.swapMiB} MiB` : ''}${ephemeralMiB ? `, ephemeral ${ephemeralMiB} MiB` : ''}${layout.bootMode === 'uefi' ? `, EFI ${ESP_MIB} MiB` : ''}) do not fit on ${shown} (${deviceSize} bytes); lower root_gb${ephemeralMiB ? ' or ephemeral_gb' : ''}`)
  await sfdisk([...(isFile ? ['--no-reread', '--no-tell-kernel'] : []), '--wipe', 'always', '--quiet', devicePath], `${lines.join('\n')}\n`)
  const table = JSON.parse(await sfdisk(['--json', devicePath])) as { partitiontable: { id?: string; partitions: { start: number; size: number; uuid?: string }[] } }
  const made = table.partitiontable.partitions.map((p, i) => ({ number: i + 1, startBytes: p.start * SECTOR, sizeBytes: p.size * SECTOR, uuid: (p.uuid ?? `${(table.partitiontable.id ?? '').replace(/^0x/, '')}-${String(i + 1).padStart(2, '0')}`).toLowerCase() }))
  const of = (role: (typeof roles)[number]) => (roles.indexOf(role) >= 0 ? made[roles.indexOf(role)] : null)
  const ephemeral = of('ephemeral')
  if (ephemeral) await mkfs(format, devicePath, ephemeral, isFile, shown)
  return { label, root: of('root')!, efi: of('efi'), swap: of('swap'), ephemeral }
}

/**
 * Makes the ephemeral file system (label `ephemeral0`, as IPA's): on a block device in its
 * partition device; on a file-backed disk at the partition's offset (mke2fs -E offset).
 */
async function mkfs(format: string, devicePath: string, part: MadePartition, isFile: boolean, shown: string): Promise<void> {
  const target = isFile ? devicePath : `${devicePath}${/\d$/.test(devicePath) ? 'p' : ''}${part.number}`
  const args = ['-t', format, '-F', '-q', '-L', 'ephemeral0', ...(isFile ? ['-E', `offset=${part.startBytes}`, target, `${part.sizeBytes / 1024}k`] : [target])]
  await runTool('mke2fs', args, { cannot: `cannot make the ephemeral file system on ${shown}`, missing: 'install e2fsprogs', failed: `making the ${format} ephemeral file system on ${shown} partition ${part.number} failed` })
}

/** Where the lab's firmware looks for the boot loader: in the first MiB, after the partition table. */
const BOOT_LOADER_OFFSET = 64 * 1024

/**
 * The lab's `grub-install`: the boot loader of the OS in the root partition goes to the disk's
 * boot area (the marker line the lab firmware looks for in the first MiB). A real disk needs a
 * real boot loader installer, which this agent does not carry yet.
 * @returns the OS name installed
 */
export async function installLabBootLoader(devicePath: string, rootStartBytes: number, shown = devicePath): Promise<string> {
  const fh = await open(devicePath, 'r+')
  try {
    const head = Buffer.alloc(BOOT_SCAN_BYTES)
    const { bytesRead } = await fh.read(head, 0, head.length, rootStartBytes)
    const os = markerOf(head.subarray(0, bytesRead))
    if (os === null) throw new ImageWriteError(`the root partition on ${shown} holds no boot loader to install (no "${LAB_OS_MARKER}" marker in its first MiB)`)
    const line = Buffer.from(`${LAB_OS_MARKER} ${os}\n`, 'latin1')
    await fh.write(line, 0, line.length, BOOT_LOADER_OFFSET)
    await fh.sync()
    return os
  } finally {
    await fh.close()
  }
}
