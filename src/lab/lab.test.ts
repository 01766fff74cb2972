import { strict as assert } from 'node:assert'
import { spawn } from 'node:child_process'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import { alive, eventually, httpJson, startFakeIronic } from '../../test/helpers/lab.js'
import { Lab, LabAlreadyRunningError } from './lab.js'
import { readLabState, writeLabState, type LabState } from './lab-state.js'
import type { LabStatus } from './lab-status-server.js'

let root: string
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'ferrum-lab-'))
})
after(async () => {
  await rm(root, { recursive: true, force: true })
})

async function labStatus(lab: Lab): Promise<LabStatus> {
  const res = await httpJson('GET', `${lab.statusUrl}/status`)
  assert.equal(res.status, 200)
  return res.body as LabStatus
}

describe('Lab', () => {
  let lab: Lab
  const ramdisk = "console.log('ramdisk for ' + process.env.FERRUM_LAB_NODE); setInterval(() => {}, 1000)"
  before(async () => {
    lab = await Lab.start({ nodes: 3, kind: 'mixed', dir: join(root, 'mixed'), ramdiskCommand: [process.execPath, '-e', ramdisk], spec: { diskSizes: [20 * 1024 ** 3] } })
  })
  after(async () => {
    await lab.close()
  })

  it('starts one BMC of each kind for a mixed lab and records them in lab.json (mode 0600)', async () => {
    const state = (await readLabState(lab.dir)) as LabState
    assert.equal(state.pid, process.pid)
    assert.equal(state.statusUrl, lab.statusUrl)
    assert.equal((await stat(join(lab.dir, 'lab.json'))).mode & 0o777, 0o600)
    assert.deepEqual(state.nodes.map((n) => [n.name, n.bmc.kind]), [['lab-node-1', 'ipmi'], ['lab-node-2', 'redfish'], ['lab-node-3', 'idrac']])
    const [ipmi, redfish, idrac] = state.nodes
    assert.equal(ipmi.bmc.address, '127.0.0.1')
    assert.ok(ipmi.bmc.port > 0 && ipmi.bmc.url === undefined)
    assert.equal(redfish.bmc.url, `http://127.0.0.1:${redfish.bmc.port}`)
    assert.equal(redfish.bmc.systemPath, '/redfish/v1/Systems/lab-node-2')
    assert.equal(idrac.bmc.url, `https://127.0.0.1:${idrac.bmc.port}`)
    assert.equal(idrac.bmc.systemPath, '/redfish/v1/Systems/System.Embedded.1')
    for (const n of state.nodes) {
      assert.equal(n.bmc.username, 'admin')
      assert.ok(n.bmc.password.length >= 12)
      assert.equal(n.macs.length, 2)
      assert.equal((await stat(n.disks[0].path)).size, 20 * 1024 ** 3)
    }
    assert.notEqual(ipmi.bmc.password, redfish.bmc.password)
  })

  it('reflects power changes made through the Redfish and iDRAC BMCs in GET /status', async () => {
    const state = lab.state()
    const [, redfish, idrac] = state.nodes
    const auth = { user: redfish.bmc.username, password: redfish.bmc.password }
    let res = await httpJson('PATCH', `${redfish.bmc.url}${redfish.bmc.systemPath}`, { ...auth, body: { Boot: { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Once' } } })
    assert.ok(res.status < 300, JSON.stringify(res.body))
    res = await httpJson('POST', `${redfish.bmc.url}${redfish.bmc.systemPath}/Actions/ComputerSystem.Reset`, { ...auth, body: { ResetType: 'On' } })
    assert.ok(res.status < 300, JSON.stringify(res.body))
    let node = (await labStatus(lab)).nodes[1]
    assert.equal(node.power, 'on')
    assert.equal(node.lastBootDevice, 'pxe')
    assert.equal(node.activity.state, 'ramdisk')
    const pid = node.activity.state === 'ramdisk' ? node.activity.pid : null
    assert.ok(pid !== null && alive(pid))

    res = await httpJson('POST', `${idrac.bmc.url}${idrac.bmc.systemPath}/Actions/ComputerSystem.Reset`, { user: 'admin', password: idrac.bmc.password, body: { ResetType: 'On' } })
    assert.ok(res.status < 300, JSON.stringify(res.body))
    node = (await labStatus(lab)).nodes[2]
    assert.equal(node.power, 'on')
    assert.match(node.summary, /^no bootable device: disk0: no partition table/)

    res = await httpJson('POST', `${redfish.bmc.url}${redfish.bmc.systemPath}/Actions/ComputerSystem.Reset`, { ...auth, body: { ResetType: 'ForceOff' } })
    assert.ok(res.status < 300)
    node = (await labStatus(lab)).nodes[1]
    assert.equal(node.power, 'off')
    assert.equal(node.summary, 'off')
    assert.equal(alive(pid), false, 'power off through the BMC killed the ramdisk')
  })

  it('sets faults through POST /nodes/{name}/faults, which the BMC then honours', async () => {
    const redfish = lab.state().nodes[1]
    let res = await httpJson('POST', `${lab.statusUrl}/nodes/lab-node-2/faults`, { body: { bmcUnreachable: true } })
    assert.equal(res.status, 200)
    assert.equal((res.body as { faults: { bmcUnreachable: boolean } }).faults.bmcUnreachable, true)
    await assert.rejects(httpJson('GET', `${redfish.bmc.url}/redfish/v1/`, { user: 'admin', password: redfish.bmc.password }))
    assert.equal((await labStatus(lab)).nodes[1].faults.bmcUnreachable, true)

    res = await httpJson('POST', `${lab.statusUrl}/nodes/lab-node-2/faults`, { body: { bmcUnreachable: false } })
    assert.equal(res.status, 200)
    res = await httpJson('GET', `${redfish.bmc.url}/redfish/v1/`, { user: 'admin', password: redfish.bmc.password })
    assert.equal(res.status, 200)

    res = await httpJson('POST', `${lab.statusUrl}/nodes/nope/faults`, { body: { bmcUnreachable: true } })
    assert.deepEqual([res.status, res.body], [404, { error: 'no node named "nope" in this lab' }])
    res = await httpJson('POST', `${lab.statusUrl}/nodes/lab-node-2/faults`, { body: { smoke: true } })
    assert.equal(res.status, 400)
    assert.match((res.body as { error: string }).error, /unknown fault setting\(s\): smoke/)
    res = await httpJson('POST', `${lab.statusUrl}/nodes/lab-node-2/faults`, { body: { latencyMs: -1 } })
    assert.equal(res.status, 400)
  })

  it('enrolls every node with its driver_info and ports, reporting refused drivers and carrying on', async () => {
    const api = await startFakeIronic({ refuseDrivers: ['ipmi'] })
    try {
      const results = await lab.enroll({ apiUrl: api.url })
      assert.deepEqual(results.map((r) => [r.name, r.driver, r.ok]), [['lab-node-1', 'ipmi', false], ['lab-node-2', 'redfish', true], ['lab-node-3', 'idrac', true]])
      assert.match(results[0].error ?? '', /^POST \/v1\/nodes: HTTP 400: No valid host was found\. Reason: No conductor service registered which supports driver ipmi/)
      assert.equal(results[1].ports.length, 2)
      assert.ok(results[1].ports.every((p) => p.ok && p.uuid))

      const nodeBodies = api.requests.filter((r) => r.url === '/v1/nodes')
      assert.ok(api.requests.every((r) => r.headers['x-openstack-ironic-api-version'] === '1.78'))
      const state = lab.state()
      assert.deepEqual(nodeBodies[0].body.driver_info, {
        ipmi_address: '127.0.0.1', ipmi_port: state.nodes[0].bmc.port, ipmi_username: 'admin', ipmi_password: state.nodes[0].bmc.password,
        ipmi_protocol_version: '2.0', ipmi_cipher_suite: 3,
      })
      assert.deepEqual(nodeBodies[2].body.driver_info, {
        redfish_address: state.nodes[2].bmc.url, redfish_system_id: '/redfish/v1/Systems/System.Embedded.1',
        redfish_username: 'admin', redfish_password: state.nodes[2].bmc.password, redfish_verify_ca: false,
      })
      assert.deepEqual(nodeBodies[1].body.properties, { cpus: 4, memory_mb: 4096, local_gb: 20, cpu_arch: 'x86_64', capabilities: 'boot_mode:uefi' })
      const ports = api.requests.filter((r) => r.url === '/v1/ports').map((r) => r.body)
      assert.deepEqual(ports.slice(0, 2), [
        { node_uuid: results[1].uuid, address: state.nodes[1].macs[0], pxe_enabled: true },
        { node_uuid: results[1].uuid, address: state.nodes[1].macs[1], pxe_enabled: false },
      ])

      api.requests.length = 0
      const fake = await lab.enroll({ apiUrl: api.url, driver: 'fake-hardware' })
      assert.ok(fake.every((r) => r.ok && r.driver === 'fake-hardware'))
      const fakeIpmi = api.requests.find((r) => r.url === '/v1/nodes' && r.body.name === 'lab-node-1')
      assert.equal(fakeIpmi?.body.driver, 'fake-hardware')
      assert.equal((fakeIpmi?.body.driver_info as Record<string, unknown>).ipmi_port, state.nodes[0].bmc.port, 'the real driver_info is kept')
    } finally {
      await api.close()
    }
  })

  it('reports an unreachable API per node', async () => {
    const results = await lab.enroll({ apiUrl: 'http://127.0.0.1:1' })
    assert.equal(results.length, 3)
    assert.ok(results.every((r) => !r.ok && /cannot reach http:\/\/127\.0\.0\.1:1: ECONNREFUSED/.test(r.error ?? '')), JSON.stringify(results))
  })
})

describe('Lab lifecycle', () => {
  it('refuses a directory whose lab.json names another live process', async () => {
    const dir = join(root, 'busy')
    const sleeper = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' })
    try {
      await import('node:fs/promises').then((fs) => fs.mkdir(dir, { recursive: true }))
      await writeLabState(dir, { version: 1, pid: sleeper.pid ?? null, statusUrl: null, dir, kind: 'ipmi', startedAt: '', nodes: [] })
      await assert.rejects(Lab.start({ nodes: 1, kind: 'ipmi', dir }), (err: unknown) => err instanceof LabAlreadyRunningError && /ferrum lab down --dir/.test(err.message))
    } finally {
      sleeper.kill('SIGKILL')
    }
    await eventually('sleeper exit', () => (sleeper.exitCode !== null || sleeper.signalCode !== null ? true : undefined))
    const lab = await Lab.start({ nodes: 1, kind: 'ipmi', dir }) // a stale state file is taken over
    await lab.close()
  })

  it('rejects bad sizes and kinds with a message', async () => {
    await assert.rejects(Lab.start({ nodes: 0, kind: 'ipmi', dir: join(root, 'x') }), /number of lab nodes must be 1\.\.500/)
    await assert.rejects(Lab.start({ nodes: 1, kind: 'vmware' as never, dir: join(root, 'x') }), /unknown lab kind "vmware"/)
  })

  it('close() kills ramdisks, stops the BMCs and clears the pid in lab.json', async () => {
    const dir = join(root, 'close')
    const lab = await Lab.start({ nodes: 2, kind: 'redfish', dir, redfishTls: true, ramdiskCommand: 'sleep 60' })
    const node = lab.nodes[0]
    assert.match(node.bmc.url ?? '', /^https:/)
    node.node.machine.setBootSetting({ device: 'pxe', persistent: true, mode: 'uefi' })
    await node.node.machine.powerOn()
    const activity = lab.status().nodes[0].activity
    assert.ok(activity.state === 'ramdisk' && activity.pid !== null)
    await lab.close()
    assert.equal(alive(activity.pid), false)
    const state = (await readLabState(dir)) as LabState
    assert.equal(state.pid, null)
    assert.equal(state.statusUrl, null)
    assert.equal(state.nodes.length, 2)
    await assert.rejects(httpJson('GET', `${node.bmc.url}/redfish/v1/`))
    await lab.close() // idempotent
    await writeFile(join(dir, 'lab.json'), 'not json')
    await assert.rejects(readLabState(dir), /is not valid JSON; remove it if no lab runs/)
    assert.match(await readFile(join(dir, 'nodes', 'lab-node-1', 'console.log'), 'utf8'), /ramdisk pid \d+ stopped/)
  })
})
