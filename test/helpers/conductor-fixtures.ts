// Small helpers for conductor tests over build(deps).inject(): create nodes, send verbs, wait
// for states with a deadline, read history. Everything goes through the real API and conductor.
import assert from 'node:assert/strict'
import { buildTestApp, faultOf, v } from './app.js'
import type { TestApp } from './app.js'

export { faultOf }

/** A test app plus helpers bound to it. */
export interface ConductorHarness extends TestApp {
  node(body?: Record<string, unknown>): Promise<Record<string, unknown> & { uuid: string }>
  provision(node: string, target: string, extra?: Record<string, unknown>, version?: string): Promise<{ statusCode: number; body: string }>
  power(node: string, target: string, timeout?: number): Promise<{ statusCode: number; body: string }>
  states(node: string): Promise<Record<string, unknown>>
  show(node: string): Promise<Record<string, unknown>>
  waitFor(node: string, provisionState: string, deadlineMs?: number): Promise<Record<string, unknown>>
  waitUntil(node: string, pred: (s: Record<string, unknown>) => boolean, what: string, deadlineMs?: number): Promise<Record<string, unknown>>
  history(node: string): Promise<HistoryItem[]>
  /** Drives a fresh enroll node to `available` (manage, provide). */
  available(body?: Record<string, unknown>): Promise<string>
}

export interface HistoryItem {
  uuid: string
  created_at: string
  severity: string
  event: string
  event_type: string
  ferrum_provision_state: string | null
  ferrum_duration_ms: number | null
  ferrum_error: { code: string; phase: string; remedy: string } | null
}

let counter = 0

/** Builds the real app and conductor over in-memory SQLite with conductor config overrides. */
export async function harness(conductor: Record<string, unknown> = {}): Promise<ConductorHarness> {
  const t = await buildTestApp({ conductor })
  const json = async (method: 'GET' | 'PUT' | 'POST', url: string, payload?: unknown, version = 'latest') =>
    t.app.inject({ method, url, headers: v(version), payload: payload === undefined ? undefined : JSON.stringify(payload) })
  const h: ConductorHarness = {
    ...t,
    async node(body = {}) {
      const r = await json('POST', '/v1/nodes', { driver: 'fake-hardware', name: `n${++counter}`, ...body })
      assert.equal(r.statusCode, 201, r.body)
      return r.json()
    },
    provision: (node, target, extra = {}, version = 'latest') => json('PUT', `/v1/nodes/${node}/states/provision`, { target, ...extra }, version),
    power: (node, target, timeout) => json('PUT', `/v1/nodes/${node}/states/power`, timeout === undefined ? { target } : { target, timeout }),
    async states(node) {
      const r = await json('GET', `/v1/nodes/${node}/states`)
      assert.equal(r.statusCode, 200, r.body)
      return r.json()
    },
    async show(node) {
      const r = await json('GET', `/v1/nodes/${node}`)
      assert.equal(r.statusCode, 200, r.body)
      return r.json()
    },
    async waitUntil(node, pred, what, deadlineMs = 10_000) {
      const end = Date.now() + deadlineMs
      let last: Record<string, unknown> = {}
      while (Date.now() < end) {
        last = await h.show(node)
        if (pred(last)) return last
        await new Promise((r) => setTimeout(r, 10))
      }
      assert.fail(`node ${node}: ${what} not reached within ${deadlineMs} ms; last: ${JSON.stringify({ provision_state: last.provision_state, target: last.target_provision_state, reservation: last.reservation, power: last.power_state, last_error: last.last_error })}`)
    },
    waitFor: (node, state, deadlineMs) =>
      h.waitUntil(node, (s) => s.provision_state === state && s.reservation === null, `provision state "${state}" (unlocked)`, deadlineMs),
    async history(node) {
      const r = await json('GET', `/v1/nodes/${node}/history?detail=true`)
      assert.equal(r.statusCode, 200, r.body)
      return (r.json() as { history: HistoryItem[] }).history
    },
    async available(body = {}) {
      const n = await h.node(body)
      assert.equal((await h.provision(n.uuid, 'manage')).statusCode, 202)
      await h.waitFor(n.uuid, 'manageable')
      assert.equal((await h.provision(n.uuid, 'provide')).statusCode, 202)
      await h.waitFor(n.uuid, 'available')
      return n.uuid
    },
  }
  return h
}

/** The history entries that record provision state changes, as "from -> to" strings. */
export function transitions(history: HistoryItem[]): string[] {
  return history.filter((h) => h.event_type === 'provisioning').map((h) => /^(.+? -> [^:(]+?)(?: \(|:|$)/.exec(h.event)?.[1] ?? h.event)
}
