/**
 * Writes a config drive after a whole-disk image, as IPA does: into the image's partition named
 * config-2 if it has one, else into a new partition in the last 64 MiB of the disk (GPT: its
 * backup header moved to the disk's end first; MBR: a fourth primary is the limit). The
 * partition table is edited with util-linux's sfdisk (Debian's fdisk package), on a block
 * device or a disk file alike. The drive comes as IPA takes it: a URL, or a gzipped (or plain)
 * base64-encoded ISO 9660 image.
 */
import { open } from 'node:fs/promises'
import { gunzipSync } from 'node:zlib'
import { get as httpGet, type IncomingMessage } from 'node:http'
import { get as httpsGet } from 'node:https'
import { ImageWriteError } from './image-writer.js'
import { sfdisk } from './tool.js'

export const CONFIG_DRIVE_BYTES = 64 * 1024 * 1024
const SECTOR = 512
/** GPT type of the partition: Linux filesystem data. */
const LINUX_FS = '0FC63DAF-8483-4772-8E79-3D69D8477DE4'

interface SfdiskTable {
  partitiontable: {
    label: 'gpt' | 'dos' | string
    sectorsize?: number
    lastlba?: number
    partitions?: { node: string; start: number; size: number; type: string; name?: string }[]
  }
}

/** What was written where, for the log and the command's result. */
export interface ConfigDriveResult {
  partition: number
  startBytes: number
  bytes: number
  created: boolean
}

async function download(url: string, signal: AbortSignal): Promise<Buffer> {
  const get = url.startsWith('https://') ? httpsGet : httpGet
  const res = await new Promise<IncomingMessage>((resolve, reject) => {
    get(url, { signal }, resolve).once('error', reject)
  }).catch((e: Error) => {
    throw new ImageWriteError(`downloading the config drive from ${url} failed: ${e.message}`)
  })
  if (res.statusCode !== 200) {
    res.resume()
    throw new ImageWriteError(`downloading the config drive from ${url} failed: HTTP ${res.statusCode}`)
  }
  const parts: Buffer[] = []
  let n = 0
  for await (const chunk of res) {
    n += (chunk as Buffer).length
    if (n > CONFIG_DRIVE_BYTES * 2) throw new ImageWriteError(`the config drive at ${url} is over the ${CONFIG_DRIVE_BYTES / 1048576} MiB limit`)
    parts.push(chunk as Buffer)
  }
  return Buffer.concat(parts)
}

/** The ISO bytes of a config drive parameter. */
export async function configDriveBytes(value: string, signal: AbortSignal): Promise<Buffer> {
  let raw: Buffer
  if (/^https?:\/\//.test(value)) {
    raw = await download(value, signal)
    // A URL may serve the ISO itself or its base64 text.
    if (!(raw[0] === 0x1f && raw[1] === 0x8b) && raw.length > 32774 && raw.subarray(32769, 32774).toString('latin1') !== 'CD001') raw = Buffer.from(raw.toString('latin1'), 'base64')
  } else raw = Buffer.from(value, 'base64')
  let iso = raw
  if (raw[0] === 0x1f && raw[1] === 0x8b) {
    try {
      iso = gunzipSync(raw, { maxOutputLength: CONFIG_DRIVE_BYTES })
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new ImageWriteError(`the config drive is over the ${CONFIG_DRIVE_BYTES / 1048576} MiB limit of its partition`)
      throw new ImageWriteError(`the config drive is not valid gzip: ${(e as Error).message}`)
    }
  }
  if (iso.length > CONFIG_DRIVE_BYTES) throw new ImageWriteError(`the config drive (${iso.length} bytes) is over the ${CONFIG_DRIVE_BYTES / 1048576} MiB limit of its partition`)
  if (iso.length === 0) throw new ImageWriteError('the config drive is empty')
  return iso
}


/**
 * Puts the config drive `iso` on the disk at `devicePath` (`deviceSize` bytes) that holds a
 * freshly written whole-disk image.
 * @throws ImageWriteError when the image has no partition table, or no room is left for the partition
 */
export async function writeConfigDrive(devicePath: string, deviceSize: number, iso: Buffer, shown = devicePath): Promise<ConfigDriveResult> {
  const isFile = (await open(devicePath, 'r').then(async (fh) => {
    try {
      return (await fh.stat()).isFile()
    } finally {
      await fh.close()
    }
  }))
  const quiet = isFile ? ['--no-reread', '--no-tell-kernel'] : []
  let table: SfdiskTable
  try {
    table = JSON.parse(await sfdisk(['--json', devicePath])) as SfdiskTable
  } catch (e) {
    throw new ImageWriteError(`the image on ${shown} has no partition table to add the config drive to (${(e as Error).message})`)
  }
  const label = table.partitiontable.label
  if (label !== 'gpt' && label !== 'dos') throw new ImageWriteError(`the image on ${shown} has a ${label} partition table; a config drive needs GPT or MBR`)
  const sector = table.partitiontable.sectorsize ?? SECTOR
  let parts = table.partitiontable.partitions ?? []
  const existing = parts.findIndex((p) => p.name === 'config-2')
  let partition: number
  let start: number
  let created = false
  if (existing >= 0) {
    if (parts[existing].size * sector < iso.length) throw new ImageWriteError(`the image's config-2 partition on ${shown} (${parts[existing].size * sector} bytes) is smaller than the config drive (${iso.length} bytes)`)
    partition = existing + 1
    start = parts[existing].start
  } else {
    const sectors = Math.floor(deviceSize / sector)
    if (label === 'gpt') {
      // The image's backup GPT sits where the image ended; move it to the end of this disk.
      await sfdisk([...quiet, '--relocate', 'gpt-bak-std', devicePath])
      parts = (JSON.parse(await sfdisk(['--json', devicePath])) as SfdiskTable).partitiontable.partitions ?? []
    } else if (parts.length >= 4) throw new ImageWriteError(`the image on ${shown} has 4 primary MBR partitions: no room for a config drive partition (use a GPT image)`)
    const lastUsable = label === 'gpt' ? sectors - 34 : sectors - 1
    const size = CONFIG_DRIVE_BYTES / sector
    start = Math.floor((lastUsable + 1 - size) / 2048) * 2048
    const usedEnd = Math.max(0, ...parts.map((p) => p.start + p.size))
    if (start < usedEnd) throw new ImageWriteError(`no room for the ${CONFIG_DRIVE_BYTES / 1048576} MiB config drive partition after the image's partitions on ${shown} (the disk is ${deviceSize} bytes; the image uses it up to ${usedEnd * sector})`)
    const line = label === 'gpt' ? `start=${start}, size=${Math.min(size, lastUsable + 1 - start)}, type=${LINUX_FS}, name=config-2` : `start=${start}, size=${Math.min(size, sectors - start)}, type=83`
    await sfdisk([...quiet, '--append', devicePath], `${line}\n`)
    partition = parts.length + 1
    created = true
  }
  const fh = await open(devicePath, 'r+')
  try {
    await fh.write(iso, 0, iso.length, start * sector)
    await fh.sync()
  } finally {
    await fh.close()
  }
  return { partition, startBytes: start * sector, bytes: iso.length, created }
}
