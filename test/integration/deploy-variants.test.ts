// Deploy variants on a lab node behind IPMI, through the openstack client: the `ramdisk` deploy
// interface (the instance is a kernel and initrd the node network-boots on every power-on; nothing
// is written to its disk; undeploy cleans through the agent and removes the instance's boot
// scripts), and a partition image (the agent partitions the disk, writes the root partition,
// installs the boot loader; with a config drive).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { open, readFile, writeFile } from 'node:fs/promises'
import { createHash, randomBytes } from 'node:crypto'
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFerrum, type FerrumProcess } from '../helpers/ferrum-process.js'
import { baremetalJson, baremetalOk } from '../helpers/openstack-cli.js'
import { fileHead } from '../helpers/disk.js'

const run = promisify(execFile)
let server: FerrumProcess
let dir: string

interface NodeShow {
  uuid: string
  provision_state: string
  power_state: string | null
  reservation: string | null
  last_error: string | null
  deploy_interface: string
  driver_internal_info: Record<string, unknown>
}

const show = (n: string) => baremetalJson<NodeShow>(server.url, ['node', 'show', n])
async function settled(n: string): Promise<NodeShow> {
  for (let i = 0; i < 600; i++) {
    const s = await show(n)
    if (s.reservation === null && !['deploying', 'wait call-back', 'cleaning', 'clean wait', 'deleting'].includes(s.provision_state)) return s
    await new Promise((r) => setTimeout(r, 250))
  }
  assert.fail(`${n} did not settle`)
}
const consoleLog = (n: string) => readFile(join(dir, 'lab', 'nodes', n, 'console.log'), 'utf8')

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ferrum-ramdisk-deploy-'))
  server = await startFerrum({ dataDir: dir, args: ['--lab', '1', '--lab-kind', 'ipmi'], startTimeoutMs: 60_000 })
})
after(async () => {
  await server?.stop()
  rmSync(dir, { recursive: true, force: true })
})

test('deploy_interface ramdisk: the node boots the instance kernel and initrd from the network, its disk untouched; undeploy cleans', { timeout: 300_000 }, async () => {
  const name = 'lab-node-1'
  let n = await settled(name)
  assert.equal(n.provision_state, 'available', n.last_error ?? '')
  // The instance: a kernel and an initrd whose first MiB carries the lab OS marker.
  const images = join(dir, 'httpboot', 'images')
  await writeFile(join(images, 'rd-kernel'), Buffer.alloc(4096, 0x4b))
  await writeFile(join(images, 'rd-initrd'), Buffer.concat([Buffer.alloc(8192), Buffer.from('FERRUM-LAB-OS ramdisk-os 1.0\n')]))
  const base = `${server.url}/boot/images`
  await baremetalOk(server.url, ['node', 'set', name, '--deploy-interface', 'ramdisk', '--instance-info', `kernel=${base}/rd-kernel`, '--instance-info', `ramdisk=${base}/rd-initrd`, '--instance-info', 'ramdisk_kernel_arguments=console=ttyS0 ro'])
  await baremetalOk(server.url, ['node', 'deploy', name])
  n = await settled(name)
  assert.equal(n.provision_state, 'active', n.last_error ?? '')
  assert.equal(n.power_state, 'power on')
  let log = await consoleLog(name)
  assert.match(log.slice(log.lastIndexOf('PXE: ')), /kernel http:\/\/\S+\/boot\/images\/rd-kernel[\s\S]*booted from the network: ramdisk-os 1\.0 \(ramdisk instance, kernel http:\/\/\S+rd-kernel\)/)
  // The instance's iPXE script has its kernel line and arguments.
  const script = await readFile(join(dir, 'httpboot', n.uuid, 'boot.ipxe'), 'utf8')
  assert.match(script, /^kernel http:\/\/\S+\/rd-kernel initrd=instance_ramdisk console=ttyS0 ro$/m)
  assert.match(script, /^initrd --name instance_ramdisk http:\/\/\S+\/rd-initrd$/m)
  // Nothing was written: the disk is as cleaning left it.
  assert.ok((await fileHead(join(dir, 'lab', 'nodes', name, 'disk0.raw'), 1024 * 1024)).every((b) => b === 0))

  // Persistent network boot: a reboot comes back into the ramdisk instance.
  await baremetalOk(server.url, ['node', 'reboot', name])
  await new Promise((r) => setTimeout(r, 1000))
  for (let i = 0; i < 100; i++) {
    log = await consoleLog(name)
    if ((log.match(/booted from the network: ramdisk-os/g) ?? []).length >= 2) break
    await new Promise((r) => setTimeout(r, 200))
  }
  assert.ok((log.match(/booted from the network: ramdisk-os/g) ?? []).length >= 2, log)

  // Undeploy: cleaned by the agent (the deploy ramdisk), the instance's scripts gone.
  await baremetalOk(server.url, ['node', 'undeploy', name])
  n = await settled(name)
  assert.equal(n.provision_state, 'available', n.last_error ?? '')
  const cfg = join(dir, 'httpboot', 'pxelinux.cfg')
  assert.deepEqual(existsSync(cfg) ? readdirSync(cfg) : [], [])
  assert.equal(existsSync(join(dir, 'httpboot', n.uuid)), false)
  log = await consoleLog(name)
  assert.match(log.slice(log.lastIndexOf('booted from the network')), /ferrum-agent: found node/)

  // Without its kernel URL the deploy fails naming the field.
  await baremetalOk(server.url, ['node', 'deploy', name])
  n = await settled(name)
  assert.equal(n.provision_state, 'deploy failed')
  assert.match(n.last_error ?? '', /needs instance_info\.kernel as an http\(s\):\/\/ URL .*or instance_info\.boot_iso with a virtual media boot interface/)

  // An ISO instance needs a boot interface that can mount it; pxe cannot, and says what to use.
  await baremetalOk(server.url, ['node', 'undeploy', name])
  assert.equal((await settled(name)).provision_state, 'available')
  await baremetalOk(server.url, ['node', 'set', name, '--instance-info', `boot_iso=${base}/rd-kernel`])
  await baremetalOk(server.url, ['node', 'deploy', name])
  n = await settled(name)
  assert.equal(n.provision_state, 'deploy failed')
  assert.match(n.last_error ?? '', /deploys an ISO \(instance_info\.boot_iso\) with the ramdisk interface, which its pxe boot interface cannot mount; use a virtual media boot interface \(redfish-virtual-media\)/)
})

test('a partition image: the agent partitions the disk (EFI, swap, root), writes the root partition, installs the boot loader, adds the config drive', { timeout: 300_000 }, async () => {
  const name = 'lab-node-1'
  // lab-node-1 ended in "deploy failed" (the ramdisk deploy without a kernel): undeploy cleans it.
  await baremetalOk(server.url, ['node', 'undeploy', name])
  let n = await settled(name)
  assert.equal(n.provision_state, 'available', n.last_error ?? '')
  // A "root filesystem" image: the lab OS marker at its start, random data after it.
  const image = Buffer.concat([Buffer.from('FERRUM-LAB-OS part-os 2.0\n'), randomBytes(8 * 1024 * 1024)])
  const path = join(dir, 'httpboot', 'images', 'root.img')
  await writeFile(path, image)
  const sha = createHash('sha256').update(image).digest('hex')
  await baremetalOk(server.url, ['node', 'set', name, '--deploy-interface', 'direct', '--instance-info', `image_source=${server.url}/boot/images/root.img`,
    '--instance-info', 'image_type=partition', '--instance-info', 'root_gb=1', '--instance-info', 'swap_mb=64', '--instance-info', 'ephemeral_gb=1',
    '--instance-info', 'image_os_hash_algo=sha256', '--instance-info', `image_os_hash_value=${sha}`])
  await baremetalOk(server.url, ['node', 'deploy', name, '--config-drive', JSON.stringify({ meta_data: { hostname: 'part-1' } })])
  n = await settled(name)
  assert.equal(n.provision_state, 'active', n.last_error ?? '')

  const disk = join(dir, 'lab', 'nodes', name, 'disk0.raw')
  const table = JSON.parse((await run('sfdisk', ['--json', disk])).stdout) as { partitiontable: { label: string; partitions: { start: number; size: number; type: string; uuid: string; name?: string }[] } }
  assert.equal(table.partitiontable.label, 'gpt', 'UEFI: GPT')
  const p = table.partitiontable.partitions
  // IPA's order: EFI, ephemeral, swap, root last; the config drive at the end of the disk.
  assert.deepEqual(p.map((x) => x.type), ['C12A7328-F81F-11D2-BA4B-00A0C93EC93B', '0FC63DAF-8483-4772-8E79-3D69D8477DE4', '0657FD6D-A4AB-43C4-84E5-0933C84B4F4F', '0FC63DAF-8483-4772-8E79-3D69D8477DE4', '0FC63DAF-8483-4772-8E79-3D69D8477DE4'])
  assert.deepEqual(p.map((x) => x.name), ['efi-part', 'ephemeral-part', 'swap-part', 'root-part', 'config-2'])
  assert.equal(p[1].size, 1024 * 2048, 'ephemeral_gb 1')
  assert.equal(p[2].size, 64 * 2048, 'swap_mb 64')
  assert.equal(p[3].size, 1024 * 2048, 'root_gb 1')
  // The ephemeral partition holds an ext4 file system labelled ephemeral0 (util-linux's blkid reads it).
  const fs = (await run('blkid', ['-p', '-o', 'export', '-O', String(p[1].start * 512), disk])).stdout
  assert.match(fs, /^TYPE=ext4$/m)
  assert.match(fs, /^LABEL=ephemeral0$/m)
  // The root partition holds the image, byte for byte.
  const fh = await open(disk, 'r')
  const root = Buffer.alloc(image.length)
  await fh.read(root, 0, root.length, p[3].start * 512)
  await fh.close()
  assert.equal(createHash('sha256').update(root).digest('hex'), sha)
  assert.equal(String(n.driver_internal_info.root_uuid_or_disk_id).toLowerCase(), p[3].uuid.toLowerCase())
  assert.equal(n.driver_internal_info.is_whole_disk_image, false)
  const log = await consoleLog(name)
  const last = log.slice(log.lastIndexOf('ferrum-agent: found node'))
  assert.match(last, /partitioned \/dev\/vda \(gpt\): root partition 4, EFI 1, swap 3, ephemeral 2 \(file system labelled ephemeral0\)/)
  assert.match(last, /install_bootloader: installed the boot loader of part-os 2\.0 from partition 4 on \/dev\/vda/)
  assert.match(last, /wrote the config drive \(\d+ bytes\) to \/dev\/vda partition 5/)
  assert.match(log.slice(log.lastIndexOf('install_bootloader')), /booted from disk: part-os 2\.0 \(GPT, disk0\)/)

  // Without root_gb the deploy is refused before anything boots.
  await baremetalOk(server.url, ['node', 'undeploy', name])
  await settled(name)
  await baremetalOk(server.url, ['node', 'set', name, '--instance-info', `image_source=${server.url}/boot/images/root.img`, '--instance-info', 'image_type=partition'])
  await baremetalOk(server.url, ['node', 'deploy', name])
  n = await settled(name)
  assert.equal(n.provision_state, 'deploy failed')
  assert.match(n.last_error ?? '', /needs instance_info\.root_gb, the root partition size in GiB/)
  // An ephemeral file system the agent cannot make is refused naming the ones it can.
  await baremetalOk(server.url, ['node', 'undeploy', name])
  await settled(name)
  await baremetalOk(server.url, ['node', 'set', name, '--instance-info', `image_source=${server.url}/boot/images/root.img`, '--instance-info', 'image_type=partition', '--instance-info', 'root_gb=1', '--instance-info', 'ephemeral_gb=1', '--instance-info', 'ephemeral_format=ntfs'])
  await baremetalOk(server.url, ['node', 'deploy', name])
  n = await settled(name)
  assert.equal(n.provision_state, 'deploy failed')
  assert.match(n.last_error ?? '', /instance_info\.ephemeral_format "ntfs" is not one the agent makes; use ext4, ext3, ext2/)
})
