// The ipmi hardware type end to end: `ferrum up` (the compiled build: run `npm run build` first)
// drives a lab IpmiBmc in this process over real RMCP+, and the real `openstack baremetal`
// client does what an operator would: create, manage (good, wrong password, dead port), power,
// boot device, validate. Each change is checked on the lab machine itself.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createSocket } from 'node:dgram'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { startFerrum, type FerrumProcess } from '../helpers/ferrum-process.js'
import { baremetalJson, baremetalOk } from '../helpers/openstack-cli.js'
import { PASSWORD, USER, startIpmiLab, type IpmiLab } from '../helpers/ipmi-test-kit.js'

type Node = Record<string, unknown> & { uuid: string; provision_state: string; power_state: string | null; last_error: string | null }

let ferrum: FerrumProcess
let lab: IpmiLab
let dataDir: string
let url: string
let seq = 0

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ferrum-ipmi-cli-'))
  lab = await startIpmiLab()
  ferrum = await startFerrum({ dataDir })
  url = ferrum.url
})
after(async () => {
  await ferrum?.stop()
  await lab?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

const show = (node: string) => baremetalJson<Node>(url, ['node', 'show', node])

/** Polls `node show` until `pred` holds (a bounded number of times, so a broken test fails instead of hanging). */
async function until(node: string, pred: (n: Node) => boolean, what: string): Promise<Node> {
  let last: Node | undefined
  for (let i = 0; i < 240; i++) {
    last = await show(node)
    if (pred(last)) return last
    await sleep(250)
  }
  assert.fail(`node ${node}: ${what} never happened; last: ${JSON.stringify({ provision_state: last?.provision_state, power_state: last?.power_state, last_error: last?.last_error })}`)
}

/** Settled in a stable provision state (no target, no lock). */
const settled = (n: Node) => n.target_provision_state === null && n.reservation === null && n.provision_state !== 'verifying'

async function create(driverInfo: Record<string, string>): Promise<string> {
  const name = `ipmi-${++seq}`
  const args = ['node', 'create', '--driver', 'ipmi', '--name', name]
  for (const [k, v] of Object.entries(driverInfo)) args.push('--driver-info', `${k}=${v}`)
  const n = await baremetalJson<Node>(url, args)
  assert.equal(n.provision_state, 'enroll')
  assert.equal(n.power_interface, 'ipmitool')
  assert.equal(n.management_interface, 'ipmitool')
  return name
}

const labInfo = (extra: Record<string, string> = {}) => ({
  ipmi_address: '127.0.0.1', ipmi_port: String(lab.port), ipmi_username: USER, ipmi_password: PASSWORD, ...extra,
})

/** A UDP port nobody listens on (bound, read, released). */
async function deadPort(): Promise<number> {
  const s = createSocket('udp4')
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve))
  const { port } = s.address()
  await new Promise<void>((resolve) => s.close(() => resolve()))
  return port
}

test('manage, power on/off, boot device pxe --persistent and validate against the lab BMC', async () => {
  const name = await create(labInfo())
  await baremetalOk(url, ['node', 'manage', name, '--wait', '60'])
  const managed = await show(name)
  assert.equal(managed.provision_state, 'manageable')
  assert.equal(managed.power_state, 'power off')
  assert.equal(managed.last_error, null)

  await baremetalOk(url, ['node', 'power', 'on', name])
  await until(name, (n) => n.power_state === 'power on' && n.target_power_state === null, 'power on')
  assert.equal(lab.machine.powerState(), 'on')

  await baremetalOk(url, ['node', 'boot', 'device', 'set', name, 'pxe', '--persistent'])
  // UEFI: Ironic's default boot mode when the node says nothing else.
  assert.deepEqual(lab.machine.bootSetting(), { device: 'pxe', persistent: true, mode: 'uefi' })
  assert.deepEqual(await baremetalJson(url, ['node', 'boot', 'device', 'show', name]), { boot_device: 'pxe', persistent: true })
  // The client prints the list joined: "pxe, disk, …".
  const supported = await baremetalJson<{ supported_boot_devices: string }>(url, ['node', 'boot', 'device', 'show', name, '--supported'])
  assert.deepEqual(String(supported.supported_boot_devices).split(/,\s*/).sort(), ['bios', 'cdrom', 'disk', 'pxe', 'safe'])

  await baremetalOk(url, ['node', 'power', 'off', name])
  await until(name, (n) => n.power_state === 'power off' && n.target_power_state === null, 'power off')
  assert.equal(lab.machine.powerState(), 'off')
  assert.deepEqual(lab.events.filter((e) => e.kind === 'power-on' || e.kind === 'power-off').map((e) => e.kind), ['power-on', 'power-off'])

  const rows = await baremetalJson<{ Interface: string; Result: boolean; Reason: string }[]>(url, ['node', 'validate', name])
  const result = Object.fromEntries(rows.map((r) => [r.Interface, r.Result]))
  for (const kind of ['power', 'management', 'boot', 'deploy']) assert.equal(result[kind], true, JSON.stringify(rows))
})

test('manage with a wrong password goes back to enroll, last_error naming wrong credentials; fixed, it manages', async () => {
  const name = await create(labInfo({ ipmi_password: 'not-the-password' }))
  await baremetalOk(url, ['node', 'manage', name])
  const failed = await until(name, (n) => settled(n) && n.last_error !== null, 'a failed verify')
  assert.equal(failed.provision_state, 'enroll')
  assert.match(String(failed.last_error), /rejected the credentials .*wrong credentials: check ipmi_username "admin", ipmi_password/)
  assert.doesNotMatch(String(failed.last_error), /not-the-password/)

  await baremetalOk(url, ['node', 'set', name, '--driver-info', `ipmi_password=${PASSWORD}`])
  await baremetalOk(url, ['node', 'manage', name, '--wait', '60'])
  const managed = await show(name)
  assert.equal(managed.provision_state, 'manageable')
  assert.equal(managed.last_error, null)
})

test('manage with nothing listening on the port goes back to enroll, last_error naming unreachable', async () => {
  const port = await deadPort()
  const name = await create({ ...labInfo(), ipmi_port: String(port), ipmi_retry_timeout: '3' })
  await baremetalOk(url, ['node', 'manage', name])
  const failed = await until(name, (n) => settled(n) && n.last_error !== null, 'a failed verify')
  assert.equal(failed.provision_state, 'enroll')
  assert.match(String(failed.last_error), new RegExp(`IPMI BMC 127\\.0\\.0\\.1:${port} is unreachable: .*Check ipmi_address, ipmi_port`))
})

test('bad driver_info: validate says which field and why', async () => {
  const name = await create(labInfo({ ipmi_port: 'abc' }))
  const rows = await baremetalJson<{ Interface: string; Result: boolean; Reason: string }[]>(url, ['node', 'validate', name])
  const power = rows.find((r) => r.Interface === 'power')!
  assert.equal(power.Result, false)
  assert.match(power.Reason, /ipmi_port must be an integer between 1 and 65535 \(got 'abc'\)/)
})
