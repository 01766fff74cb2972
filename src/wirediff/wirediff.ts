/**
 * Wire-level differential checks between two Ironic-compatible endpoints (A is the reference,
 * normally a real Ironic; B the one under test, normally Ferrum). The same scripted requests go
 * to both, A first, and the answers are compared field by field:
 *
 * - the HTTP status, the version headers clients read and the Location of a 201;
 * - an error (A answered 4xx/5xx): A's faultstring contained in B's and the same faultcode;
 * - a success: the JSON bodies, key by key and value by value, after normalising what differs
 *   per server by nature (UUIDs, timestamps, host:port in links, numeric ids). B may add
 *   `ferrum_*` keys.
 *
 * Each difference is one line (`status: 400 vs 404`, `body.nodes[0].power_state: null vs "power
 * off"`); a line matching an entry of allow-list.ts is an intended difference and reported as
 * allowed, everything else fails the case. Used by test/interop/ironic-diff.test.ts against
 * Debian's Ironic 21.4 and by `npm run diff -- A B` against any two endpoints. The fixtures the
 * cases use (a chassis, nodes, ports, a port group, a deploy template, volume connector and
 * target) are created with the same UUIDs on both and deleted at the end.
 */
import { randomUUID } from 'node:crypto'
import { ALLOWED, type Allowance } from './allow-list.js'
import { KNOWN_GAPS, type KnownGap } from './known-gaps.js'
import { buildCases, type WireCase } from './cases.js'

export type { WireCase } from './cases.js'

export interface Answer {
  status: number
  headers: Record<string, string>
  body: unknown
  fault: string | null
  faultcode: string | null
}

export interface CaseResult {
  name: string
  ok: boolean
  /** Differences not on the allow-list. */
  diffs: string[]
  /** Differences on the allow-list, with the reason. */
  allowed: string[]
  /** Differences listed in known-gaps.ts (not yet matched; they do not fail the case). */
  gaps: string[]
  /** For the report: what differs, one line per difference. */
  why: string | null
}

export async function send(base: string, method: string, path: string, body?: unknown, version: string | null = '1.78', raw?: string): Promise<Answer> {
  const headers: Record<string, string> = {}
  if (version !== null) headers['X-OpenStack-Ironic-API-Version'] = version
  if (body !== undefined || raw !== undefined) headers['Content-Type'] = 'application/json'
  const res = await fetch(`${base.replace(/\/$/, '')}${path}`, {
    method,
    headers,
    body: raw ?? (body === undefined ? undefined : JSON.stringify(body)),
    redirect: 'manual',
  })
  const text = await res.text()
  let json: unknown
  try {
    json = text ? JSON.parse(text) : null
  } catch {
    json = `<not JSON: ${text.slice(0, 80)}>`
  }
  let fault: string | null = null
  let faultcode: string | null = null
  const em = (json as { error_message?: unknown } | null)?.error_message
  if (typeof em === 'string') {
    try {
      const inner = JSON.parse(em) as { faultstring?: string; faultcode?: string }
      fault = inner.faultstring ?? em
      faultcode = inner.faultcode ?? null
    } catch {
      fault = em
    }
  }
  const h: Record<string, string> = {}
  res.headers.forEach((v, k) => {
    h[k.toLowerCase()] = v
  })
  return { status: res.status, headers: h, body: json, fault, faultcode }
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$/
const HOST = /^https?:\/\/[^/]+/

/** Normalises what differs per server by nature in a string. */
export function normText(s: string | null): string {
  return (s ?? '').replace(UUID, '<uuid>').replace(/https?:\/\/[^/\s'"]+/g, '<host>')
}

function normScalar(v: unknown, key: string): unknown {
  if (typeof v === 'string') {
    if (TIME.test(v)) return '<time>'
    return normText(v.replace(HOST, '<host>'))
  }
  if (typeof v === 'number' && key === 'id') return '<id>'
  return v
}

const show = (v: unknown) => (v === undefined ? 'absent' : JSON.stringify(v).slice(0, 160))

/** Every difference between two JSON values, as `path: A vs B` lines. */
export function bodyDiffs(a: unknown, b: unknown, path: string, key = ''): string[] {
  if (Array.isArray(a) && Array.isArray(b)) {
    const out: string[] = []
    if (a.length !== b.length) out.push(`${path}: ${a.length} items vs ${b.length}`)
    for (let i = 0; i < Math.min(a.length, b.length); i++) out.push(...bodyDiffs(a[i], b[i], `${path}[${i}]`))
    return out
  }
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const out: string[] = []
    const ao = a as Record<string, unknown>
    const bo = b as Record<string, unknown>
    for (const k of Object.keys(ao)) {
      if (!(k in bo)) out.push(`${path}.${k}: ${show(ao[k])} vs absent`)
      else out.push(...bodyDiffs(ao[k], bo[k], `${path}.${k}`, k))
    }
    for (const k of Object.keys(bo)) if (!(k in ao) && !k.startsWith('ferrum_')) out.push(`${path}.${k}: absent vs ${show(bo[k])}`)
    return out
  }
  const na = normScalar(a, key)
  const nb = normScalar(b, key)
  return JSON.stringify(na) === JSON.stringify(nb) ? [] : [`${path}: ${show(a)} vs ${show(b)}`]
}

interface PecanError {
  code: number
  title: string
  description: string
}

function pecanError(fault: string | null): PecanError | null {
  if (!fault?.startsWith('{')) return null
  try {
    const e = JSON.parse(fault) as Partial<PecanError>
    return typeof e.code === 'number' && typeof e.title === 'string' ? { code: e.code, title: e.title, description: String(e.description ?? '') } : null
  } catch {
    return null
  }
}

const VERSION_HEADERS = ['x-openstack-ironic-api-version', 'x-openstack-ironic-api-minimum-version', 'x-openstack-ironic-api-maximum-version']

/** The differences between A's and B's answers to one case. */
export function answerDiffs(a: Answer, b: Answer): string[] {
  if (a.status !== b.status) {
    return [`status: ${a.status} vs ${b.status} (A: ${a.fault ?? show(a.body)}; B: ${b.fault ?? show(b.body)})`]
  }
  const out: string[] = []
  for (const h of VERSION_HEADERS) {
    if (a.headers[h] !== b.headers[h]) out.push(`header ${h}: ${show(a.headers[h])} vs ${show(b.headers[h])}`)
  }
  if (a.status === 201 || a.headers.location !== undefined) {
    const la = normText(a.headers.location ?? null)
    const lb = normText(b.headers.location ?? null)
    if (la !== lb) out.push(`header location: ${show(a.headers.location)} vs ${show(b.headers.location)}`)
  }
  if (a.status >= 400) {
    const pa = pecanError(a.fault)
    if (pa) {
      // An error raised before Ironic's own error formatting: {"code", "title", "description"}.
      const pb = pecanError(b.fault)
      if (!pb || pb.code !== pa.code || pb.title !== pa.title || !normText(pb.description).includes(normText(pa.description))) out.push(`error body: ${show(a.fault)} vs ${show(b.fault)}`)
      return out
    }
    if (a.fault === null) {
      if (b.fault !== null || JSON.stringify(a.body) !== JSON.stringify(b.body)) out.push(`error body: ${show(a.body)} vs ${show(b.body)}`)
    } else if (!normText(b.fault).includes(normText(a.fault))) {
      out.push(`faultstring: ${show(a.fault)} vs ${show(b.fault)}`)
    } else if (a.faultcode !== b.faultcode) {
      out.push(`faultcode: ${show(a.faultcode)} vs ${show(b.faultcode)}`)
    }
    return out
  }
  return [...out, ...bodyDiffs(a.body, b.body, 'body')]
}

function allowanceFor(c: WireCase, diff: string, list: readonly Allowance[]): Allowance | undefined {
  return list.find((al) => (al.case === undefined || al.case.test(c.name)) && al.diff.test(diff))
}

/**
 * A difference line as known-gaps.ts records it: what differs per run (UUIDs, hosts, the run's
 * names and MACs, timestamps) normalised, at most 160 characters.
 */
export function gapKey(diff: string): string {
  return normText(diff)
    .replace(/[0-9a-f]{8}-[0-9a-f]{1,4}(-[0-9a-f]{0,12}){0,4}/g, '<uuid>')
    .replace(/wirediff(2)?-\d+/g, 'wirediff$1-RUN')
    .replace(/vol-\d+|:RUN\b|wirediff:\d+/g, '<run>')
    .replace(/52:54:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}:[0-9a-f]{2}/g, '<mac>')
    .replace(/\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)?/g, '<time>')
    .slice(0, 160)
}

/** Compares the two answers of one case and applies the allow-list and the known gaps. */
export function compare(c: WireCase, a: Answer, b: Answer, list: readonly Allowance[] = ALLOWED, gaps: readonly KnownGap[] = KNOWN_GAPS): CaseResult {
  const diffs: string[] = []
  const allowed: string[] = []
  const known: string[] = []
  for (const d of answerDiffs(a, b)) {
    const al = allowanceFor(c, d, list)
    if (al) allowed.push(`${d} (allowed: ${al.reason})`)
    else if (gaps.some((g) => g.case === c.name && g.diff === gapKey(d))) known.push(d)
    else diffs.push(d)
  }
  return { name: c.name, ok: diffs.length === 0, diffs, allowed, gaps: known, why: diffs.length ? diffs.join('\n      ') : null }
}

/** The names and UUIDs one run uses, the same on both endpoints. */
export interface Fixtures {
  [key: string]: string
}

export function makeFixtures(): Fixtures {
  const run = `${process.pid % 1000}${Date.now() % 100000}`
  const hex = Number(run).toString(16).padStart(8, '0').slice(-8)
  const mac = (n: number) => `52:54:${hex.slice(0, 2)}:${hex.slice(2, 4)}:${hex.slice(4, 6)}:${(n).toString(16).padStart(2, '0')}`
  return {
    RUN: run,
    NODE: `wirediff-${run}`,
    NODE_UUID: randomUUID(),
    NODE2: `wirediff2-${run}`,
    NODE2_UUID: randomUUID(),
    CHASSIS_UUID: randomUUID(),
    PORT_UUID: randomUUID(),
    PORT2_UUID: randomUUID(),
    PG_UUID: randomUUID(),
    DT_UUID: randomUUID(),
    DT_NAME: `CUSTOM_WIREDIFF_${run}`,
    VC_UUID: randomUUID(),
    VT_UUID: randomUUID(),
    MAC1: mac(1),
    MAC2: mac(2),
    MAC3: mac(3),
    MAC4: mac(4),
    MISSING_UUID: randomUUID(),
  }
}

/** Replaces the fixture names (upper-case words such as NODE_UUID) in a path or a JSON body. */
export function substitute<T>(v: T, fx: Fixtures): T {
  if (v === undefined) return v
  const keys = Object.keys(fx).sort((x, y) => y.length - x.length)
  const re = new RegExp(`\\b(${keys.join('|')})\\b`, 'g')
  const text = typeof v === 'string' ? v : JSON.stringify(v)
  const out = text.replace(re, (k) => fx[k]!)
  return (typeof v === 'string' ? out : JSON.parse(out)) as T
}

interface Step {
  method: WireCase['method']
  path: string
  body?: unknown
  version?: string
}

/** The fixtures each endpoint gets before the cases run, in order (deleted in reverse). */
const SETUP: readonly Step[] = [
  { method: 'POST', path: '/v1/chassis', body: { uuid: 'CHASSIS_UUID', description: 'wirediff' } },
  { method: 'POST', path: '/v1/nodes', body: { uuid: 'NODE_UUID', name: 'NODE', driver: 'fake-hardware', chassis_uuid: 'CHASSIS_UUID', resource_class: 'wirediff' } },
  { method: 'POST', path: '/v1/nodes', body: { uuid: 'NODE2_UUID', name: 'NODE2', driver: 'fake-hardware' } },
  { method: 'POST', path: '/v1/portgroups', body: { uuid: 'PG_UUID', node_uuid: 'NODE_UUID', address: 'MAC2', name: 'NODE-pg' } },
  { method: 'POST', path: '/v1/ports', body: { uuid: 'PORT_UUID', node_uuid: 'NODE_UUID', address: 'MAC1' } },
  { method: 'POST', path: '/v1/deploy_templates', body: { uuid: 'DT_UUID', name: 'DT_NAME', steps: [{ interface: 'deploy', step: 'noop', args: {}, priority: 10 }] } },
  { method: 'POST', path: '/v1/volume/connectors', body: { uuid: 'VC_UUID', node_uuid: 'NODE_UUID', type: 'iqn', connector_id: 'iqn.2026-12.org.wirediff:RUN' } },
  { method: 'POST', path: '/v1/volume/targets', body: { uuid: 'VT_UUID', node_uuid: 'NODE_UUID', volume_type: 'iscsi', boot_index: 0, volume_id: 'vol-RUN' } },
]

const TEARDOWN: readonly Step[] = [
  { method: 'DELETE', path: '/v1/volume/targets/VT_UUID' },
  { method: 'DELETE', path: '/v1/volume/connectors/VC_UUID' },
  { method: 'DELETE', path: '/v1/deploy_templates/DT_UUID' },
  { method: 'DELETE', path: '/v1/ports/PORT2_UUID' },
  { method: 'DELETE', path: '/v1/ports/PORT_UUID' },
  { method: 'DELETE', path: '/v1/portgroups/PG_UUID' },
  { method: 'DELETE', path: '/v1/nodes/NODE2_UUID' },
  { method: 'DELETE', path: '/v1/nodes/NODE_UUID' },
  { method: 'DELETE', path: '/v1/chassis/CHASSIS_UUID' },
]

/** Runs every case against both endpoints (A first) around fixtures of their own. */
export async function runWireDiff(a: string, b: string, cases: readonly WireCase[] = buildCases(), list: readonly Allowance[] = ALLOWED): Promise<CaseResult[]> {
  const fx = makeFixtures()
  for (const base of [a, b]) {
    for (const s of SETUP) {
      const r = await send(base, s.method, substitute(s.path, fx), substitute(s.body, fx), s.version ?? '1.78')
      if (r.status !== 201) throw new Error(`${base}: could not create a fixture (${s.method} ${s.path}: HTTP ${r.status} ${r.fault ?? ''})`)
    }
  }
  const results: CaseResult[] = []
  try {
    for (const c of cases) {
      if (c.run) {
        results.push(await c.run(a, b, fx))
        continue
      }
      const path = substitute(c.path, fx)
      const body = substitute(c.body, fx)
      const ra = await send(a, c.method, path, body, c.version === undefined ? '1.78' : c.version, c.raw)
      const rb = await send(b, c.method, path, body, c.version === undefined ? '1.78' : c.version, c.raw)
      results.push(compare(c, ra, rb, list))
    }
  } finally {
    for (const base of [a, b]) {
      for (const s of TEARDOWN) await send(base, s.method, substitute(s.path, fx), undefined).catch(() => undefined)
    }
  }
  return results
}
