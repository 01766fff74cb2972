// openstacksdk (Debian's python3-openstacksdk) against `ferrum up` on SQLite: allocations,
// deploy templates, volume connectors and targets, VIFs, traits, retired and port groups, each
// asserted through the SDK's own resource objects. One Python script drives the SDK and prints
// what it saw as JSON; the assertions are here.
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { after, before, describe, test } from 'node:test'
import { startFerrum } from '../helpers/ferrum-process.js'
import type { FerrumProcess } from '../helpers/ferrum-process.js'

const run = promisify(execFile)
const PYTHON = '/usr/bin/python3'

const SCRIPT = String.raw`
import json, sys
import openstack

conn = openstack.connect(cloud='ferrum')
bm = conn.baremetal
out = {}

def node(name, rc):
    n = bm.create_node(driver='fake-hardware', name=name, resource_class=rc)
    bm.set_node_provision_state(n, 'manage', wait=True, timeout=30)
    bm.set_node_provision_state(n, 'provide', wait=True, timeout=30)
    return bm.get_node(n.id)

# Traits and retired.
n1 = node('sdk-n1', 'sdk-gold')
bm.add_node_trait(n1, 'CUSTOM_FAST')
bm.set_node_traits(n1, ['CUSTOM_FAST', 'CUSTOM_GPU'])
n1 = bm.get_node('sdk-n1')
out['traits'] = sorted(n1.traits)
n2 = node('sdk-n2', 'sdk-gold')
# As on Ironic: an available node can not be retired (409); a manageable one can.
try:
    bm.update_node(n2, is_retired=True)
    out['retire_available'] = 'accepted'
except Exception as e:
    out['retire_available'] = type(e).__name__
bm.set_node_provision_state(n2, 'manage', wait=True, timeout=30)
n2 = bm.update_node(n2, is_retired=True, retired_reason='end of life')
n2 = bm.get_node('sdk-n2')
out['retired'] = [n2.is_retired, n2.retired_reason]

# Allocations: the one with the GPU trait gets sdk-n1.
a = bm.create_allocation(resource_class='sdk-gold', traits=['CUSTOM_GPU'], name='sdk-alloc', extra={'k': 'v'})
a = bm.wait_for_allocation(a, timeout=30)
out['allocation'] = {'state': a.state, 'node_id': a.node_id, 'name': a.name, 'extra': a.extra, 'traits': a.traits}
n1 = bm.get_node('sdk-n1')
out['node_after_allocation'] = {'instance_id': n1.instance_id, 'allocation_id': n1.allocation_id, 'alloc_uuid': a.id}
a = bm.update_allocation(a, extra={'k': 'w'})
out['allocation_updated_extra'] = bm.get_allocation('sdk-alloc').extra
out['allocations_listed'] = [x.id for x in bm.allocations()]
failed = bm.create_allocation(resource_class='sdk-none')
try:
    bm.wait_for_allocation(failed, timeout=30)
    out['failed_allocation'] = 'no error'
except Exception as e:
    out['failed_allocation'] = type(e).__name__ + ': ' + str(e)
bm.delete_allocation(a)
out['node_after_delete'] = bm.get_node('sdk-n1').instance_id

# Deploy templates.
t = bm.create_deploy_template(name='CUSTOM_SDK', steps=[{'interface': 'bios', 'step': 'apply_configuration', 'args': {'settings': []}, 'priority': 110}])
t = bm.update_deploy_template(t, extra={'owner': 'sdk'})
t = bm.get_deploy_template('CUSTOM_SDK')
out['template'] = {'name': t.name, 'steps': t.steps, 'extra': t.extra, 'listed': [x.name for x in bm.deploy_templates(details=True)]}
bm.delete_deploy_template(t)
out['templates_after_delete'] = [x.name for x in bm.deploy_templates()]

# Port groups and ports, then VIFs on them.
pg = bm.create_port_group(node_id=n1.id, address='52:54:00:aa:00:01', name='sdk-bond')
p1 = bm.create_port(node_id=n1.id, address='52:54:00:aa:00:02', port_group_id=pg.id)
p2 = bm.create_port(node_id=n1.id, address='52:54:00:aa:00:03')
out['port_groups'] = [(x.name, x.address, x.node_id) for x in bm.port_groups(details=True)]
# VIFs are recorded by the flat network interface; noop (as on Ironic) records none.
n3 = bm.create_node(driver='fake-hardware', name='sdk-noop')
bm.attach_vif_to_node(n3, 'vif-noop')
out['noop_vifs'] = [n3.network_interface, bm.list_node_vifs(n3)]
n1 = bm.update_node(n1, network_interface='flat')
bm.attach_vif_to_node(n1, 'vif-1')
bm.attach_vif_to_node(n1, 'vif-2')
out['vifs'] = sorted(bm.list_node_vifs(n1))
out['pg_internal'] = bm.get_port_group(pg.id).internal_info
try:
    bm.attach_vif_to_node(n1, 'vif-3')
    out['third_vif'] = 'attached'
except Exception as e:
    out['third_vif'] = type(e).__name__
bm.detach_vif_from_node(n1, 'vif-1')
out['vifs_after_detach'] = bm.list_node_vifs(n1)

# Volume connectors and targets.
c = bm.create_volume_connector(node_id=n1.id, type='iqn', connector_id='iqn.2024-01.org.example:sdk')
c = bm.update_volume_connector(c, extra={'a': 1})
out['connector'] = {'type': c.type, 'connector_id': c.connector_id, 'node_id': c.node_id, 'extra': bm.get_volume_connector(c.id).extra}
out['connectors'] = [x.id for x in bm.volume_connectors(details=True, node=n1.id)]
vt = bm.create_volume_target(node_id=n1.id, volume_type='iscsi', volume_id='vol-sdk', boot_index=0, properties={'target_lun': 0})
out['target'] = {'volume_type': vt.volume_type, 'volume_id': vt.volume_id, 'boot_index': vt.boot_index, 'properties': vt.properties}
out['targets'] = [x.id for x in bm.volume_targets(details=True)]
bm.delete_volume_target(vt)
bm.delete_volume_connector(c)
out['volume_after_delete'] = [len(list(bm.volume_connectors())), len(list(bm.volume_targets()))]
out['ids'] = {'n1': n1.id, 'connector': c.id, 'target': vt.id}
print(json.dumps(out))
`

describe('openstacksdk against ferrum up (SQLite)', () => {
  let dir: string
  let ferrum: FerrumProcess
  let seen: Record<string, unknown>

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferrum-sdk-'))
    ferrum = await startFerrum({ dataDir: join(dir, 'data') })
    writeFileSync(join(dir, 'clouds.yaml'), `clouds:\n  ferrum:\n    auth_type: none\n    baremetal_endpoint_override: ${ferrum.url}\n    baremetal_api_version: '1'\n`)
    writeFileSync(join(dir, 'sdk.py'), SCRIPT)
    const { stdout } = await run(PYTHON, [join(dir, 'sdk.py')], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir, OS_CLIENT_CONFIG_FILE: join(dir, 'clouds.yaml') },
      timeout: 240_000,
      maxBuffer: 16 * 1024 * 1024,
    })
    seen = JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>
  })
  after(async () => {
    await ferrum?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  test('traits and retired through Node objects', () => {
    assert.deepEqual(seen.traits, ['CUSTOM_FAST', 'CUSTOM_GPU'])
    assert.deepEqual(seen.retired, [true, 'end of life'])
    assert.equal(seen.retire_available, 'ConflictException')
  })

  test('allocations: active on the node with the trait, updated, listed, failed with no match, deleted', () => {
    const a = seen.allocation as Record<string, unknown>
    const ids = seen.ids as Record<string, string>
    assert.deepEqual(a, { state: 'active', node_id: ids.n1, name: 'sdk-alloc', extra: { k: 'v' }, traits: ['CUSTOM_GPU'] })
    const n = seen.node_after_allocation as Record<string, string>
    assert.equal(n.instance_id, n.alloc_uuid)
    assert.equal(n.allocation_id, n.alloc_uuid)
    assert.deepEqual(seen.allocation_updated_extra, { k: 'w' })
    assert.ok((seen.allocations_listed as string[]).includes(n.alloc_uuid))
    assert.match(String(seen.failed_allocation), /no available nodes match the resource class sdk-none/)
    assert.equal(seen.node_after_delete, null)
  })

  test('deploy templates', () => {
    const t = seen.template as Record<string, unknown>
    assert.equal(t.name, 'CUSTOM_SDK')
    assert.deepEqual(t.steps, [{ interface: 'bios', step: 'apply_configuration', args: { settings: [] }, priority: 110 }])
    assert.deepEqual(t.extra, { owner: 'sdk' })
    assert.deepEqual(t.listed, ['CUSTOM_SDK'])
    assert.deepEqual(seen.templates_after_delete, [])
  })

  test('port groups and VIFs (port group first, then the free port, then none free)', () => {
    const ids = seen.ids as Record<string, string>
    assert.deepEqual(seen.port_groups, [['sdk-bond', '52:54:00:aa:00:01', ids.n1]])
    assert.deepEqual(seen.noop_vifs, ['noop', []])
    assert.deepEqual(seen.vifs, ['vif-1', 'vif-2'])
    assert.deepEqual(seen.pg_internal, { tenant_vif_port_id: 'vif-1' })
    assert.equal(seen.third_vif, 'BadRequestException')
    assert.deepEqual(seen.vifs_after_detach, ['vif-2'])
  })

  test('volume connectors and targets', () => {
    const ids = seen.ids as Record<string, string>
    assert.deepEqual(seen.connector, { type: 'iqn', connector_id: 'iqn.2024-01.org.example:sdk', node_id: ids.n1, extra: { a: 1 } })
    assert.deepEqual(seen.connectors, [ids.connector])
    assert.deepEqual(seen.target, { volume_type: 'iscsi', volume_id: 'vol-sdk', boot_index: 0, properties: { target_lun: 0 } })
    assert.deepEqual(seen.targets, [ids.target])
    assert.deepEqual(seen.volume_after_delete, [0, 0])
  })
})
