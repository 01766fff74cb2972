import { readdirSync, readFileSync } from 'node:fs'

/** Resident set size of one process in KiB (VmRSS from /proc/PID/status), or null when it is gone. */
export function rssKiB(pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : 0
  } catch {
    return null
  }
}

/** CPU seconds (user + system) a process has used so far, or null when it is gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    // The command name (field 2) may contain spaces; the fields after it are space-separated.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const utime = Number(rest[11])
    const stime = Number(rest[12])
    return (utime + stime) / 100 // USER_HZ is 100 on Linux
  } catch {
    return null
  }
}

function parentOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
  } catch {
    return null
  }
}

/** `roots` plus all their live descendants (ironic-api forks its WSGI workers). */
export function withDescendants(roots: readonly number[]): number[] {
  const children = new Map<number, number[]>()
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue
    const pid = Number(name)
    const ppid = parentOf(pid)
    if (ppid === null) continue
    const list = children.get(ppid) ?? []
    list.push(pid)
    children.set(ppid, list)
  }
  const out: number[] = []
  const stack = [...roots]
  while (stack.length > 0) {
    const pid = stack.pop() as number
    if (out.includes(pid)) continue
    out.push(pid)
    stack.push(...(children.get(pid) ?? []))
  }
  return out
}

export interface ServerProcesses {
  /** Named groups of root PIDs (e.g. api, conductor); each group's descendants are counted too. */
  groups: Record<string, number[]>
}

export interface ResourceSample {
  totalKiB: number
  byGroup: Record<string, number>
  cpuS: number
}

/** One reading of the servers' summed RSS and CPU time, per group and in total. */
export function sample(procs: ServerProcesses): ResourceSample {
  const byGroup: Record<string, number> = {}
  let totalKiB = 0
  let cpuS = 0
  for (const [group, roots] of Object.entries(procs.groups)) {
    let kib = 0
    for (const pid of withDescendants(roots)) {
      kib += rssKiB(pid) ?? 0
      cpuS += cpuSeconds(pid) ?? 0
    }
    byGroup[group] = kib
    totalKiB += kib
  }
  return { totalKiB, byGroup, cpuS }
}

/** Samples every `intervalMs` and remembers the peak total (and the per-group split at that peak). */
export class ResourceSampler {
  peak: ResourceSample = { totalKiB: 0, byGroup: {}, cpuS: 0 }
  samples = 0
  readonly #timer: NodeJS.Timeout

  constructor(private readonly procs: ServerProcesses, intervalMs = 250) {
    this.take()
    this.#timer = setInterval(() => this.take(), intervalMs)
    this.#timer.unref()
  }

  take(): ResourceSample {
    const s = sample(this.procs)
    this.samples++
    if (s.totalKiB > this.peak.totalKiB) this.peak = s
    return s
  }

  stop(): ResourceSample {
    clearInterval(this.#timer)
    return this.take()
  }
}
