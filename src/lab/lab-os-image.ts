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

/** The first `n` bytes of `path` (less for a shorter file); by default what a lab firmware reads. */
export async function readBootHead(path: string, n = BOOT_SCAN_BYTES): Promise<Buffer> {
  const fh = await open(path, 'r')
  try {
    const buf = Buffer.alloc(n)
    const { bytesRead } = await fh.read(buf, 0, n, 0)
    return buf.subarray(0, bytesRead)
  } finally {
    await fh.close()
  }
}

/**
 * Reads the first MiB of `path` and says whether a lab firmware would boot it.
 * Never throws for a missing or short file: that is "not bootable" with a reason.
 */
export async function inspectBootDisk(path: string): Promise<BootDiskInspection> {
  let head: Buffer
  try {
    head = await readBootHead(path)
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

const SECTOR = 512
const GPT_ENTRIES = 128
const GPT_ENTRY_BYTES = 128
/** Sectors the entry array takes (128 × 128 bytes). */
const ENTRY_SECTORS = (GPT_ENTRIES * GPT_ENTRY_BYTES) / SECTOR

const CRC_TABLE = (() => {
  const t = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    t[n] = c >>> 0
  }
  return t
})()

/** CRC-32 (IEEE), as the GPT header and entry array carry it. */
export function crc32(buf: Buffer): number {
  let c = 0xffffffff
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8)
  return (c ^ 0xffffffff) >>> 0
}

/** A GUID's on-disk bytes (the first three fields little-endian). */
function guidBytes(guid: string): Buffer {
  const h = guid.replace(/-/g, '')
  const b = Buffer.from(h, 'hex')
  return Buffer.concat([Buffer.from(b.subarray(0, 4)).reverse(), Buffer.from(b.subarray(4, 6)).reverse(), Buffer.from(b.subarray(6, 8)).reverse(), b.subarray(8)])
}

/**
 * Writes a lab OS image that is a real GPT disk of `sizeBytes` (protective MBR, primary and
 * backup headers and entry arrays with their CRCs, one Linux partition from 1 MiB to the end,
 * named "lab-root"), so partitioning tools (sfdisk, parted) read it as any whole-disk image, with
 * the lab OS marker at 64 KiB, between the partition table and the partition.
 */
export async function writeLabGptImage(path: string, sizeBytes: number, osName = 'lab-linux', diskGuid = 'a1b2c3d4-0000-4000-8000-00000000f0e1'): Promise<void> {
  const sectors = Math.floor(sizeBytes / SECTOR)
  const lastUsable = sectors - 1 - 1 - ENTRY_SECTORS
  const firstUsable = 2 + ENTRY_SECTORS
  const entries = Buffer.alloc(GPT_ENTRIES * GPT_ENTRY_BYTES)
  guidBytes('0FC63DAF-8483-4772-8E79-3D69D8477DE4').copy(entries, 0)
  guidBytes('5e1f0c2a-7a3b-4c1d-9e2f-00000000f0e1').copy(entries, 16)
  entries.writeBigUInt64LE(2048n, 32)
  entries.writeBigUInt64LE(BigInt(lastUsable), 40)
  Buffer.from('lab-root', 'utf16le').copy(entries, 56)
  const header = (mine: number, other: number, entriesAt: number) => {
    const h = Buffer.alloc(SECTOR)
    h.write('EFI PART', 0, 'latin1')
    h.writeUInt32LE(0x00010000, 8)
    h.writeUInt32LE(92, 12)
    h.writeBigUInt64LE(BigInt(mine), 24)
    h.writeBigUInt64LE(BigInt(other), 32)
    h.writeBigUInt64LE(BigInt(firstUsable), 40)
    h.writeBigUInt64LE(BigInt(lastUsable), 48)
    guidBytes(diskGuid).copy(h, 56)
    h.writeBigUInt64LE(BigInt(entriesAt), 72)
    h.writeUInt32LE(GPT_ENTRIES, 80)
    h.writeUInt32LE(GPT_ENTRY_BYTES, 84)
    h.writeUInt32LE(crc32(entries), 88)
    h.writeUInt32LE(crc32(h.subarray(0, 92)), 16)
    return h
  }
  const mbr = Buffer.alloc(SECTOR)
  // The protective MBR: one partition of type 0xEE over the whole disk (capped at 2^32-1 sectors).
  mbr[446 + 4] = 0xee
  mbr.writeUInt32LE(1, 446 + 8)
  mbr.writeUInt32LE(Math.min(sectors - 1, 0xffffffff), 446 + 12)
  mbr.writeUInt8(0x00, 446 + 1)
  mbr.writeUInt8(0x02, 446 + 2)
  mbr[446 + 5] = 0xff
  mbr[446 + 6] = 0xff
  mbr[446 + 7] = 0xff
  mbr[510] = 0x55
  mbr[511] = 0xaa
  const fh = await open(path, 'r+')
  try {
    await fh.truncate(sizeBytes)
    await fh.write(mbr, 0, SECTOR, 0)
    await fh.write(header(1, sectors - 1, 2), 0, SECTOR, SECTOR)
    await fh.write(entries, 0, entries.length, 2 * SECTOR)
    await fh.write(entries, 0, entries.length, (sectors - 1 - ENTRY_SECTORS) * SECTOR)
    await fh.write(header(sectors - 1, 1, sectors - 1 - ENTRY_SECTORS), 0, SECTOR, (sectors - 1) * SECTOR)
    const line = Buffer.from(`${LAB_OS_MARKER} ${osName}\n`, 'latin1')
    await fh.write(line, 0, line.length, 64 * 1024)
  } finally {
    await fh.close()
  }
}
