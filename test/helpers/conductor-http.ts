// Plain HTTP helpers for conductor integration tests: what the CLI cannot show (history with
// Ferrum's fields, ferrum_queue_position) and polling for a state with a deadline.
import assert from 'node:assert/strict'

export type Json = Record<string, unknown>

/** One request to a running Ferrum at the latest microversion; returns status and parsed body. */
export async function api(url: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: Json }> {
  const r = await fetch(`${url}${path}`, {
    method,
    headers: { 'X-OpenStack-Ironic-API-Version': 'latest', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await r.text()
  return { status: r.status, json: text === '' ? {} : (JSON.parse(text) as Json) }
}

/** Like api(), failing unless the status is one of `ok`. */
export async function apiOk(url: string, method: string, path: string, body?: unknown, ok: number[] = [200, 201, 202, 204]): Promise<Json> {
  const r = await api(url, method, path, body)
  assert.ok(ok.includes(r.status), `${method} ${path} -> ${r.status}: ${JSON.stringify(r.json)}`)
  return r.json
}

/** Polls GET /v1/nodes/{node} until `pred` holds, or fails after `deadlineMs` showing the last state. */
export async function waitNode(url: string, node: string, pred: (n: Json) => boolean, what: string, deadlineMs = 20_000): Promise<Json> {
  const end = Date.now() + deadlineMs
  let last: Json = {}
  while (Date.now() < end) {
    last = await apiOk(url, 'GET', `/v1/nodes/${node}`)
    if (pred(last)) return last
    await new Promise((r) => setTimeout(r, 25))
  }
  assert.fail(`node ${node}: ${what} not reached within ${deadlineMs} ms; last: ${JSON.stringify({ provision_state: last.provision_state, reservation: last.reservation, power_state: last.power_state, last_error: last.last_error })}`)
}

/** Waits for a provision state with the lock released. */
export function waitState(url: string, node: string, state: string, deadlineMs?: number): Promise<Json> {
  return waitNode(url, node, (n) => n.provision_state === state && n.reservation === null, `provision state "${state}"`, deadlineMs)
}

export interface HistoryEntry {
  uuid: string
  created_at: string
  severity: string
  event: string
  event_type: string
  ferrum_duration_ms: number | null
  ferrum_error: { code: string; phase: string; remedy: string } | null
}

/** The node's history with Ferrum's detail fields. */
export async function historyOf(url: string, node: string): Promise<HistoryEntry[]> {
  return (await apiOk(url, 'GET', `/v1/nodes/${node}/history?detail=true`)).history as HistoryEntry[]
}

/** "from -> to" for every provision state change in the history. */
export function stateChanges(history: HistoryEntry[]): string[] {
  return history.filter((h) => h.event_type === 'provisioning').map((h) => /^(.+? -> [^:(]+?)(?: \(|:|$)/.exec(h.event)?.[1] ?? h.event)
}

/** Resolves after `ms`. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms))
}
