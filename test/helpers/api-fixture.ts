// Small helpers for the inject() tests of the port, port group, chassis, driver and conductor
// routes. They run against the real API and conductor (test/helpers/app.ts); nothing is mocked.
import { after, before, describe } from 'node:test'
import type { TestApp } from './app.js'
import { buildTestApp, faultOf, v } from './app.js'
import { startPostgres } from './postgres.js'
import type { TestPostgres } from './postgres.js'
import type { NodeRecord } from '../../src/db/repos/nodes.js'

export interface Reply {
  status: number
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any
  /** The faultstring of an Ironic error body ('' for success bodies). */
  fault: string
  headers: Record<string, unknown>
}

/** One request at a microversion ('latest' by default). */
export async function call(t: TestApp, method: 'GET' | 'POST' | 'PATCH' | 'DELETE' | 'PUT', url: string, opts: { version?: string; body?: unknown } = {}): Promise<Reply> {
  const r = await t.app.inject({
    method,
    url,
    headers: v(opts.version ?? 'latest'),
    ...(opts.body === undefined ? {} : { payload: JSON.stringify(opts.body) }),
  })
  const body = r.body === '' ? undefined : JSON.parse(r.body)
  const fault = r.statusCode >= 400 ? faultOf(r.body) : ''
  return { status: r.statusCode, body, fault, headers: r.headers }
}

/** Enrolls a fake-hardware node through the API and returns its record. */
export async function enrollNode(t: TestApp, name?: string, fields: Record<string, unknown> = {}): Promise<NodeRecord> {
  const r = await call(t, 'POST', '/v1/nodes', { body: { driver: 'fake-hardware', ...(name ? { name } : {}), ...fields } })
  if (r.status !== 201) throw new Error(`node create failed: ${r.status} ${r.fault}`)
  return (await t.store.nodes.getByUuid(r.body.uuid))!
}

/** A distinct, valid MAC address per index. */
export function mac(i: number): string {
  return `52:54:00:00:${(i >> 8).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`
}

export type WithApp = (fn: (t: TestApp) => Promise<void>) => Promise<void>

/**
 * Declares the same tests once per database engine: in-memory SQLite, and a private PostgreSQL
 * cluster started for the suite (one fresh database per test). `body` receives `withApp`, which
 * runs a test against a new app and closes it afterwards.
 */
export function dialectSuite(name: string, body: (withApp: WithApp) => void): void {
  for (const dialect of ['sqlite', 'postgres'] as const) {
    describe(`${dialect}: ${name}`, () => {
      let pg: TestPostgres | undefined
      let n = 0
      if (dialect === 'postgres') {
        before(async () => {
          pg = await startPostgres()
        })
        after(async () => pg?.stop())
      }
      const withApp: WithApp = async (fn) => {
        const dbUrl = pg ? await pg.createDatabase(`api_${name.replace(/\W+/g, '_').toLowerCase()}_${++n}`) : undefined
        const t = await buildTestApp(dbUrl ? { dbUrl } : {})
        try {
          await fn(t)
        } finally {
          await t.close()
        }
      }
      body(withApp)
    })
  }
}
