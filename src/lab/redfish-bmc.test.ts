import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { PASSWORD, type RunningBmc, USER, labMachine, messageId, startBmc } from '../../test/helpers/redfish.js'

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
