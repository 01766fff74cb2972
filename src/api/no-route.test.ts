import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { buildTestApp, faultOf, v } from '../../test/helpers/app.js'

const t = await buildTestApp()
after(() => t.close())

function errorOf(body: string): Record<string, unknown> {
  return JSON.parse(JSON.parse(body).error_message) as Record<string, unknown>
}

test('a method a known path does not take is a 405 in webob\'s body, with Allow', async () => {
  for (const [method, url, allow] of [['PUT', '/v1/nodes', 'POST, GET, HEAD'], ['POST', '/v1/drivers', 'GET, HEAD'], ['DELETE', '/v1/conductors', 'GET, HEAD'], ['POST', '/v1/nodes/x/states', 'GET, HEAD']] as const) {
    const r = await t.app.inject({ method, url, headers: v('1.82') })
    assert.equal(r.statusCode, 405, `${method} ${url}`)
    assert.equal(r.headers.allow, allow)
    const e = errorOf(r.body)
    assert.deepEqual([e.code, e.title, e.description, e.ferrum_code], [405, 'Method Not Allowed', '', 'FERRUM_METHOD_NOT_ALLOWED'])
    assert.match(String(e.ferrum_remedy), new RegExp(`takes ${allow}, not ${method}`))
  }
})

test('DELETE or PATCH of a collection names the missing identifier, as Ironic does', async () => {
  for (const [method, url, arg] of [['DELETE', '/v1/nodes', 'node_ident'], ['PATCH', '/v1/ports', 'port_uuid'], ['DELETE', '/v1/volume/targets', 'target_uuid']] as const) {
    const r = await t.app.inject({ method, url, headers: v('1.82') })
    assert.equal(r.statusCode, 400, `${method} ${url}`)
    assert.equal(faultOf(r.body), `Missing mandatory parameter: ${arg}`)
  }
})

test('an unknown path is webob\'s 404 with an empty description; what was asked is in ferrum_remedy', async () => {
  for (const url of ['/v1/banana', '/v2', '/v1/nodes/x/banana']) {
    const r = await t.app.inject({ method: 'GET', url, headers: v('1.82') })
    assert.equal(r.statusCode, 404, url)
    const e = errorOf(r.body)
    assert.deepEqual([e.code, e.title, e.description, e.ferrum_code], [404, 'Not Found', '', 'FERRUM_NO_ROUTE'])
    assert.equal(e.ferrum_remedy, `The resource could not be found: GET ${url}.`)
  }
})
