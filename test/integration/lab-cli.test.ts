// The `ferrum lab` commands end to end, through the compiled CLI (the suite builds dist/ first):
// a mixed lab in the background, real ipmitool and curl against its BMCs, `lab status`, faults,
// `lab down`; and enrollment into a running `ferrum up`.
import { strict as assert } from 'node:assert'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { run } from '../helpers/redfish.js'
import { alive, eventually, freePort, httpJson } from '../helpers/lab.js'
import { ferrum, ferrumBackground, type Background } from '../helpers/lab-cli.js'
import { readLabState, type LabNodeState, type LabState } from '../../src/lab/lab-state.js'
import type { LabNodeStatus, LabStatus } from '../../src/lab/lab-status-server.js'

let root: string
const running: Background[] = []
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'ferrum-lab-cli-'))
})
after(async () => {
  for (const p of running) await p.stop()
  await rm(root, { recursive: true, force: true })
})

function background(args: string[]): Background {
  const p = ferrumBackground(args)
  running.push(p)
  return p
}

/** Waits until lab.json names this process and its status endpoint. */
async function labReady(dir: string, pid: number): Promise<LabState> {
  return eventually(`lab.json for pid ${pid}`, async () => {
    const s = await readLabState(dir)
    return s?.pid === pid && s.statusUrl ? s : undefined
  }, 30_000)
}

async function statusJson(dir: string): Promise<LabStatus> {
  return JSON.parse(await ferrumOk(['lab', 'status', '--dir', dir, '--json'])) as LabStatus
}

async function nodeStatus(dir: string, name: string): Promise<LabNodeStatus> {
  const node = (await statusJson(dir)).nodes.find((n) => n.name === name)
  assert.ok(node, `${name} in lab status`)
  return node
}

/** Runs `ferrum ...args`, expecting success; returns stdout. */
async function ferrumOk(args: string[]): Promise<string> {
  const r = await ferrum(args)
  assert.equal(r.code, 0, `ferrum ${args.join(' ')} failed:\n${r.stderr}${r.stdout}`)
  return r.stdout
}

/** ipmitool as Ironic runs it (lanplus, cipher suite 3), with patient retries for a loaded machine. */
function ipmitool(node: LabNodeState, ...cmd: string[]) {
  return ipmitoolWith(['-R', '3', '-N', '5'], node, ...cmd)
}

function ipmitoolWith(retries: string[], node: LabNodeState, ...cmd: string[]) {
  return run('ipmitool', ['-I', 'lanplus', '-C', '3', '-H', '127.0.0.1', '-p', String(node.bmc.port), '-U', node.bmc.username, '-P', node.bmc.password, ...retries, ...cmd])
}

describe('ferrum lab up / status / down', () => {
  it('runs a mixed lab that ipmitool and curl drive, shows it in lab status, and stops on lab down', async () => {
    const dir = join(root, 'mixed')
    const lab = background(['lab', 'up', '--nodes', '3', '--kind', 'mixed', '--dir', dir, '--ramdisk-cmd', 'echo ramdisk on $FERRUM_LAB_NODE boot=$FERRUM_LAB_BOOT; exec sleep 600'])
    const state = await labReady(dir, lab.pid)
    await lab.waitForOutput(/Lab running/)
    const [ipmiNode, redfishNode, idracNode] = state.nodes
    assert.deepEqual(state.nodes.map((n) => n.bmc.kind), ['ipmi', 'redfish', 'idrac'])
    // The table names every node with its BMC, credentials and MACs.
    for (const n of state.nodes) assert.match(lab.output(), new RegExp(`${n.name}\\s+${n.bmc.kind}\\s+\\S+\\s+admin / ${n.bmc.password}\\s+${n.macs.join(',')}`))

    let table = await ferrumOk(['lab', 'status', '--dir', dir])
    assert.match(table, /lab-node-1\s+ipmi\s+off\s+none \(once, uefi\)\s+off/)

    // IPMI: one-time PXE, then power on: the ramdisk process runs.
    let r = await ipmitool(ipmiNode, 'chassis', 'bootdev', 'pxe')
    assert.equal(r.code, 0, r.stderr)
    r = await ipmitool(ipmiNode, 'power', 'on')
    assert.equal(r.code, 0, r.stderr)
    let node = await nodeStatus(dir, 'lab-node-1')
    assert.equal(node.power, 'on')
    assert.equal(node.lastBootDevice, 'pxe')
    assert.ok(node.activity.state === 'ramdisk' && node.activity.pid !== null, node.summary)
    const firstRamdisk = node.activity.pid
    assert.ok(alive(firstRamdisk))
    r = await ipmitool(ipmiNode, 'power', 'status')
    assert.match(r.stdout, /Chassis Power is on/)
    table = await ferrumOk(['lab', 'status', '--dir', dir])
    // (ipmitool's bootdev without options=efiboot asks for a legacy BIOS boot)
    assert.match(table, new RegExp(`lab-node-1\\s+ipmi\\s+on\\s+none \\(once, bios\\)\\s+ramdisk \\(pxe\\) pid ${firstRamdisk}`))

    // Power off through IPMI kills the ramdisk; the next boot (override used up) tries the disk.
    r = await ipmitool(ipmiNode, 'power', 'off')
    assert.equal(r.code, 0, r.stderr)
    assert.equal((await nodeStatus(dir, 'lab-node-1')).power, 'off')
    assert.equal(alive(firstRamdisk), false)
    r = await ipmitool(ipmiNode, 'power', 'on')
    assert.equal(r.code, 0, r.stderr)
    assert.match((await nodeStatus(dir, 'lab-node-1')).summary, /^no bootable device: disk0: no partition table/)

    // Redfish over HTTP with curl, iDRAC over HTTPS with undici.
    const curl = await run('curl', ['-sS', '-u', `admin:${redfishNode.bmc.password}`, '-H', 'Content-Type: application/json', '-X', 'POST', '-d', '{"ResetType":"On"}', '-o', '/dev/null', '-w', '%{http_code}', `${redfishNode.bmc.url}${redfishNode.bmc.systemPath}/Actions/ComputerSystem.Reset`])
    assert.equal(curl.code, 0, curl.stderr)
    assert.match(curl.stdout, /^20\d$/)
    assert.equal((await nodeStatus(dir, 'lab-node-2')).power, 'on')
    const res = await httpJson('PATCH', `${idracNode.bmc.url}${idracNode.bmc.systemPath}`, { user: 'admin', password: idracNode.bmc.password, body: { Boot: { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Continuous' } } })
    assert.ok(res.status < 300, JSON.stringify(res.body))
    assert.ok((await httpJson('POST', `${idracNode.bmc.url}${idracNode.bmc.systemPath}/Actions/ComputerSystem.Reset`, { user: 'admin', password: idracNode.bmc.password, body: { ResetType: 'On' } })).status < 300)
    node = await nodeStatus(dir, 'lab-node-3')
    assert.deepEqual([node.power, node.boot.device, node.boot.persistent], ['on', 'pxe', true])
    assert.ok(node.activity.state === 'ramdisk' && node.activity.pid !== null)
    const idracRamdisk = node.activity.pid

    // Faults: an unreachable BMC makes ipmitool fail until it is cleared.
    await ferrumOk(['lab', 'fault', 'lab-node-1', '--dir', dir, '--bmc-unreachable', 'on'])
    r = await ipmitoolWith(['-R', '1', '-N', '1'], ipmiNode, 'power', 'status') // fails fast: nothing answers
    assert.notEqual(r.code, 0)
    assert.match(await ferrumOk(['lab', 'status', '--dir', dir]), /lab-node-1 .* bmc-unreachable/)
    await ferrumOk(['lab', 'fault', 'lab-node-1', '--dir', dir, '--bmc-unreachable', 'off'])
    r = await ipmitool(ipmiNode, 'power', 'status')
    assert.equal(r.code, 0, r.stderr)
    const fault = await ferrum(['lab', 'fault', 'nope', '--dir', dir, '--latency-ms', '5'])
    assert.equal(fault.code, 1)
    assert.match(fault.stderr, /no node named "nope" in this lab/)

    // lab down: the lab exits cleanly, its ramdisks die, lab.json keeps the nodes but no pid.
    const down = await ferrumOk(['lab', 'down', '--dir', dir])
    assert.match(down, new RegExp(`stopped \\(pid ${lab.pid}\\)`))
    assert.equal(await lab.exited, 0)
    assert.equal(alive(lab.pid), false)
    assert.equal(alive(idracRamdisk), false)
    const after = (await readLabState(dir)) as LabState
    assert.equal(after.pid, null)
    assert.equal(after.nodes.length, 3)
    const gone = await ferrum(['lab', 'status', '--dir', dir])
    assert.equal(gone.code, 1)
    assert.match(gone.stderr, /^ferrum: no lab running in .*mixed: start one with: ferrum lab up/)
  })

  it('gives actionable errors without a lab and for bad options', async () => {
    const empty = join(root, 'empty')
    let r = await ferrum(['lab', 'down', '--dir', empty])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /no lab running in .*empty: start one with: ferrum lab up --nodes N/)
    r = await ferrum(['lab', 'up', '--nodes', 'three', '--dir', empty])
    assert.equal(r.code, 1)
    assert.match(r.stderr, /--nodes must be a whole number of nodes/)
    r = await ferrum(['lab', 'up', '--nodes', '1', '--kind', 'ilo', '--dir', empty])
    assert.match(r.stderr, /--kind must be one of redfish, ipmi, idrac, mixed/)
  })
})

describe('ferrum lab up --enroll into ferrum up', () => {
  it('enrolls nodes and ports with --driver fake-hardware; a second lab reports name clashes per node and keeps running', async () => {
    const port = await freePort()
    const api = `http://127.0.0.1:${port}`
    const server = background(['up', '--port', String(port), '--data-dir', join(root, 'ferrum-data'), '--log-level', 'warn'])
    await server.waitForOutput(/Ferrum API listening/)
    const v = { headers: { 'x-openstack-ironic-api-version': '1.78' } }

    const dir = join(root, 'enrolled')
    const lab = background(['lab', 'up', '--nodes', '2', '--kind', 'mixed', '--dir', dir, '--enroll', api, '--driver', 'fake-hardware'])
    await lab.waitForOutput(/Lab running/)
    assert.match(lab.output(), /lab-node-1: enrolled as [0-9a-f-]{36} \(driver fake-hardware\), 2\/2 ports/)
    assert.match(lab.output(), /lab-node-2: enrolled as [0-9a-f-]{36} \(driver fake-hardware\), 2\/2 ports/)
    const state = await labReady(dir, lab.pid)

    const nodes = await httpJson('GET', `${api}/v1/nodes?detail=true`, v)
    assert.equal(nodes.status, 200)
    const list = (nodes.body as { nodes: { uuid: string; name: string; driver: string; driver_info: Record<string, unknown>; properties: Record<string, unknown> }[] }).nodes
    assert.deepEqual(list.map((n) => [n.name, n.driver]).sort(), [['lab-node-1', 'fake-hardware'], ['lab-node-2', 'fake-hardware']])
    const n1 = list.find((n) => n.name === 'lab-node-1')
    assert.equal(n1?.driver_info.ipmi_port, state.nodes[0].bmc.port)
    assert.equal(n1?.properties.memory_mb, 4096)
    const n2 = list.find((n) => n.name === 'lab-node-2')
    assert.equal(n2?.driver_info.redfish_address, state.nodes[1].bmc.url)

    const ports = await httpJson('GET', `${api}/v1/ports?detail=true`, v)
    assert.equal(ports.status, 200)
    const portList = (ports.body as { ports: { address: string; node_uuid: string; pxe_enabled: boolean }[] }).ports
    const expected = state.nodes.flatMap((n) => n.macs.map((mac, i) => [mac, list.find((x) => x.name === n.name)?.uuid, i === 0]))
    assert.deepEqual(portList.map((p) => [p.address, p.node_uuid, p.pxe_enabled]).sort(), expected.sort())

    // Same node names again: the API refuses each with its own message; the lab still runs.
    const clash = background(['lab', 'up', '--nodes', '1', '--kind', 'ipmi', '--dir', join(root, 'clash'), '--enroll', api, '--driver', 'fake-hardware'])
    await clash.waitForOutput(/Lab running/)
    assert.match(clash.output(), /lab-node-1: NOT enrolled \(driver fake-hardware\): POST \/v1\/nodes: HTTP 409: .*lab-node-1/)
    assert.match(clash.output(), /1 of 1 node\(s\) not enrolled; the lab keeps running/)
    await ferrumOk(['lab', 'status', '--dir', join(root, 'clash')])

    for (const d of [dir, join(root, 'clash')]) await ferrumOk(['lab', 'down', '--dir', d])
    assert.equal(await lab.exited, 0)
    assert.equal(await clash.exited, 0)
    process.kill(server.pid, 'SIGTERM')
    assert.equal(await server.exited, 0)
  })
})
