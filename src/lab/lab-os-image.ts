/**
 * What makes a lab disk bootable. A real firmware looks for a partition table and a boot loader;
 * the lab looks for a partition table (MBR signature or GPT header) plus a marker line that lab
 * OS images carry, `FERRUM-LAB-OS <name>`, somewhere in the first MiB. Test images and the
 * agent's image writer can produce such disks with {@link writeLabOsImage}.
 */
import { open } from 'node:fs/promises'

/** The marker a lab OS image carries in its first MiB, followed by a space and the OS name. */
export const LAB_OS_MARKER = 'FERRUM-LAB-OS'
/** How much of the disk the firmware reads when looking for the marker. */
export const BOOT_SCAN_BYTES = 1024 * 1024

export type PartitionTableType = 'gpt' | 'mbr'

export type BootDiskInspection =
  | { bootable: true; partitionTable: PartitionTableType; osName: string }
  | { bootable: false; partitionTable: PartitionTableType | null; reason: string }

/**
 * Reads the first MiB of `path` and says whether a lab firmware would boot it.
 * Never throws for a missing or short file: that is "not bootable" with a reason.
 */
export async function inspectBootDisk(path: string): Promise<BootDiskInspection> {
  let head: Buffer
  try {
    const fh = await open(path, 'r')
    try {
      const buf = Buffer.alloc(BOOT_SCAN_BYTES)
      const { bytesRead } = await fh.read(buf, 0, BOOT_SCAN_BYTES, 0)
      head = buf.subarray(0, bytesRead)
    } finally {
      await fh.close()
    }
  } catch (err) {
    return { bootable: false, partitionTable: null, reason: `cannot read ${path}: ${(err as Error).message}` }
  }
  const partitionTable = partitionTableOf(head)
  const osName = markerOf(head)
  if (!partitionTable) {
    return { bootable: false, partitionTable: null, reason: 'no partition table (no MBR signature, no GPT header)' }
  }
  if (osName === null) {
    return { bootable: false, partitionTable, reason: `${partitionTable.toUpperCase()} partition table but no "${LAB_OS_MARKER}" marker in the first MiB` }
  }
  return { bootable: true, partitionTable, osName }
}

/** GPT wins over MBR: a GPT disk also carries a protective MBR with the 0x55AA signature. */
export function partitionTableOf(head: Buffer): PartitionTableType | null {
  if (head.length >= 520 && head.toString('latin1', 512, 520) === 'EFI PART') return 'gpt'
  if (head.length >= 512 && head[510] === 0x55 && head[511] === 0xaa) return 'mbr'
  return null
}

/** The OS name after the marker (up to the end of the line or a NUL), or null without a marker. */
export function markerOf(head: Buffer): string | null {
  const at = head.indexOf(`${LAB_OS_MARKER} `, 0, 'latin1')
  if (at < 0) return null
  const start = at + LAB_OS_MARKER.length + 1
  let end = start
  while (end < head.length && end - start < 200 && head[end] !== 0x0a && head[end] !== 0x0d && head[end] !== 0) end++
  return head.toString('latin1', start, end).trim()
}

export interface LabOsImageOptions {
  partitionTable?: PartitionTableType
  /** Omit the marker to build a disk that has a partition table but no OS (default true). */
  marker?: boolean
  osName?: string
  /** Where the marker line goes (default 4096, after the partition table). */
  markerOffset?: number
}

/**
 * Writes a minimal lab OS image at the start of `path` (which must exist, e.g. a sparse disk file)
 * without changing its size beyond what is written.
 */
export async function writeLabOsImage(path: string, opts: LabOsImageOptions = {}): Promise<void> {
  const table = opts.partitionTable ?? 'gpt'
  const head = Buffer.alloc(8192)
  // Both kinds carry the MBR boot signature (for GPT it is the protective MBR).
  head[510] = 0x55
  head[511] = 0xaa
  if (table === 'gpt') head.write('EFI PART', 512, 'latin1')
  const fh = await open(path, 'r+')
  try {
    await fh.write(head, 0, head.length, 0)
    if (opts.marker ?? true) {
      const line = Buffer.from(`${LAB_OS_MARKER} ${opts.osName ?? 'lab-linux'}\n`, 'latin1')
      await fh.write(line, 0, line.length, opts.markerOffset ?? 4096)
    }
  } finally {
    await fh.close()
  }
}
