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

  test('chassis create, list (--long, --fields), show; a node in the chassis', async () => {
    const [c1, c2] = await Promise.all([
      json(['chassis', 'create', '--description', 'rack 7', '--extra', 'room=b2']),
      json(['chassis', 'create', '--uuid', '3f1c2a9e-6b8d-4e2f-9a7c-1d5e8b0f4a62']),
    ])
    assert.equal(c1.description, 'rack 7')
    assert.deepEqual(c1.extra, { room: 'b2' })
    assert.match(String(c1.uuid), /^[0-9a-f-]{36}$/)
    assert.equal(c2.uuid, '3f1c2a9e-6b8d-4e2f-9a7c-1d5e8b0f4a62')
    assert.equal(c2.description, null)
    const node = await json(['node', 'create', '--driver', 'fake-hardware', '--name', 'cli-in-chassis', '--chassis-uuid', String(c1.uuid)])
    assert.equal(node.chassis_uuid, c1.uuid)
    const [list, long, fields, shown, nodes] = await Promise.all([
      json<Row[]>(['chassis', 'list']),
      json<Row[]>(['chassis', 'list', '--long']),
      json<Row[]>(['chassis', 'list', '--fields', 'uuid', 'extra']),
      json(['chassis', 'show', String(c1.uuid)]),
      json<Row[]>(['node', 'list', '--chassis', String(c1.uuid), '--fields', 'name', 'chassis_uuid']),
    ])
    const byUuid = (rows: Row[]) => [...rows].sort((a, b) => String(a.UUID).localeCompare(String(b.UUID)))
    assert.deepEqual(byUuid(list), byUuid([{ UUID: c1.uuid, Description: 'rack 7' }, { UUID: c2.uuid, Description: null }]))
    const l1 = long.find((r) => r.UUID === c1.uuid)!
    assert.equal(l1.Description, 'rack 7')
    assert.deepEqual(l1.Extra, { room: 'b2' })
    assert.equal(l1['Created At'], c1.created_at)
    assert.deepEqual(byUuid(fields), byUuid([{ UUID: c1.uuid, Extra: { room: 'b2' } }, { UUID: c2.uuid, Extra: {} }]))
    assert.deepEqual(shown, c1)
    assert.deepEqual(nodes, [{ Name: 'cli-in-chassis', 'Chassis UUID': c1.uuid }])
    await ok(['node', 'delete', 'cli-in-chassis'])
  })

  test('port create, list (--node, --long, --fields, --sort, --limit, --address), show, set, unset, delete; duplicate MAC', async () => {
    const node = await json(['node', 'create', '--driver', 'fake-hardware', '--name', 'cli-ports'])
    const other = await json(['node', 'create', '--driver', 'fake-hardware', '--name', 'cli-ports-2'])
    const p1 = await json(['port', 'create', '52:54:00:12:34:56', '--node', String(node.uuid), '--extra', 'slot=1', '--physical-network', 'physnet1',
      '--local-link-connection', 'switch_id=00:11:22:33:44:55', '--local-link-connection', 'port_id=Eth1/1'])
    const p2 = await json(['port', 'create', '52:54:00:12:34:0A', '--node', String(node.uuid), '--pxe-enabled', 'false'])
    const p3 = await json(['port', 'create', '52:54:00:12:34:01', '--node', String(other.uuid)])
    assert.equal(p1.address, '52:54:00:12:34:56')
    assert.equal(p1.node_uuid, node.uuid)
    assert.deepEqual(p1.extra, { slot: 1 }, 'the client sends JSON-looking values as JSON')
    assert.equal(p1.physical_network, 'physnet1')
    assert.deepEqual(p1.local_link_connection, { switch_id: '00:11:22:33:44:55', port_id: 'Eth1/1' })
    assert.equal(p1.pxe_enabled, true)
    assert.equal(p1.portgroup_uuid, null)
    assert.equal(p2.address, '52:54:00:12:34:0a', 'MAC addresses are stored lower-case')
    assert.equal(p2.pxe_enabled, false)

    const [list, byNode, long, fields, sorted, limited, byAddress, shown, shownByAddress] = await Promise.all([
      json<Row[]>(['port', 'list']),
      json<Row[]>(['port', 'list', '--node', 'cli-ports']),
      json<Row[]>(['port', 'list', '--long', '--node', String(node.uuid)]),
      json<Row[]>(['port', 'list', '--fields', 'uuid', 'address', 'pxe_enabled']),
      json<Row[]>(['port', 'list', '--sort', 'address:desc']),
      json<Row[]>(['port', 'list', '--limit', '1']),
      json<Row[]>(['port', 'list', '--address', '52:54:00:12:34:01']),
      json(['port', 'show', String(p1.uuid)]),
      json(['port', 'show', '--address', '52:54:00:12:34:0a', '--fields', 'uuid', 'node_uuid']),
    ])
    assert.deepEqual(list, [
      { UUID: p1.uuid, Address: '52:54:00:12:34:56' },
      { UUID: p2.uuid, Address: '52:54:00:12:34:0a' },
      { UUID: p3.uuid, Address: '52:54:00:12:34:01' },
    ])
    assert.deepEqual(byNode.map((r) => r.UUID), [p1.uuid, p2.uuid])
    assert.equal(long.length, 2)
    const l1 = long.find((r) => r.UUID === p1.uuid)!
    assert.equal(l1['Node UUID'], node.uuid)
    assert.equal(l1['Physical Network'], 'physnet1')
    assert.equal(l1['PXE boot enabled'], true)
    assert.deepEqual(l1['Local Link Connection'], { switch_id: '00:11:22:33:44:55', port_id: 'Eth1/1' })
    assert.deepEqual(fields, [
      { UUID: p1.uuid, Address: '52:54:00:12:34:56', 'PXE boot enabled': true },
      { UUID: p2.uuid, Address: '52:54:00:12:34:0a', 'PXE boot enabled': false },
      { UUID: p3.uuid, Address: '52:54:00:12:34:01', 'PXE boot enabled': true },
    ])
    assert.deepEqual(sorted.map((r) => r.Address), ['52:54:00:12:34:56', '52:54:00:12:34:0a', '52:54:00:12:34:01'])
    assert.deepEqual(limited, [{ UUID: p1.uuid, Address: '52:54:00:12:34:56' }])
    assert.deepEqual(byAddress, [{ UUID: p3.uuid, Address: '52:54:00:12:34:01' }])
    assert.deepEqual(shown, p1)
    assert.deepEqual(shownByAddress, { uuid: p2.uuid, node_uuid: node.uuid })

    await ok(['port', 'set', String(p1.uuid), '--extra', 'cable=blue', '--physical-network', 'physnet2', '--pxe-disabled', '--node', String(other.uuid)])
    const set = await json(['port', 'show', String(p1.uuid)])
    assert.deepEqual(set.extra, { slot: 1, cable: 'blue' })
    assert.equal(set.physical_network, 'physnet2')
    assert.equal(set.pxe_enabled, false)
    assert.equal(set.node_uuid, other.uuid)
    await ok(['port', 'unset', String(p1.uuid), '--extra', 'slot', '--physical-network'])
    const unset = await json(['port', 'show', String(p1.uuid), '--fields', 'extra', 'physical_network'])
    assert.deepEqual(unset, { extra: { cable: 'blue' }, physical_network: null })

    const [dup, badMac, noNode] = await Promise.all([
      fail(['port', 'create', '52:54:00:12:34:0a', '--node', String(other.uuid)]),
      fail(['port', 'create', 'not-a-mac', '--node', String(node.uuid)]),
      fail(['port', 'create', '52:54:00:ff:ff:ff', '--node', '0c1d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f']),
    ])
    assert.equal(dup.code, 1)
    assert.match(dup.stderr, /A port with MAC address 52:54:00:12:34:0a already exists\. \(HTTP 409\)/)
    assert.equal(badMac.code, 1)
    assert.match(badMac.stderr, /not-a-mac/)
    assert.match(badMac.stderr, /HTTP 400/)
    assert.equal(noNode.code, 1)
    assert.match(noNode.stderr, /0c1d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f could not be found/)

    const del = await ok(['port', 'delete', String(p2.uuid), String(p3.uuid)])
    assert.match(del.stdout + del.stderr, new RegExp(`Deleted port ${String(p2.uuid)}`))
    const [after, gone] = await Promise.all([
      json<Row[]>(['port', 'list']),
      fail(['port', 'show', String(p2.uuid)]),
    ])
    assert.deepEqual(after.map((r) => r.UUID), [p1.uuid])
    assert.equal(gone.code, 1)
    assert.match(gone.stderr, /could not be found/)
  })

  test('port group create, list (--long, --node), show; ports in the group', async () => {
    const node = await json(['node', 'create', '--driver', 'fake-hardware', '--name', 'cli-pg'])
    const g1 = await json(['port', 'group', 'create', '--node', String(node.uuid), '--name', 'bond0', '--address', '52:54:00:AA:BB:CC',
      '--mode', 'active-backup', '--property', 'miimon=100', '--extra', 'lacp=no'])
    const g2 = await json(['port', 'group', 'create', '--node', String(node.uuid), '--name', 'bond1', '--unsupport-standalone-ports'])
    assert.equal(g1.name, 'bond0')
    assert.equal(g1.address, '52:54:00:aa:bb:cc')
    assert.equal(g1.node_uuid, node.uuid)
    assert.equal(g1.mode, 'active-backup')
    assert.deepEqual(g1.properties, { miimon: 100 })
    assert.deepEqual(g1.extra, { lacp: 'no' })
    assert.equal(g1.standalone_ports_supported, true)
    assert.equal(g2.standalone_ports_supported, false)
    assert.equal(g2.address, null)
    assert.equal(g2.mode, 'active-backup', 'Ironic\'s default_portgroup_mode')
    const port = await json(['port', 'create', '52:54:00:aa:bb:01', '--node', String(node.uuid), '--port-group', 'bond0'])
    assert.equal(port.portgroup_uuid, g1.uuid)
    // The duplicate (a 409, which the client retries for ~10 s) runs beside the reads.
    const [list, long, byNode, shown, ports, dup] = await Promise.all([
      json<Row[]>(['port', 'group', 'list']),
      json<Row[]>(['port', 'group', 'list', '--long']),
      json<Row[]>(['port', 'group', 'list', '--node', 'cli-pg', '--fields', 'uuid', 'name', 'mode']),
      json(['port', 'group', 'show', 'bond0']),
      json<Row[]>(['port', 'list', '--port-group', String(g1.uuid)]),
      fail(['port', 'group', 'create', '--node', String(node.uuid), '--name', 'bond0']),
    ])
    assert.deepEqual(list, [
      { UUID: g1.uuid, Address: '52:54:00:aa:bb:cc', Name: 'bond0' },
      { UUID: g2.uuid, Address: null, Name: 'bond1' },
    ])
    const l1 = long.find((r) => r.UUID === g1.uuid)!
    assert.equal(l1['Node UUID'], node.uuid)
    assert.equal(l1.Mode, 'active-backup')
    assert.equal(l1['Standalone Ports Supported'], true)
    assert.deepEqual(byNode, [{ UUID: g1.uuid, Name: 'bond0', Mode: 'active-backup' }, { UUID: g2.uuid, Name: 'bond1', Mode: 'active-backup' }])
    assert.deepEqual(shown, g1)
    assert.deepEqual(ports.map((r) => r.UUID), [port.uuid])
    assert.equal(dup.code, 1)
    assert.match(dup.stderr, /bond0/)
    assert.match(dup.stderr, /already exists\. \(HTTP 409\)/)
  })

  test('driver list and show; conductor list and show', async () => {
    const [drivers, long, driver, props, conductors, conductor] = await Promise.all([
      json<Row[]>(['driver', 'list']),
      json<Row[]>(['driver', 'list', '--long']),
      json(['driver', 'show', 'fake-hardware']),
      json<Row[]>(['driver', 'property', 'list', 'fake-hardware']),
      json<Row[]>(['conductor', 'list']),
      json(['conductor', 'list', '--long']),
    ])
    const host = (conductors[0] ?? {}).Hostname
    assert.ok(drivers.some((d) => d['Supported driver(s)'] === 'fake-hardware' && String(d['Active host(s)']).includes(String(host))), JSON.stringify(drivers))
    const dl = long.find((d) => d['Supported driver(s)'] === 'fake-hardware')!
    assert.equal(dl.Type, 'dynamic')
    assert.equal(dl['Default Power Interface'], 'fake')
    assert.equal(driver.name, 'fake-hardware')
    assert.equal(driver.type, 'dynamic')
    assert.equal(driver.default_power_interface, 'fake')
    assert.equal(driver.default_deploy_interface, 'fake')
    assert.match(String(driver.enabled_power_interfaces), /\bfake\b/)
    assert.match(String(driver.hosts), new RegExp(String(host)))
    assert.ok(Array.isArray(props))
    assert.equal(conductors.length, 1)
    assert.deepEqual(conductors[0], { Hostname: host, 'Conductor Group': '', Alive: true })
    const cl = (conductor as unknown as Row[])[0]
    assert.equal(cl.Hostname, host)
    assert.equal(cl.Alive, true)
    assert.match(String(cl['Drivers']), /fake-hardware/)
    const [shownConductor, unknownDriver] = await Promise.all([
      json(['conductor', 'show', String(host)]),
      fail(['driver', 'show', 'no-such-driver']),
    ])
    assert.equal(shownConductor.hostname, host)
    assert.equal(shownConductor.alive, true)
    assert.ok((shownConductor.drivers as string[]).includes('fake-hardware'), JSON.stringify(shownConductor.drivers))
    assert.equal(unknownDriver.code, 1)
    assert.match(unknownDriver.stderr, /no-such-driver/)
    assert.match(unknownDriver.stderr, /HTTP 404/)
  })
})
