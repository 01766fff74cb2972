import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import { RedfishError } from '../../protocols/redfish/errors.js'
import { createDriverRegistry } from '../default-registry.js'
import { IDRAC } from '../hardware-types.js'
import type { DriverStep } from '../steps.js'
import { type RedfishLab, startRedfishLab } from '../../../test/helpers/redfish-test-kit.js'
import { IdracRedfishManagement } from './idrac-redfish-management.js'
import { IdracRedfishPower } from './idrac-redfish-power.js'

const step = (name: string): DriverStep => ({ interface: 'management', step: name, priority: 0, args: {} })

describe('idrac-redfish interfaces against the iDRAC lab BMC', () => {
  let lab: RedfishLab
  let mgmt: IdracRedfishManagement
  before(async () => {
    lab = await startRedfishLab('idrac')
    mgmt = new IdracRedfishManagement({ connections: lab.connections })
  })
  after(() => lab.stop())

  test('System.Embedded.1 is the default system id; another id is not found', async () => {
    const power = new IdracRedfishPower({ connections: lab.connections })
    assert.equal(await power.getPowerState(lab.ctx()), 'power off')
    await assert.rejects(power.getPowerState(lab.ctx(lab.node({ redfish_system_id: 'System.Embedded.2' }))), (e: unknown) => e instanceof RedfishError && e.code === 'REDFISH_NOT_FOUND')
  })

  test('clear_job_queue deletes scheduled jobs and their staged settings', async () => {
    const svc = lab.bmc.service.systems[0]
    const client = lab.connections.client({ address: lab.url, systemId: null, username: 'admin', password: 'lab-secret', verify: true, authType: 'auto' })
    await client.patch('/redfish/v1/Systems/System.Embedded.1/Bios/Settings', { Attributes: { NumLock: 'Off' }, '@Redfish.SettingsApplyTime': { ApplyTime: 'OnReset' } })
    assert.equal((await mgmt.listJobs(lab.ctx())).length, 1)
    assert.deepEqual(mgmt.getCleanSteps(lab.node()).map((s) => s.step), ['clear_job_queue', 'reset_idrac', 'known_good_state'])
    assert.deepEqual(await mgmt.executeStep(lab.ctx(), step('clear_job_queue')), { done: true })
    assert.deepEqual(await mgmt.listJobs(lab.ctx()), [])
    assert.deepEqual(svc.bios.pending, {})
  })

  test('reset_idrac and known_good_state run against the manager', async () => {
    assert.deepEqual(await mgmt.executeStep(lab.ctx(), step('reset_idrac')), { done: true })
    assert.deepEqual(await mgmt.executeStep(lab.ctx(), step('known_good_state')), { done: true })
  })
})

test('the registry knows every redfish and idrac implementation the hardware types name', () => {
  const reg = createDriverRegistry()
  for (const [kind, names] of [
    ['power', ['redfish', 'idrac-redfish']],
    ['management', ['redfish', 'idrac-redfish']],
    ['bios', ['redfish', 'idrac-redfish']],
    ['inspect', ['redfish', 'idrac-redfish']],
    ['boot', ['redfish-virtual-media', 'idrac-redfish-virtual-media']],
  ] as const) {
    for (const name of names) assert.equal(reg.getInterface(kind, name).name, name)
  }
  // As in Ironic, network boot comes first and virtual media after it; fake (Ferrum's) comes last.
  assert.deepEqual(reg.supportedInterfaces(IDRAC, 'boot'), ['ipxe', 'pxe', 'idrac-redfish-virtual-media', 'fake'])
  assert.equal(reg.defaultInterface(IDRAC, 'boot'), 'ipxe')
  assert.ok(reg.enabledHardwareTypes().some((t) => t.name === 'idrac'))
})
