import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { harness, faultOf } from '../../../test/helpers/conductor-fixtures.js'
import type { ConductorHarness } from '../../../test/helpers/conductor-fixtures.js'
import { v } from '../../../test/helpers/app.js'

let h: ConductorHarness
before(async () => {
  h = await harness()
})
after(async () => h.close())

function req(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown, version = 'latest') {
  return h.app.inject({ method, url, headers: v(version), payload: body === undefined ? undefined : JSON.stringify(body) })
}

const BIOS_STEP = { interface: 'bios', step: 'apply_configuration', args: { settings: [{ name: 'LogicalProc', value: 'Disabled' }] }, priority: 150 }

test('create, show, list (short and detail), patch and delete a deploy template', async () => {
  const r = await req('POST', '/v1/deploy_templates', { name: 'CUSTOM_CRUD', steps: [BIOS_STEP], extra: { a: 1 } })
  assert.equal(r.statusCode, 201, r.body)
  const t = r.json()
  assert.equal(t.name, 'CUSTOM_CRUD')
  assert.deepEqual(t.steps, [BIOS_STEP])
  assert.match(r.headers.location as string, new RegExp(`/v1/deploy_templates/${t.uuid}$`))
  const short = (await req('GET', '/v1/deploy_templates')).json()
  assert.deepEqual(Object.keys(short.deploy_templates[0]).sort(), ['links', 'name', 'uuid'])
  const detail = (await req('GET', '/v1/deploy_templates?detail=true')).json()
  assert.deepEqual(detail.deploy_templates[0].steps, [BIOS_STEP])
  assert.equal((await req('GET', '/v1/deploy_templates/CUSTOM_CRUD')).json().uuid, t.uuid)
  const p = await req('PATCH', `/v1/deploy_templates/${t.uuid}`, [
    { op: 'replace', path: '/steps/0/priority', value: 10 },
    { op: 'replace', path: '/name', value: 'CUSTOM_CRUD2' },
  ])
  assert.equal(p.statusCode, 200, p.body)
  assert.equal(p.json().steps[0].priority, 10)
  assert.equal(p.json().name, 'CUSTOM_CRUD2')
  assert.equal((await req('DELETE', '/v1/deploy_templates/CUSTOM_CRUD2')).statusCode, 204)
  assert.equal((await req('GET', `/v1/deploy_templates/${t.uuid}`)).statusCode, 404)
})

test('validation: trait-like name, known interface, integer priority, args object, no duplicates, unique name', async () => {
  const bad: [unknown, RegExp][] = [
    [{ name: 'lower', steps: [BIOS_STEP] }, /^Schema error for template: 'lower' is not valid under any of the given schemas\. Possible root cause: 'lower' does not match '\^CUSTOM_\[A-Z0-9_\]\+\$'$/],
    // Ironic's jsonschema text.
    [{ name: 'CUSTOM_V', steps: [] }, /^Schema error for template: \[\] is too short$/],
    [{ name: 'CUSTOM_V', steps: [{ ...BIOS_STEP, interface: 'vendor' }] }, /'vendor' is not one of \['power', 'management', 'deploy', 'bios', 'raid'\]/],
    [{ name: 'CUSTOM_V', steps: [{ ...BIOS_STEP, priority: -1 }] }, /-1 is less than the minimum of 0/],
    [{ name: 'CUSTOM_V', steps: [{ ...BIOS_STEP, args: 'x' }] }, /'x' is not of type 'object'/],
    [{ name: 'CUSTOM_V', steps: [{ interface: 'bios', step: 'x', priority: 1 }] }, /'args' is a required property/],
    [{ name: 'CUSTOM_V', steps: [BIOS_STEP, BIOS_STEP] }, /Duplicate deploy steps/],
  ]
  for (const [body, re] of bad) {
    const r = await req('POST', '/v1/deploy_templates', body)
    assert.equal(r.statusCode, 400, JSON.stringify(body))
    assert.match(faultOf(r.body), re)
  }
  assert.equal((await req('POST', '/v1/deploy_templates', { name: 'CUSTOM_DUP', steps: [{ ...BIOS_STEP, priority: '5' }] })).statusCode, 201)
  assert.equal((await req('POST', '/v1/deploy_templates', { name: 'CUSTOM_DUP', steps: [BIOS_STEP] })).statusCode, 409)
})

test('microversion: 404 for reads and 405 for writes before 1.55', async () => {
  assert.equal((await req('GET', '/v1/deploy_templates', undefined, '1.54')).statusCode, 404)
  assert.equal((await req('POST', '/v1/deploy_templates', { name: 'CUSTOM_OLD', steps: [BIOS_STEP] }, '1.54')).statusCode, 405)
  assert.equal((await req('GET', '/v1/deploy_templates', undefined, '1.55')).statusCode, 200)
})

test('deploy runs the steps of templates matching the instance traits, with the driver steps in priority order', async () => {
  await req('POST', '/v1/deploy_templates', {
    name: 'CUSTOM_TUNED',
    steps: [BIOS_STEP, { interface: 'deploy', step: 'hold', args: {}, priority: 50 }],
  })
  await req('POST', '/v1/deploy_templates', { name: 'CUSTOM_UNUSED', steps: [{ interface: 'raid', step: 'apply_configuration', args: { raid_config: {} }, priority: 99 }] })
  const uuid = await h.available({ resource_class: 'tuned' })
  await h.store.nodes.setTraits((await h.store.nodes.getByUuid(uuid))!.id, ['CUSTOM_TUNED'])
  const alloc = await req('POST', '/v1/allocations', { resource_class: 'tuned', traits: ['CUSTOM_TUNED'] })
  await h.conductor.idle()
  assert.equal((await req('GET', `/v1/allocations/${alloc.json().uuid}`)).json().node_uuid, uuid)
  assert.equal((await h.provision(uuid, 'active')).statusCode, 202)
  // The template's hold step (priority 50) parks the node after deploy.deploy (100) and the BIOS step (150).
  await h.waitFor(uuid, 'deploy hold')
  const rec = (await h.store.nodes.getByUuid(uuid))!
  const plan = (rec.driver_internal_info.deploy_steps as { interface: string; step: string; priority: number }[]).map((s) => `${s.interface}.${s.step}:${s.priority}`)
  assert.deepEqual(plan, ['bios.apply_configuration:150', 'deploy.deploy:100', 'deploy.hold:50'])
  assert.deepEqual(rec.driver_internal_info.fake_bios_settings, { LogicalProc: 'Disabled' })
  assert.equal((await h.provision(uuid, 'unhold')).statusCode, 202)
  await h.waitFor(uuid, 'active')
})

test('a node without matching instance traits deploys with the driver steps only', async () => {
  const uuid = await h.available()
  assert.equal((await h.provision(uuid, 'active')).statusCode, 202)
  await h.waitFor(uuid, 'active')
  const rec = (await h.store.nodes.getByUuid(uuid))!
  assert.equal(rec.driver_internal_info.fake_bios_settings, undefined)
})
