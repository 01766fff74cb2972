/**
 * Wire-level differential checks between two Ironic-compatible endpoints (A is the reference,
 * normally a real Ironic; B the one under test, normally Ferrum): the same requests go to both
 * and the answers are compared — the status, and A's faultstring contained in B's (UUIDs, which
 * differ per server, are normalised), or the fields clients read. Used by
 * test/interop/ironic-diff.test.ts against Debian's Ironic 21.4, and by `npm run diff -- A B`
 * against any two endpoints. It creates one fake-hardware node (and an allocation) on each and
 * deletes them at the end.
 */

export interface Answer {
  status: number
  body: Record<string, unknown> | null
  fault: string | null
}

export interface CaseResult {
  name: string
  ok: boolean
  /** What differs, for the report. */
  why: string | null
}

/** One request and how to compare the two answers. */
export interface WireCase {
  name: string
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** `NODE` in the path and body stands for the node this run created. */
  path: string
  body?: unknown
  version?: string
  /** Default `fault`: same status, A's faultstring inside B's. */
  compare?: 'fault' | 'status-and-body'
}

export async function send(base: string, method: string, path: string, body?: unknown, version = '1.78'): Promise<Answer> {
  const res = await fetch(`${base.replace(/\/$/, '')}${path}`, {
    method,
    headers: { 'X-OpenStack-Ironic-API-Version': version, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  let json: Record<string, unknown> | null = null
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : null
  } catch {
    // not JSON
  }
  let fault: string | null = null
  if (json && typeof json.error_message === 'string') {
    try {
      fault = (JSON.parse(json.error_message) as { faultstring?: string }).faultstring ?? json.error_message
    } catch {
      fault = json.error_message
    }
  }
  return { status: res.status, body: json, fault }
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g
const norm = (s: string | null) => (s ?? '').replace(UUID, '<uuid>')

function substitute(v: unknown, node: string): unknown {
  return JSON.parse(JSON.stringify(v ?? null).replaceAll('NODE', node)) as unknown
}

/** Compares the two answers of one case. */
export function compare(c: WireCase, a: Answer, b: Answer): CaseResult {
  if (a.status !== b.status) return { name: c.name, ok: false, why: `status ${a.status} vs ${b.status} (A: ${a.fault ?? JSON.stringify(a.body)?.slice(0, 200)}; B: ${b.fault ?? JSON.stringify(b.body)?.slice(0, 200)})` }
  if ((c.compare ?? 'fault') === 'fault') {
    if (a.fault === null) return { name: c.name, ok: false, why: `A answered ${a.status} without a faultstring: the case expects an error` }
    if (!norm(b.fault).includes(norm(a.fault))) return { name: c.name, ok: false, why: `faultstring differs:\n    A: ${a.fault}\n    B: ${b.fault}` }
    return { name: c.name, ok: true, why: null }
  }
  const same = JSON.stringify(a.body) === JSON.stringify(b.body)
  return same ? { name: c.name, ok: true, why: null } : { name: c.name, ok: false, why: `body differs:\n    A: ${JSON.stringify(a.body)}\n    B: ${JSON.stringify(b.body)}` }
}

/** The cases: each was a difference once (issue 9), now kept equal. */
export const CASES: readonly WireCase[] = [
  { name: 'node uuid not a UUID', method: 'POST', path: '/v1/nodes', body: { driver: 'fake-hardware', uuid: '!@#$' } },
  { name: 'instance_uuid not a UUID', method: 'POST', path: '/v1/nodes', body: { driver: 'fake-hardware', instance_uuid: 'zz' } },
  { name: 'port node_uuid not a UUID', method: 'POST', path: '/v1/ports', body: { node_uuid: 'bad', address: '52:54:00:00:00:01' } },
  { name: 'node name with a slash', method: 'POST', path: '/v1/nodes', body: { driver: 'fake-hardware', name: 'not/a/name' } },
  { name: 'node name of 300 characters', method: 'POST', path: '/v1/nodes', body: { driver: 'fake-hardware', name: 'x'.repeat(300) } },
  { name: 'rename to an invalid name', method: 'PATCH', path: '/v1/nodes/NODE', body: [{ op: 'replace', path: '/name', value: 'bad/name' }] },
  { name: 'JSON Patch remove of a missing key', method: 'PATCH', path: '/v1/nodes/NODE', body: [{ op: 'remove', path: '/properties/prop' }] },
  { name: 'JSON Patch replace of a missing key', method: 'PATCH', path: '/v1/nodes/NODE', body: [{ op: 'replace', path: '/properties/prop', value: 1 }] },
  { name: 'a lower-case trait in the list', method: 'PUT', path: '/v1/nodes/NODE/traits', body: { traits: ['foo'] } },
  { name: 'a lower-case trait in the URL', method: 'PUT', path: '/v1/nodes/NODE/traits/foo' },
  { name: 'a deploy template without steps', method: 'POST', path: '/v1/deploy_templates', body: { name: 'CUSTOM_WIREDIFF', steps: [] } },
  { name: 'an allocation with an unknown candidate', method: 'POST', path: '/v1/allocations', body: { resource_class: 'x', candidate_nodes: ['banana'] } },
  { name: 'an allocation with an invalid name', method: 'POST', path: '/v1/allocations', body: { resource_class: 'x', name: 'a/b' } },
  { name: 'an unknown node', method: 'GET', path: '/v1/nodes/banana' },
  { name: 'deploy a node in enroll', method: 'PUT', path: '/v1/nodes/NODE/states/provision', body: { target: 'active' } },
  { name: 'a retired_reason without retired', method: 'PATCH', path: '/v1/nodes/NODE', body: [{ op: 'add', path: '/retired_reason', value: 'why' }] },
  { name: 'VIF attach on the noop network interface', method: 'POST', path: '/v1/nodes/NODE/vifs', body: { id: 'wirediff-vif' }, compare: 'status-and-body' },
  { name: 'VIF list on the noop network interface', method: 'GET', path: '/v1/nodes/NODE/vifs', compare: 'status-and-body' },
]

/** Runs every case against both endpoints (A first) around one node of their own. */
export async function runWireDiff(a: string, b: string, cases: readonly WireCase[] = CASES): Promise<CaseResult[]> {
  const node = `wirediff-${process.pid}-${Date.now() % 100000}`
  for (const base of [a, b]) {
    const r = await send(base, 'POST', '/v1/nodes', { driver: 'fake-hardware', name: node })
    if (r.status !== 201) throw new Error(`${base}: could not create the node the cases use (HTTP ${r.status}: ${r.fault ?? ''})`)
  }
  const results: CaseResult[] = []
  try {
    for (const c of cases) {
      const path = c.path.replaceAll('NODE', node)
      const body = c.body === undefined ? undefined : substitute(c.body, node)
      const ra = await send(a, c.method, path, body, c.version)
      const rb = await send(b, c.method, path, body, c.version)
      results.push(compare(c, ra, rb))
    }
    results.push(await allocationContract(a, b))
  } finally {
    for (const base of [a, b]) await send(base, 'DELETE', `/v1/nodes/${node}`).catch(() => undefined)
  }
  return results
}

/** POST /v1/allocations answers `allocating` on both, and both end in `error` without a match. */
async function allocationContract(a: string, b: string): Promise<CaseResult> {
  const name = 'allocation: "allocating" at once, then "error" without a matching node'
  const states: string[] = []
  for (const base of [a, b]) {
    const created = await send(base, 'POST', '/v1/allocations', { resource_class: 'wirediff-none' })
    const uuid = String(created.body?.uuid ?? '')
    let last = await send(base, 'GET', `/v1/allocations/${uuid}`)
    for (let i = 0; i < 80 && last.body?.state === 'allocating'; i++) {
      await new Promise((r) => setTimeout(r, 250))
      last = await send(base, 'GET', `/v1/allocations/${uuid}`)
    }
    await send(base, 'DELETE', `/v1/allocations/${uuid}`)
    states.push(`${created.status} ${String(created.body?.state)} -> ${String(last.body?.state)}`)
  }
  return states[0] === states[1] ? { name, ok: true, why: null } : { name, ok: false, why: `A: ${states[0]}; B: ${states[1]}` }
}
