// Network boot for real (issue 11): `ferrum up --lab 2 --lab-network netns` puts each emulated
// node in its own network namespace on a bridge and runs Ferrum's own dnsmasq on it. A node that
// powers on PXE-boots from its namespace as firmware does — DHCP (busybox udhcpc) → iPXE over
// TFTP → DHCP again as iPXE → the chain script, the node's script, kernel and initrd over HTTP —
// and then runs the agent there, which reaches the API through the bridge. Driven with Debian's
// `openstack baremetal`; checked on the disks' bytes, the nodes' consoles, dnsmasq's log and the
// host entries. Needs root, dnsmasq-base, busybox-static and ipxe; skips (saying why) without.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { readFile, readdir } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFerrum, type FerrumProcess } from '../helpers/ferrum-process.js'
import { baremetalJson, baremetalOk } from '../helpers/openstack-cli.js'
import { netnsUnavailable } from '../../src/lab/netns/lab-network.js'
import { IPXE_DIR, BOOT_LOADERS } from '../../src/netboot/dnsmasq.js'
import { existsSync } from 'node:fs'
import { fileHead } from '../helpers/disk.js'

let skip: string | false = (await netnsUnavailable()) ?? false
if (!skip && !existsSync(join(IPXE_DIR, BOOT_LOADERS.uefi))) skip = `${IPXE_DIR} has no iPXE boot files (apt-get install ipxe)`
if (skip) process.stdout.write(`# netboot tests skipped: ${skip}\n`)

let server: FerrumProcess
let dir: string

interface NodeShow {
  name: string
  uuid: string
  provision_state: string
  reservation: string | null
  power_state: string | null
  last_error: string | null
  boot_interface: string
  driver: string
  properties: Record<string, unknown>
}
const show = (n: string) => baremetalJson<NodeShow>(server.url, ['node', 'show', n])
async function settle(n: string, state: string): Promise<NodeShow> {
  let last = await show(n)
  for (let i = 0; i < 600 && !(last.reservation === null && (last.provision_state === state || /fail/.test(last.provision_state))); i++) {
    await new Promise((r) => setTimeout(r, 200))
    last = await show(n)
  }
  assert.equal(last.provision_state, state, `${n}: ${last.last_error ?? JSON.stringify(last)}`)
  return last
}
const consoleOf = (n: string) => readFile(join(dir, 'lab', 'nodes', n, 'console.log'), 'utf8')
async function hostEntries(): Promise<string> {
  const hosts = join(dir, 'dhcp', 'hosts')
  const names = (await readdir(hosts)).filter((f) => !f.startsWith('.')).sort()
  return (await Promise.all(names.map((f) => readFile(join(hosts, f), 'utf8')))).join('')
}
const names = ['lab-node-1', 'lab-node-2']

before(async () => {
  if (skip) return
  dir = mkdtempSync(join(tmpdir(), 'ferrum-netboot-'))
  server = await startFerrum({ dataDir: dir, args: ['--lab', '2', '--lab-kind', 'mixed', '--lab-network', 'netns'], startTimeoutMs: 90_000 })
})
after(async () => {
  await server?.stop()
  if (dir) rmSync(dir, { recursive: true, force: true })
})

test('netns lab: an IPMI and a Redfish node inspect, deploy and undeploy through real DHCP, TFTP and HTTP', { skip, timeout: 600_000 }, async () => {
  // ferrum up took both through manage and provide: cleaning already booted them over the network.
  const ready = await Promise.all(names.map((n) => settle(n, 'available')))
  assert.deepEqual(ready.map((n) => n.driver).sort(), ['ipmi', 'redfish'])
  for (const n of ready) assert.equal(n.boot_interface, 'ipxe')

  // In-band inspection from the network-booted agent.
  for (const n of names) {
    await baremetalOk(server.url, ['node', 'manage', n])
    await settle(n, 'manageable')
    await baremetalOk(server.url, ['node', 'set', n, '--inspect-interface', 'agent'])
    await baremetalOk(server.url, ['node', 'inspect', n])
  }
  for (const n of names) {
    const inspected = await settle(n, 'manageable')
    assert.equal(Number(inspected.properties.cpus), 4, JSON.stringify(inspected.properties))
    await baremetalOk(server.url, ['node', 'provide', n])
  }
  await Promise.all(names.map((n) => settle(n, 'available')))

  await Promise.all(names.map((n) => baremetalOk(server.url, ['node', 'deploy', n])))
  const image = await readFile(join(dir, 'httpboot', 'images', 'lab-os.img'))
  for (const n of names) {
    const active = await settle(n, 'active')
    assert.equal(active.power_state, 'power on')
    const disk = await fileHead(join(dir, 'lab', 'nodes', n, 'disk0.raw'), image.length)
    assert.ok(disk.equals(image), `${n}: the disk does not hold the image byte for byte`)
    const log = await consoleOf(n)
    // Every stage of a network boot, as the node saw it.
    assert.match(log, /PXE 52:54:00:a0:00:0\d: DHCP lease 10\.\d+\.\d+\.\d+ from 10\.\d+\.\d+\.1, boot file "snponly\.efi"/)
    assert.match(log, /TFTP snponly\.efi: \d+ bytes; starting iPXE/)
    assert.match(log, /iPXE 52:54:00:a0:00:0\d: script http:\/\/10\.[\d.]+:\d+\/boot\/pxelinux\.cfg\/01-52-54-00-a0-00-0\d/)
    assert.match(log, /kernel http:\/\/10\.[\d.]+:\d+\/boot\/deploy\/kernel .*booting/)
    assert.match(log, /booted from disk|booting from disk/)
  }
  // The boot-stage diagnostics saw the deploy's boot, stage by stage, from dnsmasq's and the boot server's logs.
  const seen = await fetch(`${server.url}/v1/nodes/lab-node-2/ferrum/boot-stages`, { headers: { 'X-OpenStack-Ironic-API-Version': '1.78' } }).then((r) => r.json()) as { stages: Array<{ stage: string; seen: boolean; detail: string }> }
  assert.deepEqual(seen.stages.filter((x) => x.seen).map((x) => x.stage), ['dhcp', 'boot file', 'ipxe script', 'kernel', 'ramdisk'], JSON.stringify(seen))
  assert.match(seen.stages[2].detail, /\/boot\/pxelinux\.cfg\/01-52-54-00-a0-00-02 fetched by 10\./)

  // The nodes left the boot flow: their entries answer nothing now.
  const entries = await hostEntries()
  assert.match(entries, /52:54:00:a0:00:01,ignore/)
  assert.match(entries, /52:54:00:a0:00:02,ignore/)
  assert.doesNotMatch(entries, /set:ferrum/)
  const dhcpLog = await readFile(join(dir, 'dhcp', 'dnsmasq.log'), 'utf8')
  assert.match(dhcpLog, /DHCPACK\(fl[0-9a-f]{4}br\) 10\.[\d.]+ 52:54:00:a0:00:01/)
  assert.match(dhcpLog, /user class: iPXE/)

  // A node out of the boot flow that PXE-boots anyway gets no answer from Ferrum's DHCP.
  const before = (await consoleOf('lab-node-1')).length
  await baremetalOk(server.url, ['node', 'undeploy', 'lab-node-1'])
  await settle('lab-node-1', 'available')
  await baremetalOk(server.url, ['node', 'boot', 'device', 'set', 'lab-node-1', 'pxe'])
  await baremetalOk(server.url, ['node', 'power', 'on', 'lab-node-1'])
  let tail = ''
  for (let i = 0; i < 100 && !/no DHCP answer for 52:54:00:a0:00:01/.test(tail); i++) {
    await new Promise((r) => setTimeout(r, 200))
    tail = (await consoleOf('lab-node-1')).slice(before)
  }
  // Undeploy cleaned through the network (an answer), the manual boot after it got none.
  assert.match(tail, /DHCP lease/)
  assert.match(tail.slice(tail.lastIndexOf('power on')), /no DHCP answer for 52:54:00:a0:00:01/)

  // The boot-stage diagnostics say where that boot stopped, from dnsmasq's log: at DHCP, ignored.
  const stages = await fetch(`${server.url}/v1/nodes/lab-node-1/ferrum/boot-stages`, { headers: { 'X-OpenStack-Ironic-API-Version': '1.78' } }).then((r) => r.json()) as { stopped_at: string; stages: Array<{ stage: string; seen: boolean; detail: string }> }
  assert.equal(stages.stopped_at, 'dhcp', JSON.stringify(stages))
  assert.match(stages.stages[0].detail, /ignored: the MAC has no host entry/)
})
