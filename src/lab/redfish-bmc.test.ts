import assert from 'node:assert/strict'
import { readFile } from 'node:fs/promises'
import { after, before, describe, test } from 'node:test'
import { BasicMachine, defaultHardware } from './basic-machine.js'
import { RedfishBmc } from './redfish-bmc.js'
import {
  PASSWORD,
  type ImageServer,
  type RunningBmc,
  USER,
  labMachine,
  messageId,
  startBmc,
  startImageServer,
} from '../../test/helpers/redfish.js'

const SYS = '/redfish/v1/Systems/node-1'
const RESET = `${SYS}/Actions/ComputerSystem.Reset`

describe('RedfishBmc (generic): authentication and service root', () => {
  let h: RunningBmc
  before(async () => {
    h = await startBmc({ machines: labMachine().machine, personality: 'generic' })
  })
  after(() => h.stop())

  test('service root and version document are open; it links Systems, Managers, Sessions, TaskService', async () => {
    h.client.auth = {}
    const versions = await h.client.get('/redfish')
    assert.deepEqual(versions.json, { v1: '/redfish/v1/' })
    const root = await h.client.get('/redfish/v1/')
    assert.equal(root.status, 200)
    assert.equal(root.headers['odata-version'], '4.0')
    const j = root.json as Record<string, { '@odata.id': string }> & { Links: { Sessions: { '@odata.id': string } } }
    assert.equal(j.Systems['@odata.id'], '/redfish/v1/Systems')
    assert.equal(j.Managers['@odata.id'], '/redfish/v1/Managers')
    assert.equal(j.Chassis['@odata.id'], '/redfish/v1/Chassis')
    assert.equal(j.TaskService['@odata.id'], '/redfish/v1/TaskService')
    assert.equal(j.Links.Sessions['@odata.id'], '/redfish/v1/SessionService/Sessions')
    assert.match(String(root.json?.UUID), /^[0-9a-f-]{36}$/)
    assert.ok(root.json?.RedfishVersion)
  })

  test('401 without credentials or with wrong ones; Basic works', async () => {
    h.client.auth = {}
    const anon = await h.client.get('/redfish/v1/Systems')
    assert.equal(anon.status, 401)
    assert.equal(messageId(anon), 'Base.1.16.NoValidSession')
    assert.match(String(anon.headers['www-authenticate']), /Basic/)
    h.client.auth = { authorization: `Basic ${Buffer.from(`${USER}:nope`).toString('base64')}` }
    assert.equal((await h.client.get('/redfish/v1/Systems')).status, 401)
    h.client.auth = { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` }
    assert.equal((await h.client.get('/redfish/v1/Systems')).status, 200)
  })

  test('session login gives X-Auth-Token and Location; DELETE logs out', async () => {
    h.client.auth = {}
    const bad = await h.client.post('/redfish/v1/SessionService/Sessions', { UserName: USER, Password: 'x' })
    assert.equal(bad.status, 401)
    const login = await h.client.post('/redfish/v1/SessionService/Sessions', { UserName: USER, Password: PASSWORD })
    assert.equal(login.status, 201)
    const token = String(login.headers['x-auth-token'])
    const location = String(login.headers.location)
    assert.match(location, /^\/redfish\/v1\/SessionService\/Sessions\/\w+$/)
    h.client.auth = { 'x-auth-token': token }
    assert.equal((await h.client.get(SYS)).status, 200)
    const sessions = await h.client.get('/redfish/v1/SessionService/Sessions')
    assert.deepEqual(sessions.json?.Members, [{ '@odata.id': location }])
    assert.equal((await h.client.call('DELETE', location)).status, 204)
    assert.equal((await h.client.get(SYS)).status, 401)
    h.client.auth = { authorization: `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}` }
  })
})

describe('RedfishBmc (generic): systems, power and boot', () => {
  let h: RunningBmc
  let m: ReturnType<typeof labMachine>
  before(async () => {
    m = labMachine()
    h = await startBmc({ machines: m.machine, personality: 'generic' })
  })
  after(() => h.stop())

  test('system resource reflects the machine (hardware, power, links, allowable values)', async () => {
    const s = await h.client.get(SYS)
    assert.equal(s.status, 200)
    const j = s.json as Record<string, any> // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.equal(j.Id, 'node-1')
    assert.equal(j.UUID, m.machine.hardware.uuid)
    assert.equal(j.PowerState, 'Off')
    assert.equal(j.ProcessorSummary.LogicalProcessorCount, 8)
    assert.equal(j.MemorySummary.TotalSystemMemoryGiB, 16)
    assert.deepEqual(j.Links.ManagedBy, [{ '@odata.id': '/redfish/v1/Managers/BMC' }])
    assert.ok(j.Actions['#ComputerSystem.Reset']['ResetType@Redfish.AllowableValues'].includes('PowerCycle'))
    assert.ok(j.Boot['BootSourceOverrideTarget@Redfish.AllowableValues'].includes('Pxe'))
    assert.equal(s.headers.etag, j['@odata.etag'])
    assert.match(String(s.headers.allow), /PATCH/)
  })

  test('NICs, processors and storage are listed from the hardware', async () => {
    const nics = await h.client.get(`${SYS}/EthernetInterfaces`)
    assert.equal(nics.json?.['Members@odata.count'], 2)
    const eno2 = await h.client.get(`${SYS}/EthernetInterfaces/eno2`)
    assert.equal(eno2.json?.MACAddress, '52:54:00:aa:00:02')
    const simple = await h.client.get(`${SYS}/SimpleStorage/1`)
    assert.deepEqual((simple.json?.Devices as { CapacityBytes: number }[]).map((d) => d.CapacityBytes), [64 * 1024 ** 3, 512 * 1024 ** 3])
    const storage = await h.client.get(`${SYS}/Storage/1`)
    assert.equal(storage.json?.['Drives@odata.count'], 2)
    const drive = await h.client.get(`${SYS}/Storage/1/Drives/sdb`)
    assert.equal(drive.json?.CapacityBytes, 512 * 1024 ** 3)
    const cpu = await h.client.get(`${SYS}/Processors/CPU1`)
    assert.equal(cpu.json?.TotalThreads, 8)
    assert.equal((await h.client.get(`${SYS}/Storage/1/Drives/nope`)).status, 404)
  })

  test('every ResetType drives the matching machine method', async () => {
    const cases: [string, 'on' | 'off', string[]][] = [
      ['On', 'on', ['power-on']],
      ['On', 'on', []], // already on: nothing happens
      ['ForceRestart', 'on', ['reset']],
      ['Nmi', 'on', ['nmi']],
      ['GracefulRestart', 'on', ['power-off', 'power-on']],
      ['PowerCycle', 'on', ['power-off', 'power-on']],
      ['GracefulShutdown', 'off', ['power-off']],
      ['PushPowerButton', 'on', ['power-on']],
      ['PushPowerButton', 'off', ['power-off']],
      ['ForceOn', 'on', ['power-on']],
      ['ForceOff', 'off', ['power-off']],
    ]
    for (const [type, power, kinds] of cases) {
      m.events.length = 0
      const r = await h.client.post(RESET, { ResetType: type })
      assert.equal(r.status, 204, `${type}: ${r.text}`)
      assert.equal(m.machine.powerState(), power, type)
      assert.deepEqual(m.events.filter((e) => e.kind !== 'boot-setting').map((e) => e.kind), kinds, type)
    }
    const soft = await h.client.post(RESET, { ResetType: 'On' })
    assert.equal(soft.status, 204)
    m.events.length = 0
    await h.client.post(RESET, { ResetType: 'GracefulShutdown' })
    assert.deepEqual(m.events, [{ kind: 'power-off', soft: true }])
  })

  test('bad reset requests are 400 with Redfish messages, and change nothing', async () => {
    const before = m.machine.powerState()
    const unknown = await h.client.post(RESET, { ResetType: 'Explode' })
    assert.equal(unknown.status, 400)
    assert.equal(messageId(unknown), 'Base.1.16.ActionParameterValueNotInList')
    const missing = await h.client.post(RESET, {})
    assert.equal(messageId(missing), 'Base.1.16.ActionParameterMissing')
    const wrongType = await h.client.post(RESET, { ResetType: 7 })
    assert.equal(wrongType.status, 400)
    const badJson = await h.client.post(RESET, '{"ResetType": "On"')
    assert.equal(badJson.status, 400)
    assert.equal(messageId(badJson), 'Base.1.16.MalformedJSON')
    const array = await h.client.post(RESET, '["On"]')
    assert.equal(array.status, 400)
    assert.equal(m.machine.powerState(), before)
    const get = await h.client.get(RESET)
    assert.equal(get.status, 405)
    assert.equal(get.headers.allow, 'POST')
    assert.equal((await h.client.call('DELETE', SYS)).status, 405)
    assert.equal((await h.client.get('/redfish/v1/Systems/other')).status, 404)
    assert.equal((await h.client.get('/redfish/v1/Systems/%E0%A4%A')).status, 404)
  })

  test('boot override: Once is used by the next boot, Continuous stays, Disabled clears', async () => {
    await h.client.post(RESET, { ResetType: 'ForceOff' })
    const once = await h.client.patch(SYS, { Boot: { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Once', BootSourceOverrideMode: 'UEFI' } })
    assert.equal(once.status, 200)
    assert.deepEqual(m.machine.bootSetting(), { device: 'pxe', persistent: false, mode: 'uefi' })
    m.events.length = 0
    await h.client.post(RESET, { ResetType: 'On' })
    assert.deepEqual(m.events.find((e) => e.kind === 'power-on'), { kind: 'power-on', bootedFrom: 'pxe' })
    const after = (await h.client.get(SYS)).json?.Boot as Record<string, string>
    assert.equal(after.BootSourceOverrideEnabled, 'Disabled')
    assert.equal(after.BootSourceOverrideTarget, 'None')

    await h.client.patch(SYS, { Boot: { BootSourceOverrideTarget: 'Hdd', BootSourceOverrideEnabled: 'Continuous', BootSourceOverrideMode: 'Legacy' } })
    await h.client.post(RESET, { ResetType: 'ForceRestart' })
    assert.deepEqual(m.machine.bootSetting(), { device: 'disk', persistent: true, mode: 'bios' })
    await h.client.patch(SYS, { Boot: { BootSourceOverrideEnabled: 'Disabled' } })
    assert.equal(m.machine.bootSetting().device, 'none')
    // A target alone, while the override is off, means once.
    await h.client.patch(SYS, { Boot: { BootSourceOverrideTarget: 'Cd' } })
    assert.deepEqual(m.machine.bootSetting(), { device: 'cdrom', persistent: false, mode: 'bios' })
  })

  test('invalid boot and system PATCHes are rejected without partial changes', async () => {
    const before = m.machine.bootSetting()
    const cases: [unknown, string][] = [
      [{ Boot: { BootSourceOverrideTarget: 'Tape' } }, 'Base.1.16.PropertyValueNotInList'],
      [{ Boot: { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Sometimes' } }, 'Base.1.16.PropertyValueNotInList'],
      [{ Boot: { BootSourceOverrideMode: 3 } }, 'Base.1.16.PropertyValueTypeError'],
      [{ Boot: 'Pxe' }, 'Base.1.16.PropertyValueTypeError'],
      [{ Boot: { Bogus: 1 } }, 'Base.1.16.PropertyUnknown'],
      [{ PowerState: 'On' }, 'Base.1.16.PropertyNotWritable'],
      [{ Frobnicate: true }, 'Base.1.16.PropertyUnknown'],
    ]
    for (const [body, id] of cases) {
      const r = await h.client.patch(SYS, body)
      assert.equal(r.status, 400, JSON.stringify(body))
      assert.equal(messageId(r), id, JSON.stringify(body))
    }
    assert.deepEqual(m.machine.bootSetting(), before)
  })

  test('ETag and If-Match: a stale ETag is 412, the current one (weak or strong) is accepted', async () => {
    const first = await h.client.get(SYS)
    const tag = String(first.headers.etag)
    assert.match(tag, /^W\/"[0-9a-f]+"$/)
    const ok = await h.client.patch(SYS, { AssetTag: 'rack-7' }, { 'if-match': tag })
    assert.equal(ok.status, 200)
    assert.notEqual(ok.headers.etag, tag)
    const stale = await h.client.patch(SYS, { AssetTag: 'rack-8' }, { 'if-match': tag })
    assert.equal(stale.status, 412)
    assert.equal(messageId(stale), 'Base.1.16.PreconditionFailed')
    const strong = String(ok.headers.etag).replace(/^W\//, '')
    assert.equal((await h.client.patch(SYS, { AssetTag: 'rack-9' }, { 'if-match': strong })).status, 200)
    assert.equal((await h.client.get(SYS)).json?.AssetTag, 'rack-9')
  })
})

describe('RedfishBmc (generic): BIOS settings and tasks', () => {
  let h: RunningBmc
  let m: ReturnType<typeof labMachine>
  before(async () => {
    m = labMachine()
    h = await startBmc({ machines: m.machine, personality: 'generic' })
  })
  after(() => h.stop())

  test('PATCH Bios/Settings stages values; the next boot applies them', async () => {
    const bios = await h.client.get(`${SYS}/Bios`)
    assert.equal((bios.json?.Attributes as Record<string, unknown>).ProcTurboMode, 'Enabled')
    const settings = bios.json?.['@Redfish.Settings'] as { SettingsObject: { '@odata.id': string } }
    assert.equal(settings.SettingsObject['@odata.id'], `${SYS}/Bios/Settings`)
    const staged = await h.client.patch(`${SYS}/Bios/Settings`, { Attributes: { ProcTurboMode: 'Disabled', BootTimeoutSeconds: 9 } })
    assert.equal(staged.status, 204)
    assert.deepEqual((await h.client.get(`${SYS}/Bios/Settings`)).json?.Attributes, { ProcTurboMode: 'Disabled', BootTimeoutSeconds: 9 })
    assert.equal(((await h.client.get(`${SYS}/Bios`)).json?.Attributes as Record<string, unknown>).ProcTurboMode, 'Enabled')
    await h.client.post(RESET, { ResetType: 'On' })
    const applied = (await h.client.get(`${SYS}/Bios`)).json?.Attributes as Record<string, unknown>
    assert.equal(applied.ProcTurboMode, 'Disabled')
    assert.equal(applied.BootTimeoutSeconds, 9)
    assert.deepEqual((await h.client.get(`${SYS}/Bios/Settings`)).json?.Attributes, {})
  })

  test('BootMode attribute switches the machine boot mode when applied', async () => {
    await h.client.patch(`${SYS}/Bios/Settings`, { Attributes: { BootMode: 'Bios' } })
    assert.equal(m.machine.bootSetting().mode, 'uefi')
    await h.client.post(RESET, { ResetType: 'ForceRestart' })
    assert.equal(m.machine.bootSetting().mode, 'bios')
  })

  test('invalid BIOS changes are 400; Bios itself is read-only (405)', async () => {
    const unknown = await h.client.patch(`${SYS}/Bios/Settings`, { Attributes: { NoSuchThing: 'x' } })
    assert.equal(messageId(unknown), 'Base.1.16.PropertyUnknown')
    const type = await h.client.patch(`${SYS}/Bios/Settings`, { Attributes: { QuietBoot: 'yes' } })
    assert.equal(messageId(type), 'Base.1.16.PropertyValueTypeError')
    const enumBad = await h.client.patch(`${SYS}/Bios/Settings`, { Attributes: { NumLock: 'Maybe' } })
    assert.equal(messageId(enumBad), 'Base.1.16.PropertyValueNotInList')
    const notObj = await h.client.patch(`${SYS}/Bios/Settings`, { Attributes: [1] })
    assert.equal(notObj.status, 400)
    const applyTime = await h.client.patch(`${SYS}/Bios/Settings`, { Attributes: { NumLock: 'Off' }, '@Redfish.SettingsApplyTime': { ApplyTime: 'Whenever' } })
    assert.equal(applyTime.status, 400)
    assert.deepEqual((await h.client.get(`${SYS}/Bios/Settings`)).json?.Attributes, {})
    const direct = await h.client.patch(`${SYS}/Bios`, { Attributes: { NumLock: 'Off' } })
    assert.equal(direct.status, 405)
  })

  test('Prefer: respond-async gives a task that completes when the settings are applied', async () => {
    const r = await h.client.patch(`${SYS}/Bios/Settings`, { Attributes: { SriovGlobalEnable: 'Enabled' } }, { prefer: 'respond-async' })
    assert.equal(r.status, 202)
    const monitor = String(r.headers.location)
    assert.match(monitor, /^\/redfish\/v1\/TaskService\/TaskMonitors\/\d+$/)
    const pending = await h.client.get(monitor)
    assert.equal(pending.status, 202)
    assert.equal(pending.json?.TaskState, 'Pending')
    await h.client.post(RESET, { ResetType: 'PowerCycle' })
    const done = await h.client.get(monitor)
    assert.equal(done.status, 204)
    const task = await h.client.get(`/redfish/v1/TaskService/Tasks/${monitor.split('/').pop()}`)
    assert.equal(task.json?.TaskState, 'Completed')
    assert.equal(task.json?.PercentComplete, 100)
    const tasks = await h.client.get('/redfish/v1/TaskService/Tasks')
    assert.ok((tasks.json?.['Members@odata.count'] as number) >= 1)
  })

  test('ResetBios stages the defaults', async () => {
    await h.client.post(`${SYS}/Bios/Actions/Bios.ResetBios`, {})
    await h.client.post(RESET, { ResetType: 'ForceRestart' })
    const attrs = (await h.client.get(`${SYS}/Bios`)).json?.Attributes as Record<string, unknown>
    assert.equal(attrs.ProcTurboMode, 'Enabled')
    assert.equal(attrs.SriovGlobalEnable, 'Disabled')
  })
})

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
