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

test('conductors: list, detail, show, alive from heartbeats', () => withApp(async (t) => {
  await t.store.conductors.register('c-stale', 'rack2', ['fake-hardware'])
  await t.store.conductors.register('c-gone', '', ['fake-hardware'])
  await t.store.conductors.unregister('c-gone')
  const old = new Date(Date.now() - 5 * 60_000).toISOString()
  await t.store.database.db.updateTable('conductors').set({ updated_at: old }).where('hostname', '=', 'c-stale').execute()

  const list = await call(t, 'GET', '/v1/conductors')
  assert.equal(list.status, 200, list.fault)
  const byName = Object.fromEntries(list.body.conductors.map((c: { hostname: string }) => [c.hostname, c]))
  assert.deepEqual(Object.keys(byName[t.conductor.hostname]).sort(), ['alive', 'conductor_group', 'hostname', 'links'])
  assert.equal(byName[t.conductor.hostname].alive, true)
  assert.equal(byName['c-stale'].alive, false)
  assert.equal(byName['c-stale'].conductor_group, 'rack2')
  assert.equal(byName['c-gone'].alive, false)

  const detail = await call(t, 'GET', '/v1/conductors?detail=true')
  const me = detail.body.conductors.find((c: { hostname: string }) => c.hostname === t.conductor.hostname)
  assert.deepEqual(me.drivers, (await t.conductor.listDrivers(NOAUTH_CONTEXT)).map((d) => d.name))
  assert.ok(me.created_at)
  const one = await call(t, 'GET', `/v1/conductors/${t.conductor.hostname}`)
  assert.deepEqual(one.body, me)
  assert.match(one.body.links[0].href, new RegExp(`/v1/conductors/${t.conductor.hostname}$`))
  const fields = await call(t, 'GET', '/v1/conductors/c-stale?fields=hostname,alive')
  assert.deepEqual(fields.body, { hostname: 'c-stale', alive: false, links: fields.body.links })
  const missing = await call(t, 'GET', '/v1/conductors/nowhere')
  assert.equal(missing.status, 404)
  assert.match(missing.fault, /Conductor nowhere could not be found/)
}))

test('conductors: pagination by hostname, sorting, gating', () => withApp(async (t) => {
  for (const h of ['b-host', 'a-host', 'c-host']) await t.store.conductors.register(h, '', [])
  const sorted = ['a-host', 'b-host', 'c-host', t.conductor.hostname].sort()
  const first = await call(t, 'GET', '/v1/conductors?limit=2&sort_key=hostname')
  assert.deepEqual(first.body.conductors.map((c: { hostname: string }) => c.hostname), sorted.slice(0, 2))
  const next = new URL(first.body.next)
  assert.equal(next.searchParams.get('marker'), sorted[1])
  const second = await call(t, 'GET', `${next.pathname}${next.search}`)
  assert.deepEqual(second.body.conductors.map((c: { hostname: string }) => c.hostname), sorted.slice(2, 4))
  const desc = await call(t, 'GET', '/v1/conductors?sort_key=hostname&sort_dir=desc&limit=1')
  assert.equal(desc.body.conductors[0].hostname, sorted[3])
  assert.equal((await call(t, 'GET', '/v1/conductors?marker=nowhere')).status, 404)
  assert.equal((await call(t, 'GET', '/v1/conductors?sort_key=alive')).status, 400)
  assert.equal((await call(t, 'GET', '/v1/conductors?fields=hostname&detail=true')).status, 400)
  assert.equal((await call(t, 'GET', '/v1/conductors?fields=bogus')).status, 400)
  assert.equal((await call(t, 'GET', '/v1/conductors', { version: '1.48' })).status, 404)
  assert.equal((await call(t, 'GET', `/v1/conductors/${t.conductor.hostname}`, { version: '1.48' })).status, 404)
}))
