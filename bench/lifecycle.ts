/**
 * Lifecycle benchmark for an Ironic-v1-compatible endpoint (Ferrum or a real Ironic).
 *
 * Drives N fake-hardware nodes through create -> manage -> provide -> deploy -> undeploy over HTTP
 * (undici, one fixed microversion, bounded client concurrency), polling each node's provision
 * state until it settles; then times `GET /v1/nodes?detail=True` and reports the servers' RSS.
 *
 *   node dist/bench/lifecycle.js --start ferrum --nodes 1000
 *   node dist/bench/lifecycle.js --start ironic --nodes 300 [--ironic-up PATH]
 *   node dist/bench/lifecycle.js --endpoint http://127.0.0.1:6385 --pid 1234 --pid 1240
 *   node --import tsx bench/lifecycle.ts --start ferrum --nodes 200
 */
import { parseArgs } from 'node:util'
import { pathToFileURL } from 'node:url'
import { BenchClient, faultString, sleep } from './lib/client.js'
import type { RequestCounter } from './lib/client.js'
import { ResourceSampler } from './lib/procs.js'
import type { ResourceSample, ServerProcesses } from './lib/procs.js'
import { startFerrum, startIronic } from './lib/servers.js'
import type { StartedServer } from './lib/servers.js'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { cpus, loadavg } from 'node:os'

export interface LifecycleOptions {
  label: string
  endpoint: string
  nodes: number
  /** Nodes in progress at once (each: one action request, then polling until it settles). */
  concurrency: number
  apiVersion: string
  phaseTimeoutS: number
  listSamples: number
  pollMinMs: number
  pollMaxMs: number
  /** Server processes whose RSS and CPU are sampled; null when unknown (remote endpoint). */
  procs: ServerProcesses | null
  /** Only create the nodes, then time the detailed list (skips manage .. undeploy). */
  listOnly?: boolean
  log: (line: string) => void
}

export const DEFAULTS = {
  nodes: 1000,
  concurrency: 32,
  apiVersion: '1.78',
  phaseTimeoutS: 1800,
  listSamples: 20,
  pollMinMs: 10,
  pollMaxMs: 500,
} as const

export interface PhaseResult {
  name: string
  /** Nodes that entered the phase (those that finished the previous one). */
  nodes: number
  ok: number
  failed: number
  timedOut: number
  wallS: number
  /** Completed nodes per second. */
  rate: number
  /** Per-node latency from sending the action to seeing the settled state. */
  nodeMedianMs: number
  nodeP95Ms: number
  requests: number
  retries: number
  /** A few failure messages, for the report. */
  errors: string[]
}

export interface ListResult {
  samples: number
  medianMs: number
  p95Ms: number
  minMs: number
  maxMs: number
  /** Nodes and pages one full listing returned (following `next` links). */
  count: number
  pages: number
  bytesApprox: number
}

export interface LifecycleResult {
  label: string
  endpoint: string
  apiVersion: string
  nodes: number
  concurrency: number
  phases: PhaseResult[]
  /** create + manage + provide + deploy + undeploy. */
  lifecycleS: number
  /** manage + provide + deploy (the baseline README's "manage -> active"). */
  manageToActiveS: number
  failures: number
  list: ListResult
  resources: { idle: ResourceSample; peak: ResourceSample; end: ResourceSample; samples: number } | null
  /** 1-minute load average at the start and end: other work on the machine skews every number. */
  loadAvg: { start: number; end: number }
  startedAt: string
}

interface PhaseSpec {
  name: string
  verb: string
  from: string
  want: string
}

/** The fake-hardware interfaces, set explicitly so both servers run exactly the same drivers. */
export const FAKE_INTERFACES = {
  bios_interface: 'fake',
  boot_interface: 'fake',
  console_interface: 'fake',
  deploy_interface: 'fake',
  inspect_interface: 'fake',
  management_interface: 'fake',
  network_interface: 'noop',
  power_interface: 'fake',
  raid_interface: 'fake',
  rescue_interface: 'fake',
  storage_interface: 'noop',
  vendor_interface: 'fake',
} as const

const PROVISION_PHASES: PhaseSpec[] = [
  { name: 'manage', verb: 'manage', from: 'enroll', want: 'manageable' },
  { name: 'provide', verb: 'provide', from: 'manageable', want: 'available' },
  { name: 'deploy', verb: 'deploy', from: 'available', want: 'active' },
  { name: 'undeploy', verb: 'undeploy', from: 'active', want: 'available' },
]

const FAILED_STATES = new Set(['deploy failed', 'clean failed', 'inspect failed', 'adopt failed', 'rescue failed', 'unrescue failed', 'service failed', 'error'])

type Outcome = { kind: 'ok'; ms: number } | { kind: 'failed' | 'timeout'; why: string }

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length)
  let next = 0
  const worker = async () => {
    while (next < items.length) {
      const i = next++
      out[i] = await fn(items[i], i)
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
  return out
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))
  return sorted[idx]
}

function summarize(name: string, nodes: number, outcomes: Outcome[], wallS: number, counter: RequestCounter): PhaseResult {
  const ms = outcomes.filter((o): o is { kind: 'ok'; ms: number } => o.kind === 'ok').map((o) => o.ms).sort((a, b) => a - b)
  const errors: string[] = []
  for (const o of outcomes) if (o.kind !== 'ok' && errors.length < 5) errors.push(o.why)
  return {
    name, nodes,
    ok: ms.length,
    failed: outcomes.filter((o) => o.kind === 'failed').length,
    timedOut: outcomes.filter((o) => o.kind === 'timeout').length,
    wallS,
    rate: wallS > 0 ? ms.length / wallS : 0,
    nodeMedianMs: percentile(ms, 50),
    nodeP95Ms: percentile(ms, 95),
    requests: counter.requests,
    retries: counter.retries,
    errors,
  }
}

async function createPhase(client: BenchClient, o: LifecycleOptions, runId: string): Promise<{ result: PhaseResult; uuids: string[] }> {
  const counter: RequestCounter = { requests: 0, retries: 0 }
  const deadline = Date.now() + o.phaseTimeoutS * 1000
  const uuids: string[] = []
  const t0 = performance.now()
  const outcomes = await pool(Array.from({ length: o.nodes }, (_, i) => i), o.concurrency, async (i): Promise<Outcome> => {
    if (Date.now() > deadline) return { kind: 'timeout', why: 'phase deadline passed before the node was created' }
    const started = performance.now()
    const body = { name: `bench-${runId}-${i}`, driver: 'fake-hardware', ...FAKE_INTERFACES }
    const r = await client.action('POST', '/v1/nodes', body, counter, deadline).catch((e: unknown) => ({ status: 0, body: String(e), ms: 0 }))
    if (r.status !== 201) return { kind: 'failed', why: `create: HTTP ${r.status}: ${faultString(r.body)}` }
    uuids.push((r.body as { uuid: string }).uuid)
    return { kind: 'ok', ms: performance.now() - started }
  })
  return { result: summarize('create', o.nodes, outcomes, (performance.now() - t0) / 1000, counter), uuids }
}

async function provisionPhase(client: BenchClient, o: LifecycleOptions, spec: PhaseSpec, uuids: readonly string[]): Promise<{ result: PhaseResult; uuids: string[] }> {
  const counter: RequestCounter = { requests: 0, retries: 0 }
  const deadline = Date.now() + o.phaseTimeoutS * 1000
  const good: string[] = []
  const t0 = performance.now()
  const outcomes = await pool(uuids, o.concurrency, async (uuid): Promise<Outcome> => {
    if (Date.now() > deadline) return { kind: 'timeout', why: `${spec.verb}: phase deadline passed before the request was sent` }
    const started = performance.now()
    try {
      const r = await client.action('PUT', `/v1/nodes/${uuid}/states/provision`, { target: spec.verb }, counter, deadline)
      if (r.status !== 202) return { kind: 'failed', why: `${spec.verb} ${uuid}: HTTP ${r.status}: ${faultString(r.body)}` }
      let delay = o.pollMinMs
      while (true) {
        if (Date.now() > deadline) return { kind: 'timeout', why: `${spec.verb} ${uuid}: not "${spec.want}" before the phase deadline` }
        await sleep(delay)
        delay = Math.min(Math.ceil(delay * 1.5), o.pollMaxMs)
        const s = await client.call('GET', `/v1/nodes/${uuid}/states`, undefined, counter)
        if (s.status !== 200) continue
        const st = s.body as { provision_state: string; target_provision_state: string | null; last_error: string | null }
        if (st.provision_state === spec.want && st.target_provision_state === null) {
          good.push(uuid)
          return { kind: 'ok', ms: performance.now() - started }
        }
        if (FAILED_STATES.has(st.provision_state) || (st.provision_state === spec.from && st.target_provision_state === null && st.last_error)) {
          return { kind: 'failed', why: `${spec.verb} ${uuid}: ended in "${st.provision_state}": ${st.last_error ?? ''}` }
        }
      }
    } catch (e) {
      return { kind: 'failed', why: `${spec.verb} ${uuid}: ${(e as Error).message}` }
    }
  })
  return { result: summarize(spec.name, uuids.length, outcomes, (performance.now() - t0) / 1000, counter), uuids: good }
}

async function listOnce(client: BenchClient): Promise<{ ms: number; count: number; pages: number; bytes: number }> {
  let url: string | undefined = '/v1/nodes?detail=True'
  let count = 0
  let pages = 0
  let bytes = 0
  const t0 = performance.now()
  while (url) {
    const r = await client.call('GET', url)
    if (r.status !== 200) throw new Error(`GET ${url}: HTTP ${r.status}: ${faultString(r.body)}`)
    const body = r.body as { nodes: unknown[]; next?: string }
    count += body.nodes.length
    pages++
    bytes += JSON.stringify(body).length
    url = body.next && body.nodes.length > 0 ? body.next : undefined
  }
  return { ms: performance.now() - t0, count, pages, bytes }
}

async function measureList(client: BenchClient, samples: number): Promise<ListResult> {
  await listOnce(client) // warm-up (caches, JIT)
  const runs: { ms: number; count: number; pages: number; bytes: number }[] = []
  for (let i = 0; i < samples; i++) runs.push(await listOnce(client))
  const ms = runs.map((r) => r.ms).sort((a, b) => a - b)
  const last = runs.at(-1) ?? { count: 0, pages: 0, bytes: 0 }
  return {
    samples, medianMs: percentile(ms, 50), p95Ms: percentile(ms, 95), minMs: ms[0] ?? NaN, maxMs: ms.at(-1) ?? NaN,
    count: last.count, pages: last.pages, bytesApprox: last.bytes,
  }
}

/** Runs the whole workload against `o.endpoint`. Never throws for node failures: it counts them. */
export async function runLifecycle(o: LifecycleOptions): Promise<LifecycleResult> {
  const client = new BenchClient(o.endpoint, o.apiVersion, o.concurrency + 4)
  const sampler = o.procs ? new ResourceSampler(o.procs) : null
  const idle = sampler?.take() ?? null
  const runId = Date.now().toString(36)
  const startedAt = new Date().toISOString()
  const loadStart = loadavg()[0]
  const phases: PhaseResult[] = []
  const report = (p: PhaseResult) => {
    phases.push(p)
    o.log(`[${o.label}] ${p.name.padEnd(8)} ${p.ok}/${p.nodes} ok in ${p.wallS.toFixed(2)} s (${p.rate.toFixed(1)} nodes/s, node p50 ${p.nodeMedianMs.toFixed(0)} ms, ${p.requests} requests, ${p.retries} retries)` +
      (p.failed + p.timedOut > 0 ? ` — ${p.failed} failed, ${p.timedOut} timed out; e.g. ${p.errors[0]}` : ''))
  }
  try {
    const created = await createPhase(client, o, runId)
    report(created.result)
    let uuids = created.uuids
    for (const spec of o.listOnly ? [] : PROVISION_PHASES) {
      const r = await provisionPhase(client, o, spec, uuids)
      report(r.result)
      uuids = r.uuids
    }
    o.log(`[${o.label}] GET /v1/nodes?detail=True x${o.listSamples} ...`)
    const list = await measureList(client, o.listSamples)
    o.log(`[${o.label}] detailed list of ${list.count} nodes (${list.pages} page(s)): median ${list.medianMs.toFixed(1)} ms, p95 ${list.p95Ms.toFixed(1)} ms`)
    const end = sampler?.stop() ?? null
    const byName = (n: string) => phases.find((p) => p.name === n)?.wallS ?? 0
    return {
      label: o.label, endpoint: o.endpoint, apiVersion: o.apiVersion, nodes: o.nodes, concurrency: o.concurrency, phases,
      lifecycleS: phases.reduce((s, p) => s + p.wallS, 0),
      manageToActiveS: byName('manage') + byName('provide') + byName('deploy'),
      failures: phases.reduce((s, p) => s + p.failed + p.timedOut, 0),
      list,
      resources: sampler && idle && end ? { idle, peak: sampler.peak, end, samples: sampler.samples } : null,
      loadAvg: { start: loadStart, end: loadavg()[0] },
      startedAt,
    }
  } finally {
    sampler?.stop()
    await client.close()
  }
}

export const mib = (kib: number): string => (kib / 1024).toFixed(1)

/** A plain-text table of one result. */
export function formatResult(r: LifecycleResult): string {
  const lines = [`${r.label}: ${r.endpoint}, ${r.nodes} nodes, ${r.concurrency} in flight, API ${r.apiVersion}`]
  lines.push('  phase      nodes    ok  fail  wall s   nodes/s  node p50 ms  node p95 ms  requests  retries')
  for (const p of r.phases) {
    lines.push(`  ${p.name.padEnd(9)} ${String(p.nodes).padStart(6)} ${String(p.ok).padStart(5)} ${String(p.failed + p.timedOut).padStart(5)} ${p.wallS.toFixed(2).padStart(7)} ${p.rate.toFixed(1).padStart(9)} ${p.nodeMedianMs.toFixed(0).padStart(12)} ${p.nodeP95Ms.toFixed(0).padStart(12)} ${String(p.requests).padStart(9)} ${String(p.retries).padStart(8)}`)
  }
  lines.push(`  lifecycle total ${r.lifecycleS.toFixed(2)} s (manage->active ${r.manageToActiveS.toFixed(2)} s), failures ${r.failures}`)
  lines.push(`  GET /v1/nodes?detail=True (${r.list.count} nodes, ${r.list.pages} page(s), ~${(r.list.bytesApprox / 1024).toFixed(0)} KiB): median ${r.list.medianMs.toFixed(1)} ms, p95 ${r.list.p95Ms.toFixed(1)} ms (n=${r.list.samples})`)
  if (r.resources) {
    const g = (s: ResourceSample) => Object.entries(s.byGroup).map(([k, v]) => `${k} ${mib(v)}`).join(' + ')
    lines.push(`  RSS MiB: idle ${mib(r.resources.idle.totalKiB)}, peak ${mib(r.resources.peak.totalKiB)} (${g(r.resources.peak)}), end ${mib(r.resources.end.totalKiB)} (${g(r.resources.end)})`)
    lines.push(`  server CPU during the run: ${(r.resources.end.cpuS - r.resources.idle.cpuS).toFixed(1)} s`)
  }
  lines.push(`  1-min load average: ${r.loadAvg.start.toFixed(2)} at start, ${r.loadAvg.end.toFixed(2)} at end (${cpus().length} CPUs)`)
  return lines.join('\n')
}

function ironicProcsFromStateDir(dir: string): ServerProcesses {
  const pid = (n: string) => Number(readFileSync(join(dir, `${n}.pid`), 'utf8').trim())
  return { groups: { api: [pid('api')], conductor: [pid('conductor')] } }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      endpoint: { type: 'string' },
      start: { type: 'string' },
      nodes: { type: 'string' },
      concurrency: { type: 'string' },
      'api-version': { type: 'string' },
      'phase-timeout': { type: 'string' },
      'list-samples': { type: 'string' },
      pid: { type: 'string', multiple: true },
      'ironic-state-dir': { type: 'string' },
      'ironic-up': { type: 'string' },
      'keep-logs': { type: 'boolean' },
      'list-only': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help || (!values.endpoint && !values.start)) {
    console.log(`usage: lifecycle (--endpoint URL [--pid PID ...] [--ironic-state-dir DIR] | --start ferrum|ironic [--ironic-up PATH])
       [--nodes N=${DEFAULTS.nodes}] [--concurrency C=${DEFAULTS.concurrency}] [--api-version ${DEFAULTS.apiVersion}]
       [--phase-timeout S=${DEFAULTS.phaseTimeoutS}] [--list-samples K=${DEFAULTS.listSamples}] [--list-only] [--keep-logs]`)
    process.exit(values.help ? 0 : 2)
  }
  const int = (v: string | undefined, d: number, what: string) => {
    if (v === undefined) return d
    const n = Number(v)
    if (!Number.isInteger(n) || n < 1) throw new Error(`${what} must be a positive whole number (got "${v}")`)
    return n
  }
  let server: StartedServer | null = null
  let procs: ServerProcesses | null = null
  let endpoint = values.endpoint ?? ''
  if (values.start === 'ferrum') server = await startFerrum()
  else if (values.start === 'ironic') server = await startIronic({ upScript: values['ironic-up'] })
  else if (values.start !== undefined) throw new Error(`--start takes "ferrum" or "ironic" (got "${values.start}")`)
  const stop = async () => { await server?.stop({ keep: values['keep-logs'] ?? false }) }
  process.once('SIGINT', () => { void stop().finally(() => process.exit(130)) })
  try {
    if (server) {
      endpoint = server.endpoint
      procs = server.procs
    } else if (values['ironic-state-dir']) {
      procs = ironicProcsFromStateDir(values['ironic-state-dir'])
    } else if (values.pid) {
      procs = { groups: { server: values.pid.map((p) => int(p, 0, '--pid')) } }
    }
    const result = await runLifecycle({
      label: server?.name ?? 'endpoint',
      endpoint,
      nodes: int(values.nodes, DEFAULTS.nodes, '--nodes'),
      concurrency: int(values.concurrency, DEFAULTS.concurrency, '--concurrency'),
      apiVersion: values['api-version'] ?? DEFAULTS.apiVersion,
      phaseTimeoutS: int(values['phase-timeout'], DEFAULTS.phaseTimeoutS, '--phase-timeout'),
      listSamples: int(values['list-samples'], DEFAULTS.listSamples, '--list-samples'),
      pollMinMs: DEFAULTS.pollMinMs,
      pollMaxMs: DEFAULTS.pollMaxMs,
      procs,
      listOnly: values['list-only'] ?? false,
      log: (l) => process.stderr.write(`${l}\n`),
    })
    console.log(formatResult(result))
    console.log(JSON.stringify(result))
    if (result.failures > 0) process.exitCode = 1
  } finally {
    await stop()
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    console.error(e instanceof Error ? e.message : e)
    process.exit(1)
  })
}
