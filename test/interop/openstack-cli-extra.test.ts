// The `openstack baremetal` CLI (python3-ironicclient) against `ferrum up` on SQLite for the
// resources beyond nodes and ports: allocations, deploy templates, volume connectors and
// targets, VIFs, the console, the target RAID config and BIOS settings. Nodes are set up over REST; every
// assertion is on the client's own output (`-f json`, `-f value`) or exit status.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { startFerrum } from '../helpers/ferrum-process.js'
import type { FerrumProcess } from '../helpers/ferrum-process.js'
import { baremetal, baremetalJson, baremetalOk } from '../helpers/openstack-cli.js'

type Row = Record<string, unknown>

describe('openstack baremetal (allocations, templates, volume, VIFs, RAID, BIOS) against ferrum up', () => {
  let dir: string
  let ferrum: FerrumProcess
  const json = <T = Row>(args: string[]) => baremetalJson<T>(ferrum.url, args)
  const ok = (args: string[]) => baremetalOk(ferrum.url, args)

  async function rest(method: string, path: string, body?: unknown): Promise<Row> {
    const r = await fetch(`${ferrum.url}${path}`, {
      method, headers: { 'content-type': 'application/json', 'X-OpenStack-Ironic-API-Version': 'latest' }, body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await r.text()
    assert.ok(r.ok, `${method} ${path}: ${r.status} ${text}`)
    return text === '' ? {} : (JSON.parse(text) as Row)
  }

  async function waitState(uuid: string, state: string): Promise<void> {
    for (let i = 0; i < 500; i++) {
      const n = await rest('GET', `/v1/nodes/${uuid}`)
      if (n.provision_state === state && n.reservation === null) return
      await new Promise((r) => setTimeout(r, 20))
    }
    assert.fail(`node ${uuid} never reached ${state}`)
  }

  async function availableNode(name: string, rc: string, traits: string[] = []): Promise<string> {
    const n = await rest('POST', '/v1/nodes', { driver: 'fake-hardware', name, resource_class: rc, traits })
    const uuid = String(n.uuid)
    await rest('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'manage' })
    await waitState(uuid, 'manageable')
    await rest('PUT', `/v1/nodes/${uuid}/states/provision`, { target: 'provide' })
    await waitState(uuid, 'available')
    return uuid
  }

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ferrum-cli-extra-'))
    ferrum = await startFerrum({ dataDir: dir })
  })
  after(async () => {
    await ferrum?.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  test('allocation create/list/show/set/delete', async () => {
    const [n1] = await Promise.all([availableNode('cli-a1', 'cli-rc', ['CUSTOM_CLI']), availableNode('cli-a2', 'cli-rc')])
    const a = await json(['allocation', 'create', '--resource-class', 'cli-rc', '--trait', 'CUSTOM_CLI', '--name', 'cli-alloc', '--extra', 'team=infra', '--wait', '30'])
    assert.equal(a.state, 'active')
    assert.equal(a.node_uuid, n1)
    assert.deepEqual(a.traits, ['CUSTOM_CLI'])
    assert.deepEqual(a.extra, { team: 'infra' })
    // Without --wait the create answers "allocating" (Ironic's asynchronous contract); it fails afterwards.
    const bad = await json(['allocation', 'create', '--resource-class', 'cli-nothing'])
    assert.equal(bad.state, 'allocating')
    for (let i = 0; i < 40 && (await json(['allocation', 'show', String(bad.uuid)])).state === 'allocating'; i++) await new Promise((r) => setTimeout(r, 250))
    const [list, shown, failed] = await Promise.all([
      json<Row[]>(['allocation', 'list']),
      json(['allocation', 'show', 'cli-alloc']),
      json(['allocation', 'show', String(bad.uuid)]),
    ])
    assert.deepEqual(list.map((r) => r.UUID).sort(), [a.uuid, bad.uuid].sort())
    assert.equal(list.find((r) => r.UUID === a.uuid)?.['Node UUID'], n1)
    assert.equal(shown.uuid, a.uuid)
    assert.equal(failed.state, 'error')
    assert.match(String(failed.last_error), /no available nodes match the resource class cli-nothing/)
    await ok(['allocation', 'set', 'cli-alloc', '--name', 'cli-alloc2', '--extra', 'team=ops'])
    const renamed = await json(['allocation', 'show', 'cli-alloc2'])
    assert.deepEqual(renamed.extra, { team: 'ops' })
    assert.equal((await rest('GET', `/v1/nodes/${n1}`)).instance_uuid, a.uuid)
    await ok(['allocation', 'delete', 'cli-alloc2', String(bad.uuid)])
    assert.deepEqual(await json<Row[]>(['allocation', 'list']), [])
    assert.equal((await rest('GET', `/v1/nodes/${n1}`)).instance_uuid, null)
  })

  test('deploy template create/list/show/set/delete', async () => {
    const steps = [{ interface: 'bios', step: 'apply_configuration', args: { settings: [{ name: 'LogicalProc', value: 'Disabled' }] }, priority: 150 }]
    const t = await json(['deploy', 'template', 'create', 'CUSTOM_CLI_TPL', '--steps', JSON.stringify(steps), '--extra', 'k=v'])
    assert.equal(t.name, 'CUSTOM_CLI_TPL')
    assert.deepEqual(t.steps, steps)
    const [list, shown] = await Promise.all([json<Row[]>(['deploy', 'template', 'list']), json(['deploy', 'template', 'show', 'CUSTOM_CLI_TPL'])])
    assert.deepEqual(list.map((r) => r.Name), ['CUSTOM_CLI_TPL'])
    assert.deepEqual(shown.extra, { k: 'v' })
    const newSteps = [{ ...steps[0], priority: 20 }]
    await ok(['deploy', 'template', 'set', 'CUSTOM_CLI_TPL', '--name', 'CUSTOM_CLI_TPL2', '--steps', JSON.stringify(newSteps)])
    assert.deepEqual((await json(['deploy', 'template', 'show', 'CUSTOM_CLI_TPL2'])).steps, newSteps)
    const invalid = await baremetal(ferrum.url, ['deploy', 'template', 'create', 'not-a-trait', '--steps', JSON.stringify(steps)])
    assert.notEqual(invalid.code, 0)
    assert.match(invalid.stderr, /trait/)
    await ok(['deploy', 'template', 'delete', 'CUSTOM_CLI_TPL2'])
    assert.deepEqual(await json<Row[]>(['deploy', 'template', 'list']), [])
  })

  test('volume connector and volume target create/list/show/set/delete', async () => {
    const node = String((await rest('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'cli-vol' })).uuid)
    const c = await json(['volume', 'connector', 'create', '--node', node, '--type', 'iqn', '--connector-id', 'iqn.2024-01.org.example:cli'])
    const tg = await json(['volume', 'target', 'create', '--node', node, '--type', 'iscsi', '--boot-index', '0', '--volume-id', 'vol-cli', '--property', 'target_lun=0'])
    assert.equal(c.node_uuid, node)
    assert.equal(c.type, 'iqn')
    assert.equal(tg.volume_type, 'iscsi')
    assert.deepEqual(tg.properties, { target_lun: 0 })
    const [cl, tl, cs, ts] = await Promise.all([
      json<Row[]>(['volume', 'connector', 'list', '--node', node]),
      json<Row[]>(['volume', 'target', 'list', '--node', node]),
      json(['volume', 'connector', 'show', String(c.uuid)]),
      json(['volume', 'target', 'show', String(tg.uuid)]),
    ])
    assert.deepEqual(cl.map((r) => r.UUID), [c.uuid])
    assert.deepEqual(tl.map((r) => r.UUID), [tg.uuid])
    assert.equal(cs.connector_id, 'iqn.2024-01.org.example:cli')
    assert.equal(ts.boot_index, 0)
    const dup = await baremetal(ferrum.url, ['volume', 'target', 'create', '--node', node, '--type', 'iscsi', '--boot-index', '0', '--volume-id', 'vol-2'])
    assert.notEqual(dup.code, 0)
    await Promise.all([
      ok(['volume', 'connector', 'set', String(c.uuid), '--extra', 'a=b']),
      ok(['volume', 'target', 'set', String(tg.uuid), '--volume-id', 'vol-cli-2']),
    ])
    const [cs2, ts2] = await Promise.all([json(['volume', 'connector', 'show', String(c.uuid)]), json(['volume', 'target', 'show', String(tg.uuid)])])
    assert.deepEqual(cs2.extra, { a: 'b' })
    assert.equal(ts2.volume_id, 'vol-cli-2')
    await Promise.all([ok(['volume', 'connector', 'delete', String(c.uuid)]), ok(['volume', 'target', 'delete', String(tg.uuid)])])
    const [cl2, tl2] = await Promise.all([json<Row[]>(['volume', 'connector', 'list']), json<Row[]>(['volume', 'target', 'list'])])
    assert.deepEqual([cl2, tl2], [[], []])
  })

  test('node vif attach/list/detach', async () => {
    const node = String((await rest('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'cli-vif', network_interface: 'flat' })).uuid)
    await rest('POST', '/v1/ports', { node_uuid: node, address: '52:54:00:cc:00:01' })
    await ok(['node', 'vif', 'attach', 'cli-vif', 'vif-cli-1'])
    const list = await json<Row[]>(['node', 'vif', 'list', 'cli-vif'])
    assert.deepEqual(list, [{ ID: 'vif-cli-1' }])
    const second = await baremetal(ferrum.url, ['node', 'vif', 'attach', 'cli-vif', 'vif-cli-2'])
    assert.notEqual(second.code, 0)
    assert.match(second.stderr, /not enough free physical ports/)
    await ok(['node', 'vif', 'detach', 'cli-vif', 'vif-cli-1'])
    assert.deepEqual(await json<Row[]>(['node', 'vif', 'list', 'cli-vif']), [])
  })

  test('node console enable/show/disable', async () => {
    const node = String((await rest('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'cli-console' })).uuid)
    assert.deepEqual(await json(['node', 'console', 'show', 'cli-console']), { console_enabled: false, console_info: null })
    await ok(['node', 'console', 'enable', 'cli-console'])
    const on = await json<{ console_enabled: boolean; console_info: { type: string; url: string } }>(['node', 'console', 'show', 'cli-console'])
    assert.equal(on.console_enabled, true)
    assert.deepEqual(on.console_info, { type: 'fake', url: `fake://console/${node}` })
    assert.equal((await rest('GET', `/v1/nodes/${node}`)).console_enabled, true)
    await ok(['node', 'console', 'disable', 'cli-console'])
    assert.deepEqual(await json(['node', 'console', 'show', 'cli-console']), { console_enabled: false, console_info: null })
  })

  test('node set --target-raid-config and node bios setting list/show', async () => {
    const node = String((await rest('POST', '/v1/nodes', { driver: 'fake-hardware', name: 'cli-raid' })).uuid)
    const cfg = { logical_disks: [{ size_gb: 100, raid_level: '1', is_root_volume: true }] }
    await ok(['node', 'set', 'cli-raid', '--target-raid-config', JSON.stringify(cfg)])
    assert.deepEqual((await json(['node', 'show', node, '--fields', 'target_raid_config'])).target_raid_config, cfg)
    const bad = await baremetal(ferrum.url, ['node', 'set', 'cli-raid', '--target-raid-config', JSON.stringify({ logical_disks: [{ size_gb: 1 }] })])
    assert.notEqual(bad.code, 0)
    assert.match(bad.stderr, /raid_level/)
    const [settings, one] = await Promise.all([
      json<Row[]>(['node', 'bios', 'setting', 'list', 'cli-raid']),
      json(['node', 'bios', 'setting', 'show', 'cli-raid', 'BootMode']),
    ])
    assert.deepEqual(settings.map((s) => [s['BIOS setting name'], s['BIOS setting value']]), [['BootMode', 'Uefi'], ['LogicalProc', 'Enabled'], ['ProcVirtualization', 'Enabled']])
    assert.equal(one.value, 'Uefi')
  })
})
