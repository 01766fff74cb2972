// The real `openstack baremetal` client (Debian's python3-openstackclient + python3-ironicclient)
// against `ferrum up` on SQLite, asserted on the client's `-f json` output and its stderr. The
// client takes about a second per call, so independent calls run in parallel and each call's
// output is asserted as a whole. A 409 costs ~10 s: the client retries every 409 five times
// (as it does against Ironic, where a locked node is also a 409).
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { startFerrum } from '../helpers/ferrum-process.js'
import type { FerrumProcess } from '../helpers/ferrum-process.js'
import { baremetal, baremetalJson, baremetalOk } from '../helpers/openstack-cli.js'
import type { CliOptions } from '../helpers/openstack-cli.js'

type Row = Record<string, unknown>

describe('openstack baremetal against ferrum up (SQLite)', () => {
  let dir: string
  let ferrum: FerrumProcess
  const json = <T = Row>(args: string[], opts?: CliOptions) => baremetalJson<T>(ferrum.url, args, opts)
  const ok = (args: string[], opts?: CliOptions) => baremetalOk(ferrum.url, args, opts)
  const fail = (args: string[], opts?: CliOptions) => baremetal(ferrum.url, args, opts)

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferrum-cli-'))
    ferrum = await startFerrum({ dataDir: dir })
  })
  after(async () => {
    await ferrum?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  test('node create, show (--fields) and list (--long, --fields, --limit, --sort, filters)', async () => {
    // One after the other: the default list order is creation order.
    const n1 = await json(['node', 'create', '--driver', 'fake-hardware', '--name', 'cli-n1', '--driver-info', 'ipmi_address=10.0.0.1',
        '--driver-info', 'ipmi_password=s3cret', '--property', 'cpus=8', '--extra', 'rack=r1', '--resource-class', 'gold'])
    const n2 = await json(['node', 'create', '--driver', 'fake-hardware', '--name', 'cli-n2', '--uuid', '1be26c0b-03f2-4d2e-ae87-c02d7f33c123',
        '--resource-class', 'silver'])
    const n3 = await json(['node', 'create', '--driver', 'fake-hardware', '--name', 'cli-n3', '--network-interface', 'noop'])
    assert.equal(n1.name, 'cli-n1')
    assert.equal(n1.driver, 'fake-hardware')
    assert.equal(n1.provision_state, 'enroll', 'the negotiated (latest) version enrolls')
    assert.equal(n1.power_state, null)
    assert.equal(n1.maintenance, false)
    assert.equal(n1.resource_class, 'gold')
    assert.equal(n1.description, null, 'ironicclient 5.0 cannot send a description on create')
    assert.deepEqual(n1.driver_info, { ipmi_address: '10.0.0.1', ipmi_password: '******' }, 'secrets are masked')
    assert.deepEqual(n1.properties, { cpus: 8 })
    assert.deepEqual(n1.extra, { rack: 'r1' })
    assert.deepEqual(n1.traits, [])
    assert.equal(n1.power_interface, 'fake')
    assert.match(String(n1.uuid), /^[0-9a-f-]{36}$/)
    assert.equal(n2.uuid, '1be26c0b-03f2-4d2e-ae87-c02d7f33c123')
    assert.equal(n3.network_interface, 'noop')

    const [shown, shownByUuid, fields, list, long, onlyFields, limited, sorted, byRc, byDriver, byState] = await Promise.all([
      json(['node', 'show', 'cli-n1']),
      json(['node', 'show', String(n2.uuid)]),
      json(['node', 'show', 'cli-n1', '--fields', 'name', 'driver_info', 'resource_class']),
      json<Row[]>(['node', 'list']),
      json<Row[]>(['node', 'list', '--long']),
      json<Row[]>(['node', 'list', '--fields', 'uuid', 'name', 'resource_class']),
      json<Row[]>(['node', 'list', '--limit', '2']),
      json<Row[]>(['node', 'list', '--sort', 'name:desc']),
      json<Row[]>(['node', 'list', '--resource-class', 'silver']),
      json<Row[]>(['node', 'list', '--driver', 'ipmi']),
      json<Row[]>(['node', 'list', '--provision-state', 'enroll', '--sort', 'name:asc']),
    ])
    assert.deepEqual(shown, n1)
    assert.equal(shownByUuid.name, 'cli-n2')
    assert.deepEqual(fields, { name: 'cli-n1', driver_info: { ipmi_address: '10.0.0.1', ipmi_password: '******' }, resource_class: 'gold' })

    assert.deepEqual(list.map((r) => r.Name), ['cli-n1', 'cli-n2', 'cli-n3'])
    assert.deepEqual(Object.keys(list[0]).sort(), ['Instance UUID', 'Maintenance', 'Name', 'Power State', 'Provisioning State', 'UUID'])
    assert.deepEqual(list[0], { UUID: n1.uuid, Name: 'cli-n1', 'Instance UUID': null, 'Power State': null, 'Provisioning State': 'enroll', Maintenance: false })

    assert.equal(long.length, 3)
    const l1 = long.find((r) => r.Name === 'cli-n1')!
    assert.equal(l1.Driver, 'fake-hardware')
    assert.deepEqual(l1['Driver Info'], { ipmi_address: '10.0.0.1', ipmi_password: '******' })
    assert.deepEqual(l1.Properties, { cpus: 8 })
    assert.equal(l1['Resource Class'], 'gold')
    assert.deepEqual(l1.Traits, [])
    assert.equal(l1['Power Interface'], 'fake')
    assert.equal(l1['Created At'], n1.created_at)

    assert.deepEqual(onlyFields, [
      { UUID: n1.uuid, Name: 'cli-n1', 'Resource Class': 'gold' },
      { UUID: n2.uuid, Name: 'cli-n2', 'Resource Class': 'silver' },
      { UUID: n3.uuid, Name: 'cli-n3', 'Resource Class': null },
    ])
    assert.deepEqual(limited.map((r) => r.Name), ['cli-n1', 'cli-n2'])
    assert.deepEqual(sorted.map((r) => r.Name), ['cli-n3', 'cli-n2', 'cli-n1'])
    assert.deepEqual(byRc.map((r) => r.Name), ['cli-n2'])
    assert.deepEqual(byDriver, [], 'no ipmi nodes')
    assert.deepEqual(byState.map((r) => r.Name), ['cli-n1', 'cli-n2', 'cli-n3'])
  })

  test('node create and show at a pinned old microversion (1.1: no enroll state, no names)', async () => {
    const old = await json(['node', 'create', '--driver', 'fake-hardware'], { apiVersion: '1.1' })
    // Before 1.11 new nodes are "available", which versions before 1.2 show as null (NOSTATE).
    assert.equal(old.provision_state, null)
    assert.equal(old.name, undefined, 'name is hidden before 1.5')
    assert.equal(old.resource_class, undefined, 'resource_class is hidden before 1.21')
    const [shown, latest] = await Promise.all([
      json(['node', 'show', String(old.uuid)], { apiVersion: '1.1' }),
      json(['node', 'show', String(old.uuid)]),
    ])
    assert.deepEqual(Object.keys(shown).sort(), Object.keys(old).sort())
    assert.equal(latest.name, null)
    assert.equal(latest.provision_state, 'available')
    await ok(['node', 'delete', String(old.uuid)])
  })

  test('node set and unset', async () => {
    await json(['node', 'create', '--driver', 'fake-hardware', '--name', 'cli-set', '--extra', 'keep=1', '--extra', 'drop=2'])
    await ok(['node', 'set', 'cli-set', '--name', 'cli-set2', '--extra', 'a=b', '--property', 'memory_mb=1024', '--description', 'set by the client',
      '--driver-info', 'redfish_password=pw', '--owner', 'project-1', '--resource-class', 'bronze', '--conductor-group', 'Rack-A'])
    const set = await json(['node', 'show', 'cli-set2'])
    assert.equal(set.name, 'cli-set2')
    assert.deepEqual(set.extra, { keep: 1, drop: 2, a: 'b' })
    assert.deepEqual(set.properties, { memory_mb: 1024 })
    assert.deepEqual(set.driver_info, { redfish_password: '******' })
    assert.equal(set.description, 'set by the client')
    assert.equal(set.owner, 'project-1')
    assert.equal(set.resource_class, 'bronze')
    assert.equal(set.conductor_group, 'rack-a', 'conductor groups are stored lower-case')
    assert.ok(set.updated_at !== null)

    await ok(['node', 'unset', 'cli-set2', '--extra', 'drop', '--property', 'memory_mb', '--description', '--owner', '--resource-class', '--driver-info', 'redfish_password'])
    const unset = await json(['node', 'show', 'cli-set2', '--fields', 'extra', 'properties', 'description', 'owner', 'resource_class', 'driver_info'])
    assert.deepEqual(unset, { extra: { keep: 1, a: 'b' }, properties: {}, description: null, owner: null, resource_class: null, driver_info: {} })

    // Unsetting something that is not there is Ironic's 400, printed by the client.
    const bad = await fail(['node', 'unset', 'cli-set2', '--extra', 'nope'])
    assert.equal(bad.code, 1)
    assert.match(bad.stderr, /nope/)
    assert.match(bad.stderr, /\(HTTP 400\)/)
  })

  test('node traits: add, list, remove, remove --all', async () => {
    await json(['node', 'create', '--driver', 'fake-hardware', '--name', 'cli-traits'])
    const added = await ok(['node', 'add', 'trait', 'cli-traits', 'CUSTOM_GPU', 'CUSTOM_FAST', 'HW_CPU_X86_VMX'])
    assert.match(added.stdout, /Added trait CUSTOM_GPU/)
    const [traits, shown] = await Promise.all([
      json<Row[]>(['node', 'trait', 'list', 'cli-traits']),
      json(['node', 'show', 'cli-traits', '--fields', 'traits']),
    ])
    assert.deepEqual(traits, [{ Traits: 'CUSTOM_FAST' }, { Traits: 'CUSTOM_GPU' }, { Traits: 'HW_CPU_X86_VMX' }])
    assert.deepEqual(shown, { traits: ['CUSTOM_FAST', 'CUSTOM_GPU', 'HW_CPU_X86_VMX'] })
    const removed = await ok(['node', 'remove', 'trait', 'cli-traits', 'CUSTOM_GPU'])
    assert.match(removed.stdout, /Removed trait CUSTOM_GPU/)
    assert.deepEqual(await json<Row[]>(['node', 'trait', 'list', 'cli-traits']), [{ Traits: 'CUSTOM_FAST' }, { Traits: 'HW_CPU_X86_VMX' }])
    const [missing, invalid] = await Promise.all([
      fail(['node', 'remove', 'trait', 'cli-traits', 'CUSTOM_NOPE']),
      fail(['node', 'add', 'trait', 'cli-traits', 'lower_case']),
    ])
    assert.equal(missing.code, 1)
    assert.match(missing.stderr, /CUSTOM_NOPE/)
    assert.match(missing.stderr, /HTTP 404/)
    assert.equal(invalid.code, 1)
    assert.match(invalid.stderr, /lower_case/)
    assert.match(invalid.stderr, /HTTP 400/)
    await ok(['node', 'remove', 'trait', 'cli-traits', '--all'])
    assert.deepEqual(await json<Row[]>(['node', 'trait', 'list', 'cli-traits']), [])
  })

  test('node maintenance set --reason and unset; list --maintenance', async () => {
    await json(['node', 'create', '--driver', 'fake-hardware', '--name', 'cli-maint'])
    await ok(['node', 'maintenance', 'set', 'cli-maint', '--reason', 'fan is loud'])
    const [on, inMaint] = await Promise.all([
      json(['node', 'show', 'cli-maint', '--fields', 'maintenance', 'maintenance_reason']),
      json<Row[]>(['node', 'list', '--maintenance', '--fields', 'name', 'maintenance']),
    ])
    assert.deepEqual(on, { maintenance: true, maintenance_reason: 'fan is loud' })
    assert.deepEqual(inMaint, [{ Name: 'cli-maint', Maintenance: true }])
    await ok(['node', 'maintenance', 'unset', 'cli-maint'])
    const [off, none] = await Promise.all([
      json(['node', 'show', 'cli-maint', '--fields', 'maintenance', 'maintenance_reason']),
      json<Row[]>(['node', 'list', '--maintenance']),
    ])
    assert.deepEqual(off, { maintenance: false, maintenance_reason: null })
    assert.deepEqual(none, [])
  })

  test('node delete (several at once) and errors: unknown node, duplicate name', async () => {
    const [a, b] = await Promise.all([
      json(['node', 'create', '--driver', 'fake-hardware', '--name', 'cli-del-a']),
      json(['node', 'create', '--driver', 'fake-hardware', '--name', 'cli-del-b']),
      json(['node', 'create', '--driver', 'fake-hardware', '--name', 'cli-dup']),
    ])
    const del = await ok(['node', 'delete', 'cli-del-a', String(b.uuid)])
    assert.match(del.stdout + del.stderr, /Deleted node cli-del-a/)
    const [gone, goneUuid, unknownDel, dup] = await Promise.all([
      fail(['node', 'show', 'cli-del-a']),
      fail(['node', 'show', String(a.uuid)]),
      fail(['node', 'delete', 'no-such-node']),
      fail(['node', 'create', '--driver', 'fake-hardware', '--name', 'cli-dup']),
    ])
    for (const r of [gone, goneUuid]) {
      assert.equal(r.code, 1)
      assert.match(r.stderr, /could not be found/)
      assert.match(r.stderr, /\(HTTP 404\)/)
    }
    assert.match(gone.stderr, /Node cli-del-a could not be found/)
    assert.match(goneUuid.stderr, new RegExp(`Node ${String(a.uuid)} could not be found`))
    assert.equal(unknownDel.code, 1)
    assert.match(unknownDel.stderr, /no-such-node could not be found/)
    assert.equal(dup.code, 1)
    assert.match(dup.stderr, /A node with name cli-dup already exists\. \(HTTP 409\)/)
    const names = (await json<Row[]>(['node', 'list', '--fields', 'name'])).map((r) => r.Name)
    assert.ok(!names.includes('cli-del-a') && !names.includes('cli-del-b'), names.join(','))
    assert.equal(names.filter((n) => n === 'cli-dup').length, 1, 'the duplicate was not created')
  })
})
