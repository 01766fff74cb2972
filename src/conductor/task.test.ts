import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { pino } from 'pino'
import type { Clock } from '../common/clock.js'
import { openDatabase, type Database } from '../db/database.js'
import { migrateToLatest } from '../db/migrate.js'
import { Store } from '../db/store.js'
import { createDriverRegistry } from '../drivers/default-registry.js'
import { ManualClock } from '../drivers/testing/fixtures.js'
import { NodeLockedError, NotFoundError } from '../domain/errors.js'
import { catalogFromRegistry } from './driver-catalog.js'
import { TaskManager, type LockRetry } from './task.js'

describe('TaskManager (the node lock)', () => {
  let database: Database
  let store: Store
  before(async () => {
    database = await openDatabase('sqlite::memory:')
    await migrateToLatest(database)
    store = new Store(database)
  })
  after(async () => database.close())

  const manager = (hostname: string, retry?: LockRetry, clock: Clock = new ManualClock()) =>
    new TaskManager({ store, drivers: catalogFromRegistry(createDriverRegistry({ enabledHardwareTypes: ['fake-hardware'] })), log: pino({ level: 'silent' }), clock, hostname }, retry)
  const reservation = async (id: number) => (await store.nodes.getById(id))!.reservation

  it('acquire locks by id or UUID; a second acquire is NodeLocked naming the holder; release frees it', async () => {
    const n = await store.nodes.create({ driver: 'fake-hardware' })
    const a = manager('conductor-a')
    const b = manager('conductor-b')
    const task = await a.acquire(n.uuid)
    assert.equal(task.shared, false)
    assert.equal(task.node.reservation, 'conductor-a')
    assert.equal(await reservation(n.id), 'conductor-a')
    const err = await b.acquire(n.id).then(() => null, (e: unknown) => e)
    assert.ok(err instanceof NodeLockedError)
    assert.equal(err.httpStatus, 409)
    assert.equal(err.message, `Node ${n.uuid} is locked by host conductor-a, please retry after the current operation is completed.`)
    assert.equal(await b.tryAcquire(n.id), null, 'tryAcquire does not wait or throw')
    await b.release(task)
    assert.equal(await reservation(n.id), 'conductor-a', 'only the holder releases')
    await a.release(task)
    assert.equal(await reservation(n.id), null)
  })

  it('withNodeLock releases when the work throws; a missing node is a 404', async () => {
    const n = await store.nodes.create({ driver: 'fake-hardware' })
    const a = manager('conductor-a')
    await assert.rejects(a.withNodeLock(n.uuid, async () => { throw new Error('boom') }), /boom/)
    assert.equal(await reservation(n.id), null)
    assert.equal(await a.withNodeLock(n.uuid, async (t) => t.node.reservation), 'conductor-a')
    await assert.rejects(a.acquire('00000000-0000-4000-8000-000000000000'), (e: unknown) => e instanceof NotFoundError && /could not be found/.test(e.message))
    assert.deepEqual(await a.tryWithNodeLock(999_999, async () => 1), { ran: false })
  })

  it('retries a held lock as configured, sleeping on the injected clock, and gives up after the last attempt', async () => {
    const n = await store.nodes.create({ driver: 'fake-hardware' })
    const holder = manager('holder')
    const held = await holder.acquire(n.id)
    const sleeps: number[] = []
    let letGo = true
    // The holder lets go during the second wait (the first time round only).
    const clock: Clock = {
      now: () => 0,
      sleep: async (ms) => {
        sleeps.push(ms)
        if (sleeps.length === 2 && letGo) {
          letGo = false
          await holder.release(held)
        }
      },
    }
    const patient = manager('patient', { attempts: 3, intervalMs: 250 }, clock)
    const task = await patient.acquire(n.uuid)
    assert.equal(task.node.reservation, 'patient')
    assert.deepEqual(sleeps, [250, 250])
    await patient.release(task)

    const again = await holder.acquire(n.id)
    sleeps.length = 0
    await assert.rejects(patient.acquire(n.uuid), NodeLockedError)
    assert.deepEqual(sleeps, [250, 250], 'three attempts, two waits')
    sleeps.length = 0
    await assert.rejects(patient.acquire(n.uuid, { retry: false }), NodeLockedError)
    assert.deepEqual(sleeps, [], 'retry: false tries once')
    await holder.release(again)
  })

  it('a shared task reads without the lock and refuses writes; stop() refuses new locks', async () => {
    const n = await store.nodes.create({ driver: 'fake-hardware' })
    const a = manager('conductor-a')
    const shared = await a.sharedTask(n.uuid)
    assert.equal(shared.shared, true)
    await assert.rejects(shared.save({ description: 'x' }), /shared \(unlocked\) task/)
    assert.equal(await reservation(n.id), null)
    a.stop()
    await assert.rejects(a.acquire(n.uuid), /shutting down/)
    assert.equal(await a.tryAcquire(n.id), null)
  })
})
