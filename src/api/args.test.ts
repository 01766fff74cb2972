import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { buildTestApp, faultOf, v } from '../../test/helpers/app.js'
import { args, arg, checkArgs, isArgs, readArg } from './args.js'

const t = await buildTestApp()
after(() => t.close())

function errorOf(body: string): Record<string, unknown> {
  return JSON.parse(JSON.parse(body).error_message) as Record<string, unknown>
}

test('readArg: Ironic\'s validators, typed results, lists refused with their repr', () => {
  assert.equal(readArg('integer', 'limit', ' 12 '), 12)
  assert.equal(readArg('boolean', 'detail', 'Yes'), true)
  assert.equal(readArg('boolean', 'detail', 'off'), false)
  assert.equal(readArg('mac_address', 'address', '52:54:00:AA:BB:CC'), '52:54:00:aa:bb:cc')
  assert.equal(readArg('uuid_or_name', 'node', 'node-1.a_b~c'), 'node-1.a_b~c')
  const refusals: [Parameters<typeof readArg>, string][] = [
    [['integer', 'limit', 'abc'], 'Expected an integer for limit: abc'],
    [['integer', 'limit', '1.5'], 'Expected an integer for limit: 1.5'],
    [['uuid', 'marker', 'zz'], 'Expected UUID for marker: zz'],
    [['uuid_or_name', 'node', '!!'], 'Expected UUID or name for node: !!'],
    [['name', 'marker', 'a b'], 'Expected name for marker: a b'],
    [['mac_address', 'address', '52-54-00-aa-bb-cc'], 'Expected valid MAC address for address: 52-54-00-aa-bb-cc'],
    [['string_list', 'fields', ['name', 'uuid']], "Expected string for fields: ['name', 'uuid']"],
    [['uuid', 'marker', ['a', 'b']], "Expected UUID for marker: ['a', 'b']"],
    [['boolean', 'detail', 'maybe'], "Invalid detail: Unrecognized value 'maybe', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'"],
  ]
  for (const [a, text] of refusals) assert.throws(() => readArg(...a), (e: Error) => e.message === text, `${a[0]} ${String(a[2])}`)
})

test('checkArgs: unexpected names first (in request order), then path, then query in declared order', () => {
  const q = args({ marker: arg('uuid'), limit: arg('integer'), detail: arg('boolean') })
  assert.deepEqual(checkArgs(q, { limit: '5', detail: 'true' }), { limit: 5, detail: true })
  assert.throws(() => checkArgs(q, { zeta: '1', limit: 'x', alpha: '2' }), { message: 'Unexpected arguments: zeta, alpha' })
  // The first declared argument that is bad is the one reported, whatever the request's order.
  assert.throws(() => checkArgs(q, { limit: 'x', marker: 'y' }), { message: 'Expected UUID for marker: y' })
  const path = { schema: args({ node: arg('uuid_or_name') }), values: { node: '!!' } }
  assert.throws(() => checkArgs(q, { limit: 'x' }, path), /Expected UUID or name for node: !!/)
  assert.throws(() => checkArgs(q, { bad: '1' }, path), /Unexpected arguments: bad/)
})

/** Every GET route of the app, from Fastify's route tree (`/:x` segments kept). */
function getRoutes(): string[] {
  const tree = t.app.printRoutes({ commonPrefix: false })
  const stack: string[] = []
  const out: string[] = []
  for (const line of tree.split('\n')) {
    const m = /^([│├└─ ]*)(\S+) \(([^)]*)\)$/u.exec(line)
    if (!m) continue
    const depth = [...m[1]!].length / 4
    stack.length = depth
    stack.push(m[2]!)
    const path = stack.join('').replace(/^\/v1(?=[^/])/, '/v1/').replace(/\/+/g, '/')
    if (m[3]!.split(', ').includes('GET')) out.push(path)
  }
  return out
}

test('every API route takes only the query arguments it declares (boot files take any)', async () => {
  const node = await t.store.nodes.create({ driver: 'fake-hardware', name: 'args-routes' })
  const routes = getRoutes()
  assert.ok(routes.length > 60, `found ${routes.length} GET routes`)
  for (const route of routes) {
    const url = route.replace(':node', node.uuid).replace(/:[a-z_]+|\*/g, 'x')
    const r = await t.app.inject({ method: 'GET', url: `${url}?banana=1`, headers: v('latest') })
    if (route.startsWith('/boot/')) {
      assert.notEqual(faultOf(r.body), 'Unexpected arguments: banana', route)
      continue
    }
    assert.equal(r.statusCode, 400, `${route}: ${r.body}`)
    assert.equal(faultOf(r.body), 'Unexpected arguments: banana', route)
  }
  assert.ok(isArgs(args({})))
})

test('the API answers Ironic\'s argument errors', async () => {
  const node = await t.store.nodes.create({ driver: 'fake-hardware', name: 'args-node' })
  const cases: [url: string, status: number, fault: string, webob?: boolean][] = [
    ['/v1/nodes?banana=1', 400, 'Unexpected arguments: banana'],
    ['/v1/nodes/detail?fields=name', 400, 'Unexpected arguments: fields'],
    ['/v1/nodes?fields=name&fields=uuid', 400, "Expected string for fields: ['name', 'uuid']"],
    ['/v1/nodes?limit=abc&marker=banana', 400, 'Expected UUID for marker: banana'],
    ['/v1/nodes?maintenance=maybe&associated=perhaps', 400, "Invalid associated: Unrecognized value 'perhaps', acceptable values are: '0', '1', 'f', 'false', 'n', 'no', 'off', 'on', 't', 'true', 'y', 'yes'"],
    ['/v1/nodes/%21%40%23', 400, 'Expected UUID or name for node: !@#', true],
    ['/v1/nodes/%21%40%23/traits', 400, 'Expected UUID or name for node: !@#', true],
    ['/v1/nodes/%21%40%23/states', 400, 'Expected UUID or name for node_ident: !@#'],
    ['/v1/nodes/%21%40%23/states?banana=1', 400, 'Unexpected arguments: banana'],
    ['/v1/portgroups/%21%21', 400, 'Expected UUID or name for portgroup: !!', true],
    ['/v1/chassis/banana', 400, 'Expected UUID for chassis_uuid: banana'],
    ['/v1/ports/banana?banana=1', 400, 'Unexpected arguments: banana'],
    ['/v1/ports?address=zz', 400, 'Expected valid MAC address for address: zz'],
    [`/v1/nodes/${node.uuid}/history?limit=abc`, 400, 'Expected an integer for limit: abc'],
    ['/v1/nodes/MISSING/history?banana=1', 400, 'Unexpected arguments: banana'],
    ['/v1/lookup?banana=1', 400, 'Unexpected arguments: banana'],
    ['/v1/conductors?marker=%21%21', 400, 'Expected name for marker: !!'],
  ]
  for (const [url, status, fault, webob] of cases) {
    const r = await t.app.inject({ method: 'GET', url, headers: v('1.82') })
    assert.equal(r.statusCode, status, url)
    if (webob) {
      const e = errorOf(r.body)
      assert.deepEqual([e.code, e.title, e.description], [400, 'Bad Request', fault], url)
    } else {
      assert.equal(faultOf(r.body), fault, url)
    }
  }
  assert.equal(errorOf((await t.app.inject({ method: 'GET', url: '/v1/nodes?banana=1', headers: v('1.82') })).body).ferrum_code, 'FERRUM_UNEXPECTED_ARGUMENT')
  // Declared arguments still work, typed: detail=True, a limit, a name as marker for templates.
  const ok = await t.app.inject({ method: 'GET', url: '/v1/nodes?detail=True&limit=5&maintenance=no', headers: v('1.82') })
  assert.equal(ok.statusCode, 200, ok.body)
  assert.ok((JSON.parse(ok.body) as { nodes: { name: string; driver?: string }[] }).nodes.some((n) => n.name === 'args-node' && n.driver === 'fake-hardware'))
  const hist = await t.app.inject({ method: 'GET', url: `/v1/nodes/${node.uuid}/history?detail=yes`, headers: v('1.82') })
  assert.equal(hist.statusCode, 200, hist.body)
  // A node PATCH takes reset_interfaces and nothing else.
  const patch = await t.app.inject({ method: 'PATCH', url: `/v1/nodes/${node.uuid}?banana=1`, headers: v('1.82'), payload: [{ op: 'replace', path: '/description', value: 'x' }] })
  assert.equal(faultOf(patch.body), 'Unexpected arguments: banana')
  const reset = await t.app.inject({ method: 'PATCH', url: `/v1/nodes/${node.uuid}?reset_interfaces=maybe`, headers: v('1.82'), payload: [{ op: 'replace', path: '/description', value: 'x' }] })
  assert.match(faultOf(reset.body), /^Invalid reset_interfaces: Unrecognized value 'maybe'/)
})
