// Durability: `ferrum up` stopped with SIGTERM (and killed with SIGKILL) and started again on the
// same data dir / database keeps every node (with traits; secrets still masked), port, port group
// and chassis. Runs against SQLite in the data dir and against a private PostgreSQL.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import SQLite from 'better-sqlite3'
import { startFerrum } from '../helpers/ferrum-process.js'
import type { FerrumProcess } from '../helpers/ferrum-process.js'
import { startPostgres } from '../helpers/postgres.js'
import type { TestPostgres } from '../helpers/postgres.js'

type Json = Record<string, unknown>

async function api(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const r = await fetch(`${base}${path}`, {
    method,
    headers: { 'X-OpenStack-Ironic-API-Version': 'latest', 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await r.text()
  return { status: r.status, body: text === '' ? {} : (JSON.parse(text) as Json) }
}

async function must(base: string, method: string, path: string, body: unknown, status: number): Promise<Json> {
  const r = await api(base, method, path, body)
  assert.equal(r.status, status, `${method} ${path}: ${JSON.stringify(r.body)}`)
  return r.body
}

/** Everything the API shows about the inventory, in a stable order. */
async function inventory(base: string): Promise<Json> {
  const out: Json = {}
  for (const [key, path] of [['nodes', '/v1/nodes/detail'], ['ports', '/v1/ports/detail'], ['portgroups', '/v1/portgroups/detail'], ['chassis', '/v1/chassis/detail']] as const) {
    const r = await api(base, 'GET', path)
    assert.equal(r.status, 200, `${path}: ${JSON.stringify(r.body)}`)
    const items = r.body[key] as Json[]
    out[key] = [...items].sort((a, b) => String(a.uuid).localeCompare(String(b.uuid)))
  }
  for (const n of out.nodes as Json[]) {
    out[`traits:${String(n.uuid)}`] = (await must(base, 'GET', `/v1/nodes/${String(n.uuid)}/traits`, undefined, 200)).traits
  }
  return out
}

/** Creates a chassis, nodes (secrets, traits, maintenance), a port group and ports, all tagged `tag`. */
async function populate(base: string, tag: string): Promise<{ nodeUuid: string; portUuid: string }> {
  const chassis = await must(base, 'POST', '/v1/chassis', { description: `chassis ${tag}`, extra: { room: tag } }, 201)
  const node = await must(base, 'POST', '/v1/nodes', {
    name: `node-${tag}`, driver: 'fake-hardware', chassis_uuid: chassis.uuid,
    driver_info: { ipmi_address: '10.1.1.1', ipmi_username: 'admin', ipmi_password: `pw-${tag}` },
    properties: { cpus: 16, memory_mb: 65536 }, extra: { tag }, resource_class: 'baremetal', description: `node ${tag}`,
  }, 201)
  const uuid = String(node.uuid)
  await must(base, 'PUT', `/v1/nodes/${uuid}/traits`, { traits: ['CUSTOM_GPU', `CUSTOM_${tag.toUpperCase()}`] }, 204)
  await must(base, 'PUT', `/v1/nodes/${uuid}/maintenance`, { reason: `checking ${tag}` }, 202)
  await must(base, 'POST', '/v1/nodes', { name: `plain-${tag}`, driver: 'fake-hardware' }, 201)
  const mac = (i: number) => `52:54:00:${tag === 'a' ? '0a' : tag === 'b' ? '0b' : '0c'}:00:0${i}`
  const pg = await must(base, 'POST', '/v1/portgroups', { node_uuid: uuid, name: `bond-${tag}`, address: mac(9), mode: '802.3ad', properties: { miimon: 100 } }, 201)
  const port = await must(base, 'POST', '/v1/ports', { node_uuid: uuid, address: mac(1), portgroup_uuid: pg.uuid, extra: { slot: 1 }, local_link_connection: { switch_id: '00:11:22:33:44:55', port_id: 'Eth1' }, physical_network: 'physnet1' }, 201)
  await must(base, 'POST', '/v1/ports', { node_uuid: uuid, address: mac(2), pxe_enabled: false }, 201)
  return { nodeUuid: uuid, portUuid: String(port.uuid) }
}

function checkPopulated(inv: Json, tag: string): void {
  const node = (inv.nodes as Json[]).find((n) => n.name === `node-${tag}`)
  assert.ok(node, `node-${tag} is there`)
  assert.deepEqual(node.driver_info, { ipmi_address: '10.1.1.1', ipmi_username: 'admin', ipmi_password: '******' }, 'secret still masked')
  assert.equal(node.maintenance, true)
  assert.equal(node.maintenance_reason, `checking ${tag}`)
  assert.deepEqual(inv[`traits:${String(node.uuid)}`], ['CUSTOM_GPU', `CUSTOM_${tag.toUpperCase()}`].sort())
  const chassis = (inv.chassis as Json[]).find((c) => c.description === `chassis ${tag}`)
  assert.ok(chassis)
  assert.equal(node.chassis_uuid, chassis.uuid)
  const ports = (inv.ports as Json[]).filter((p) => p.node_uuid === node.uuid)
  assert.equal(ports.length, 2)
  const pgs = (inv.portgroups as Json[]).filter((p) => p.node_uuid === node.uuid)
  assert.equal(pgs.length, 1)
  assert.equal(pgs[0].mode, '802.3ad')
  assert.ok(ports.some((p) => p.portgroup_uuid === pgs[0].uuid && (p.local_link_connection as Json).port_id === 'Eth1'))
}

for (const backend of ['sqlite', 'postgres'] as const) {
  describe(`restart keeps the inventory (${backend})`, () => {
    let dir: string
    let pg: TestPostgres | undefined
    let db: string | undefined
    let ferrum: FerrumProcess | undefined

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'ferrum-restart-'))
      if (backend === 'postgres') {
        pg = await startPostgres()
        db = pg.url
      }
    })
    after(async () => {
      await ferrum?.kill()
      await pg?.stop()
      rmSync(dir, { recursive: true, force: true })
    })

    test('SIGTERM, then start again on the same data: everything is still there', async () => {
      ferrum = await startFerrum({ dataDir: dir, db })
      const port = ferrum.port
      await populate(ferrum.url, 'a')
      const before = await inventory(ferrum.url)
      checkPopulated(before, 'a')
      assert.equal((before.nodes as Json[]).length, 2)
      assert.equal((before.ports as Json[]).length, 2)

      const exit = await ferrum.stop()
      assert.deepEqual(exit, { code: 0, signal: null }, `clean exit on SIGTERM\n${ferrum.output().stderr}`)
      ferrum = await startFerrum({ dataDir: dir, db, port })
      const afterRestart = await inventory(ferrum.url)
      assert.deepEqual(afterRestart, before)
      checkPopulated(afterRestart, 'a')

      // Still writable, and the unique constraints still hold after the restart.
      const dup = await api(ferrum.url, 'POST', '/v1/nodes', { name: 'node-a', driver: 'fake-hardware' })
      assert.equal(dup.status, 409)
      assert.match(JSON.parse(String(dup.body.error_message)).faultstring, /A node with name node-a already exists/)
      const conductors = await must(ferrum.url, 'GET', '/v1/conductors', undefined, 200)
      assert.equal((conductors.conductors as Json[]).length, 1, 'the conductor re-registered under the same name')
      assert.equal((conductors.conductors as Json[])[0].alive, true)
    })

    test('SIGKILL mid-life, then start again: committed writes survive and the database is intact', async () => {
      ferrum ??= await startFerrum({ dataDir: dir, db })
      const port = ferrum.port
      await populate(ferrum.url, 'b')
      // A change right before the crash.
      const node = (await must(ferrum.url, 'GET', '/v1/nodes/node-b', undefined, 200))
      await must(ferrum.url, 'PATCH', `/v1/nodes/${String(node.uuid)}`, [{ op: 'add', path: '/extra/last', value: 'before-crash' }], 200)
      const before = await inventory(ferrum.url)
      checkPopulated(before, 'b')

      const exit = await ferrum.kill()
      assert.equal(exit.signal, 'SIGKILL')
      if (backend === 'sqlite') {
        // The WAL is replayed on open; the file passes SQLite's own integrity check.
        const file = new SQLite(join(dir, 'ferrum.db'))
        try {
          assert.equal(file.pragma('integrity_check', { simple: true }), 'ok')
          assert.equal(file.pragma('journal_mode', { simple: true }), 'wal')
          assert.equal((file.prepare('SELECT count(*) AS n FROM nodes').get() as { n: number }).n, (before.nodes as Json[]).length)
        } finally {
          file.close()
        }
      }
      ferrum = await startFerrum({ dataDir: dir, db, port })
      const afterCrash = await inventory(ferrum.url)
      assert.deepEqual(afterCrash, before)
      checkPopulated(afterCrash, 'a')
      checkPopulated(afterCrash, 'b')
      const got = await must(ferrum.url, 'GET', '/v1/nodes/node-b', undefined, 200)
      assert.equal((got.extra as Json).last, 'before-crash')
      assert.equal(got.reservation, null, 'no lock survives the crash')
      await populate(ferrum.url, 'c')
      const exit2 = await ferrum.stop()
      assert.equal(exit2.code, 0)
      ferrum = undefined
    })
  })
}
