import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { buildTestApp, faultOf, remedyOf, v } from '../../test/helpers/app.js'

const t = await buildTestApp()
after(() => t.close())

function codeOf(body: string): string | undefined {
  return (JSON.parse(JSON.parse(body).error_message) as { ferrum_code?: string }).ferrum_code
}

test('one hook answers requests older than a route, as each route declares', async () => {
  const node = await t.store.nodes.create({ driver: 'fake-hardware', name: 'meta-node' })
  const cases: [method: 'GET' | 'POST' | 'PATCH' | 'PUT', url: string, version: string, status: number][] = [
    ['GET', '/v1/allocations', '1.51', 404], // hidden: reads are 404 …
    ['POST', '/v1/allocations', '1.51', 405], // … and writes 405
    ['PATCH', '/v1/allocations/a', '1.56', 405], // updating came later than the resource
    ['GET', '/v1/deploy_templates', '1.54', 404],
    ['GET', `/v1/nodes/${node.uuid}/vifs`, '1.27', 404],
    ['GET', '/v1/conductors', '1.48', 404],
    ['GET', `/v1/nodes/${node.uuid}/traits`, '1.36', 406],
  ]
  for (const [method, url, version, status] of cases) {
    const r = await t.app.inject({ method, url, headers: v(version), payload: method === 'GET' ? undefined : '{}' })
    assert.equal(r.statusCode, status, `${method} ${url} at ${version}`)
    assert.equal(codeOf(r.body), 'API_VERSION_TOO_OLD', `${method} ${url}`)
    // Ironic's words in the faultstring (or webob's body); what is needed in ferrum_remedy.
    assert.match(remedyOf(r.body), new RegExp(`requires API version 1\\.\\d+ or newer; the request asked for ${version.replace('.', '\\.')}`))
  }
  // At the route's version the hook lets the request through to the handler.
  const ok = await t.app.inject({ method: 'GET', url: `/v1/nodes/${node.uuid}/traits`, headers: v('1.37') })
  assert.equal(ok.statusCode, 200)
  const hidden = JSON.parse(JSON.parse((await t.app.inject({ method: 'GET', url: '/v1/allocations', headers: v('1.51') })).body).error_message)
  assert.deepEqual([hidden.code, hidden.title, hidden.description], [404, 'Not Found', 'The API version does not allow allocations'])
  assert.equal(faultOf((await t.app.inject({ method: 'GET', url: '/v1/conductors', headers: v('1.48') })).body), 'Resource could not be found.')
})
