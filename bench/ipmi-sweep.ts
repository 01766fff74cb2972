/**
 * IPMI power-state sweep: N lab IpmiBmc instances on loopback UDP ports (each answering after an
 * emulated latency), read once each by
 *  - Ferrum: the ipmitool power interface (IpmiPower over one shared IpmiSessionPool), bounded
 *    parallelism; two sweeps, the first logs in to every BMC (cold), the second reuses the
 *    sessions (warm);
 *  - Ironic's way: one `ipmitool -I lanplus -C 3 … power status` process per node, bounded
 *    parallelism (all N runs, or a sample of them with the total extrapolated — the output says which).
 * Prints times, per-node rates and ratios; the target is a Ferrum sweep of 1000 BMCs in under 10 s.
 *
 *   npm run build && npm run bench:ipmi
 *   node dist/bench/ipmi-sweep.js --bmcs 1000 --latency-ms 2 --parallel 64 --ipmitool-parallel 8 --ipmitool-sample 100
 *   (--ipmitool-sample defaults to all: every node gets its own ipmitool run; 0 skips ipmitool)
 */
import { execFile } from 'node:child_process'
import { cpus } from 'node:os'
import { parseArgs } from 'node:util'
import { pathToFileURL } from 'node:url'
import { BasicMachine, defaultHardware } from '../src/lab/basic-machine.js'
import { IpmiBmc } from '../src/lab/ipmi-bmc.js'
import { IpmiAccess } from '../src/drivers/ipmi/ipmi-access.js'
import { IpmiPower } from '../src/drivers/ipmi/ipmi-power.js'
import { makeContext, makeNodeView } from '../src/drivers/testing/fixtures.js'
import type { NodeView } from '../src/drivers/node-view.js'

const USER = 'admin'
const PASSWORD = 'secret'
const IPMITOOL = '/usr/bin/ipmitool'

export interface SweepOptions {
  bmcs: number
  latencyMs: number
  parallel: number
  ipmitoolParallel: number
  /** ipmitool runs actually made; < bmcs means "sample and extrapolate"; 0 skips ipmitool. */
  ipmitoolRuns: number
}

interface Target {
  port: number
  machine: BasicMachine
  node: NodeView
}

/** Runs `fn` over `items` with at most `limit` in flight. */
async function pool<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await fn(items[next++])
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

/** One Ferrum sweep: reads every node's power state; returns ms and the number of wrong or failed reads. */
async function ferrumSweep(power: IpmiPower, targets: readonly Target[], parallel: number): Promise<{ ms: number; bad: number; errors: string[] }> {
  let bad = 0
  const errors: string[] = []
  const t0 = performance.now()
  await pool(targets, parallel, async (t) => {
    try {
      const state = await power.getPowerState(makeContext(t.node))
      if (state !== (t.machine.powerState() === 'on' ? 'power on' : 'power off')) bad++
    } catch (e) {
      bad++
      if (errors.length < 5) errors.push(e instanceof Error ? e.message : String(e))
    }
  })
  return { ms: performance.now() - t0, bad, errors }
}

function ipmitoolStatus(port: number): Promise<string> {
  const argv = ['-I', 'lanplus', '-C', '3', '-H', '127.0.0.1', '-p', String(port), '-U', USER, '-P', PASSWORD, 'power', 'status']
  return new Promise((resolve, reject) => {
    execFile(IPMITOOL, argv, { timeout: 30_000, encoding: 'utf8' }, (err, stdout, stderr) => (err ? reject(new Error(stderr || err.message)) : resolve(stdout)))
  })
}

/** The ipmitool sweep over the first `runs` targets; returns ms for those runs and the wrong answers. */
async function ipmitoolSweep(targets: readonly Target[], runs: number, parallel: number): Promise<{ ms: number; bad: number }> {
  let bad = 0
  const t0 = performance.now()
  await pool(targets.slice(0, runs), parallel, async (t) => {
    const out = await ipmitoolStatus(t.port).catch(() => '')
    if (!out.includes(`Chassis Power is ${t.machine.powerState()}`)) bad++
  })
  return { ms: performance.now() - t0, bad }
}

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`
const rate = (n: number, ms: number) => `${Math.round((n * 1000) / ms)} nodes/s`

/** Runs the benchmark and prints its report (markdown-friendly lines). Returns the report lines. */
export async function runSweep(o: SweepOptions): Promise<string[]> {
  const bmcs: IpmiBmc[] = []
  const targets: Target[] = []
  for (let i = 0; i < o.bmcs; i++) {
    const machine = new BasicMachine({ name: `sweep-${i}`, hardware: defaultHardware({ serialNumber: `SWEEP${i}` }), faults: { latencyMs: o.latencyMs } })
    if (i % 3 === 0) await machine.powerOn() // a mix of states, so a wrong answer shows
    const bmc = new IpmiBmc({ machine, username: USER, password: PASSWORD })
    const { port } = await bmc.start()
    bmcs.push(bmc)
    const node = makeNodeView({
      uuid: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      driver: 'ipmi',
      driverInfo: { ipmi_address: '127.0.0.1', ipmi_port: String(port), ipmi_username: USER, ipmi_password: PASSWORD, ipmi_cipher_suite: '3' },
    })
    targets.push({ port, machine, node })
  }
  const access = new IpmiAccess()
  const power = new IpmiPower(access)
  const lines: string[] = []
  const say = (line: string) => {
    lines.push(line)
    process.stdout.write(`${line}\n`)
  }
  try {
    say(`IPMI power-state sweep: ${o.bmcs} lab BMCs on 127.0.0.1, ${o.latencyMs} ms emulated latency each, cipher suite 3; ${cpus().length} CPUs, Node ${process.version}`)
    const cold = await ferrumSweep(power, targets, o.parallel)
    const warm = await ferrumSweep(power, targets, o.parallel)
    say(`Ferrum (IpmiPower, ${o.parallel} in flight), cold (RMCP+ login to every BMC): ${s(cold.ms)} (${rate(o.bmcs, cold.ms)}), wrong/failed: ${cold.bad}`)
    say(`Ferrum (IpmiPower, ${o.parallel} in flight), warm (sessions reused):           ${s(warm.ms)} (${rate(o.bmcs, warm.ms)}), wrong/failed: ${warm.bad}`)
    for (const e of [...cold.errors, ...warm.errors]) say(`  error: ${e}`)
    say(`Sessions pooled: ${access.pool.size}; BMC sessions open: ${bmcs.reduce((n, b) => n + b.sessionCount, 0)}`)
    if (o.ipmitoolRuns > 0) {
      const runs = Math.min(o.ipmitoolRuns, o.bmcs)
      const it = await ipmitoolSweep(targets, runs, o.ipmitoolParallel)
      const total = (it.ms * o.bmcs) / runs
      const how = runs < o.bmcs ? `measured ${runs} runs in ${s(it.ms)}, extrapolated to ${o.bmcs}` : `all ${runs} runs measured`
      say(`ipmitool -I lanplus -C 3 power status, one process per node, ${o.ipmitoolParallel} at once: ${s(total)} (${how}; ${rate(runs, it.ms)}), wrong/failed: ${it.bad}`)
      say(`Ratio ipmitool / Ferrum: ${(total / cold.ms).toFixed(1)}x (cold), ${(total / warm.ms).toFixed(1)}x (warm)`)
    }
    const ok = cold.ms < 10_000 && warm.ms < 10_000 && cold.bad === 0 && warm.bad === 0
    say(`Target (Ferrum sweep of ${o.bmcs} BMCs under 10 s, every answer right): ${ok ? 'met' : 'NOT met'}`)
    return lines
  } finally {
    await access.close()
    await Promise.all(bmcs.map((b) => b.stop()))
  }
}

function parseOptions(argv: string[]): SweepOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      bmcs: { type: 'string', default: '1000' },
      'latency-ms': { type: 'string', default: '2' },
      parallel: { type: 'string', default: '64' },
      'ipmitool-parallel': { type: 'string', default: '8' },
      'ipmitool-sample': { type: 'string', default: 'all' },
    },
  })
  const int = (name: string, v: string | undefined, min: number) => {
    const n = Number(v)
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min} (got ${v})`)
    return n
  }
  return {
    bmcs: int('bmcs', values.bmcs, 1),
    latencyMs: int('latency-ms', values['latency-ms'], 0),
    parallel: int('parallel', values.parallel, 1),
    ipmitoolParallel: int('ipmitool-parallel', values['ipmitool-parallel'], 1),
    ipmitoolRuns: values['ipmitool-sample'] === 'all' ? Number.MAX_SAFE_INTEGER : int('ipmitool-sample', values['ipmitool-sample'], 0),
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  runSweep(parseOptions(process.argv.slice(2))).then(
    (lines) => process.exit(lines.some((l) => l.includes('NOT met')) ? 1 : 0),
    (e: unknown) => {
      process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`)
      process.exit(2)
    },
  )
}
