import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import pino from 'pino'
import type { FastifyInstance } from 'fastify'
import { openDatabase } from '../../src/db/database.js'
import { migrateToLatest } from '../../src/db/migrate.js'
import { Store } from '../../src/db/store.js'
import { build } from '../../src/api/app.js'
import { Conductor } from '../../src/conductor/conductor.js'
import { catalogFromRegistry } from '../../src/conductor/driver-catalog.js'
import { createDriverRegistry } from '../../src/drivers/default-registry.js'
import { systemClock } from '../../src/common/clock.js'
import { loadConfig } from '../../src/config/load.js'
import { serializingConductor, type RpcCalls } from './rpc-serialize.js'

let apps = 0

export interface TestApp {
  app: FastifyInstance
  store: Store
  conductor: Conductor
  close(): Promise<void>
}

/**
 * The real API and conductor over an in-memory SQLite database (or `dbUrl`), for inject() tests.
 * Nothing of Ferrum's is mocked. With FERRUM_TEST_RPC_SERIALIZE=1 in the environment the API talks
 * to the conductor through a JSON round trip (test/helpers/rpc-serialize.ts); `conductor` is the
 * conductor itself either way.
 */
export async function buildTestApp(opts: { dbUrl?: string; conductor?: Record<string, unknown>; log?: pino.Logger } = {}): Promise<TestApp> {
  const database = await openDatabase(opts.dbUrl ?? 'sqlite::memory:')
  await migrateToLatest(database)
  const store = new Store(database)
  const config = loadConfig({ env: {}, flags: { dataDir: '/nonexistent-test-dir', conductor: { hostname: 'test-conductor', ...opts.conductor } } })
  const log = opts.log ?? pino({ level: 'silent' })
  const conductor = new Conductor({ store, drivers: catalogFromRegistry(createDriverRegistry({ enabledHardwareTypes: config.drivers.enabledHardwareTypes })), config: config.conductor, log, clock: systemClock })
  await store.conductors.register(conductor.hostname, '', conductor.deps.drivers.hardwareTypes())
  // FERRUM_TEST_RPC_SERIALIZE=1: the API reaches the conductor only through JSON, as over RPC.
  const calls: RpcCalls = new Map()
  const serialize = process.env.FERRUM_TEST_RPC_SERIALIZE === '1'
  const app = await build({ store, conductor: serialize ? serializingConductor(conductor, calls) : conductor })
  return {
    app, store, conductor,
    async close() {
      await app.close()
      await conductor.stop()
      await database.close()
      // The seam test (test/integration/conductor-rpc-seam.test.ts) checks which calls went through the wrapper.
      const dir = process.env.FERRUM_TEST_RPC_CALLS_DIR
      if (serialize && dir) writeFileSync(join(dir, `${process.pid}-${++apps}.json`), JSON.stringify(Object.fromEntries(calls)))
    },
  }
}

/** Headers for a request at a microversion ('latest' or '1.N'). */
export function v(version: string): Record<string, string> {
  return { 'X-OpenStack-Ironic-API-Version': version, 'content-type': 'application/json' }
}

/** Parses Ironic's error body and returns the faultstring (throws if the body is not one). */
/** Ferrum's `ferrum_remedy` of an Ironic error body (what to do about it). */
export function remedyOf(body: string): string {
  const outer = JSON.parse(body) as { error_message?: string }
  return String((JSON.parse(outer.error_message ?? '{}') as { ferrum_remedy?: unknown }).ferrum_remedy ?? '')
}

export function faultOf(body: string): string {
  const outer = JSON.parse(body) as { error_message?: string }
  if (typeof outer.error_message !== 'string') throw new Error(`not an Ironic error body: ${body}`)
  const inner = JSON.parse(outer.error_message) as { faultstring?: string; description?: string; ferrum_remedy?: string }
  // webob's body (errors Ironic raises from its router): its description, or when that is
  // empty (as Ironic leaves it for 404/405) Ferrum's remedy.
  return inner.faultstring ?? (inner.description || inner.ferrum_remedy) ?? ''
}
