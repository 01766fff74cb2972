// The redfish and idrac hardware types end to end: `ferrum up` (the compiled build: run
// `npm run build` first) drives lab Redfish BMCs in this process — a generic one over HTTP and an
// iDRAC-personality one over HTTPS with a self-signed certificate — and Ironic's own client does
// what an operator would: enroll, manage (verify against the BMC), power, boot device, validate,
// a wrong password, and a (fake) deploy whose virtual media ISO is a local file that Ferrum serves
// to the BMC from its own HTTP boot server (GET /boot/…). Each change is checked on the lab machine.
import assert from 'node:assert/strict'
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { after, before, test } from 'node:test'
import { type RedfishLab, startRedfishLab } from '../helpers/redfish-test-kit.js'
import { startFerrum, type FerrumProcess } from '../helpers/ferrum-process.js'
import { baremetal, baremetalJson, baremetalOk } from '../helpers/openstack-cli.js'

type NodeShow = {
  uuid: string
  provision_state: string
  target_provision_state: string | null
  power_state: string | null
  last_error: string | null
  reservation: string | null
}

let ferrum: FerrumProcess
let lab: RedfishLab
let idrac: RedfishLab
let dataDir: string
let deployIso: string
let instanceIso: string
let url: string

function isoImage(label: string): Buffer {
  const image = Buffer.alloc(40 * 1024, 0)
  image.write('CD001', 0x8001, 'ascii')
  image.write(label, 0x8028, 'ascii')
  return image
}

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ferrum-redfish-cli-'))
  deployIso = join(dataDir, 'deploy.iso')
  instanceIso = join(dataDir, 'instance.iso')
  writeFileSync(deployIso, isoImage('FERRUM-DEPLOY'))
  writeFileSync(instanceIso, isoImage('FERRUM-INSTANCE'))
  lab = await startRedfishLab('generic')
  idrac = await startRedfishLab('idrac', { tls: true })
  ferrum = await startFerrum({ dataDir: join(dataDir, 'ferrum') })
  url = ferrum.url
})

after(async () => {
  await ferrum?.stop()
  await lab?.stop()
  await idrac?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

async function show(node: string): Promise<NodeShow> {
  return baremetalJson<NodeShow>(url, ['node', 'show', node])
}

/** Polls `node show` (no timing assertions: a bounded number of polls only guards against hanging). */
async function waitUntil(node: string, what: string, pred: (n: NodeShow) => boolean): Promise<NodeShow> {
  let last = await show(node)
  for (let i = 0; i < 300 && !pred(last); i++) {
    await sleep(200)
    last = await show(node)
  }
  if (!pred(last)) assert.fail(`node ${node}: ${what} not reached; last ${JSON.stringify(last)}`)
  return last
}

/** Settled: no target state, no lock. */
const settled = (n: NodeShow): boolean => n.target_provision_state === null && n.reservation === null

function createArgs(driver: 'redfish' | 'idrac', name: string, bmc: RedfishLab, password: string, extra: string[] = []): string[] {
  return [
    'node', 'create', '--driver', driver, '--name', name,
    '--driver-info', `redfish_address=${bmc.url}`,
    '--driver-info', 'redfish_username=admin',
    '--driver-info', `redfish_password=${password}`,
    '--driver-info', 'redfish_verify_ca=False',
    '--driver-info', `redfish_deploy_iso=${deployIso}`,
    ...extra,
  ]
}

/** create → manage → power on → boot device pxe (persistent) → power off → validate, checked on the machine. */
async function operate(name: string, bmc: RedfishLab): Promise<void> {
  await baremetalOk(url, ['node', 'manage', name])
  const managed = await waitUntil(name, 'manageable', (n) => n.provision_state === 'manageable' && settled(n))
  assert.equal(managed.power_state, 'power off', 'verify read the BMC')
  assert.equal(managed.last_error, null)

  await baremetalOk(url, ['node', 'power', 'on', name])
  await waitUntil(name, 'power on', (n) => n.power_state === 'power on' && n.reservation === null)
  assert.equal(bmc.machine.powerState(), 'on')

  await baremetalOk(url, ['node', 'boot', 'device', 'set', name, 'pxe', '--persistent'])
  assert.deepEqual(bmc.machine.bootSetting(), { device: 'pxe', persistent: true, mode: 'uefi' })
  const dev = await baremetalJson<{ boot_device: string; persistent: boolean }>(url, ['node', 'boot', 'device', 'show', name])
  assert.deepEqual(dev, { boot_device: 'pxe', persistent: true })

  await baremetalOk(url, ['node', 'power', 'off', name])
  await waitUntil(name, 'power off', (n) => n.power_state === 'power off' && n.reservation === null)
  assert.equal(bmc.machine.powerState(), 'off')

  const validation = await baremetalJson<{ Interface: string; Result: boolean; Reason: string | null }[]>(url, ['node', 'validate', name])
  const byKind = Object.fromEntries(validation.map((v) => [v.Interface, v]))
  for (const kind of ['power', 'management', 'boot', 'deploy', 'bios', 'inspect']) assert.equal(byKind[kind]?.Result, true, `${kind}: ${byKind[kind]?.Reason}`)
}

test('openstack baremetal: a redfish node is verified by its BMC and its power and boot device follow the CLI', async () => {
  const created = await baremetalJson<{ uuid: string; provision_state: string; power_interface: string; boot_interface: string }>(url, createArgs('redfish', 'rf-1', lab, 'lab-secret'))
  assert.equal(created.provision_state, 'enroll')
  assert.equal(created.power_interface, 'redfish')
  // As in Ironic, network boot is the default and virtual media is chosen explicitly.
  assert.equal(created.boot_interface, 'ipxe') // Ironic's default for these types too
  await operate('rf-1', lab)
})

test('openstack baremetal: an idrac node behind an HTTPS iDRAC (redfish_verify_ca=False) is managed the same way', async () => {
  assert.match(idrac.url, /^https:/)
  const created = await baremetalJson<{ provision_state: string; power_interface: string; management_interface: string; boot_interface: string }>(url, createArgs('idrac', 'idrac-1', idrac, 'lab-secret'))
  assert.equal(created.provision_state, 'enroll')
  assert.equal(created.power_interface, 'idrac-redfish')
  assert.equal(created.management_interface, 'idrac-redfish')
  assert.equal(created.boot_interface, 'ipxe') // Ironic's default for these types too
  await operate('idrac-1', idrac)
})

test('openstack baremetal: a wrong BMC password sends the node back to enroll saying so', async () => {
  await baremetalJson(url, createArgs('redfish', 'rf-bad', lab, 'not-the-password'))
  await baremetalOk(url, ['node', 'manage', 'rf-bad'])
  const n = await waitUntil('rf-bad', 'back to enroll', (s) => s.provision_state === 'enroll' && s.reservation === null && s.last_error !== null)
  assert.match(String(n.last_error), /wrong username or password/)
  // validate stays cheap: it checks driver_info, never the BMC, so it cannot see the password.
  const r = await baremetal(url, ['node', 'validate', 'rf-bad', '-f', 'json'])
  assert.equal(r.code, 0, r.stderr)
  const power = (r.json as { Interface: string; Result: boolean }[]).find((v) => v.Interface === 'power')
  assert.equal(power?.Result, true)
})

// With the `fake` deploy interface (the only one registered so far) nothing boots the deploy
// ramdisk, so the deploy ISO (redfish_deploy_iso, a local file here) is validated but never
// inserted; src/drivers/redfish/redfish-virtual-media-local-iso.test.ts covers that at the driver
// level. What the deploy does run is the boot interface's prepareInstance: with instance_info
// boot_iso set (a ramdisk-style instance) it publishes that local file on Ferrum's boot server
// and inserts Ferrum's /boot URL; a rebuild without boot_iso ejects it and takes it off the server.
test('openstack baremetal: a fake deploy with redfish-virtual-media boots a local ISO that Ferrum serves to the BMC', async () => {
  const created = await baremetalJson<{ uuid: string; boot_interface: string; deploy_interface: string }>(url, createArgs('redfish', 'rf-deploy', lab, 'lab-secret', ['--boot-interface', 'redfish-virtual-media', '--deploy-interface', 'fake']))
  assert.equal(created.boot_interface, 'redfish-virtual-media')
  assert.equal(created.deploy_interface, 'fake')
  await baremetalOk(url, ['node', 'manage', 'rf-deploy'])
  await waitUntil('rf-deploy', 'manageable', (n) => n.provision_state === 'manageable' && settled(n))
  await baremetalOk(url, ['node', 'provide', 'rf-deploy'])
  await waitUntil('rf-deploy', 'available', (n) => n.provision_state === 'available' && settled(n))

  await baremetalOk(url, ['node', 'set', 'rf-deploy', '--instance-info', `boot_iso=${instanceIso}`])
  const eventsBefore = lab.events.length
  await baremetalOk(url, ['node', 'deploy', 'rf-deploy'])
  const active = await waitUntil('rf-deploy', 'active', (n) => settled(n) && n.provision_state !== 'deploying')
  assert.equal(active.provision_state, 'active', String(active.last_error))
  assert.equal(active.power_state, 'power on')

  const served = `${url}/boot/vmedia/${created.uuid}/instance.iso`
  assert.deepEqual(lab.machine.virtualMedia(), { image: served, inserted: true })
  assert.deepEqual(lab.events.slice(eventsBefore).filter((e) => e.kind === 'virtual-media'), [{ kind: 'virtual-media', image: served }])
  // The BMC's copy, fetched from Ferrum, is the operator's file.
  assert.ok(readFileSync(lab.machine.virtualMediaPath()!).equals(readFileSync(instanceIso)))
  assert.deepEqual(lab.machine.bootSetting(), { device: 'cdrom', persistent: true, mode: 'uefi' })
  assert.equal(lab.machine.powerState(), 'on')
  const head = await fetch(served, { method: 'HEAD' })
  assert.equal(head.status, 200)
  assert.equal(head.headers.get('content-length'), String(readFileSync(instanceIso).length))

  // Rebuild as a disk-booting instance: the media is ejected and unpublished.
  await baremetalOk(url, ['node', 'unset', 'rf-deploy', '--instance-info', 'boot_iso'])
  const mark = lab.events.length
  await baremetalOk(url, ['node', 'rebuild', 'rf-deploy'])
  const rebuilt = await waitUntil('rf-deploy', 'active again', (n) => settled(n) && n.provision_state !== 'deploying')
  assert.equal(rebuilt.provision_state, 'active', String(rebuilt.last_error))
  assert.equal(lab.machine.virtualMedia(), null)
  assert.deepEqual(lab.events.slice(mark).filter((e) => e.kind === 'virtual-media'), [{ kind: 'virtual-media', image: null }])
  assert.deepEqual(lab.machine.bootSetting(), { device: 'disk', persistent: true, mode: 'uefi' })
  assert.equal((await fetch(served)).status, 404)
  assert.deepEqual(readdirSync(join(dataDir, 'ferrum', 'httpboot'), { recursive: true }).filter((f) => String(f).endsWith('.iso')), [])

  await baremetalOk(url, ['node', 'undeploy', 'rf-deploy'])
  const back = await waitUntil('rf-deploy', 'available', (n) => settled(n) && n.provision_state === 'available')
  assert.equal(back.power_state, 'power off')
  assert.equal(lab.machine.powerState(), 'off')
})
