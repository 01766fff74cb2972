import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { buildTestApp, faultOf, v } from '../../../test/helpers/app.js'
import type { TestApp } from '../../../test/helpers/app.js'
import { PASSWORD, USER, startIpmiLab, type IpmiLab } from '../../../test/helpers/ipmi-test-kit.js'

type Verb = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

let t: TestApp
let lab: IpmiLab
before(async () => {
  t = await buildTestApp()
  lab = await startIpmiLab()
})
after(async () => {
  await t.close()
  await lab.stop()
})

function req(method: Verb, url: string, body?: unknown, version = 'latest') {
  return t.app.inject({ method, url, headers: v(version), payload: body === undefined ? undefined : JSON.stringify(body) })
}

let seq = 0
async function node(fields: Record<string, unknown> = {}): Promise<{ uuid: string; name: string }> {
  const r = await req('POST', '/v1/nodes', { driver: 'fake-hardware', name: `vp-${++seq}`, ...fields })
  assert.equal(r.statusCode, 201, r.body)
  return r.json()
}
const show = async (uuid: string) => (await req('GET', `/v1/nodes/${uuid}`)).json()

test('node methods: fake-hardware lists echo, count and fail with Ironic\'s metadata keys', async () => {
  const n = await node()
  const r = await req('GET', `/v1/nodes/${n.uuid}/vendor_passthru/methods`, undefined, '1.1')
  assert.equal(r.statusCode, 200, r.body)
  const methods = r.json()
  assert.deepEqual(Object.keys(methods), ['echo', 'count', 'fail'])
  assert.deepEqual(methods.echo, {
    http_methods: ['GET', 'POST'], async: false, description: 'Returns the arguments and HTTP method it was called with.', attach: false, require_exclusive_lock: false,
  })
  assert.deepEqual([methods.count.http_methods, methods.count.async, methods.count.require_exclusive_lock], [['POST'], true, true])
})

test('sync echo: 200 with the return value, by ?method= or path, GET and POST; it needs no lock', async () => {
  const n = await node()
  const post = await req('POST', `/v1/nodes/${n.uuid}/vendor_passthru?method=echo`, { a: 1, b: ['x'] })
  assert.equal(post.statusCode, 200, post.body)
  assert.match(String(post.headers['content-type']), /application\/json/)
  assert.deepEqual(post.json(), { args: { a: 1, b: ['x'] }, httpMethod: 'POST' })
  const get = await req('GET', `/v1/nodes/${n.name}/vendor_passthru/echo`)
  assert.deepEqual([get.statusCode, get.json()], [200, { args: {}, httpMethod: 'GET' }])
  // A shared read: it works while another conductor holds the node.
  const rec = (await t.store.nodes.getByUuid(n.uuid))!
  assert.ok(await t.store.nodes.reserve(rec.id, 'other-conductor'))
  try {
    const locked = await req('POST', `/v1/nodes/${n.uuid}/vendor_passthru?method=echo`, { c: true })
    assert.deepEqual([locked.statusCode, locked.json()], [200, { args: { c: true }, httpMethod: 'POST' }])
    // count needs the lock: 409 while someone else has it.
    const busy = await req('POST', `/v1/nodes/${n.uuid}/vendor_passthru?method=count`, {})
    assert.equal(busy.statusCode, 409, busy.body)
    assert.match(faultOf(busy.body), /locked by host other-conductor/)
  } finally {
    await t.store.nodes.release(rec.id, 'other-conductor')
  }
})

test('async count: 202 with no body, runs in the background under the lock and saves driver_internal_info', async () => {
  const n = await node()
  for (let i = 0; i < 2; i++) {
    const r = await req('POST', `/v1/nodes/${n.uuid}/vendor_passthru?method=count`)
    assert.equal(r.statusCode, 202, r.body)
    assert.equal(r.body, '')
    await t.conductor.idle()
  }
  const after = await show(n.uuid)
  assert.equal(after.driver_internal_info.fake_vendor_calls, 2)
  assert.equal(after.reservation, null)
  assert.equal(after.last_error, null)
})

test('async failure: the 202 stands; the failure lands in last_error and the lock is released', async () => {
  const n = await node()
  const r = await req('POST', `/v1/nodes/${n.uuid}/vendor_passthru?method=fail`, { message: 'the widget jammed' })
  assert.equal(r.statusCode, 202, r.body)
  await t.conductor.idle()
  const after = await show(n.uuid)
  assert.equal(after.last_error, 'Vendor passthru method "fail" failed: the widget jammed')
  assert.equal(after.reservation, null)
  assert.equal(after.provision_state, 'enroll')
})

test('node errors: 400 for missing/unknown method, wrong verb and bad bodies; 404 for an unknown node', async () => {
  const n = await node()
  const base = `/v1/nodes/${n.uuid}/vendor_passthru`
  const cases: { method: Verb; url: string; body?: unknown; raw?: string; status: number; fault: RegExp }[] = [
    { method: 'POST', url: base, body: {}, status: 400, fault: /Method not specified/ },
    { method: 'POST', url: `${base}?method=`, status: 400, fault: /Method not specified/ },
    { method: 'POST', url: `${base}?method=echo&method=count`, status: 400, fault: /^Expected string for method: \['echo', 'count'\]$/ },
    { method: 'POST', url: `${base}/echo?method=echo`, status: 400, fault: /not both/ },
    { method: 'POST', url: `${base}?method=reboot`, status: 400, fault: /No handler for method reboot.*Available methods: echo, count, fail/ },
    { method: 'POST', url: `${base}?method=constructor`, status: 400, fault: /No handler for method constructor/ },
    { method: 'POST', url: `${base}?method=__proto__`, status: 400, fault: /No handler for method __proto__/ },
    { method: 'DELETE', url: `${base}?method=echo`, status: 400, fault: /"echo" does not support HTTP DELETE; it accepts: GET, POST/ },
    { method: 'PUT', url: `${base}?method=count`, body: {}, status: 400, fault: /does not support HTTP PUT; it accepts: POST/ },
    { method: 'PATCH', url: `${base}/count`, body: {}, status: 400, fault: /does not support HTTP PATCH/ },
    { method: 'POST', url: `${base}?method=echo`, body: [1, 2], status: 400, fault: /must be a JSON object/ },
    { method: 'POST', url: `${base}?method=echo`, body: 'text', status: 400, fault: /must be a JSON object/ },
    { method: 'POST', url: `${base}?method=echo`, raw: '{"a":', status: 400, fault: /not valid JSON/ },
    { method: 'POST', url: '/v1/nodes/no-such-node/vendor_passthru?method=echo', body: {}, status: 404, fault: /no-such-node/ },
    { method: 'GET', url: '/v1/nodes/no-such-node/vendor_passthru/methods', status: 404, fault: /no-such-node/ },
  ]
  for (const c of cases) {
    const r = c.raw === undefined ? await req(c.method, c.url, c.body) : await t.app.inject({ method: c.method, url: c.url, headers: v('latest'), payload: c.raw })
    assert.equal(r.statusCode, c.status, `${c.method} ${c.url}: ${r.body}`)
    assert.match(faultOf(r.body), c.fault, `${c.method} ${c.url}`)
  }
  // Nothing ran and nothing is left locked.
  const after = await show(n.uuid)
  assert.equal(after.driver_internal_info.fake_vendor_calls, undefined)
  assert.equal(after.reservation, null)
})

test('a node whose vendor interface is no-vendor has no methods: empty list, 400 naming none', async () => {
  const n = await node({ vendor_interface: 'no-vendor' })
  assert.deepEqual((await req('GET', `/v1/nodes/${n.uuid}/vendor_passthru/methods`)).json(), {})
  const r = await req('POST', `/v1/nodes/${n.uuid}/vendor_passthru?method=echo`, {})
  assert.equal(r.statusCode, 400, r.body)
  assert.match(faultOf(r.body), /vendor interface "no-vendor".*Available methods: none/)
})

test('driver passthru: fake-hardware\'s default vendor interface offers ping (GET); errors are 400/404', async () => {
  const methods = await req('GET', '/v1/drivers/fake-hardware/vendor_passthru/methods')
  assert.equal(methods.statusCode, 200, methods.body)
  assert.deepEqual(methods.json(), { ping: { http_methods: ['GET'], async: false, description: 'Answers {pong: true, at: <clock ms>}.', attach: false, require_exclusive_lock: false } })
  const before = Date.now()
  for (const url of ['/v1/drivers/fake-hardware/vendor_passthru?method=ping', '/v1/drivers/fake-hardware/vendor_passthru/ping']) {
    const ping = await req('GET', url)
    assert.equal(ping.statusCode, 200, ping.body)
    const body = ping.json()
    assert.equal(body.pong, true)
    assert.ok(body.at >= before && body.at <= Date.now(), String(body.at))
  }
  const cases: { method: Verb; url: string; status: number; fault: RegExp }[] = [
    { method: 'POST', url: '/v1/drivers/fake-hardware/vendor_passthru?method=ping', status: 400, fault: /does not support HTTP POST; it accepts: GET/ },
    { method: 'GET', url: '/v1/drivers/fake-hardware/vendor_passthru?method=echo', status: 400, fault: /No handler for method echo in the vendor interface "fake" of driver fake-hardware. Available methods: ping/ },
    { method: 'GET', url: '/v1/drivers/fake-hardware/vendor_passthru', status: 400, fault: /Method not specified/ },
    { method: 'GET', url: '/v1/drivers/ipmi/vendor_passthru?method=send_raw', status: 400, fault: /Available methods: none/ },
    { method: 'GET', url: '/v1/drivers/no-such-driver/vendor_passthru?method=ping', status: 404, fault: /no-such-driver/ },
    { method: 'GET', url: '/v1/drivers/no-such-driver/vendor_passthru/methods', status: 404, fault: /no-such-driver/ },
  ]
  for (const c of cases) {
    const r = await req(c.method, c.url)
    assert.equal(r.statusCode, c.status, `${c.method} ${c.url}: ${r.body}`)
    assert.match(faultOf(r.body), c.fault, `${c.method} ${c.url}`)
  }
  assert.deepEqual((await req('GET', '/v1/drivers/ipmi/vendor_passthru/methods')).json(), {})
})

test('ipmi send_raw against the lab BMC: Get Device ID and Get Chassis Status come back as bytes', async () => {
  const r0 = await req('POST', '/v1/nodes', {
    driver: 'ipmi', name: `vp-ipmi-${++seq}`,
    driver_info: { ipmi_address: lab.host, ipmi_port: String(lab.port), ipmi_username: USER, ipmi_password: PASSWORD },
  })
  assert.equal(r0.statusCode, 201, r0.body)
  const n = r0.json() as { uuid: string; vendor_interface: string }
  assert.equal(n.vendor_interface, 'ipmitool')
  const methods = (await req('GET', `/v1/nodes/${n.uuid}/vendor_passthru/methods`)).json()
  assert.deepEqual(Object.keys(methods), ['send_raw'])
  assert.deepEqual([methods.send_raw.http_methods, methods.send_raw.async, methods.send_raw.require_exclusive_lock], [['POST'], false, true])

  const id = await req('POST', `/v1/nodes/${n.uuid}/vendor_passthru?method=send_raw`, { raw_bytes: '0x06 0x01' })
  assert.equal(id.statusCode, 200, id.body)
  const dev = id.json() as { raw_bytes: string; bytes: number[] }
  // The lab BMC's Device ID: device 0x20, IPMI 2.0, product id 0x4652 (little-endian at the end).
  assert.equal(dev.bytes[0], 0x20)
  assert.equal(dev.bytes[4], 0x02)
  assert.deepEqual(dev.bytes.slice(9, 11), [0x52, 0x46])
  assert.equal(dev.raw_bytes, dev.bytes.map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(' '))

  // Get Chassis Status (netfn chassis, cmd 0x01): bit 0 of the first byte is the machine's power.
  for (const power of ['on', 'off'] as const) {
    if (power === 'on') await lab.machine.powerOn()
    else await lab.machine.powerOff()
    const st = await req('POST', `/v1/nodes/${n.uuid}/vendor_passthru/send_raw`, { raw_bytes: '0x00 0x01' })
    assert.equal(st.statusCode, 200, st.body)
    assert.equal(st.json().bytes[0] & 1, power === 'on' ? 1 : 0, `machine ${power}: ${st.body}`)
  }

  // Bad input is a 400 before any datagram leaves; a GET is refused by the method's verbs.
  const received = lab.bmc.stats.received
  for (const [body, fault] of [[{}, /raw_bytes .* was not specified/], [{ raw_bytes: '0x06 0xzz' }, /"0xzz" is not a byte/], [{ raw_bytes: '0x07 0x01' }, /not a request netfn/]] as const) {
    const bad = await req('POST', `/v1/nodes/${n.uuid}/vendor_passthru?method=send_raw`, body)
    assert.equal(bad.statusCode, 400, bad.body)
    assert.match(faultOf(bad.body), fault)
  }
  const get = await req('GET', `/v1/nodes/${n.uuid}/vendor_passthru?method=send_raw`)
  assert.equal(get.statusCode, 400, get.body)
  assert.equal(lab.bmc.stats.received, received)
  assert.equal((await show(n.uuid)).reservation, null)
})

test('ipmi send_raw on a node without BMC credentials: 400 from validation, not a 500', async () => {
  const r0 = await req('POST', '/v1/nodes', { driver: 'ipmi', name: `vp-ipmi-${++seq}` })
  assert.equal(r0.statusCode, 201, r0.body)
  const r = await req('POST', `/v1/nodes/${r0.json().uuid}/vendor_passthru?method=send_raw`, { raw_bytes: '0x06 0x01' })
  assert.equal(r.statusCode, 400, r.body)
  assert.match(faultOf(r.body), /ipmi_address/)
})
