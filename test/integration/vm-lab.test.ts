// The whole seed workflow on virtual machines (issue 11): `ferrum up --lab 2 --lab-network qemu`
// makes each lab node a QEMU VM (TCG) with a virtio NIC on a tap in the lab bridge and a virtio
// disk; the lab's IPMI and Redfish BMC emulators start and stop it. The VM's SeaBIOS and iPXE ROM
// PXE-boot through Ferrum's dnsmasq and boot server the deploy ramdisk that `ferrum ramdisk build`
// made (Debian's kernel, busybox, this machine's Node, the agent), whose agent inspects, cleans and
// writes the real /dev/vda; the VM then boots the written disk (its boot code prints a marker on
// the serial console). The Redfish node boots the ramdisk's ISO from virtual media instead. Driven
// with Debian's `openstack baremetal`. Two VMs at most, a few minutes in all.
// Skips (saying why) without root, /dev/net/tun or the QEMU packages, or with FERRUM_SKIP_VM=1
// (for a quick run of everything else).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot, startFerrum, type FerrumProcess } from '../helpers/ferrum-process.js'
import { baremetalJson, baremetalOk } from '../helpers/openstack-cli.js'
import { netnsUnavailable } from '../../src/lab/netns/lab-network.js'
import { qemuUnavailable } from '../../src/lab/qemu/qemu-vm.js'
import { VM_OS_MARKER, vmOsImage } from '../../src/lab/qemu/vm-os-image.js'
import { fileHead } from '../helpers/disk.js'

let skip: string | false = process.env.FERRUM_SKIP_VM === '1' ? 'FERRUM_SKIP_VM=1' : ((await netnsUnavailable()) ?? qemuUnavailable() ?? false)
if (!skip && !existsSync('/usr/bin/xorriso')) skip = 'xorriso is missing (apt-get install xorriso isolinux)'
if (skip) process.stdout.write(`# VM lab tests skipped: ${skip}\n`)

let server: FerrumProcess
let top: string
let dir: string
let ramdisk: string

interface NodeShow {
  name: string
  uuid: string
  provision_state: string
  reservation: string | null
  power_state: string | null
  last_error: string | null
  properties: Record<string, unknown>
}
const show = (n: string) => baremetalJson<NodeShow>(server.url, ['node', 'show', n])
async function settle(n: string, state: string, timeoutS = 400): Promise<NodeShow> {
  let last = await show(n)
  for (let i = 0; i < timeoutS && !(last.reservation === null && (last.provision_state === state || /fail/.test(last.provision_state))); i++) {
    await new Promise((r) => setTimeout(r, 1000))
    last = await show(n)
  }
  assert.equal(last.provision_state, state, `${n}: ${last.last_error ?? JSON.stringify(last)}`)
  return last
}
const serialOf = (n: string) => readFile(join(dir, 'lab', 'nodes', n, 'serial.log'), 'latin1')
const consoleOf = (n: string) => readFile(join(dir, 'lab', 'nodes', n, 'console.log'), 'utf8')
const count = (text: string, s: string) => text.split(s).length - 1

before(async () => {
  if (skip) return
  top = mkdtempSync(join(tmpdir(), 'ferrum-vm-'))
  ramdisk = join(top, 'ramdisk')
  dir = join(top, 'data')
  // The CLI a person runs; the kernel package comes from Debian's mirror (apt-get download).
  execFileSync(process.execPath, [join(repoRoot(), 'dist/src/bin/ferrum.js'), 'ramdisk', 'build', '--out', ramdisk, '--cache', join(top, 'kernel-cache')], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 300_000 })
  server = await startFerrum({
    dataDir: dir,
    args: ['--lab', '2', '--lab-kind', 'mixed', '--lab-network', 'qemu', '--ramdisk', ramdisk],
    startTimeoutMs: 120_000,
    // Short, so the failure case below fails in a test's time (a VM's ramdisk boots in 20–60 s under TCG).
    env: { FERRUM_CONDUCTOR__DEPLOY_CALLBACK_TIMEOUT_S: '120', FERRUM_CONDUCTOR__TIMEOUT_CHECK_INTERVAL_S: '2' },
  })
})
after(async () => {
  await server?.stop()
  if (top) rmSync(top, { recursive: true, force: true })
})

test('VM lab: an IPMI VM PXE-boots the ramdisk, is inspected, cleaned, deployed and boots its disk; a Redfish VM boots the ramdisk from virtual media; a ramdisk that never calls back fails with the boot stage', { skip, timeout: 1_400_000 }, async () => {
  // ferrum up took both through manage and provide: cleaning already booted each VM's ramdisk.
  await Promise.all(['lab-node-1', 'lab-node-2'].map((n) => settle(n, 'available')))
  const image = vmOsImage()

  const ipmi = async () => {
    const n = 'lab-node-1'
    await baremetalOk(server.url, ['node', 'manage', n])
    await settle(n, 'manageable')
    await baremetalOk(server.url, ['node', 'set', n, '--inspect-interface', 'agent'])
    await baremetalOk(server.url, ['node', 'inspect', n])
    const inspected = await settle(n, 'manageable')
    // The real VM's hardware, as the agent saw it from /sys and /proc inside the guest.
    const inv = await fetch(`${server.url}/v1/nodes/${n}/inventory`, { headers: { 'X-OpenStack-Ironic-API-Version': '1.81' } }).then((r) => r.json()) as { inventory: { disks: Array<{ name: string; size: number }>; interfaces: Array<{ mac_address: string }>; memory: { physical_mb: number } } }
    assert.ok(inv.inventory.disks.some((d) => d.name === '/dev/vda' && d.size === 512 * 1024 ** 2), JSON.stringify(inv.inventory.disks))
    assert.ok(inv.inventory.interfaces.some((i) => i.mac_address === '52:54:00:a0:00:01'), JSON.stringify(inv.inventory.interfaces))
    assert.equal(Number(inspected.properties.cpus), 1)
    // What the guest kernel reports for its 1024 MiB (less what firmware and kernel keep), not the lab's spec.
    const mem = Number(inspected.properties.memory_mb)
    assert.ok(mem > 512 && mem <= 1024, `memory_mb ${mem}`)
    await baremetalOk(server.url, ['node', 'provide', n])
    await settle(n, 'available')

    const bootsBefore = count(await serialOf(n), VM_OS_MARKER)
    await baremetalOk(server.url, ['node', 'deploy', n])
    const active = await settle(n, 'active')
    assert.equal(active.power_state, 'power on')
    const disk = await fileHead(join(dir, 'lab', 'nodes', n, 'disk0.raw'), image.length)
    assert.ok(disk.equals(image), `${n}: /dev/vda does not hold the image byte for byte`)
    // The VM booted the disk the agent wrote: its boot code's marker is on the serial console.
    let serial = await serialOf(n)
    for (let i = 0; i < 120 && count(serial, VM_OS_MARKER) === bootsBefore; i++) {
      await new Promise((r) => setTimeout(r, 1000))
      serial = await serialOf(n)
    }
    assert.equal(count(serial, VM_OS_MARKER), bootsBefore + 1, serial.slice(-2000))
    assert.match(serial, /ferrum-ramdisk: DHCP: 10\.[\d.]+ on eth0/)
    assert.match(serial, /http:\/\/10\.[\d.]+:\d+\/boot\/deploy\/initrd\.\.\./)

    await baremetalOk(server.url, ['node', 'undeploy', n])
    await settle(n, 'available')
    const wiped = await fileHead(join(dir, 'lab', 'nodes', n, 'disk0.raw'), 512)
    assert.ok(wiped.equals(Buffer.alloc(512)), 'cleaning left the boot sector')
  }

  const redfish = async () => {
    const n = 'lab-node-2'
    // Undeploy clears instance_info (as Ironic's does): keep what the lab set, for the redeploy below.
    const { instance_info: instanceInfo } = await baremetalJson<{ instance_info: Record<string, string> }>(server.url, ['node', 'show', n, '--fields', 'instance_info'])
    await baremetalOk(server.url, ['node', 'set', n, '--boot-interface', 'redfish-virtual-media', '--driver-info', `redfish_deploy_iso=${join(ramdisk, 'deploy.iso')}`])
    await baremetalOk(server.url, ['node', 'deploy', n])
    await settle(n, 'active')
    const disk = await fileHead(join(dir, 'lab', 'nodes', n, 'disk0.raw'), image.length)
    assert.ok(disk.equals(image), `${n}: /dev/vda does not hold the image byte for byte`)
    const log = await consoleOf(n)
    assert.match(log, /virtual media inserted: http:\/\/.*deploy\.iso/)
    assert.match(log, /booting from cdrom/)
    let serial = await serialOf(n)
    for (let i = 0; i < 120 && !serial.includes(VM_OS_MARKER); i++) {
      await new Promise((r) => setTimeout(r, 1000))
      serial = await serialOf(n)
    }
    assert.ok(serial.includes(VM_OS_MARKER), serial.slice(-2000))
    // The ISO carries no API URL: the agent found it in DHCP option 224.
    assert.match(serial, /agent starting \(API http:\/\/10\.[\d.]+:\d+\)/)
    await baremetalOk(server.url, ['node', 'undeploy', n])
    await settle(n, 'available')

    // A ramdisk that never calls back: iPXE gets the kernel, but the initrd is not published.
    await baremetalOk(server.url, ['node', 'set', n, '--boot-interface', 'ipxe', '--driver-info', 'deploy_ramdisk=deploy/missing-initrd',
      ...Object.entries(instanceInfo).flatMap(([k, v]) => ['--instance-info', `${k}=${v}`])])
    await baremetalOk(server.url, ['node', 'deploy', n])
    const failed = await settle(n, 'deploy failed', 400)
    assert.match(String(failed.last_error), /Timeout reached while waiting for callback/)
    assert.match(String(failed.last_error), /last boot stage seen: kernel .*not seen: ramdisk \(\/boot\/deploy\/missing-initrd answered 404/)
  }

  await Promise.all([ipmi(), redfish()])
})
