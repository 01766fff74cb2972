import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { type RunningBmc, labMachine, messageId, startBmc } from '../../test/helpers/redfish.js'

const SYS = '/redfish/v1/Systems/System.Embedded.1'
const MGR = '/redfish/v1/Managers/iDRAC.Embedded.1'
const RESET = `${SYS}/Actions/ComputerSystem.Reset`
const ON_RESET = { '@Redfish.SettingsApplyTime': { '@odata.type': '#Settings.v1_0_0.PreferredApplyTime', ApplyTime: 'OnReset' } }

describe('RedfishBmc (idrac personality)', () => {
  let h: RunningBmc
  let m: ReturnType<typeof labMachine>
  before(async () => {
    m = labMachine('r650-01')
    h = await startBmc({ machines: m.machine, personality: 'idrac' })
  })
  after(() => h.stop())

  test('Dell resource ids and OEM fields', async () => {
    const systems = await h.client.get('/redfish/v1/Systems')
    assert.deepEqual(systems.json?.Members, [{ '@odata.id': SYS }])
    const sys = await h.client.get(SYS)
    const oem = sys.json?.Oem as { Dell: { DellSystem: { ChassisServiceTag: string } } }
    assert.equal(oem.Dell.DellSystem.ChassisServiceTag, m.machine.hardware.serialNumber)
    assert.equal(sys.json?.Manufacturer, 'Dell Inc.')
    const mgr = await h.client.get(MGR)
    const links = mgr.json?.Links as { Oem: { Dell: { DellJobService: { '@odata.id': string } } } }
    assert.equal(links.Oem.Dell.DellJobService['@odata.id'], `${MGR}/Oem/Dell/DellJobService`)
    const vm = await h.client.get(`${MGR}/VirtualMedia`)
    assert.deepEqual(vm.json?.Members, [{ '@odata.id': `${MGR}/VirtualMedia/CD` }, { '@odata.id': `${MGR}/VirtualMedia/RemovableDisk` }])
    assert.equal((await h.client.get('/redfish/v1/Chassis/System.Embedded.1')).status, 200)
    assert.equal(((await h.client.get(`${SYS}/Bios`)).json?.Attributes as Record<string, unknown>).SysProfile, 'PerfPerWattOptimizedDapc')
  })

  test('BIOS PATCH with ApplyTime OnReset creates a Scheduled config job that completes at reset', async () => {
    const r = await h.client.patch(`${SYS}/Bios/Settings`, { Attributes: { LogicalProc: 'Disabled' }, ...ON_RESET })
    assert.equal(r.status, 202)
    const location = String(r.headers.location)
    assert.match(location, /^\/redfish\/v1\/Managers\/iDRAC\.Embedded\.1\/Jobs\/JID_\d{12}$/)
    const jobId = location.split('/').pop()
    const job = await h.client.get(location)
    assert.equal(job.json?.JobState, 'Scheduled')
    assert.equal(job.json?.JobType, 'BIOSConfiguration')
    const oemJob = await h.client.get(`${MGR}/Oem/Dell/Jobs/${jobId}`)
    assert.equal(oemJob.json?.Id, jobId)
    await h.client.post(RESET, { ResetType: 'On' })
    const done = await h.client.get(location)
    assert.equal(done.json?.JobState, 'Completed')
    assert.equal(done.json?.PercentComplete, 100)
    assert.equal(((await h.client.get(`${SYS}/Bios`)).json?.Attributes as Record<string, unknown>).LogicalProc, 'Disabled')
  })

  test('staged values without a job stay pending across resets, until a job is created', async () => {
    assert.equal((await h.client.patch(`${SYS}/Bios/Settings`, { Attributes: { MemTest: 'Enabled' } })).status, 204)
    await h.client.post(RESET, { ResetType: 'ForceRestart' })
    assert.equal(((await h.client.get(`${SYS}/Bios`)).json?.Attributes as Record<string, unknown>).MemTest, 'Disabled')
    assert.deepEqual((await h.client.get(`${SYS}/Bios/Settings`)).json?.Attributes, { MemTest: 'Enabled' })
    const bad = await h.client.post(`${MGR}/Jobs`, { TargetSettingsURI: '/redfish/v1/Elsewhere' })
    assert.equal(bad.status, 400)
    const created = await h.client.post(`${MGR}/Jobs`, { TargetSettingsURI: `${SYS}/Bios/Settings` })
    assert.equal(created.status, 200)
    assert.match(String(created.headers.location), /Jobs\/JID_/)
    await h.client.post(RESET, { ResetType: 'ForceRestart' })
    assert.equal(((await h.client.get(`${SYS}/Bios`)).json?.Attributes as Record<string, unknown>).MemTest, 'Enabled')
  })

  test('DeleteJobQueue clears jobs (and their staged values), via both URL spellings', async () => {
    await h.client.patch(`${SYS}/Bios/Settings`, { Attributes: { NumLock: 'Off' }, ...ON_RESET })
    const jobs = await h.client.get(`${MGR}/Jobs`)
    assert.ok((jobs.json?.['Members@odata.count'] as number) >= 3)
    const missing = await h.client.post(`${MGR}/Oem/Dell/DellJobService/Actions/DellJobService.DeleteJobQueue`, {})
    assert.equal(messageId(missing), 'Base.1.16.ActionParameterMissing')
    const unknown = await h.client.post(`${MGR}/Oem/Dell/DellJobService/Actions/DellJobService.DeleteJobQueue`, { JobID: 'JID_000000000000' })
    assert.equal(unknown.status, 400)
    const cleared = await h.client.post('/redfish/v1/Dell/Managers/iDRAC.Embedded.1/DellJobService/Actions/DellJobService.DeleteJobQueue', { JobID: 'JID_CLEARALL' })
    assert.equal(cleared.status, 200)
    assert.equal((await h.client.get(`${MGR}/Oem/Dell/Jobs`)).json?.['Members@odata.count'], 0)
    assert.deepEqual((await h.client.get(`${SYS}/Bios/Settings`)).json?.Attributes, {})
    await h.client.post(RESET, { ResetType: 'ForceRestart' })
    assert.equal(((await h.client.get(`${SYS}/Bios`)).json?.Attributes as Record<string, unknown>).NumLock, 'On')
  })

  test('a single job can be deleted; LC status and iDRAC reset answer', async () => {
    const r = await h.client.patch(`${SYS}/Bios/Settings`, { Attributes: { AcPwrRcvry: 'On' }, ...ON_RESET })
    const location = String(r.headers.location)
    assert.equal((await h.client.call('DELETE', location)).status, 200)
    assert.equal((await h.client.get(location)).status, 404)
    const lc = await h.client.post(`${MGR}/Oem/Dell/DellLCService/Actions/DellLCService.GetRemoteServicesAPIStatus`, {})
    assert.equal(lc.json?.LCStatus, 'Ready')
    assert.equal(lc.json?.ServerStatus, 'OutOfPOST')
    const reset = await h.client.post(`${MGR}/Oem/Dell/DelliDRACCardService/Actions/DelliDRACCardService.iDRACReset`, { Force: 'Graceful' })
    assert.equal(reset.status, 200)
  })
})
