/**
 * The config drive a deploy hands the agent (`standby.prepare_image`'s `configdrive`), as Ironic
 * prepares it: a URL or a gzipped, base64-encoded ISO 9660 image goes as given (after a check
 * that it is one); a JSON object (`meta_data`, `user_data`, `network_data`, `vendor_data`, API
 * 1.56+) is built into a config-2 ISO with genisoimage (or mkisofs/xorrisofs), in the layout
 * cloud-init reads: `openstack/{2012-08-10,latest}/meta_data.json`, `user_data`,
 * `network_data.json`, `vendor_data2.json`. `meta_data` gets the node's `uuid` and `name` unless
 * it has them.
 */
import { spawn } from 'node:child_process'
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { DriverError, ValidationError } from '../../domain/errors.js'
import type { NodeView } from '../node-view.js'

/** The config drive partition's size, and so the largest ISO (Ironic's and IPA's limit). */
export const CONFIG_DRIVE_MAX_BYTES = 64 * 1024 * 1024
const VERSIONS = ['2012-08-10', 'latest']
const ISO_TOOLS = ['genisoimage', 'mkisofs', 'xorrisofs']

/** True for bytes that hold an ISO 9660 volume descriptor ("CD001" at 32769). */
export function isIso9660(bytes: Buffer): boolean {
  return bytes.length > 32774 && bytes.subarray(32769, 32774).toString('latin1') === 'CD001'
}

/**
 * The config drive as the agent takes it, or null when the node has none.
 * @throws ValidationError (CONFIG_DRIVE_INVALID) for a string that is neither a URL nor a
 *   gzipped base64 ISO, or a drive over 64 MiB; DriverError when no ISO tool is installed
 */
export async function configDriveParam(node: NodeView): Promise<string | null> {
  const value = node.instanceInfo.configdrive
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return buildConfigDrive(node, value as Record<string, unknown>)
  return checkConfigDrive(node) ? (value as string) : null
}

/**
 * Checks the node's config drive without building it (the deploy step's early check).
 * @returns whether the node has one
 * @throws ValidationError (CONFIG_DRIVE_INVALID) as {@link configDriveParam}
 */
export function checkConfigDrive(node: NodeView): boolean {
  const value = node.instanceInfo.configdrive
  if (value === undefined || value === null || value === '') return false
  if (typeof value === 'object' && !Array.isArray(value)) {
    checkJsonDrive(node, value as Record<string, unknown>)
    return true
  }
  if (typeof value !== 'string') throw new ValidationError(`Node ${node.uuid}: instance_info.configdrive must be a URL, a gzipped and base64-encoded ISO 9660 image, or a JSON object with meta_data, user_data, network_data and vendor_data.`, { code: 'CONFIG_DRIVE_INVALID' })
  if (!/^https?:\/\//.test(value)) checkEncodedIso(node, value)
  return true
}

/** The JSON form's keys and meta_data shape. */
function checkJsonDrive(node: NodeView, drive: Record<string, unknown>): void {
  const known = new Set(['meta_data', 'user_data', 'network_data', 'vendor_data'])
  const unknown = Object.keys(drive).filter((k) => !known.has(k))
  if (unknown.length > 0) throw new ValidationError(`Node ${node.uuid}: the config drive has unknown keys ${unknown.map((k) => `"${k}"`).join(', ')}; it takes meta_data, user_data, network_data and vendor_data.`, { code: 'CONFIG_DRIVE_INVALID' })
  if (typeof drive.meta_data !== 'object' && drive.meta_data !== undefined && drive.meta_data !== null) throw new ValidationError(`Node ${node.uuid}: the config drive's meta_data must be a JSON object.`, { code: 'CONFIG_DRIVE_INVALID' })
}

function checkEncodedIso(node: NodeView, value: string): void {
  const bad = (why: string) => new ValidationError(`Node ${node.uuid}: the config drive is not a gzipped, base64-encoded ISO 9660 image (${why}); give a URL, such an image (gzip -c drive.iso | base64 -w0), or a JSON object.`, { code: 'CONFIG_DRIVE_INVALID' })
  if (!/^[A-Za-z0-9+/=\s_-]+$/.test(value)) throw bad('it is not base64')
  const packed = Buffer.from(value, 'base64')
  let iso: Buffer
  try {
    iso = packed[0] === 0x1f && packed[1] === 0x8b ? gunzipSync(packed, { maxOutputLength: CONFIG_DRIVE_MAX_BYTES }) : packed
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooBig(node, 'more than')
    throw bad(`gunzip: ${(e as Error).message}`)
  }
  if (iso.length > CONFIG_DRIVE_MAX_BYTES) throw tooBig(node, `${iso.length} bytes,`)
  if (!isIso9660(iso)) throw bad('no ISO 9660 volume descriptor')
}

function tooBig(node: NodeView, size: string): ValidationError {
  return new ValidationError(`Node ${node.uuid}: the config drive is ${size} over the ${CONFIG_DRIVE_MAX_BYTES / 1048576} MiB limit of its partition; keep user_data small (fetch big payloads from the instance instead).`, { code: 'CONFIG_DRIVE_INVALID' })
}

/** Builds a config-2 ISO from the JSON form; returns it gzipped and base64-encoded. */
export async function buildConfigDrive(node: NodeView, drive: Record<string, unknown>): Promise<string> {
  checkJsonDrive(node, drive)
  const meta = { ...((drive.meta_data ?? {}) as Record<string, unknown>) }
  meta.uuid ??= node.uuid
  if (node.name) meta.name ??= node.name
  const userData = drive.user_data
  const dir = await mkdtemp(join(tmpdir(), 'ferrum-configdrive-'))
  try {
    const tree = join(dir, 'tree')
    for (const v of VERSIONS) {
      const sub = join(tree, 'openstack', v)
      await mkdir(sub, { recursive: true })
      await writeFile(join(sub, 'meta_data.json'), JSON.stringify(meta))
      if (userData !== undefined && userData !== null && userData !== '') await writeFile(join(sub, 'user_data'), typeof userData === 'string' ? userData : JSON.stringify(userData))
      if (drive.network_data) await writeFile(join(sub, 'network_data.json'), JSON.stringify(drive.network_data))
      if (drive.vendor_data) await writeFile(join(sub, 'vendor_data2.json'), JSON.stringify(drive.vendor_data))
    }
    const iso = join(dir, 'config-2.iso')
    await packIso(tree, iso)
    const bytes = await readFile(iso)
    if (bytes.length > CONFIG_DRIVE_MAX_BYTES) throw tooBig(node, `${bytes.length} bytes,`)
    return gzipSync(bytes).toString('base64')
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** The first ISO tool that is installed packs `tree` into `out`, volume label config-2. */
async function packIso(tree: string, out: string): Promise<void> {
  const args = ['-o', out, '-ldots', '-allow-lowercase', '-allow-multidot', '-l', '-publisher', 'ferrum', '-quiet', '-J', '-r', '-V', 'config-2', tree]
  for (const tool of ISO_TOOLS) {
    const r = await new Promise<{ missing: boolean; code: number | null; err: string }>((resolve) => {
      const p = spawn(tool, args, { stdio: ['ignore', 'ignore', 'pipe'] })
      let err = ''
      p.stderr.on('data', (d: Buffer) => (err += d.toString()))
      p.once('error', (e: NodeJS.ErrnoException) => resolve({ missing: e.code === 'ENOENT', code: null, err: e.message }))
      p.once('close', (code) => resolve({ missing: false, code, err }))
    })
    if (r.missing) continue
    if (r.code !== 0) throw new DriverError(`${tool} could not build the config drive: ${r.err.trim() || `exit code ${r.code}`}`, { code: 'CONFIG_DRIVE_INVALID' })
    return
  }
  throw new DriverError(`building a config drive from JSON needs genisoimage, mkisofs or xorrisofs on the conductor (Debian: apt install genisoimage)`, { code: 'CONFIG_DRIVE_INVALID' })
}
