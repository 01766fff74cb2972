import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { buildTestApp, faultOf, v } from '../../../test/helpers/app.js'

const t = await buildTestApp()
after(() => t.close())

/** A node created through the API, so its interfaces are the hardware type's defaults. */
async function apiNode(body: Record<string, unknown>): Promise<{ uuid: string; id: number }> {
  const r = await t.app.inject({ method: 'POST', url: '/v1/nodes', headers: v('1.82'), payload: { driver: 'fake-hardware', ...body } })
  assert.equal(r.statusCode, 201, r.body)
  const rec = await t.store.nodes.getByUuid(r.json().uuid)
  return { uuid: rec!.uuid, id: rec!.id }
}

test('console: GET shows it off, PUT enabled=yes starts it (202 + Location), the node and history show it', async () => {
  const node = await apiNode({ name: 'console-node' })
  const url = `/v1/nodes/${node.uuid}/states/console`
  const off = await t.app.inject({ method: 'GET', url, headers: v('1.82') })
  assert.equal(off.statusCode, 200)
  assert.deepEqual(off.json(), { console_enabled: false, console_info: null })

  const on = await t.app.inject({ method: 'PUT', url, headers: v('1.82'), payload: { enabled: 'yes' } })
  assert.equal(on.statusCode, 202, on.body)
  assert.match(String(on.headers.location), new RegExp(`^https?://[^/]+${url}$`))
  const shown = (await t.app.inject({ method: 'GET', url, headers: v('1.82') })).json()
  assert.equal(shown.console_enabled, true)
  assert.equal(shown.console_info.type, 'fake')
  assert.equal((await t.store.nodes.getByUuid(node.uuid))?.console_enabled, true)
  // Asking again for what already is changes nothing and is still accepted, as in Ironic.
  assert.equal((await t.app.inject({ method: 'PUT', url, headers: v('1.82'), payload: { enabled: true } })).statusCode, 202)
  assert.equal((await t.app.inject({ method: 'PUT', url, headers: v('1.82'), payload: { enabled: false } })).statusCode, 202)
  assert.deepEqual((await t.app.inject({ method: 'GET', url, headers: v('1.82') })).json(), { console_enabled: false, console_info: null })
  const history = (await t.store.history.list(node.id)).map((h) => h.event)
  assert.deepEqual(history.filter((e) => e.startsWith('Console')), ['Console enabled', 'Console disabled'])
})

test('console: bad bodies get Ironic\'s argument texts; a node without console support is refused', async () => {
  const node = await apiNode({ name: 'console-bad' })
  const url = `/v1/nodes/${node.uuid}/states/console`
  const cases: [unknown, string][] = [
    [{}, 'Missing mandatory parameter: enabled'],
    [{ enabled: 'maybe' }, "Invalid enabled: Unrecognized value 'maybe', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'"],
    [{ enabled: true, colour: 'red' }, 'Unexpected arguments: colour'],
  ]
  for (const [payload, fault] of cases) {
    const r = await t.app.inject({ method: 'PUT', url, headers: v('1.82'), payload: payload as object })
    assert.equal(r.statusCode, 400, JSON.stringify(payload))
    assert.equal(faultOf(r.body), fault)
  }
  assert.equal((await t.store.nodes.getByUuid(node.uuid))?.console_enabled, false, 'nothing changed')
  const none = await apiNode({ name: 'console-none', console_interface: 'no-console' })
  const refused = await t.app.inject({ method: 'PUT', url: `/v1/nodes/${none.uuid}/states/console`, headers: v('1.82'), payload: { enabled: true } })
  assert.equal(refused.statusCode, 400, refused.body)
  assert.match(faultOf(refused.body), /console/i)
})
