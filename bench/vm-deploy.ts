/**
 * Deploy to active on a QEMU VM (the lab's qemu backend: real firmware, PXE, the deploy ramdisk
 * `ferrum ramdisk build` makes) next to the same on the lab's process backend, in one run: the
 * phases from each node's history side by side, and Ferrum's own share of the VM deploy — the CPU
 * time of the Ferrum process (API, conductor, boot server, image serving, the lab's BMC emulation)
 * and of its dnsmasq during the deploy, over the deploy's wall time. The rest is the VM: firmware,
 * kernel, agent, disk writes under TCG. Issue 11's goal: Ferrum's share under 5 %.
 *
 *   npm run build && node dist/bench/vm-deploy.js [--ramdisk DIR]
 */
import { parseArgs } from 'node:util'
import { execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { repoRoot, startFerrum, type StartedServer } from './lib/servers.js'

interface HistoryEntry { created_at: string; event: string; event_type: string; ferrum_phase?: string | null; ferrum_duration_ms?: number | null }
const H = { 'content-type': 'application/json', 'X-OpenStack-Ironic-API-Version': '1.78' }
const TICK = 100 // USER_HZ

async function api<T>(base: string, method: string, path: string, body?: unknown): Promise<T> {
  const r = await fetch(`${base}${path}`, { method, headers: H, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await r.text()
  if (r.status >= 400) throw new Error(`${method} ${path}: ${r.status} ${text}`)
  return (text ? JSON.parse(text) : {}) as T
}

async function waitState(base: string, node: string, want: string, timeoutS: number): Promise<void> {
  const end = Date.now() + timeoutS * 1000
  for (;;) {
    // The lab enrolls its nodes just after the API starts listening.
    const n = await api<{ provision_state: string; reservation: string | null; last_error: string | null }>(base, 'GET', `/v1/nodes/${node}`).catch((e: unknown) => {
      if (/: 404 /.test((e as Error).message) && Date.now() < end) return { provision_state: 'enroll', reservation: 'not yet', last_error: null }
      throw e
    })
    if (n.provision_state === want && n.reservation === null) return
    if (/failed$/.test(n.provision_state)) throw new Error(`${node}: ${n.provision_state}: ${n.last_error}`)
    if (Date.now() > end) throw new Error(`${node}: still ${n.provision_state} after ${timeoutS} s`)
    await new Promise((r) => setTimeout(r, 250))
  }
}

/** utime+stime of a process, in seconds. */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
  return (Number(f[11]) + Number(f[12])) / TICK
}

/** Children of `pid` whose command is `name`. */
function childrenNamed(pid: number, name: string): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((p) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8')
      return stat.split(') ')[1]!.split(' ')[1] === String(pid) && readFileSync(`/proc/${p}/comm`, 'utf8').trim() === name
    } catch {
      return false
    }
  })
}

interface Run { wallS: number; phases: Map<string, number>; ferrumCpuS: number; dnsmasqCpuS: number }

async function deployOnce(server: StartedServer, node: string, timeoutS: number): Promise<Run> {
  await waitState(server.endpoint, node, 'available', timeoutS)
  const pid = server.procs.groups.ferrum![0]!
  const dns = childrenNamed(pid, 'dnsmasq')
  const cpu0 = cpuSeconds(pid)
  const dns0 = dns.reduce((s, p) => s + cpuSeconds(p), 0)
  const t0 = process.hrtime.bigint()
  await api(server.endpoint, 'PUT', `/v1/nodes/${node}/states/provision`, { target: 'active' })
  await waitState(server.endpoint, node, 'active', timeoutS)
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9
  const ferrumCpuS = cpuSeconds(pid) - cpu0
  const dnsmasqCpuS = dns.reduce((s, p) => s + cpuSeconds(p), 0) - dns0
  const { history } = await api<{ history: HistoryEntry[] }>(server.endpoint, 'GET', `/v1/nodes/${node}/history?detail=true`)
  const start = history.map((h) => h.event_type === 'provisioning' && /-> deploying \((deploy|rebuild)\)$/.test(h.event)).lastIndexOf(true) // not a resume after a callback
  const phases = new Map<string, number>()
  for (const h of history.slice(Math.max(0, start))) {
    if (typeof h.ferrum_phase === 'string' && typeof h.ferrum_duration_ms === 'number') phases.set(h.ferrum_phase, (phases.get(h.ferrum_phase) ?? 0) + h.ferrum_duration_ms / 1000)
  }
  return { wallS, phases, ferrumCpuS, dnsmasqCpuS }
}

const { values } = parseArgs({ options: { ramdisk: { type: 'string' } } })
let ramdisk = values.ramdisk
if (!ramdisk || !existsSync(join(ramdisk, 'deploy.initrd'))) {
  ramdisk = ramdisk ?? mkdtempSync(join(tmpdir(), 'ferrum-bench-ramdisk-'))
  process.stderr.write(`building the deploy ramdisk into ${ramdisk}\n`)
  execFileSync(process.execPath, [join(repoRoot(), 'dist/src/bin/ferrum.js'), 'ramdisk', 'build', '--out', ramdisk, '--no-iso'], { stdio: ['ignore', 'ignore', 'inherit'] })
}

const results: Record<string, Run> = {}
for (const [name, args, timeoutS] of [
  ['process', ['--lab', '1', '--lab-kind', 'ipmi'], 120],
  ['qemu', ['--lab', '1', '--lab-kind', 'ipmi', '--lab-network', 'qemu', '--ramdisk', ramdisk], 600],
] as const) {
  const server = await startFerrum({ extraArgs: [...args] })
  try {
    results[name] = await deployOnce(server, 'lab-node-1', timeoutS)
  } finally {
    await server.stop()
  }
}

const p = results.process!
const q = results.qemu!
const names = [...new Set([...q.phases.keys(), ...p.phases.keys()])]
const w = Math.max(24, ...names.map((n) => n.length))
const row = (a: string, b: string, c: string) => `${a.padEnd(w)} ${b.padStart(12)} ${c.padStart(12)}`
console.log(row('phase (deploy → active)', 'qemu VM s', 'process s'))
for (const n of names) console.log(row(n, (q.phases.get(n) ?? 0).toFixed(2), (p.phases.get(n) ?? 0).toFixed(2)))
console.log(row('total (wall)', q.wallS.toFixed(2), p.wallS.toFixed(2)))
const share = (q.ferrumCpuS + q.dnsmasqCpuS) / q.wallS
console.log(`\nFerrum's own CPU during the VM deploy: ${q.ferrumCpuS.toFixed(2)} s (Ferrum process) + ${q.dnsmasqCpuS.toFixed(2)} s (dnsmasq) of ${q.wallS.toFixed(1)} s = ${(share * 100).toFixed(2)} % (goal < 5 %: ${share < 0.05 ? 'met' : 'NOT met'})`)
console.log(`VM deploy / process-backend deploy: ${(q.wallS / p.wallS).toFixed(1)}x`)
console.log(JSON.stringify({ bench: 'vm-deploy', qemu: { wallS: q.wallS, ferrumCpuS: q.ferrumCpuS, dnsmasqCpuS: q.dnsmasqCpuS, phases: Object.fromEntries(q.phases) }, process: { wallS: p.wallS, phases: Object.fromEntries(p.phases) }, ferrumShare: share }))
