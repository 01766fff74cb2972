// Property tests of every write endpoint against the real API and conductor (in-memory SQLite,
// real driver registry; nothing of Ferrum's mocked): malformed JSON, wrong top-level types,
// unknown fields, wrong field types, huge strings, bad UUIDs and MACs, bad identifiers and random
// JSON Patches. A rejected request must be a 4xx in Ironic's error body (never a 500) and must
// leave the database exactly as it was (no partial row); an accepted random patch must leave
// every resource still readable.
import assert from 'node:assert/strict'
import { after, before, describe, test } from 'node:test'
import fc from 'fast-check'
import { sql } from 'kysely'
import { buildTestApp } from '../helpers/app.js'
import type { TestApp } from '../helpers/app.js'

type Json = Record<string, unknown>
type Method = 'POST' | 'PATCH' | 'PUT' | 'DELETE'

const RUNS = Number(process.env.FERRUM_FUZZ_RUNS ?? 150)
const HUGE = 'h'.repeat(1024 * 1024 + 17)
const MISSING_UUID = '0c1d1e2f-3a4b-4c5d-8e6f-7a8b9c0d1e2f'

interface Seed {
  nodeA: string
  nodeB: string
  port: string
  portgroup: string
  chassis: string
}

/** One HTTP request as the fuzzer builds it: a JSON document, or raw text as the body. */
interface Req {
  method: Method
  url: string
  body?: unknown
  raw?: string
}

/** Every row of every table, in a canonical order: what "nothing changed" means. */
async function dump(t: TestApp): Promise<string> {
  const db = t.store.database.db
  const tables = await sql<{ name: string }>`select name from sqlite_master where type = 'table' and name not like 'sqlite_%' and name not like 'kysely_%' order by name`.execute(db)
  const out: Json = {}
  for (const { name } of tables.rows) {
    const rows = await sql<Json>`select * from ${sql.table(name)} order by rowid`.execute(db)
    out[name] = rows.rows
  }
  return JSON.stringify(out)
}

async function send(t: TestApp, r: Req): Promise<{ status: number; body: string }> {
  const payload = r.raw ?? (r.body === undefined ? undefined : JSON.stringify(r.body))
  const res = await t.app.inject({
    method: r.method,
    url: r.url,
    headers: { 'X-OpenStack-Ironic-API-Version': 'latest', 'content-type': 'application/json' },
    ...(payload === undefined ? {} : { payload }),
  })
  return { status: res.statusCode, body: res.body }
}

/** Asserts Ironic's error body: error_message is a JSON string holding a faultstring (or webob's description). */
function assertIronicError(status: number, body: string, what: string): void {
  let outer: Json
  try {
    outer = JSON.parse(body) as Json
  } catch {
    assert.fail(`${what}: ${status} body is not JSON: ${body.slice(0, 300)}`)
  }
  assert.equal(typeof outer.error_message, 'string', `${what}: no error_message string in ${body.slice(0, 300)}`)
  const inner = JSON.parse(outer.error_message as string) as Json
  if (inner.faultstring === undefined && typeof inner.description === 'string') {
    // An error Ironic raises from its router: webob's body, with the status and a description.
    assert.equal(inner.code, status, `${what}: webob code`)
    // Ironic leaves it empty for 404/405; then Ferrum's remedy says what was asked.
    const text = (inner.description as string) || String(inner.ferrum_remedy ?? '')
    assert.ok(text.length > 0 && text.length < 4096, `${what}: description or ferrum_remedy`)
    return
  }
  assert.equal(typeof inner.faultstring, 'string', `${what}: faultstring missing in ${body.slice(0, 300)}`)
  assert.ok((inner.faultstring as string).length > 0, `${what}: empty faultstring`)
  assert.ok((inner.faultstring as string).length < 4096, `${what}: faultstring echoes too much (${(inner.faultstring as string).length} chars)`)
  assert.equal(inner.faultcode, 'Client', `${what}: faultcode`)
  assert.ok('debuginfo' in inner, `${what}: debuginfo missing`)
}

function describeReq(r: Req): string {
  const b = r.raw ?? JSON.stringify(r.body)
  return `${r.method} ${r.url.slice(0, 200)} ${b === undefined ? '' : b.length > 300 ? `${b.slice(0, 300)}… (${b.length} chars)` : b}`
}

/** Gives a request a short printable form, so counterexamples with 1 MB strings stay readable. */
function shown(r: Req): Req {
  return Object.defineProperty(r, fc.toStringMethod, { value: () => describeReq(r), enumerable: false, configurable: true })
}

// ---- arbitraries ------------------------------------------------------------------------------

/** Any JSON value, including deep and odd ones. */
const anyJson = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<unknown>

/** Values of the wrong type for nearly any field: objects, arrays, numbers, booleans, huge strings. */
const wrongType = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }), // ±Infinity would be sent as null
  fc.boolean(),
  fc.array(anyJson, { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 8 }), anyJson, { maxKeys: 3 }),
  fc.constant(HUGE),
)

/** Strings that are not UUIDs (but some look close). */
const badUuid = fc.oneof(
  fc.constantFrom('', 'not-a-uuid', '1be26c0b-03f2-4d2e-ae87-c02d7f33c12', '1be26c0b-03f2-4d2e-ae87-c02d7f33c123z', '{1be26c0b-03f2-4d2e-ae87-c02d7f33c123}',
    '1be26c0b_03f2_4d2e_ae87_c02d7f33c123', 'ZZZZZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZZZZZZZZZ', ' 1be26c0b-03f2-4d2e-ae87-c02d7f33c123', HUGE),
  fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s)),
)

/** Strings that are not MAC addresses. */
const badMac = fc.oneof(
  fc.constantFrom('', 'not-a-mac', '52:54:00:12:34', '52:54:00:12:34:56:78', '52:54:00:12:34:5g', '52:54:00-12:34:56', '525400123456', '52:54:00:12:34:56 ', HUGE),
  fc.string({ minLength: 1, maxLength: 24 }).filter((s) => !/^[0-9a-f]{2}([:-])[0-9a-f]{2}(\1[0-9a-f]{2}){4}$/i.test(s)),
)

/** Request body texts that are not JSON at all. */
const malformedJson = fc.oneof(
  fc.constantFrom('{', '{"driver": ', '[1, 2', '{"a": 1,}', "{'a': 1}", 'nul', 'tru', '{"a": NaN}', '"\\u12"', '\u0000', '{"a":1}}', `{"name": "${'x'.repeat(100)}`),
  fc.string({ minLength: 1, maxLength: 60 }).filter((s) => {
    try {
      JSON.parse(s)
      return false
    } catch {
      return s.trim() !== ''
    }
  }),
)

/** Top-level bodies of the wrong kind for an endpoint expecting an object. */
const notAnObject = fc.oneof(fc.integer(), fc.string({ maxLength: 20 }), fc.array(anyJson, { maxLength: 3 }), fc.constant(true), fc.constant(HUGE))

/** Field names no endpoint accepts. */
const unknownField = fc.oneof(
  fc.constantFrom('id', 'created_at', 'updated_at', 'links', 'foo', '__proto__', 'constructor', 'provision_state', 'reservation', 'Name', 'driver ', ''),
  fc.string({ minLength: 1, maxLength: 12 }).map((s) => `x_${s}`),
)

/** Identifiers in URLs that name nothing. */
const missingIdent = fc.oneof(
  fc.constant(MISSING_UUID),
  fc.uuid().filter((u) => u !== MISSING_UUID),
  fc.constantFrom('no-such-thing', 'a'.repeat(300), '%00', '..', '%2e%2e', '%E2%98%83', 'null', 'undefined', '-1', '0'),
  fc.stringMatching(/^[A-Za-z0-9._~-]{1,40}$/).filter((s) => !s.startsWith('fz-') && !s.startsWith('bond-fz')),
)

/** The JSON type each fuzzed field takes; a value of any other type (or a huge string) is invalid. */
const OBJECT_FIELDS = new Set(['driver_info', 'properties', 'extra', 'instance_info', 'network_data', 'local_link_connection', 'configdrive'])
const BOOLEAN_FIELDS = new Set(['automated_clean', 'protected', 'retired', 'maintenance', 'secure_boot', 'pxe_enabled', 'is_smartnic', 'standalone_ports_supported', 'persistent', 'disable_ramdisk'])
const ARRAY_FIELDS = new Set(['traits', 'clean_steps', 'deploy_steps'])
const INTEGER_FIELDS = new Set(['timeout'])

function wrongTypeFor(field: string): fc.Arbitrary<unknown> {
  return wrongType.filter((v) => {
    if (OBJECT_FIELDS.has(field)) return v === null || typeof v !== 'object' || Array.isArray(v)
    if (BOOLEAN_FIELDS.has(field)) return typeof v !== 'boolean'
    if (ARRAY_FIELDS.has(field)) return !Array.isArray(v)
    if (INTEGER_FIELDS.has(field)) return !Number.isInteger(v)
    return typeof v !== 'string' || v === HUGE
  })
}

/** A body for `base` with one field set to a value of the wrong type, or an extra unknown field. */
function corrupt(base: Json, fields: readonly string[]): fc.Arbitrary<Json> {
  return fc.oneof(
    fc.constantFrom(...fields).chain((f) => wrongTypeFor(f).map((v) => ({ ...base, [f]: v }))),
    fc.tuple(unknownField, anyJson).map(([f, v]) => {
      const out = { ...base }
      Object.defineProperty(out, f, { value: v, enumerable: true, configurable: true, writable: true })
      return out
    }),
  )
}

// ---- tests ------------------------------------------------------------------------------------

describe('fuzzing the write endpoints (inject, in-memory SQLite, real conductor)', () => {
  let t: TestApp
  let seed: Seed
  const expectOk = async (r: Req, status: number): Promise<Json> => {
    const res = await send(t, r)
    assert.equal(res.status, status, `${describeReq(r)} → ${res.status} ${res.body}`)
    return res.body === '' ? {} : (JSON.parse(res.body) as Json)
  }

  before(async () => {
    t = await buildTestApp()
    const chassis = await expectOk({ method: 'POST', url: '/v1/chassis', body: { description: 'fuzz chassis' } }, 201)
    const a = await expectOk({ method: 'POST', url: '/v1/nodes', body: { driver: 'fake-hardware', name: 'fz-a', chassis_uuid: chassis.uuid, driver_info: { ipmi_password: 'p' }, extra: { k: { nested: [1, 2] } } } }, 201)
    const b = await expectOk({ method: 'POST', url: '/v1/nodes', body: { driver: 'fake-hardware', name: 'fz-b' } }, 201)
    await expectOk({ method: 'PUT', url: `/v1/nodes/${String(a.uuid)}/traits`, body: { traits: ['CUSTOM_A', 'CUSTOM_B'] } }, 204)
    await expectOk({ method: 'PUT', url: '/v1/nodes/fz-b/maintenance', body: { reason: 'fuzz' } }, 202)
    // A node further along, so that state rules are exercised too.
    await t.store.nodes.update((await t.store.nodes.getByName('fz-b'))!.id, { provision_state: 'available' })
    const pg = await expectOk({ method: 'POST', url: '/v1/portgroups', body: { node_uuid: a.uuid, name: 'bond-fz', address: '52:54:00:00:00:99' } }, 201)
    const port = await expectOk({ method: 'POST', url: '/v1/ports', body: { node_uuid: a.uuid, address: '52:54:00:00:00:01', portgroup_uuid: pg.uuid } }, 201)
    await expectOk({ method: 'POST', url: '/v1/ports', body: { node_uuid: b.uuid, address: '52:54:00:00:00:02' } }, 201)
    seed = { nodeA: String(a.uuid), nodeB: String(b.uuid), port: String(port.uuid), portgroup: String(pg.uuid), chassis: String(chassis.uuid) }
  })
  after(async () => {
    await t?.close()
  })

  /** Runs `arb`'s requests: each must be a 4xx in Ironic's body and change nothing. */
  const mustReject = async (arb: fc.Arbitrary<Req>, runs = RUNS) => {
    await fc.assert(
      fc.asyncProperty(arb.map(shown), async (r) => {
        const before = await dump(t)
        const res = await send(t, r)
        const what = describeReq(r)
        assert.ok(res.status >= 400 && res.status < 500, `${what} → ${res.status} ${res.body.slice(0, 500)}`)
        assertIronicError(res.status, res.body, what)
        assert.equal(await dump(t), before, `${what} → ${res.status} changed the database`)
      }),
      { numRuns: runs, includeErrorInReport: true },
    )
  }

  const nodeIdent = () => fc.constantFrom(seed.nodeA, 'fz-a', seed.nodeB, 'fz-b')
  const NODE_FIELDS = ['driver', 'name', 'uuid', 'driver_info', 'properties', 'extra', 'instance_info', 'instance_uuid', 'chassis_uuid', 'resource_class',
    'conductor_group', 'owner', 'lessee', 'description', 'automated_clean', 'protected', 'retired', 'maintenance', 'network_data', 'shard', 'parent_node',
    'boot_mode', 'secure_boot', 'power_interface', 'deploy_interface', 'network_interface', 'traits']

  test('malformed JSON text to every write endpoint', async () => {
    const urls = () => fc.constantFrom<[Method, string]>(
      ['POST', '/v1/nodes'], ['PATCH', `/v1/nodes/${seed.nodeA}`], ['PUT', '/v1/nodes/fz-a/traits'], ['PUT', '/v1/nodes/fz-a/maintenance'],
      ['PUT', '/v1/nodes/fz-a/states/power'], ['PUT', '/v1/nodes/fz-a/states/provision'], ['PUT', '/v1/nodes/fz-a/management/boot_device'],
      ['POST', '/v1/ports'], ['PATCH', `/v1/ports/${seed.port}`], ['POST', '/v1/portgroups'], ['PATCH', `/v1/portgroups/${seed.portgroup}`],
      ['POST', '/v1/chassis'], ['PATCH', `/v1/chassis/${seed.chassis}`], ['PUT', '/v1/nodes/fz-a/traits/CUSTOM_NEW'],
    )
    await mustReject(fc.tuple(urls(), malformedJson).map(([[method, url], raw]) => ({ method, url, raw })))
  })

  test('node create: wrong top-level types, unknown fields, wrong field types, huge strings, bad UUIDs', async () => {
    let i = 0
    const base = () => ({ driver: 'fake-hardware', name: `fz-new-${++i}` })
    const body = fc.oneof(
      notAnObject,
      fc.constant({}),
      fc.constant(null).chain(() => corrupt(base(), NODE_FIELDS)),
      fc.tuple(fc.constantFrom('uuid', 'instance_uuid', 'chassis_uuid'), badUuid).map(([f, v]) => ({ ...base(), [f]: v })),
      fc.constantFrom('name', 'description', 'owner', 'resource_class', 'maintenance_reason', 'driver').map((f) => ({ ...base(), [f]: HUGE })),
      fc.constant(null).map(() => ({ ...base(), extra: { big: HUGE } })),
      fc.constant(null).map(() => ({ ...base(), driver_info: { k: HUGE } })),
      fc.constantFrom('no-such-driver', '', 'FAKE-HARDWARE').map((driver) => ({ driver })),
      fc.constantFrom('fz-a', 'has space', 'slash/name', '1be26c0b-03f2-4d2e-ae87-c02d7f33c123', 'ünïcode').map((name) => ({ ...base(), name })),
      fc.constant({ driver: 'fake-hardware', chassis_uuid: MISSING_UUID }),
      fc.constant({ driver: 'fake-hardware', power_interface: 'no-such-interface' }),
      fc.constant({ driver: 'fake-hardware', traits: ['lower'] }),
    )
    await mustReject(body.map((b) => ({ method: 'POST', url: '/v1/nodes', body: b })))
  })

  test('port, port group and chassis create: bad MACs, bad UUIDs, unknown fields, wrong types, huge strings', async () => {
    let i = 0
    const mac = () => `52:54:00:0f:${String(Math.floor(++i / 100) % 100).padStart(2, '0')}:${String(i % 100).padStart(2, '0')}`
    const portBase = (): Json => ({ node_uuid: seed.nodeA, address: mac() })
    const pgBase = (): Json => ({ node_uuid: seed.nodeA, name: `bond-new-${++i}` })
    const port = fc.oneof(
      notAnObject,
      fc.constant({}),
      badMac.map((address) => ({ node_uuid: seed.nodeA, address })),
      badUuid.map((node_uuid) => ({ node_uuid, address: mac() })),
      badUuid.map((uuid) => ({ ...portBase(), uuid })),
      fc.constant(null).map(() => ({ node_uuid: MISSING_UUID, address: mac() })),
      fc.constant({ node_uuid: seed.nodeA, address: '52:54:00:00:00:01' }),
      fc.constant({ node_uuid: seed.nodeA, address: '52-54-00-00-00-01' }),
      fc.constant(null).chain(() => corrupt(portBase(), ['address', 'node_uuid', 'portgroup_uuid', 'extra', 'local_link_connection', 'pxe_enabled', 'physical_network', 'is_smartnic', 'uuid'])),
      fc.constant(null).map(() => ({ ...portBase(), local_link_connection: { switch_id: 'not-a-mac', port_id: 'x' } })),
      fc.constant(null).map(() => ({ ...portBase(), local_link_connection: { unknown_key: 'x' } })),
      fc.constant(null).map(() => ({ ...portBase(), extra: { big: HUGE } })),
      fc.constant(null).map(() => ({ ...portBase(), portgroup_uuid: MISSING_UUID })),
    )
    const portgroup = fc.oneof(
      notAnObject,
      fc.constant({}),
      badMac.filter((m) => m !== '').map((address) => ({ node_uuid: seed.nodeA, address })),
      badUuid.map((node_uuid) => ({ node_uuid })),
      badUuid.map((uuid) => ({ ...pgBase(), uuid })),
      fc.constant({ node_uuid: MISSING_UUID }),
      fc.constant({ node_uuid: seed.nodeA, name: 'bond-fz' }),
      fc.constant({ node_uuid: seed.nodeA, address: '52:54:00:00:00:99' }),
      fc.constant(null).chain(() => corrupt(pgBase(), ['node_uuid', 'name', 'address', 'mode', 'properties', 'extra', 'standalone_ports_supported', 'uuid'])),
      fc.constant(null).map(() => ({ ...pgBase(), properties: { big: HUGE } })),
    )
    const chassis = fc.oneof(
      notAnObject,
      badUuid.map((uuid) => ({ uuid })),
      fc.constant({ uuid: seed.chassis }),
      corrupt({ description: 'c' }, ['description', 'extra', 'uuid']),
      fc.constant({ description: HUGE }),
      fc.constant({ extra: { big: HUGE } }),
    )
    await mustReject(fc.oneof(
      port.map((b): Req => ({ method: 'POST', url: '/v1/ports', body: b })),
      portgroup.map((b): Req => ({ method: 'POST', url: '/v1/portgroups', body: b })),
      chassis.map((b): Req => ({ method: 'POST', url: '/v1/chassis', body: b })),
    ), RUNS * 2)
  })

  test('traits, maintenance, power, provision and boot device: malformed bodies and identifiers', async () => {
    const badTrait = fc.oneof(
      fc.constantFrom('lower', 'CUSTOM-DASH', 'CUSTOM_ü', '', ' CUSTOM_A', `CUSTOM_${'A'.repeat(300)}`, HUGE),
      fc.string({ minLength: 1, maxLength: 20 }).filter((s) => !/^[A-Z0-9_]+$/.test(s)),
    )
    const reqs: fc.Arbitrary<Req> = fc.oneof(
      fc.tuple(nodeIdent(), fc.oneof(
        notAnObject, fc.constant({}), fc.constant({ traits: 'CUSTOM_A' }), fc.array(badTrait, { minLength: 1, maxLength: 3 }).map((traits) => ({ traits: ['CUSTOM_OK', ...traits] })),
        fc.constant({ traits: Array.from({ length: 51 }, (_, i) => `CUSTOM_T${i}`) }), corrupt({ traits: ['CUSTOM_A'] }, ['traits']),
      )).map(([n, body]): Req => ({ method: 'PUT', url: `/v1/nodes/${n}/traits`, body })),
      fc.tuple(nodeIdent(), badTrait).map(([n, tr]): Req => ({ method: 'PUT', url: `/v1/nodes/${n}/traits/${encodeURIComponent(tr)}` })),
      fc.tuple(nodeIdent(), anyJson.filter((b) => b !== null)).map(([n, body]): Req => ({ method: 'PUT', url: `/v1/nodes/${n}/traits/CUSTOM_NEW`, body })),
      fc.tuple(nodeIdent(), fc.constantFrom('CUSTOM_NOT_THERE', 'lower')).map(([n, tr]): Req => ({ method: 'DELETE', url: `/v1/nodes/${n}/traits/${tr}` })),
      fc.tuple(nodeIdent(), fc.oneof(notAnObject, corrupt({ reason: 'r' }, ['reason']), fc.constant({ reason: HUGE }))).map(([n, body]): Req => ({ method: 'PUT', url: `/v1/nodes/${n}/maintenance`, body })),
      fc.tuple(nodeIdent(), fc.oneof(
        notAnObject, fc.constant({}), corrupt({ target: 'power on' }, ['target', 'timeout']),
        fc.string({ maxLength: 30 }).filter((s) => !['power on', 'power off', 'rebooting', 'soft power off', 'soft rebooting'].includes(s)).map((target) => ({ target })),
        fc.constantFrom(0, -1, 1.5, 86401, '10').map((timeout) => ({ target: 'power off', timeout })),
      )).map(([n, body]): Req => ({ method: 'PUT', url: `/v1/nodes/${n}/states/power`, body })),
      fc.tuple(nodeIdent(), fc.oneof(
        notAnObject, fc.constant({}), corrupt({ target: 'manage' }, ['target', 'configdrive', 'clean_steps', 'deploy_steps', 'rescue_password', 'disable_ramdisk']),
        fc.string({ maxLength: 30 }).filter((s) => !['active', 'deleted', 'rebuild', 'manage', 'provide', 'inspect', 'abort', 'clean', 'adopt', 'rescue', 'unrescue', 'deploy', 'undeploy', 'unhold', 'service'].includes(s)).map((target) => ({ target })),
        fc.constant({ target: 'clean' }), fc.constant({ target: 'rescue' }), fc.constant({ target: 'manage', configdrive: 'x' }),
        fc.constant({ target: 'clean', clean_steps: [{ interface: 'deploy' }] }), fc.constant({ target: 'clean', clean_steps: 'erase' }),
        fc.constant({ target: 'clean', clean_steps: [{ interface: 'deploy', step: 'erase', args: [] }] }),
        fc.constant({ target: 'active', configdrive: HUGE.length }),
      )).map(([n, body]): Req => ({ method: 'PUT', url: `/v1/nodes/${n}/states/provision`, body })),
      fc.tuple(nodeIdent(), fc.oneof(
        notAnObject, fc.constant({}), corrupt({ boot_device: 'pxe' }, ['boot_device', 'persistent']),
        fc.string({ maxLength: 20 }).filter((s) => !['pxe', 'disk', 'cdrom', 'bios', 'safe', 'wanboot', 'floppy', 'uefi http'].includes(s)).map((boot_device) => ({ boot_device })),
        fc.constantFrom('true', 1, null).map((persistent) => ({ boot_device: 'pxe', persistent })),
      )).map(([n, body]): Req => ({ method: 'PUT', url: `/v1/nodes/${n}/management/boot_device`, body })),
    )
    await mustReject(reqs, RUNS * 2)
  })

  test('URLs that name nothing: PATCH/PUT/DELETE of missing nodes, ports, port groups, chassis', async () => {
    const reqs = fc.tuple(missingIdent, fc.constantFrom<[Method, string, unknown]>(
      ['PATCH', '/v1/nodes/%s', [{ op: 'replace', path: '/extra/a', value: 1 }]], ['DELETE', '/v1/nodes/%s', undefined],
      ['PUT', '/v1/nodes/%s/traits', { traits: ['CUSTOM_A'] }], ['PUT', '/v1/nodes/%s/traits/CUSTOM_A', undefined], ['DELETE', '/v1/nodes/%s/traits', undefined],
      ['PUT', '/v1/nodes/%s/maintenance', { reason: 'x' }], ['DELETE', '/v1/nodes/%s/maintenance', undefined],
      ['PUT', '/v1/nodes/%s/states/power', { target: 'power on' }], ['PUT', '/v1/nodes/%s/states/provision', { target: 'manage' }],
      ['PUT', '/v1/nodes/%s/management/boot_device', { boot_device: 'pxe' }],
      ['PATCH', '/v1/ports/%s', [{ op: 'replace', path: '/extra/a', value: 1 }]], ['DELETE', '/v1/ports/%s', undefined],
      ['PATCH', '/v1/portgroups/%s', [{ op: 'replace', path: '/extra/a', value: 1 }]], ['DELETE', '/v1/portgroups/%s', undefined],
      ['PATCH', '/v1/chassis/%s', [{ op: 'replace', path: '/extra/a', value: 1 }]], ['DELETE', '/v1/chassis/%s', undefined],
    )).map(([id, [method, url, body]]): Req => ({ method, url: url.replace('%s', id), body }))
    await mustReject(reqs)
  })

  test('parent_node is stored as the parent\'s UUID; names that look like UUIDs are refused', async () => {
    // The column is 36 characters (PostgreSQL enforces it): names resolve, anything else is a 400.
    await mustReject(fc.constantFrom<Req>(
      { method: 'POST', url: '/v1/nodes', body: { driver: 'fake-hardware', parent_node: 'p'.repeat(255) } },
      { method: 'POST', url: '/v1/nodes', body: { driver: 'fake-hardware', parent_node: MISSING_UUID } },
      { method: 'PATCH', url: '/v1/nodes/fz-b', body: [{ op: 'add', path: '/parent_node', value: 'no-such-parent' }] },
      { method: 'POST', url: '/v1/nodes', body: { driver: 'fake-hardware', name: '0123456789abcdef0123456789ABCDEF' } },
      { method: 'PATCH', url: '/v1/nodes/fz-b', body: [{ op: 'replace', path: '/name', value: '1be26c0b03f24d2eae87c02d7f33c123' }] },
    ), 20)
    const child = await expectOk({ method: 'POST', url: '/v1/nodes', body: { driver: 'fake-hardware', name: 'fz-child', parent_node: 'fz-a' } }, 201)
    assert.equal(child.parent_node, seed.nodeA)
    const patched = await expectOk({ method: 'PATCH', url: '/v1/nodes/fz-child', body: [{ op: 'replace', path: '/parent_node', value: seed.nodeB.toUpperCase() }] }, 200)
    assert.equal(patched.parent_node, seed.nodeB)
    await expectOk({ method: 'DELETE', url: '/v1/nodes/fz-child' }, 204)
  })

  test('a chassis that still has nodes cannot be deleted', async () => {
    await mustReject(fc.constant({ method: 'DELETE', url: `/v1/chassis/${seed.chassis}` } as Req), 1)
  })

  test('malformed JSON Patches (not a list, bad ops, read-only and unknown paths, wrong types) are rejected', async () => {
    // An empty list is a valid (no-op) patch, as in Ironic.
    const badOp = fc.oneof(
      notAnObject.filter((x) => !(Array.isArray(x) && x.length === 0)),
      fc.array(fc.oneof(
        fc.record({ op: fc.constantFrom('move', 'copy', 'test', 'ADD', '', 'delete'), path: fc.constant('/extra/a'), value: anyJson }),
        fc.record({ op: fc.constantFrom('add', 'replace'), path: fc.constantFrom('', '/', 'extra', '//', '/extra//x') , value: anyJson }),
        fc.record({ op: fc.constantFrom('add', 'replace', 'remove'), path: fc.constantFrom('/id', '/uuid', '/created_at', '/updated_at', '/links', '/provision_state', '/reservation', '/no_such_field', '/node_id') , value: anyJson }),
        fc.record({ op: fc.constant('add'), path: fc.constant('/extra/a') }),
        fc.record({ op: fc.constantFrom('replace', 'remove'), path: fc.constant('/extra/no_such_key/deeper'), value: anyJson }),
        fc.tuple(fc.constantFrom('add', 'replace'), fc.constantFrom('/extra', '/properties', '/driver_info', '/local_link_connection'), wrongType.filter((v) => typeof v !== 'object' || Array.isArray(v) || v === null))
          .map(([op, path, value]) => ({ op, path, value })),
        fc.constant({ op: 'add', path: '/extra/a', value: 1, from: '/extra/b' }),
        fc.constant({ op: 'add', path: '/extra/a', value: HUGE }),
        fc.constant({ op: 'replace', path: '/name', value: HUGE }),
        fc.constant({ op: 'replace', path: '/address', value: 'not-a-mac' }),
        fc.constant({ op: 'replace', path: '/node_uuid', value: MISSING_UUID }),
        fc.constant({ op: 'replace', path: '/chassis_uuid', value: 'not-a-uuid' }),
        fc.constant({ op: 'replace', path: '/driver', value: 'no-such-driver' }),
        fc.constant({ op: 'remove', path: '/driver' }),
        fc.constant({ op: 'replace', path: '/name', value: 'fz-b' }),
        fc.constant({ op: 'replace', path: '/address', value: '52:54:00:00:00:02' }),
        fc.constant({ op: 'replace', path: '/name', value: 'bond-fz-other-that-is-a-dup' }),
      ), { minLength: 1, maxLength: 3 }).map((ops) => [...ops, { op: 'replace', path: '/no_such_field_at_all', value: 1 }]),
    )
    const target = () => fc.constantFrom(`/v1/nodes/${seed.nodeA}`, '/v1/nodes/fz-b', `/v1/ports/${seed.port}`, `/v1/portgroups/${seed.portgroup}`, `/v1/chassis/${seed.chassis}`)
    await mustReject(fc.tuple(target(), badOp).map(([url, body]): Req => ({ method: 'PATCH', url, body })), RUNS * 2)
  })

  test('random JSON Patches: never a 500; rejected ones change nothing; accepted ones leave everything readable', async () => {
    const paths = fc.oneof(
      fc.constantFrom('/extra', '/extra/a', '/extra/k/nested', '/extra/k/nested/0', '/extra/k/nested/-', '/extra/k/nested/9', '/extra/~1slash', '/extra/~0tilde',
        '/properties', '/properties/cpus', '/driver_info', '/driver_info/ipmi_password', '/instance_info/image_source', '/name', '/description', '/owner',
        '/resource_class', '/maintenance', '/maintenance_reason', '/chassis_uuid', '/driver', '/network_data', '/automated_clean', '/protected', '/retired',
        '/retired_reason', '/boot_mode', '/secure_boot', '/shard', '/conductor_group', '/deploy_interface', '/power_interface', '/instance_uuid',
        '/address', '/node_uuid', '/portgroup_uuid', '/pxe_enabled', '/local_link_connection', '/local_link_connection/switch_id', '/physical_network',
        '/is_smartnic', '/mode', '/standalone_ports_supported', '/uuid', '/id', '/links', '/traits', '/provision_state', '/-', '/extra/-'),
      fc.string({ maxLength: 12 }).map((s) => `/extra/${s}`),
      fc.string({ maxLength: 12 }).map((s) => `/${s}`),
    )
    const op = fc.record(
      { op: fc.constantFrom('add', 'replace', 'remove', 'add', 'replace', 'test', 'move'), path: paths, value: fc.oneof(anyJson, wrongType) },
      { requiredKeys: ['op', 'path'] },
    )
    const target = () => fc.constantFrom(`/v1/nodes/${seed.nodeA}`, '/v1/nodes/fz-b', `/v1/ports/${seed.port}`, `/v1/portgroups/${seed.portgroup}`, `/v1/chassis/${seed.chassis}`)
    let accepted = 0
    await fc.assert(
      fc.asyncProperty(fc.tuple(target(), fc.array(op, { minLength: 1, maxLength: 4 })).map(([url, ops]) => shown({ method: 'PATCH', url, body: ops })), async (r) => {
        const before = await dump(t)
        const res = await send(t, r)
        const what = describeReq(r)
        assert.ok(res.status < 500, `${what} → ${res.status} ${res.body.slice(0, 500)}`)
        if (res.status >= 400) {
          assertIronicError(res.status, res.body, what)
          assert.equal(await dump(t), before, `${what} → ${res.status} changed the database`)
          return
        }
        accepted++
        assert.equal(res.status, 200, `${what} → ${res.status}`)
        for (const list of ['/v1/nodes/detail', '/v1/ports/detail', '/v1/portgroups/detail', '/v1/chassis/detail', `/v1/nodes/${seed.nodeA}`, `/v1/ports/${seed.port}`]) {
          const got = await t.app.inject({ method: 'GET', url: list, headers: { 'X-OpenStack-Ironic-API-Version': 'latest' } })
          assert.equal(got.statusCode, 200, `after ${what}: GET ${list} → ${got.statusCode} ${got.body.slice(0, 300)}`)
        }
        for (const old of ['1.1', '1.31', '1.60']) {
          const got = await t.app.inject({ method: 'GET', url: '/v1/nodes/detail', headers: { 'X-OpenStack-Ironic-API-Version': old } })
          assert.equal(got.statusCode, 200, `after ${what}: GET /v1/nodes/detail at ${old} → ${got.statusCode} ${got.body.slice(0, 300)}`)
        }
      }),
      { numRuns: RUNS * 3, includeErrorInReport: true },
    )
    assert.ok(accepted > 0, 'some random patches are valid and accepted')
  })
})
