// Ironic's own client drives redfish nodes through Ferrum's API and conductor to a lab Redfish BMC:
// enroll, manage (verify against the BMC), power, boot device, validate, and wrong credentials.
//
// NOTE: the redfish hardware type needs a deploy implementation (direct, ramdisk…) to be enabled,
// and none is registered yet. Until one is, this test runs the API and conductor in-process with
// the same registry plus `fake` appended to redfish's deploy list; once a real deploy interface
// is registered the override switches itself off and the stock registry is used unchanged.
import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { after, before, test } from 'node:test'
import pino from 'pino'
import type { FastifyInstance } from 'fastify'
import { build } from '../../src/api/app.js'
import { systemClock } from '../../src/conductor/clock.js'
import { Conductor } from '../../src/conductor/conductor.js'
import { catalogFromRegistry } from '../../src/conductor/driver-catalog.js'
import { loadConfig } from '../../src/config/load.js'
import { openDatabase } from '../../src/db/database.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { Store } from '../../src/db/store.js'
import { builtInInterfaces } from '../../src/drivers/default-registry.js'
import { HARDWARE_TYPES, REDFISH, type HardwareType } from '../../src/drivers/hardware-types.js'
import { DriverRegistry } from '../../src/drivers/registry.js'
import { type RedfishLab, startIsoServer, startRedfishLab } from '../../src/drivers/redfish/redfish-test-kit.js'
import { baremetal, baremetalJson, baremetalOk } from '../helpers/openstack-cli.js'

type NodeShow = { uuid: string; provision_state: string; power_state: string | null; last_error: string | null; reservation: string | null }

let lab: RedfishLab
let iso: Awaited<ReturnType<typeof startIsoServer>>
let app: FastifyInstance
let conductor: Conductor
let closeDb: () => Promise<void>
let url: string

function registry(): DriverRegistry {
  const stock = new DriverRegistry()
  for (const t of HARDWARE_TYPES) stock.registerHardwareType(t)
  for (const i of builtInInterfaces()) stock.register(i)
  if (stock.supportedInterfaces(REDFISH, 'deploy').length > 0) return stock
  const redfish: HardwareType = { ...REDFISH, interfaces: { ...REDFISH.interfaces, deploy: [...REDFISH.interfaces.deploy, 'fake'] } }
  const reg = new DriverRegistry()
  for (const t of HARDWARE_TYPES) reg.registerHardwareType(t === REDFISH ? redfish : t)
  for (const i of builtInInterfaces()) reg.register(i)
  return reg
}

before(async () => {
  iso = await startIsoServer()
  lab = await startRedfishLab('generic')
  const database = await openDatabase('sqlite::memory:')
  await migrateToLatest(database)
  const store = new Store(database)
  const config = loadConfig({ env: {}, flags: { dataDir: '/nonexistent-test-dir', conductor: { hostname: 'redfish-cli-conductor' } } })
  conductor = new Conductor({ store, drivers: catalogFromRegistry(registry()), config: config.conductor, log: pino({ level: 'silent' }), clock: systemClock })
  await store.conductors.register(conductor.hostname, '', conductor.listDrivers().map((d) => d.name))
  app = await build({ store, conductor })
  await app.listen({ host: '127.0.0.1', port: 0 })
  url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  closeDb = () => database.close()
})

after(async () => {
  await app?.close()
  await conductor?.stop()
  await closeDb?.()
  await lab?.stop()
  await iso?.stop()
})

async function show(node: string): Promise<NodeShow> {
  return baremetalJson<NodeShow>(url, ['node', 'show', node])
}

/** Polls `node show` (no timing assertions: only a generous deadline against hanging). */
async function waitUntil(node: string, what: string, pred: (n: NodeShow) => boolean): Promise<NodeShow> {
  const end = Date.now() + 60_000
  let last = await show(node)
  while (!pred(last)) {
    if (Date.now() > end) assert.fail(`node ${node}: ${what} not reached; last ${JSON.stringify(last)}`)
    await new Promise((r) => setTimeout(r, 200))
    last = await show(node)
  }
  return last
}

function createArgs(name: string, password: string): string[] {
  return [
    'node', 'create', '--driver', 'redfish', '--name', name,
    '--driver-info', `redfish_address=${lab.url}`,
    '--driver-info', 'redfish_username=admin',
    '--driver-info', `redfish_password=${password}`,
    '--driver-info', 'redfish_verify_ca=False',
    '--driver-info', `redfish_deploy_iso=${iso.url}/deploy.iso`,
  ]
}

test('openstack baremetal: a redfish node is verified by its BMC and its power and boot device follow the CLI', async () => {
  const created = await baremetalJson<{ uuid: string; provision_state: string; power_interface: string; boot_interface: string }>(url, createArgs('rf-1', 'lab-secret'))
  assert.equal(created.provision_state, 'enroll')
  assert.equal(created.power_interface, 'redfish')
  assert.equal(created.boot_interface, 'redfish-virtual-media')

  await baremetalOk(url, ['node', 'manage', 'rf-1'])
  const managed = await waitUntil('rf-1', 'manageable', (n) => n.provision_state === 'manageable' && n.reservation === null)
  assert.equal(managed.power_state, 'power off', 'verify read the BMC')
  assert.equal(managed.last_error, null)

  await baremetalOk(url, ['node', 'power', 'on', 'rf-1'])
  await waitUntil('rf-1', 'power on', (n) => n.power_state === 'power on' && n.reservation === null)
  assert.equal(lab.machine.powerState(), 'on')

  await baremetalOk(url, ['node', 'boot', 'device', 'set', 'rf-1', 'pxe', '--persistent'])
  assert.deepEqual(lab.machine.bootSetting(), { device: 'pxe', persistent: true, mode: 'uefi' })
  const dev = await baremetalJson<{ boot_device: string; persistent: boolean }>(url, ['node', 'boot', 'device', 'show', 'rf-1'])
  assert.deepEqual(dev, { boot_device: 'pxe', persistent: true })

  await baremetalOk(url, ['node', 'power', 'off', 'rf-1'])
  await waitUntil('rf-1', 'power off', (n) => n.power_state === 'power off' && n.reservation === null)
  assert.equal(lab.machine.powerState(), 'off')

  const validation = await baremetalJson<{ Interface: string; Result: boolean; Reason: string | null }[]>(url, ['node', 'validate', 'rf-1'])
  const byKind = Object.fromEntries(validation.map((v) => [v.Interface, v]))
  for (const kind of ['power', 'management', 'boot', 'bios', 'inspect']) assert.equal(byKind[kind]?.Result, true, `${kind}: ${byKind[kind]?.Reason}`)
})

test('openstack baremetal: a wrong BMC password sends the node back to enroll saying so', async () => {
  await baremetalJson(url, createArgs('rf-bad', 'not-the-password'))
  await baremetalOk(url, ['node', 'manage', 'rf-bad'])
  const n = await waitUntil('rf-bad', 'back to enroll', (s) => s.provision_state === 'enroll' && s.reservation === null && s.last_error !== null)
  assert.match(String(n.last_error), /wrong username or password/)
  // validate stays cheap: it checks driver_info, never the BMC, so it cannot see the password.
  const r = await baremetal(url, ['node', 'validate', 'rf-bad', '-f', 'json'])
  assert.equal(r.code, 0, r.stderr)
  const power = (r.json as { Interface: string; Result: boolean }[]).find((v) => v.Interface === 'power')
  assert.equal(power?.Result, true)
})
