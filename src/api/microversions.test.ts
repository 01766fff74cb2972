// Each microversion-gated feature, probed at 1.(N-1) (hidden, 404, 405 or 406) and at 1.N
// (visible, works), through the real API and conductor. One row per feature; the probe returns
// whether the feature is there at the version asked.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { buildTestApp, v } from '../../test/helpers/app.js'
import type { TestApp } from '../../test/helpers/app.js'
import { FEATURES, MAX_MINOR } from './microversions.js'
import type { Feature } from './microversions.js'

let t: TestApp
let node: { uuid: string }
before(async () => {
  t = await buildTestApp()
  node = (await t.app.inject({ method: 'POST', url: '/v1/nodes', headers: v('latest'), payload: JSON.stringify({ driver: 'fake-hardware', name: 'mv-node' }) })).json()
  await t.store.nodes.update((await t.store.nodes.getByUuid(node.uuid))!.id, { power_state: 'power off' })
})
after(async () => t.close())

const get = (url: string, version: string) => t.app.inject({ url, headers: v(version) })
const send = (method: 'POST' | 'PUT' | 'PATCH', url: string, body: unknown, version: string) =>
  t.app.inject({ method, url, headers: v(version), payload: JSON.stringify(body) })

type Probe = (version: string) => Promise<boolean>

/** A node field shown at the version. */
const nodeField = (field: string): Probe => async (ver) => field in (await get(`/v1/nodes/${node.uuid}`, ver)).json()
/** A resource linked from GET /v1 and its path answering 200 (or 404 before). */
const resource = (name: string, path: string): Probe => async (ver) => {
  const linked = name in (await get('/v1', ver)).json()
  const status = (await get(path, ver)).statusCode
  assert.equal(linked, status === 200, `${name}: /v1 link and ${path} disagree at ${ver} (status ${status})`)
  return linked
}
const status200 = (path: string): Probe => async (ver) => (await get(path, ver)).statusCode === 200

let allocCounter = 0
const PROBES: ReadonlyArray<readonly [Feature, Probe]> = [
  ['driver_internal_info', nodeField('driver_internal_info')],
  ['name', nodeField('name')],
  ['inspection_timestamps', nodeField('inspection_started_at')],
  ['clean_step', nodeField('clean_step')],
  ['raid_config', async (ver) => (await send('PUT', `/v1/nodes/${node.uuid}/states/raid`, {}, ver)).statusCode === 204],
  ['network_interface', nodeField('network_interface')],
  ['resource_class', nodeField('resource_class')],
  ['portgroups', resource('portgroups', '/v1/portgroups')],
  ['vifs', status200(`/v1/nodes/mv-node/vifs`)],
  ['volume', resource('volume', '/v1/volume')],
  ['storage_interface', nodeField('storage_interface')],
  ['traits', nodeField('traits')],
  ['rescue', nodeField('rescue_interface')],
  ['bios_interface', status200(`/v1/nodes/mv-node/bios`)],
  ['fault', nodeField('fault')],
  ['deploy_step', nodeField('deploy_step')],
  ['conductor_group', nodeField('conductor_group')],
  ['automated_clean', nodeField('automated_clean')],
  ['protected', nodeField('protected')],
  ['conductors', resource('conductors', '/v1/conductors')],
  ['owner', nodeField('owner')],
  ['description', nodeField('description')],
  ['allocations', resource('allocations', '/v1/allocations')],
  ['events', async (ver) => (await send('POST', '/v1/events', { events: [{ event: 'network.bind_port', port_id: '11111111-2222-4333-8444-555555555555', mac_address: '52:54:00:12:34:56', status: 'ACTIVE' }] }, ver)).statusCode === 204],
  ['deploy_templates', resource('deploy_templates', '/v1/deploy_templates')],
  ['allocation_update', async (ver) => {
    const a = (await send('POST', '/v1/allocations', { resource_class: 'none', name: `mv-a${++allocCounter}` }, 'latest')).json()
    return (await send('PATCH', `/v1/allocations/${a.uuid}`, [{ op: 'add', path: '/extra/x', value: 1 }], ver)).statusCode === 200
  }],
  ['allocation_backfill', async (ver) => (await send('POST', '/v1/allocations', { node: node.uuid }, ver)).statusCode !== 400],
  ['allocation_owner', async (ver) => (await get('/v1/allocations?owner=x', ver)).statusCode === 200],
  ['retired', nodeField('retired')],
  ['lessee', nodeField('lessee')],
  ['network_data', nodeField('network_data')],
  ['vif_port_uuid', async (ver) => (await send('POST', `/v1/nodes/${node.uuid}/vifs`, { id: 'x', port_uuid: '11111111-2222-4333-8444-555555555555' }, ver)).statusCode !== 406],
  ['bios_registry', async (ver) => (await get(`/v1/nodes/${node.uuid}/bios?detail=true`, ver)).statusCode === 200],
  ['boot_mode_fields', nodeField('boot_mode')],
  ['node_history', status200(`/v1/nodes/mv-node/history`)],
  ['shards', resource('shards', '/v1/shards')],
  ['parent_node', async (ver) => (await get(`/v1/nodes/${node.uuid}/children`, ver)).statusCode === 200 && (await nodeField('parent_node')(ver))],
  ['firmware_interface', nodeField('firmware_interface')],
  ['service', nodeField('service_step')],
]

for (const [feature, probe] of PROBES) {
  const n = FEATURES[feature]
  test(`${feature}: absent at 1.${n - 1}, present at 1.${n}`, async () => {
    assert.equal(await probe(`1.${n - 1}`), false, `${feature} must not be there at 1.${n - 1}`)
    assert.equal(await probe(`1.${n}`), true, `${feature} must be there at 1.${n}`)
  })
}

test('the maximum is at least 2023.1\'s 1.82 and every feature is at or below it', () => {
  assert.ok(MAX_MINOR >= 82)
  for (const [f, n] of Object.entries(FEATURES)) assert.ok(n <= MAX_MINOR, f)
})

test('GET /v1 links exactly the resources visible at each version', async () => {
  const expected = (minor: number) => {
    const list = ['chassis', 'nodes', 'ports', 'drivers']
    const gated: [string, Feature][] = [
      ['portgroups', 'portgroups'], ['lookup', 'lookup_heartbeat'], ['heartbeat', 'lookup_heartbeat'], ['volume', 'volume'],
      ['conductors', 'conductors'], ['allocations', 'allocations'], ['events', 'events'], ['deploy_templates', 'deploy_templates'],
      ['shards', 'shards'], ['runbooks', 'runbooks'],
    ]
    for (const [r, f] of gated) if (minor >= FEATURES[f]) list.push(r)
    return list.sort()
  }
  for (let minor = 1; minor <= MAX_MINOR; minor++) {
    const doc = (await get('/v1', `1.${minor}`)).json() as Record<string, unknown>
    const linked = Object.keys(doc).filter((k) => !['id', 'links', 'media_types', 'version'].includes(k)).sort()
    assert.deepEqual(linked, expected(minor), `at 1.${minor}`)
  }
})
