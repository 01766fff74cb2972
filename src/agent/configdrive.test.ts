// Config drives end to end on disk files: the conductor builds the ISO (genisoimage), the agent
// adds the config-2 partition after a whole-disk image (sfdisk) and writes the ISO there;
// isoinfo reads it back.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { open, readFile, truncate, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'
import { buildConfigDrive, configDriveParam } from '../drivers/agent/configdrive.js'
import type { NodeView } from '../drivers/node-view.js'
import { configDriveBytes, writeConfigDrive } from './configdrive.js'
import { FerrumError } from '../domain/errors.js'

const run = promisify(execFile)
const MiB = 1024 * 1024
let dir: string
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'ferrum-configdrive-'))
})
after(() => rmSync(dir, { recursive: true, force: true }))

const nodeWith = (configdrive: unknown): NodeView => ({ uuid: '1be26c0b-03f2-4d2e-ae87-c02d7f33c123', name: 'web-1', instanceInfo: { configdrive } }) as unknown as NodeView

/** A disk file holding a whole-disk image of `imageMiB` with one partition, on a disk of `diskMiB`. */
async function imageOnDisk(name: string, label: 'gpt' | 'dos', imageMiB: number, diskMiB: number): Promise<string> {
  const path = join(dir, name)
  await writeFile(path, '')
  await truncate(path, imageMiB * MiB)
  await run('bash', ['-c', `printf 'label: %s\\nstart=2048, size=%d\\n' ${label} ${(imageMiB - 4) * 2048} | sfdisk --no-reread --no-tell-kernel --quiet ${path}`])
  await truncate(path, diskMiB * MiB)
  return path
}

async function isoFile(disk: string, startBytes: number, bytes: number, name: string): Promise<string> {
  const fh = await open(disk, 'r')
  const buf = Buffer.alloc(bytes)
  await fh.read(buf, 0, bytes, startBytes)
  await fh.close()
  const out = join(dir, name)
  await writeFile(out, buf)
  return out
}

test('a JSON config drive becomes a config-2 partition at the end of a GPT disk that isoinfo reads', async () => {
  const encoded = await buildConfigDrive(nodeWith(null), { meta_data: { hostname: 'web-1.example', public_keys: { k: 'ssh-ed25519 AAAA test' } }, user_data: '#cloud-config\npackages: [htop]\n', network_data: { links: [], networks: [], services: [] } })
  const iso = await configDriveBytes(encoded, new AbortController().signal)
  const disk = await imageOnDisk('gpt.img', 'gpt', 64, 512)
  const r = await writeConfigDrive(disk, 512 * MiB, iso)
  assert.equal(r.created, true)
  assert.equal(r.partition, 2)
  assert.equal(r.startBytes, 448 * MiB - 1 * MiB, 'the last 64 MiB, aligned to 1 MiB, before the backup GPT')
  const table = JSON.parse((await run('sfdisk', ['--json', disk])).stdout) as { partitiontable: { lastlba: number; partitions: { start: number; size: number; name?: string }[] } }
  assert.equal(table.partitiontable.lastlba, 512 * 2048 - 34, 'the backup GPT moved to the end of the disk')
  const cd = table.partitiontable.partitions[1]
  assert.equal(cd.name, 'config-2')
  assert.equal(cd.start * 512, r.startBytes)
  assert.equal((await run('sfdisk', ['--verify', disk])).stdout.includes('No errors detected'), true)
  const out = await isoFile(disk, r.startBytes, r.bytes, 'gpt.iso')
  assert.match((await run('isoinfo', ['-d', '-i', out])).stdout, /Volume id: config-2/)
  const meta = JSON.parse((await run('isoinfo', ['-R', '-i', out, '-x', '/openstack/latest/meta_data.json'])).stdout)
  assert.deepEqual(meta, { hostname: 'web-1.example', public_keys: { k: 'ssh-ed25519 AAAA test' }, uuid: '1be26c0b-03f2-4d2e-ae87-c02d7f33c123', name: 'web-1' })
  assert.equal((await run('isoinfo', ['-R', '-i', out, '-x', '/openstack/2012-08-10/user_data'])).stdout, '#cloud-config\npackages: [htop]\n')
  assert.ok(JSON.parse((await run('isoinfo', ['-R', '-i', out, '-x', '/openstack/latest/network_data.json'])).stdout).links)
  // A second write (rebuild) reuses the partition.
  const again = await writeConfigDrive(disk, 512 * MiB, iso)
  assert.deepEqual({ ...again, created: false }, again)
  assert.equal(again.startBytes, r.startBytes)
})

test('an MBR image gets a primary partition; a raw blob or a full disk is refused with the reason', async () => {
  const iso = await configDriveBytes(await buildConfigDrive(nodeWith(null), {}), new AbortController().signal)
  const disk = await imageOnDisk('mbr.img', 'dos', 32, 256)
  const r = await writeConfigDrive(disk, 256 * MiB, iso)
  assert.equal(r.partition, 2)
  const table = JSON.parse((await run('sfdisk', ['--json', disk])).stdout) as { partitiontable: { partitions: { start: number; type: string }[] } }
  assert.equal(table.partitiontable.partitions[1].type, '83')
  assert.match((await run('isoinfo', ['-d', '-i', await isoFile(disk, r.startBytes, r.bytes, 'mbr.iso')])).stdout, /Volume id: config-2/)

  const blank = join(dir, 'blank.img')
  await writeFile(blank, '')
  await truncate(blank, 128 * MiB)
  await assert.rejects(writeConfigDrive(blank, 128 * MiB, iso), /has no partition table to add the config drive to/)
  const full = await imageOnDisk('full.img', 'gpt', 100, 100)
  await assert.rejects(writeConfigDrive(full, 100 * MiB, iso), /no room for the 64 MiB config drive partition/)
})

test('config drive checks: not base64, not an ISO, over 64 MiB, unknown keys', async () => {
  const code = (re: RegExp) => (e: unknown) => e instanceof FerrumError && e.code === 'CONFIG_DRIVE_INVALID' && re.test(e.message)
  await assert.rejects(configDriveParam(nodeWith('this is not !! base64')), code(/not base64/))
  await assert.rejects(configDriveParam(nodeWith(gzipSync(Buffer.from('hello')).toString('base64'))), code(/no ISO 9660 volume descriptor/))
  await assert.rejects(configDriveParam(nodeWith(gzipSync(Buffer.alloc(65 * MiB)).toString('base64'))), code(/over the 64 MiB limit/))
  await assert.rejects(configDriveParam(nodeWith({ meta_data: {}, userdata: 'x' })), code(/unknown keys "userdata"/))
  assert.equal(await configDriveParam(nodeWith('http://10.0.0.1/cd.iso.gz')), 'http://10.0.0.1/cd.iso.gz')
  assert.equal(await configDriveParam(nodeWith(undefined)), null)
  const built = await configDriveParam(nodeWith({ meta_data: { hostname: 'x' } }))
  assert.equal(await configDriveParam(nodeWith(built)), built, 'a built drive passes the string check')
  await assert.rejects(configDriveBytes(gzipSync(Buffer.alloc(65 * MiB)).toString('base64'), new AbortController().signal), /over the 64 MiB limit/)
  const raw = await readFile(join(dir, 'gpt.iso'))
  assert.equal((await configDriveBytes(raw.toString('base64'), new AbortController().signal)).length, raw.length, 'plain base64 (not gzipped) is taken too')
})
