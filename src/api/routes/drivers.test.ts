import { test } from 'node:test'
import assert from 'node:assert/strict'
import { buildTestApp } from '../../../test/helpers/app.js'
import type { TestApp } from '../../../test/helpers/app.js'
import { call } from '../../../test/helpers/api-fixture.js'
import { NOAUTH_CONTEXT } from '../../domain/request-context.js'

async function withApp(fn: (t: TestApp) => Promise<void>): Promise<void> {
  const t = await buildTestApp()
  try {
    await fn(t)
  } finally {
    await t.close()
  }
}

test('drivers: list, detail, one driver, properties', () => withApp(async (t) => {
  const names = (await t.conductor.listDrivers(NOAUTH_CONTEXT)).map((d) => d.name)
  assert.ok(names.includes('fake-hardware'))
  const list = await call(t, 'GET', '/v1/drivers')
  assert.equal(list.status, 200)
  assert.deepEqual(list.body.drivers.map((d: { name: string }) => d.name), names)
  const fake = list.body.drivers.find((d: { name: string }) => d.name === 'fake-hardware')
  assert.deepEqual(fake.hosts, [t.conductor.hostname])
  assert.equal(fake.type, 'dynamic')
  assert.match(fake.links[0].href, /\/v1\/drivers\/fake-hardware$/)
  assert.match(fake.properties[0].href, /\/v1\/drivers\/fake-hardware\/properties$/)
  assert.equal(fake.default_power_interface, undefined)

  const detail = await call(t, 'GET', '/v1/drivers?detail=true')
  const d = detail.body.drivers.find((x: { name: string }) => x.name === 'fake-hardware')
  const summary = await t.conductor.getDriver(NOAUTH_CONTEXT, 'fake-hardware')
  assert.equal(d.default_power_interface, summary.interfaces.power?.default)
  assert.deepEqual(d.enabled_power_interfaces, summary.interfaces.power?.enabled)
  for (const k of ['bios', 'boot', 'console', 'deploy', 'firmware', 'inspect', 'management', 'network', 'raid', 'rescue', 'storage', 'vendor']) {
    assert.ok(`default_${k}_interface` in d, k)
    assert.ok(Array.isArray(d[`enabled_${k}_interfaces`]), k)
  }

  const one = await call(t, 'GET', '/v1/drivers/fake-hardware')
  assert.deepEqual(one.body, d)
  const missing = await call(t, 'GET', '/v1/drivers/no-such-hw')
  assert.equal(missing.status, 404)
  assert.match(missing.fault, /no-such-hw/)
  const props = await call(t, 'GET', '/v1/drivers/fake-hardware/properties')
  assert.deepEqual(props.body, await t.conductor.driverProperties(NOAUTH_CONTEXT, 'fake-hardware'))
  assert.equal((await call(t, 'GET', '/v1/drivers/no-such-hw/properties')).status, 404)

  assert.deepEqual((await call(t, 'GET', '/v1/drivers?type=classic')).body, { drivers: [] })
  assert.equal((await call(t, 'GET', '/v1/drivers?type=dynamic')).body.drivers.length, names.length)
  assert.equal((await call(t, 'GET', '/v1/drivers?type=vintage')).status, 400)
}))

test('drivers: microversion gating of type, detail, fields and interface fields', () => withApp(async (t) => {
  const old = await call(t, 'GET', '/v1/drivers/fake-hardware', { version: '1.1' })
  assert.deepEqual(Object.keys(old.body).sort(), ['hosts', 'links', 'name'])
  const v114 = await call(t, 'GET', '/v1/drivers/fake-hardware', { version: '1.14' })
  assert.ok('properties' in v114.body)
  assert.ok(!('type' in v114.body))
  const v130 = (await call(t, 'GET', '/v1/drivers/fake-hardware', { version: '1.30' })).body
  assert.equal(v130.type, 'dynamic')
  assert.ok('default_boot_interface' in v130)
  for (const [k, minor] of [['storage', 33], ['rescue', 38], ['bios', 40], ['firmware', 86]] as const) {
    const before = (await call(t, 'GET', '/v1/drivers/fake-hardware', { version: `1.${minor - 1}` })).body
    const after = (await call(t, 'GET', '/v1/drivers/fake-hardware', { version: `1.${minor}` })).body
    assert.ok(!(`default_${k}_interface` in before) && !(`enabled_${k}_interfaces` in before), `${k} hidden before 1.${minor}`)
    assert.ok(`default_${k}_interface` in after && `enabled_${k}_interfaces` in after, `${k} shown at 1.${minor}`)
  }
  assert.equal((await call(t, 'GET', '/v1/drivers?detail=true', { version: '1.29' })).status, 406)
  assert.equal((await call(t, 'GET', '/v1/drivers?type=dynamic', { version: '1.29' })).status, 406)
  assert.equal((await call(t, 'GET', '/v1/drivers?fields=name', { version: '1.76' })).status, 406)
  assert.equal((await call(t, 'GET', '/v1/drivers/fake-hardware?fields=name', { version: '1.76' })).status, 406)
  const fields = await call(t, 'GET', '/v1/drivers?fields=name,default_deploy_interface')
  assert.deepEqual(Object.keys(fields.body.drivers[0]).sort(), ['default_deploy_interface', 'links', 'name'])
  assert.equal((await call(t, 'GET', '/v1/drivers?fields=name&detail=true')).status, 400)
  assert.equal((await call(t, 'GET', '/v1/drivers/fake-hardware?fields=colour')).status, 400)
}))
