// The store (repositories over Kysely), one suite run against both engines: SQLite (a file in WAL
// mode, as `ferrum up` uses it) and a private PostgreSQL cluster started for this file.
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, afterEach, before, beforeEach, describe, test } from 'node:test'
import { openDatabase } from '../../src/db/database.js'
import type { Database } from '../../src/db/database.js'
import { MIGRATIONS, migrateToLatest } from '../../src/db/migrate.js'
import { Store } from '../../src/db/store.js'
import { NODE_SORT_KEYS } from '../../src/db/repos/nodes.js'
import type { NewNode, NodeRecord, NodeSortKey } from '../../src/db/repos/nodes.js'
import { ConflictError, NotFoundError, ValidationError } from '../../src/domain/errors.js'
import { startPostgres } from '../helpers/postgres.js'
import type { TestPostgres } from '../helpers/postgres.js'

const DIALECTS = ['sqlite', 'postgres'] as const
const TABLES = ['nodes', 'node_traits', 'ports', 'portgroups', 'chassis', 'conductors', 'node_history'] as const
const U = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`

/** Asserts that `p` rejects with a 409 ConflictError whose message matches `re`. */
async function rejects409(p: Promise<unknown>, re: RegExp): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof ConflictError, `expected ConflictError, got ${String(e)}`)
    assert.equal(e.httpStatus, 409)
    assert.match(e.message, re)
    return true
  })
}

/** The order the API promises: NULLs first ascending (last descending), ties broken by id. */
function expectedOrder(nodes: NodeRecord[], key: NodeSortKey, dir: 'asc' | 'desc'): number[] {
  const val = (n: NodeRecord): string | number | null => {
    const v = (n as unknown as Record<string, unknown>)[key]
    if (v === null || v === undefined) return null
    if (typeof v === 'boolean') return v ? 1 : 0
    return v as string | number
  }
  const cmp = (a: NodeRecord, b: NodeRecord): number => {
    const va = val(a)
    const vb = val(b)
    let c = 0
    if (va === null && vb !== null) c = -1
    else if (va !== null && vb === null) c = 1
    else if (va !== null && vb !== null) c = va < vb ? -1 : va > vb ? 1 : 0
    if (c === 0) c = a.id - b.id
    return dir === 'asc' ? c : -c
  }
  return [...nodes].sort(cmp).map((n) => n.id)
}

for (const dialect of DIALECTS) {
  describe(`${dialect}: store`, () => {
    let pg: TestPostgres | undefined
    let dir: string
    let dbCount = 0
    let url: string
    let database: Database
    let store: Store
    const extra: Database[] = []

    /** Another handle on the same database (a second conductor / process). */
    const second = async (): Promise<Store> => {
      const d = await openDatabase(url)
      extra.push(d)
      return new Store(d)
    }

    before(async () => {
      dir = mkdtempSync(join(tmpdir(), 'ferrum-store-'))
      if (dialect === 'postgres') pg = await startPostgres()
    })
    after(async () => {
      await pg?.stop()
      rmSync(dir, { recursive: true, force: true })
    })
    beforeEach(async () => {
      dbCount += 1
      url = dialect === 'postgres' ? await pg!.createDatabase(`t${dbCount}`) : `sqlite://${join(dir, `t${dbCount}.db`)}`
      database = await openDatabase(url)
      await migrateToLatest(database)
      store = new Store(database)
    })
    afterEach(async () => {
      for (const d of extra.splice(0)) await d.close()
      await database.close()
    })

    const db = () => database.db
    const mk = (n: Partial<NewNode> = {}) => store.nodes.create({ driver: 'fake-hardware', ...n })
    const insertChassis = async (uuid: string) => {
      const r = await db().insertInto('chassis').values({ uuid, description: null, extra: '{}', created_at: new Date().toISOString(), updated_at: null }).returning('id').executeTakeFirstOrThrow()
      return r.id
    }
    const insertPortgroup = async (nodeId: number, uuid: string, address: string | null) => {
      const r = await db().insertInto('portgroups').values({
        uuid, name: null, address, node_id: nodeId, extra: '{}', internal_info: '{}', standalone_ports_supported: 1, mode: null, properties: '{}',
        physical_network: null, created_at: new Date().toISOString(), updated_at: null,
      }).returning('id').executeTakeFirstOrThrow()
      return r.id
    }
    const insertPort = async (nodeId: number, uuid: string, address: string, portgroupId: number | null = null) => {
      await db().insertInto('ports').values({
        uuid, address, node_id: nodeId, portgroup_id: portgroupId, name: null, extra: '{}', internal_info: '{}', local_link_connection: '{}',
        pxe_enabled: 1, physical_network: null, is_smartnic: 0, description: null, created_at: new Date().toISOString(), updated_at: null,
      }).execute()
    }
    const counts = async () => {
      const out: Record<string, number> = {}
      for (const t of TABLES) {
        const r = await db().selectFrom(t).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()
        out[t] = Number(r.n)
      }
      return out
    }

    test('migrations are idempotent and record every migration once', async () => {
      assert.deepEqual(await migrateToLatest(database), [], 'second run applies nothing')
      assert.deepEqual(await migrateToLatest(database), [])
      // A second process starting against an up-to-date database applies nothing either.
      const other = await second()
      assert.deepEqual(await migrateToLatest(other.database), [])
      const applied = await db().selectFrom('kysely_migration' as never).select('name' as never).execute() as unknown as { name: string }[]
      assert.deepEqual(applied.map((r) => r.name).sort(), MIGRATIONS.map(([n]) => n).sort())
      assert.deepEqual(Object.values(await counts()), TABLES.map(() => 0))
    })

    test('a fresh database reports the migrations it applied', async () => {
      const fresh = dialect === 'postgres' ? await pg!.createDatabase(`fresh${dbCount}`) : `sqlite://${join(dir, `fresh${dbCount}.db`)}`
      const d = await openDatabase(fresh)
      extra.push(d)
      assert.deepEqual(await migrateToLatest(d), MIGRATIONS.map(([n]) => n))
      assert.deepEqual(await migrateToLatest(d), [])
    })

    test('create fills defaults and round-trips JSON, booleans and nulls', async () => {
      const n = await mk({ name: 'n-1', driver_info: { ipmi_address: '10.0.0.1', nested: { list: [1, 'two', null], ü: 'ö' } }, properties: { cpus: 8 } })
      assert.match(n.uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      assert.equal(typeof n.id, 'number')
      assert.equal(n.provision_state, 'enroll')
      assert.equal(n.conductor_group, '')
      assert.equal(n.maintenance, false)
      assert.equal(n.protected, false)
      assert.equal(n.retired, false)
      assert.equal(n.console_enabled, false)
      assert.equal(n.disable_power_off, false)
      assert.equal(n.automated_clean, null)
      assert.equal(n.secure_boot, null)
      // Empty documents for a new node, as Ironic shows them.
      assert.deepEqual(n.clean_step, {})
      assert.deepEqual(n.raid_config, {})
      assert.deepEqual(n.extra, {})
      assert.deepEqual(n.instance_info, {})
      assert.deepEqual(n.network_data, {})
      assert.deepEqual(n.driver_info, { ipmi_address: '10.0.0.1', nested: { list: [1, 'two', null], ü: 'ö' } })
      assert.deepEqual(n.properties, { cpus: 8 })
      assert.equal(n.updated_at, null)
      assert.ok(!Number.isNaN(Date.parse(n.created_at)), n.created_at)
      assert.equal(n.reservation, null)

      const full = await mk({
        uuid: U(1), name: 'n-2', automated_clean: false, secure_boot: true, maintenance: true, maintenance_reason: 'why',
        clean_step: { step: 'erase' }, raid_config: {}, instance_uuid: U(2), conductor_group: 'g1',
      })
      assert.equal(full.uuid, U(1))
      assert.equal(full.automated_clean, false)
      assert.equal(full.secure_boot, true)
      assert.equal(full.maintenance, true)
      assert.deepEqual(full.clean_step, { step: 'erase' })
      assert.deepEqual(full.raid_config, {})

      for (const got of [
        await store.nodes.getById(full.id),
        await store.nodes.getByUuid(U(1)),
        await store.nodes.getByName('n-2'),
        await store.nodes.getByInstanceUuid(U(2)),
        await store.nodes.getByIdent('n-2'),
        await store.nodes.getByIdent(U(1).toUpperCase()),
      ]) {
        assert.deepEqual(got, full)
      }
      assert.equal(await store.nodes.getById(99999), null)
      assert.equal(await store.nodes.getByUuid(U(9)), null)
      assert.equal(await store.nodes.getByName('nope'), null)
      await assert.rejects(store.nodes.getByIdent('nope'), (e: unknown) => e instanceof NotFoundError && /Node nope could not be found/.test(e.message))
      await assert.rejects(store.nodes.getByIdent(U(9)), NotFoundError)
      assert.equal(await store.nodes.count(), 2)
      assert.equal(await store.nodes.count({ provision_state: 'enroll' }), 2)
      assert.equal(await store.nodes.count({ provision_state: 'active' }), 0)
    })

    test('values at the API\'s maximum lengths fit the columns on this engine', async () => {
      const s255 = 'a'.repeat(255)
      const big = 'x'.repeat(100_000)
      const n = await mk({
        name: s255, owner: s255, lessee: s255, shard: s255, conductor_group: s255, resource_class: 'r'.repeat(80),
        description: 'd'.repeat(4096), maintenance_reason: big, protected_reason: 'p'.repeat(4096), retired_reason: 'q'.repeat(4096),
        extra: { big }, boot_mode: 'uefi', bios_interface: 'i'.repeat(255), parent_node: U(5),
      })
      const got = await store.nodes.getById(n.id)
      assert.equal(got?.name, s255)
      assert.equal(got?.maintenance_reason, big)
      assert.equal((got?.extra as { big: string }).big.length, 100_000)
      assert.equal(got?.parent_node, U(5), 'the API stores the parent node by UUID (varchar(36))')
    })

    test('values an engine cannot store are a 400 ValidationError, never a raw driver error', async () => {
      // SQLite stores NUL characters and over-long varchar values; PostgreSQL refuses both.
      const outcome = async (p: Promise<NodeRecord | null>): Promise<NodeRecord | null | 'rejected'> => {
        try {
          return await p
        } catch (e) {
          assert.ok(e instanceof ValidationError, `expected ValidationError, got ${String(e)}`)
          assert.equal(e.httpStatus, 400)
          return 'rejected'
        }
      }
      const n = await mk({ name: 'plain' })
      const cases: [string, () => Promise<NodeRecord | null>][] = [
        ['NUL in a text column', () => mk({ description: 'a\u0000b' })],
        ['NUL in an update', () => store.nodes.update(n.id, { owner: 'o\u0000' })],
        ['NUL in a lookup', () => store.nodes.getByName('nope\u0000')],
        ['over-long varchar', () => store.nodes.update(n.id, { parent_node: 'x'.repeat(40) })],
      ]
      for (const [what, run] of cases) {
        const got = await outcome(run())
        if (dialect === 'postgres') assert.equal(got, 'rejected', what)
        else assert.notEqual(got, 'rejected', what)
      }
      assert.equal((await store.nodes.getById(n.id))?.owner, dialect === 'postgres' ? null : 'o\u0000')
      // JSON documents are stored as JSON text, where NUL is escaped: fine on both.
      const j = await mk({ extra: { k: 'a\u0000b' } })
      assert.deepEqual((await store.nodes.getById(j.id))?.extra, { k: 'a\u0000b' })
    })

    test('list filters', async () => {
      const chassisId = await insertChassis(U(100))
      const a = await mk({ name: 'a', provision_state: 'available', maintenance: true, resource_class: 'gold', conductor_group: 'rack1', owner: 'p1', lessee: 'p2', description: 'Rack 1 100%_done', retired: true, shard: 's1', chassis_id: chassisId, fault: 'power failure' })
      const b = await mk({ name: 'b', driver: 'ipmi', provision_state: 'active', instance_uuid: U(200), resource_class: 'silver', owner: 'p2', description: 'rack 2 100 done', shard: 's2', parent_node: a.uuid })
      const c = await mk({ name: 'c', provision_state: 'manageable', lessee: 'p1', description: null })
      await store.nodes.reserve(c.id, 'host-1')
      const ids = async (f: Parameters<typeof store.nodes.list>[0]) => (await store.nodes.list(f)).map((n) => n.name)

      assert.deepEqual(await ids({}), ['a', 'b', 'c'])
      assert.deepEqual(await ids({ provision_state: 'active' }), ['b'])
      assert.deepEqual(await ids({ provision_states: ['active', 'manageable'] }), ['b', 'c'])
      assert.deepEqual(await ids({ driver: 'ipmi' }), ['b'])
      assert.deepEqual(await ids({ maintenance: true }), ['a'])
      assert.deepEqual(await ids({ maintenance: false }), ['b', 'c'])
      assert.deepEqual(await ids({ associated: true }), ['b'])
      assert.deepEqual(await ids({ associated: false }), ['a', 'c'])
      assert.deepEqual(await ids({ instance_uuid: U(200) }), ['b'])
      assert.deepEqual(await ids({ resource_class: 'gold' }), ['a'])
      assert.deepEqual(await ids({ conductor_group: 'RACK1' }), ['a'], 'conductor groups are case-insensitive')
      assert.deepEqual(await ids({ fault: 'power failure' }), ['a'])
      assert.deepEqual(await ids({ owner: 'p2' }), ['b'])
      assert.deepEqual(await ids({ lessee: 'p1' }), ['c'])
      assert.deepEqual(await ids({ project: 'p1' }), ['a', 'c'])
      assert.deepEqual(await ids({ project: 'p2' }), ['a', 'b'])
      assert.deepEqual(await ids({ chassis_id: chassisId }), ['a'])
      assert.deepEqual(await ids({ description_contains: '100%_' }), ['a'], '% and _ are literal')
      assert.deepEqual(await ids({ description_contains: '100' }), ['a', 'b'])
      assert.deepEqual(await ids({ description_contains: 'rack' }), ['a', 'b'], 'case-insensitive on every engine')
      assert.deepEqual(await ids({ description_contains: '%' }), ['a'])
      assert.deepEqual(await ids({ retired: true }), ['a'])
      assert.deepEqual(await ids({ retired: false }), ['b', 'c'])
      assert.deepEqual(await ids({ shard: ['s1', 's2'] }), ['a', 'b'])
      assert.deepEqual(await ids({ shard: ['s2'] }), ['b'])
      assert.deepEqual(await ids({ sharded: true }), ['a', 'b'])
      assert.deepEqual(await ids({ sharded: false }), ['c'])
      assert.deepEqual(await ids({ parent_node: a.uuid }), ['b'])
      assert.deepEqual(await ids({ include_children: false }), ['a', 'c'])
      assert.deepEqual(await ids({ include_children: true }), ['a', 'b', 'c'])
      assert.deepEqual(await ids({ reserved_by: 'host-1' }), ['c'])
      assert.deepEqual(await ids({ reserved: true }), ['c'])
      assert.deepEqual(await ids({ reserved: false }), ['a', 'b'])
      assert.deepEqual(await ids({ provision_state: 'active', owner: 'p1' }), [], 'filters combine with AND')
      assert.deepEqual(await ids({ maintenance: false, project: 'p1' }), ['c'])
      assert.deepEqual((await store.nodes.list({}, { limit: 2 })).map((n) => n.name), ['a', 'b'])
      void b
    })

    test('every sort key, both directions, and marker pagination through NULLs and ties', async () => {
      const nodes: NodeRecord[] = []
      // Values with NULLs, duplicates and mixed case, spread so that no key is sorted by id.
      const specs: Partial<NewNode>[] = [
        { name: 'm', provision_state: 'manageable', power_state: 'power on', resource_class: 'b', owner: null, description: 'z', maintenance: true },
        { name: null, provision_state: 'available', power_state: null, resource_class: null, owner: 'x', description: null },
        { name: 'B', provision_state: 'enroll', power_state: 'power off', resource_class: 'b', owner: 'x', description: 'a', shard: 's' },
        { name: 'a', provision_state: 'available', power_state: null, resource_class: 'a', owner: null, description: 'a', maintenance: true, instance_uuid: U(31) },
        { name: null, provision_state: 'active', power_state: 'power on', resource_class: null, owner: 'y', description: 'm', lessee: 'l', instance_uuid: U(30) },
        { name: 'z', provision_state: 'enroll', power_state: 'power off', resource_class: 'c', owner: null, description: null, conductor_group: 'g' },
      ]
      for (const [i, s] of specs.entries()) {
        const n = await mk({ uuid: U(90 - i * 7), driver: i % 2 === 0 ? 'ipmi' : 'fake-hardware', ...s })
        nodes.push(i % 3 === 0 ? await store.nodes.update(n.id, { provision_updated_at: `2026-01-0${(i % 4) + 1}T00:00:00.000Z` }) : n)
      }
      const all = await store.nodes.list()
      assert.equal(all.length, nodes.length)
      for (const key of NODE_SORT_KEYS) {
        for (const dir of ['asc', 'desc'] as const) {
          const want = expectedOrder(all, key, dir)
          const got = (await store.nodes.list({}, { sortKey: key, sortDir: dir })).map((n) => n.id)
          assert.deepEqual(got, want, `sort ${key} ${dir}`)
          for (const limit of [1, 2, 4]) {
            const paged: number[] = []
            let marker: NodeRecord | undefined
            for (let page = 0; page < 20; page++) {
              const rows = await store.nodes.list({}, { sortKey: key, sortDir: dir, limit, marker: marker as NodeRecord & Record<string, unknown> })
              paged.push(...rows.map((n) => n.id))
              if (rows.length < limit) break
              marker = rows.at(-1)
            }
            assert.deepEqual(paged, want, `pages of ${limit} by ${key} ${dir}`)
          }
        }
      }
    })

    test('update writes fields, bumps updated_at and maps unique violations to 409', async () => {
      const n = await mk({ name: 'u1' })
      await mk({ name: 'u2', instance_uuid: U(41) })
      const up = await store.nodes.update(n.id, { extra: { k: [1, 2] }, maintenance: true, maintenance_reason: 'r', automated_clean: true, raid_config: { logical_disks: [] } })
      assert.deepEqual(up.extra, { k: [1, 2] })
      assert.equal(up.maintenance, true)
      assert.equal(up.automated_clean, true)
      assert.deepEqual(up.raid_config, { logical_disks: [] })
      assert.ok(up.updated_at !== null && up.updated_at >= up.created_at)
      assert.deepEqual(await store.nodes.getById(n.id), up)
      const cleared = await store.nodes.update(n.id, { automated_clean: null, raid_config: null, name: null })
      assert.equal(cleared.automated_clean, null)
      assert.equal(cleared.raid_config, null)
      assert.equal(cleared.name, null)
      await rejects409(store.nodes.update(n.id, { name: 'u2' }), /A node with name u2 already exists/)
      await rejects409(store.nodes.update(n.id, { instance_uuid: U(41) }), new RegExp(`Instance ${U(41)} is already associated with a node`))
      assert.equal((await store.nodes.getById(n.id))?.name, null, 'a rejected update changes nothing')
      await assert.rejects(store.nodes.update(424242, { name: 'x' }), NotFoundError)
    })

    test('create maps unique violations on name, uuid and instance_uuid to 409 and writes nothing', async () => {
      await mk({ uuid: U(50), name: 'dup', instance_uuid: U(51) })
      await rejects409(mk({ name: 'dup' }), /A node with name dup already exists/)
      await rejects409(mk({ uuid: U(50) }), new RegExp(`A node with UUID ${U(50)} already exists`))
      await rejects409(mk({ instance_uuid: U(51) }), new RegExp(`Instance ${U(51)} is already associated with a node`))
      assert.equal(await store.nodes.count(), 1)
      // NULL names and instance UUIDs never collide.
      await mk({ name: null })
      await mk({ name: null })
      assert.equal(await store.nodes.count(), 3)
    })

    test('reserve/release is a compare-and-set', async () => {
      const n = await mk()
      const locked = await store.nodes.reserve(n.id, 'c1')
      assert.equal(locked?.reservation, 'c1')
      assert.equal(await store.nodes.reserve(n.id, 'c2'), null, 'held by c1')
      assert.equal(await store.nodes.reserve(n.id, 'c1'), null, 'not re-entrant')
      assert.equal(await store.nodes.release(n.id, 'c2'), false, 'c2 cannot release c1\'s lock')
      assert.equal((await store.nodes.getById(n.id))?.reservation, 'c1')
      assert.equal(await store.nodes.release(n.id, 'c1'), true)
      assert.equal(await store.nodes.release(n.id, 'c1'), false, 'already released')
      assert.equal((await store.nodes.reserve(n.id, 'c2'))?.reservation, 'c2')
      assert.equal(await store.nodes.reserve(424242, 'c1'), null)

      const m = await mk()
      const o = await mk()
      await store.nodes.release(n.id, 'c2')
      await store.nodes.reserve(n.id, 'c1')
      await store.nodes.reserve(m.id, 'c1')
      await store.nodes.reserve(o.id, 'c2')
      assert.deepEqual((await store.nodes.releaseAllHeldBy('c1')).sort((x, y) => x - y), [n.id, m.id])
      assert.equal((await store.nodes.getById(o.id))?.reservation, 'c2')
      assert.deepEqual(await store.nodes.releaseAllHeldBy('c1'), [])
    })

    test('two conductors racing for the same node: exactly one wins each round', async () => {
      const other = await second()
      const nodes = [await mk(), await mk(), await mk()]
      for (let round = 0; round < 20; round++) {
        for (const n of nodes) {
          const results = await Promise.all([
            store.nodes.reserve(n.id, 'c1'),
            other.nodes.reserve(n.id, 'c2'),
            store.nodes.reserve(n.id, 'c3'),
            other.nodes.reserve(n.id, 'c4'),
          ])
          const winners = results.filter((r) => r !== null)
          assert.equal(winners.length, 1, `round ${round}: ${JSON.stringify(results.map((r) => r?.reservation ?? null))}`)
          const holder = winners[0]!.reservation!
          assert.equal((await other.nodes.getById(n.id))?.reservation, holder)
          const releasedBy = holder === 'c1' || holder === 'c3' ? store : other
          assert.equal(await releasedBy.nodes.release(n.id, holder), true)
        }
      }
    })

    test('traits: set (deduplicated, sorted), add (idempotent), remove, many nodes at once', async () => {
      const a = await mk()
      const b = await mk()
      assert.deepEqual(await store.nodes.traits(a.id), [])
      await store.nodes.setTraits(a.id, ['CUSTOM_B', 'CUSTOM_A', 'CUSTOM_B'])
      assert.deepEqual(await store.nodes.traits(a.id), ['CUSTOM_A', 'CUSTOM_B'])
      await store.nodes.addTrait(a.id, 'CUSTOM_C')
      await store.nodes.addTrait(a.id, 'CUSTOM_C')
      assert.deepEqual(await store.nodes.traits(a.id), ['CUSTOM_A', 'CUSTOM_B', 'CUSTOM_C'])
      assert.equal(await store.nodes.removeTrait(a.id, 'CUSTOM_B'), true)
      assert.equal(await store.nodes.removeTrait(a.id, 'CUSTOM_B'), false)
      await store.nodes.setTraits(b.id, ['HW_CPU_X86_VMX'])
      const many = await store.nodes.traitsOf([a.id, b.id, 424242])
      assert.deepEqual(many.get(a.id), ['CUSTOM_A', 'CUSTOM_C'])
      assert.deepEqual(many.get(b.id), ['HW_CPU_X86_VMX'])
      assert.equal(many.get(424242), undefined)
      assert.equal((await store.nodes.traitsOf([])).size, 0)
      await store.nodes.setTraits(a.id, [])
      assert.deepEqual(await store.nodes.traits(a.id), [])
      assert.deepEqual(await store.nodes.traits(b.id), ['HW_CPU_X86_VMX'], 'other nodes untouched')
      // Many ids (chunked IN lists).
      const ids = Array.from({ length: 1200 }, (_, i) => i + 100_000)
      assert.deepEqual([...(await store.nodes.traitsOf([...ids, b.id])).keys()], [b.id])
    })

    test('delete removes the node with its ports, port groups, traits and history, and nothing else', async () => {
      const a = await mk({ name: 'gone' })
      const b = await mk({ name: 'stays' })
      for (const [n, i] of [[a, 1], [b, 2]] as const) {
        const pgId = await insertPortgroup(n.id, U(600 + i), `52:54:00:00:0${i}:ff`)
        await insertPort(n.id, U(610 + i), `52:54:00:00:0${i}:01`, pgId)
        await insertPort(n.id, U(620 + i), `52:54:00:00:0${i}:02`)
        await store.nodes.setTraits(n.id, ['CUSTOM_X', 'CUSTOM_Y'])
        await store.history.add({ node_id: n.id, event_type: 'create', severity: 'INFO', event: 'created' })
      }
      assert.deepEqual(await counts(), { nodes: 2, node_traits: 4, ports: 4, portgroups: 2, chassis: 0, conductors: 0, node_history: 2 })
      await store.nodes.delete(a.id)
      assert.deepEqual(await counts(), { nodes: 1, node_traits: 2, ports: 2, portgroups: 1, chassis: 0, conductors: 0, node_history: 1 })
      assert.equal(await store.nodes.getById(a.id), null)
      assert.deepEqual(await store.nodes.traits(b.id), ['CUSTOM_X', 'CUSTOM_Y'])
      assert.equal((await store.history.list(b.id)).length, 1)
      // The name is free again.
      await mk({ name: 'gone' })
    })

    test('history: append, list in order with marker and limit, get by UUID, error detail', async () => {
      const a = await mk()
      const b = await mk()
      await store.history.add({ node_id: a.id, event_type: 'provisioning', severity: 'INFO', event: 'one', provision_state: 'manageable', duration_ms: 12, conductor: 'c1', user: 'admin' })
      await store.history.add({ node_id: b.id, event_type: 'provisioning', severity: 'INFO', event: 'other node' })
      await store.history.add({
        node_id: a.id, event_type: 'deploy', severity: 'ERROR', event: 'two',
        error_detail: { code: 'DEPLOY_STEP_FAILED', phase: 'deploying / deploy step deploy.write_image', remedy: 'check the image' },
      })
      await store.history.add({ node_id: a.id, event_type: 'power', severity: 'WARNING', event: 'three' })
      const list = await store.history.list(a.id)
      assert.deepEqual(list.map((h) => h.event), ['one', 'two', 'three'])
      assert.deepEqual(list.map((h) => h.severity), ['INFO', 'ERROR', 'WARNING'])
      assert.equal(list[0].provision_state, 'manageable')
      assert.equal(list[0].duration_ms, 12)
      assert.equal(list[0].conductor, 'c1')
      assert.equal(list[0].user, 'admin')
      assert.equal(list[0].error_detail, null)
      assert.deepEqual(list[1].error_detail, { code: 'DEPLOY_STEP_FAILED', phase: 'deploying / deploy step deploy.write_image', remedy: 'check the image' })
      assert.equal(list[2].user, null)
      for (const h of list) {
        assert.match(h.uuid, /^[0-9a-f-]{36}$/)
        assert.ok(!Number.isNaN(Date.parse(h.created_at)))
      }
      assert.deepEqual((await store.history.list(a.id, { limit: 2 })).map((h) => h.event), ['one', 'two'])
      assert.deepEqual((await store.history.list(a.id, { markerId: list[0].id })).map((h) => h.event), ['two', 'three'])
      assert.deepEqual((await store.history.list(a.id, { markerId: list[0].id, limit: 1 })).map((h) => h.event), ['two'])
      assert.deepEqual(await store.history.getByUuid(a.id, list[1].uuid), list[1])
      assert.equal(await store.history.getByUuid(b.id, list[1].uuid), null, 'another node\'s record')
      assert.equal(await store.history.getByUuid(a.id, U(1)), null)
      assert.deepEqual((await store.history.list(b.id)).map((h) => h.event), ['other node'])
    })

    test('conductors: register, re-register, heartbeat, unregister, list', async () => {
      const r = await store.conductors.register('host-b', 'g1', ['fake-hardware', 'ipmi'])
      assert.equal(r.hostname, 'host-b')
      assert.equal(r.conductor_group, 'g1')
      assert.deepEqual(r.drivers, ['fake-hardware', 'ipmi'])
      assert.equal(r.online, true)
      await store.conductors.register('host-a', '', [])
      await store.conductors.unregister('host-b')
      assert.equal((await store.conductors.get('host-b'))?.online, false)
      await store.conductors.heartbeat('host-b')
      assert.equal((await store.conductors.get('host-b'))?.online, true)
      const again = await store.conductors.register('host-b', 'g2', ['redfish'])
      assert.equal(again.id, r.id, 'same row')
      assert.equal(again.conductor_group, 'g2')
      assert.deepEqual(again.drivers, ['redfish'])
      assert.deepEqual((await store.conductors.list()).map((c) => c.hostname), ['host-a', 'host-b'])
      assert.equal(await store.conductors.get('nope'), null)
      assert.equal((await counts()).conductors, 2)
    })
  })
}
