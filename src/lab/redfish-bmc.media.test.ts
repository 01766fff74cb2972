import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { after, before, describe, test } from 'node:test'
import { BasicMachine, defaultHardware } from './basic-machine.js'
import { RedfishBmc } from './redfish-bmc.js'
import { type ImageServer, type RunningBmc, labMachine, messageId, startBmc, startImageServer } from '../../test/helpers/redfish.js'

const SYS = '/redfish/v1/Systems/node-1'
const RESET = `${SYS}/Actions/ComputerSystem.Reset`

describe('RedfishBmc (generic): virtual media', () => {
  let h: RunningBmc
  let m: ReturnType<typeof labMachine>
  let images: ImageServer
  const CD = '/redfish/v1/Managers/BMC/VirtualMedia/Cd'
  before(async () => {
    m = labMachine()
    h = await startBmc({ machines: m.machine, personality: 'generic', tls: true })
    images = await startImageServer()
  })
  after(async () => {
    await h.stop()
    await images.stop()
  })

  test('InsertMedia fetches the image and hands the local copy to the machine; EjectMedia removes it', async () => {
    const url = `${images.url}/boot.iso`
    const r = await h.client.post(`${CD}/Actions/VirtualMedia.InsertMedia`, { Image: url, Inserted: true, WriteProtected: true })
    assert.equal(r.status, 204, r.text)
    assert.deepEqual(m.machine.virtualMedia(), { image: url, inserted: true })
    const local = m.machine.virtualMediaPath()
    assert.ok(local)
    assert.deepEqual(await readFile(local), images.image)
    const vm = await h.client.get(CD)
    assert.equal(vm.json?.Inserted, true)
    assert.equal(vm.json?.Image, url)
    assert.equal(vm.json?.ImageName, 'boot.iso')
    assert.equal(vm.json?.ConnectedVia, 'URI')
    const again = await h.client.post(`${CD}/Actions/VirtualMedia.InsertMedia`, { Image: url })
    assert.equal(again.status, 409)
    assert.equal((await h.client.post(`${CD}/Actions/VirtualMedia.EjectMedia`, {})).status, 204)
    assert.equal(m.machine.virtualMedia(), null)
    await assert.rejects(readFile(local), /ENOENT/)
    assert.equal((await h.client.get(CD)).json?.Inserted, false)
  })

  test('PATCH Image/Inserted inserts and ejects too; the floppy slot is separate from the machine', async () => {
    const url = `${images.url}/other.img`
    assert.equal((await h.client.patch(CD, { Image: url, Inserted: true })).status, 204)
    assert.equal(m.machine.virtualMedia()?.image, url)
    assert.equal((await h.client.patch(CD, { Image: null, Inserted: false })).status, 204)
    assert.equal(m.machine.virtualMedia(), null)
    const floppy = '/redfish/v1/Managers/BMC/VirtualMedia/Floppy'
    assert.equal((await h.client.post(`${floppy}/Actions/VirtualMedia.InsertMedia`, { Image: url })).status, 204)
    assert.equal((await h.client.get(floppy)).json?.Inserted, true)
    assert.equal(m.machine.virtualMedia(), null)
    assert.equal((await h.client.post(`${floppy}/Actions/VirtualMedia.EjectMedia`)).status, 204)
  })

  test('a fetch failure is a Redfish error and leaves the slot empty', async () => {
    const missing = await h.client.post(`${CD}/Actions/VirtualMedia.InsertMedia`, { Image: `${images.url}/missing.iso` })
    assert.equal(missing.status, 400)
    assert.equal(messageId(missing), 'Base.1.16.CouldNotEstablishConnection')
    assert.match(String((missing.json?.error as { message: string }).message), /HTTP 404/)
    const refused = await h.client.post(`${CD}/Actions/VirtualMedia.InsertMedia`, { Image: 'http://127.0.0.1:1/x.iso' })
    assert.equal(refused.status, 400)
    const ftp = await h.client.post(`${CD}/Actions/VirtualMedia.InsertMedia`, { Image: 'ftp://127.0.0.1/x.iso' })
    assert.equal(ftp.status, 400)
    const noImage = await h.client.post(`${CD}/Actions/VirtualMedia.InsertMedia`, {})
    assert.equal(messageId(noImage), 'Base.1.16.ActionParameterMissing')
    assert.equal(m.machine.virtualMedia(), null)
  })

  test('Prefer: respond-async returns a task monitor that ends with the result', async () => {
    const url = `${images.url}/boot.iso`
    const r = await h.client.post(`${CD}/Actions/VirtualMedia.InsertMedia`, { Image: url }, { prefer: 'respond-async' })
    assert.equal(r.status, 202)
    const monitor = String(r.headers.location)
    let status = 202
    for (let i = 0; i < 200 && status === 202; i++) {
      status = (await h.client.get(monitor)).status
      if (status === 202) await new Promise((res) => setTimeout(res, 10))
    }
    assert.equal(status, 204)
    assert.equal(m.machine.virtualMedia()?.image, url)
    await h.client.post(`${CD}/Actions/VirtualMedia.EjectMedia`, {})

    const bad = await h.client.post(`${CD}/Actions/VirtualMedia.InsertMedia`, { Image: `${images.url}/nope.iso` }, { prefer: 'respond-async' })
    const badMonitor = String(bad.headers.location)
    let end = await h.client.get(badMonitor)
    for (let i = 0; i < 200 && end.status === 202; i++) {
      await new Promise((res) => setTimeout(res, 10))
      end = await h.client.get(badMonitor)
    }
    assert.equal(end.status, 400)
    const task = await h.client.get(`/redfish/v1/TaskService/Tasks/${badMonitor.split('/').pop()}`)
    assert.equal(task.json?.TaskState, 'Exception')
  })
})

describe('RedfishBmc: one BMC, several machines', () => {
  test('each machine is a system with its own manager; actions reach the right machine', async () => {
    const a = labMachine('rack1 node/a', '11111111-1111-4111-8111-111111111111')
    const b = labMachine('node-b', '22222222-2222-4222-8222-222222222222')
    const h = await startBmc({ machines: [a.machine, b.machine], personality: 'generic' })
    try {
      const systems = await h.client.get('/redfish/v1/Systems')
      assert.deepEqual(systems.json?.Members, [{ '@odata.id': '/redfish/v1/Systems/rack1-node-a' }, { '@odata.id': '/redfish/v1/Systems/node-b' }])
      const managers = await h.client.get('/redfish/v1/Managers')
      assert.equal(managers.json?.['Members@odata.count'], 2)
      await h.client.post('/redfish/v1/Systems/node-b/Actions/ComputerSystem.Reset', { ResetType: 'On' })
      assert.equal(b.machine.powerState(), 'on')
      assert.equal(a.machine.powerState(), 'off')
      const mgr = await h.client.get('/redfish/v1/Managers/BMC-node-b')
      assert.deepEqual((mgr.json?.Links as { ManagerForServers: unknown }).ManagerForServers, [{ '@odata.id': '/redfish/v1/Systems/node-b' }])
    } finally {
      await h.stop()
    }
  })

  test('system ids can come from UUIDs; the iDRAC personality refuses several machines', async () => {
    const a = labMachine('a', '11111111-1111-4111-8111-111111111111')
    const h = await startBmc({ machines: [a.machine], personality: 'generic', systemId: 'uuid' })
    try {
      const sys = await h.client.get('/redfish/v1/Systems/11111111-1111-4111-8111-111111111111')
      assert.equal(sys.status, 200)
    } finally {
      await h.stop()
    }
    const b = labMachine('b')
    assert.throws(() => new RedfishBmc({ machines: [a.machine, b.machine], personality: 'idrac', username: 'u', password: 'p' }), /exactly one/)
  })
})

describe('RedfishBmc: faults and hostile input', () => {
  test('unreachable drops connections; packet loss drops requests; latency still answers', async () => {
    const machine = new BasicMachine({ name: 'flaky', hardware: defaultHardware() })
    let roll = 0.5
    const h = await startBmc({ machines: machine, personality: 'generic', random: () => roll })
    try {
      assert.equal((await h.client.get('/redfish/v1/')).status, 200)
      machine.faults.unreachable = true
      await assert.rejects(h.client.get('/redfish/v1/'))
      machine.faults.unreachable = false
      machine.faults.packetLoss = 0.4
      roll = 0.3
      await assert.rejects(h.client.get('/redfish/v1/Systems/flaky'))
      roll = 0.5
      assert.equal((await h.client.get('/redfish/v1/Systems/flaky')).status, 200)
      machine.faults.packetLoss = 0
      machine.faults.latencyMs = 20
      assert.equal((await h.client.get('/redfish/v1/Systems/flaky')).status, 200)
    } finally {
      await h.stop()
    }
  })

  test('oversized bodies are refused with 413 and the BMC keeps serving', async () => {
    const h = await startBmc({ machines: labMachine().machine, personality: 'generic', maxBodyBytes: 1024 })
    try {
      const big = await h.client.post(RESET, JSON.stringify({ ResetType: 'On', pad: 'x'.repeat(5000) }))
      assert.equal(big.status, 413)
      assert.equal((await h.client.get(SYS)).status, 200)
    } finally {
      await h.stop()
    }
  })
})
