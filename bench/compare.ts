/**
 * Ferrum vs a real OpenStack Ironic, in one run, with the same workload (see lifecycle.ts).
 *
 * Starts Ferrum (`bin/ferrum.js up` on a free port, fresh data dir), measures it, stops it by PID;
 * then starts Ironic 21.4 with the baseline's ironic-up.sh (temp IRONIC_STATE_DIR, free ports),
 * measures it, stops it with ironic-down.sh. Prints both tables, the ratios against the targets
 * and, last, one JSON line.
 *
 *   npm run build && npm run bench -- [--nodes 1000] [--ironic-nodes N] [--ironic-up PATH]
 *   node --import tsx bench/compare.ts --nodes 200
 */
import { parseArgs } from 'node:util'
import { writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import { DEFAULTS, formatResult, mib, runLifecycle } from './lifecycle.js'
import type { LifecycleResult } from './lifecycle.js'
import { defaultIronicUp, startFerrum, startIronic } from './lib/servers.js'
import type { StartedServer } from './lib/servers.js'

/** Issue 3's targets. */
export const TARGETS = {
  lifecycleSpeedup: 10, // Ironic time / Ferrum time, at least
  listSpeedup: 5, // Ironic detailed-list median / Ferrum's, at least
  rssRatio: 0.5, // Ferrum peak RSS / Ironic API+conductor peak RSS, at most
} as const

export interface Comparison {
  sameNodes: boolean
  /** Ironic lifecycle time / Ferrum's; per node when the node counts differ. */
  lifecycleSpeedup: number
  manageToActiveSpeedup: number
  listSpeedupMedian: number
  listSpeedupP95: number
  rssRatioPeak: number | null
  rssRatioEnd: number | null
  met: { lifecycle: boolean; list: boolean; rss: boolean | null }
}

export function compare(f: LifecycleResult, i: LifecycleResult): Comparison {
  const sameNodes = f.nodes === i.nodes
  const perNode = (r: LifecycleResult, s: number) => (sameNodes ? s : s / r.nodes)
  const lifecycleSpeedup = perNode(i, i.lifecycleS) / perNode(f, f.lifecycleS)
  const manageToActiveSpeedup = perNode(i, i.manageToActiveS) / perNode(f, f.manageToActiveS)
  const listSpeedupMedian = i.list.medianMs / f.list.medianMs
  const listSpeedupP95 = i.list.p95Ms / f.list.p95Ms
  const rssRatioPeak = f.resources && i.resources ? f.resources.peak.totalKiB / i.resources.peak.totalKiB : null
  const rssRatioEnd = f.resources && i.resources ? f.resources.end.totalKiB / i.resources.end.totalKiB : null
  return {
    sameNodes, lifecycleSpeedup, manageToActiveSpeedup, listSpeedupMedian, listSpeedupP95, rssRatioPeak, rssRatioEnd,
    met: {
      lifecycle: lifecycleSpeedup >= TARGETS.lifecycleSpeedup,
      list: listSpeedupMedian >= TARGETS.listSpeedup,
      rss: rssRatioPeak === null ? null : rssRatioPeak <= TARGETS.rssRatio,
    },
  }
}

export function formatComparison(f: LifecycleResult, i: LifecycleResult, c: Comparison): string {
  const yes = (b: boolean | null) => (b === null ? 'n/a' : b ? 'MET' : 'NOT MET')
  const x = (n: number | null, d = 1) => (n === null ? 'n/a' : `${n.toFixed(d)}x`)
  const rows: [string, string, string, string, string, string][] = [['metric', 'Ferrum', 'Ironic', 'ratio', 'target', '']]
  const s = (n: number) => n.toFixed(2)
  for (const p of f.phases) {
    const q = i.phases.find((z) => z.name === p.name)
    rows.push([`  ${p.name} (s)`, s(p.wallS), q ? s(q.wallS) : '-', q ? x((c.sameNodes ? q.wallS : q.wallS / i.nodes) / (c.sameNodes ? p.wallS : p.wallS / f.nodes)) : '-', '', ''])
  }
  rows.push(['lifecycle total (s)', s(f.lifecycleS), s(i.lifecycleS), x(c.lifecycleSpeedup), `>= ${TARGETS.lifecycleSpeedup}x`, yes(c.met.lifecycle)])
  rows.push(['  per node (ms)', (1000 * f.lifecycleS / f.nodes).toFixed(1), (1000 * i.lifecycleS / i.nodes).toFixed(1), '', '', ''])
  rows.push(['manage->active (s)', s(f.manageToActiveS), s(i.manageToActiveS), x(c.manageToActiveSpeedup), '', ''])
  rows.push(['detailed list median (ms)', f.list.medianMs.toFixed(1), i.list.medianMs.toFixed(1), x(c.listSpeedupMedian), `>= ${TARGETS.listSpeedup}x`, yes(c.met.list)])
  rows.push(['detailed list p95 (ms)', f.list.p95Ms.toFixed(1), i.list.p95Ms.toFixed(1), x(c.listSpeedupP95), '', ''])
  if (f.resources && i.resources) {
    rows.push(['peak RSS (MiB)', mib(f.resources.peak.totalKiB), mib(i.resources.peak.totalKiB), c.rssRatioPeak === null ? 'n/a' : c.rssRatioPeak.toFixed(2), `<= ${TARGETS.rssRatio}`, yes(c.met.rss)])
    rows.push(['end RSS (MiB)', mib(f.resources.end.totalKiB), mib(i.resources.end.totalKiB), c.rssRatioEnd === null ? 'n/a' : c.rssRatioEnd.toFixed(2), '', ''])
    rows.push(['server CPU (s)', (f.resources.end.cpuS - f.resources.idle.cpuS).toFixed(1), (i.resources.end.cpuS - i.resources.idle.cpuS).toFixed(1), '', '', ''])
  }
  rows.push(['node failures', String(f.failures), String(i.failures), '', '', ''])
  const widths = rows[0].map((_, k) => Math.max(...rows.map((r) => r[k].length)))
  const lines = rows.map((r) => r.map((cell, k) => (k === 0 ? cell.padEnd(widths[k]) : cell.padStart(widths[k]))).join('  ').trimEnd())
  const notes: string[] = []
  if (!c.sameNodes) {
    notes.push(`NOTE: different node counts (Ferrum ${f.nodes}, Ironic ${i.nodes}): the lifecycle ratios compare per-node times; the list and RSS ratios compare different inventories.`)
  }
  notes.push('Speed-ups are Ironic / Ferrum (higher is better); the RSS ratio is Ferrum / Ironic API (+ its workers) + conductor (lower is better).')
  return [...lines, ...notes].join('\n')
}

async function measure(start: () => Promise<StartedServer>, opts: { nodes: number; concurrency: number; apiVersion: string; phaseTimeoutS: number; listSamples: number; keepLogs: boolean; listOnly: boolean }, track: (s: StartedServer | null) => void): Promise<LifecycleResult> {
  const server = await start()
  track(server)
  process.stderr.write(`[bench] ${server.name} is up at ${server.endpoint} (logs: ${server.logs.join(', ')})\n`)
  try {
    return await runLifecycle({
      label: server.name, endpoint: server.endpoint, nodes: opts.nodes, concurrency: opts.concurrency, apiVersion: opts.apiVersion,
      phaseTimeoutS: opts.phaseTimeoutS, listSamples: opts.listSamples, pollMinMs: DEFAULTS.pollMinMs, pollMaxMs: DEFAULTS.pollMaxMs,
      procs: server.procs, listOnly: opts.listOnly, log: (l) => process.stderr.write(`${l}\n`),
    })
  } finally {
    await server.stop({ keep: opts.keepLogs })
    track(null)
    process.stderr.write(`[bench] ${server.name} stopped\n`)
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      nodes: { type: 'string' },
      'ironic-nodes': { type: 'string' },
      concurrency: { type: 'string' },
      'api-version': { type: 'string' },
      'phase-timeout': { type: 'string' },
      'list-samples': { type: 'string' },
      'ironic-up': { type: 'string' },
      'ironic-first': { type: 'boolean' },
      'json-out': { type: 'string' },
      'keep-logs': { type: 'boolean' },
      'list-only': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  })
  if (values.help) {
    console.log(`usage: compare [--nodes N=${DEFAULTS.nodes}] [--ironic-nodes M (default N; per-node rates are compared if it differs)]
       [--concurrency C=${DEFAULTS.concurrency}] [--api-version ${DEFAULTS.apiVersion}] [--phase-timeout S=${DEFAULTS.phaseTimeoutS}]
       [--list-samples K=${DEFAULTS.listSamples}] [--ironic-up PATH (default ${defaultIronicUp()})] [--ironic-first]
       [--json-out FILE] [--keep-logs] [--list-only (create N nodes, then only the detailed list; lifecycle ratios cover create only)]`)
    return
  }
  const int = (v: string | undefined, d: number, what: string) => {
    if (v === undefined) return d
    const n = Number(v)
    if (!Number.isInteger(n) || n < 1) throw new Error(`${what} must be a positive whole number (got "${v}")`)
    return n
  }
  const nodes = int(values.nodes, DEFAULTS.nodes, '--nodes')
  const common = {
    concurrency: int(values.concurrency, DEFAULTS.concurrency, '--concurrency'),
    apiVersion: values['api-version'] ?? DEFAULTS.apiVersion,
    phaseTimeoutS: int(values['phase-timeout'], DEFAULTS.phaseTimeoutS, '--phase-timeout'),
    listSamples: int(values['list-samples'], DEFAULTS.listSamples, '--list-samples'),
    keepLogs: values['keep-logs'] ?? false,
    listOnly: values['list-only'] ?? false,
  }
  let running: StartedServer | null = null
  const track = (s: StartedServer | null) => { running = s }
  process.once('SIGINT', () => {
    const s = running as StartedServer | null
    process.stderr.write('[bench] interrupted, stopping the server under test\n')
    void (s ? s.stop() : Promise.resolve()).finally(() => process.exit(130))
  })
  const runFerrum = () => measure(() => startFerrum(), { ...common, nodes }, track)
  const runIronic = () => measure(() => startIronic({ upScript: values['ironic-up'] }), { ...common, nodes: int(values['ironic-nodes'], nodes, '--ironic-nodes') }, track)
  let ferrum: LifecycleResult
  let ironic: LifecycleResult
  if (values['ironic-first']) {
    ironic = await runIronic()
    ferrum = await runFerrum()
  } else {
    ferrum = await runFerrum()
    ironic = await runIronic()
  }
  const c = compare(ferrum, ironic)
  console.log(`Ferrum vs OpenStack Ironic 21.4 (fake-hardware), ${new Date().toISOString()}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Node ${process.version}`)
  console.log(formatResult(ferrum))
  console.log(formatResult(ironic))
  console.log(formatComparison(ferrum, ironic, c))
  if (common.listOnly) console.log('LIST-ONLY RUN: nodes were only created (provision state "enroll"); the lifecycle rows cover "create" alone.')
  const json = JSON.stringify({ bench: common.listOnly ? 'list-only-compare' : 'lifecycle-compare', targets: TARGETS, comparison: c, ferrum, ironic })
  if (values['json-out']) writeFileSync(values['json-out'], `${json}\n`)
  console.log(json)
  if (ferrum.failures + ironic.failures > 0) process.exitCode = 1
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e)
  process.exit(1)
})
