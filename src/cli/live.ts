/**
 * The live view of `ferrum node VERB NODE --wait`: the node's state transitions and provisioning
 * phases as they happen, and a progress bar with rate and ETA while the agent writes the image
 * (cli-progress draws it). When stdout is not a terminal, the same as plain lines. Ctrl-C stops
 * the waiting, never the operation.
 */
import { MultiBar, type SingleBar } from 'cli-progress'
import type { ApiClient } from './client.js'

export type NodeRecord = Record<string, unknown> & {
  uuid: string
  name: string | null
  provision_state: string | null
  target_provision_state?: string | null
  last_error?: string | null
  driver_internal_info?: Record<string, unknown>
}

interface Progress {
  bytes: number
  total: number | null
  rate_bytes_per_s?: number
  eta_s?: number | null
}

export interface WatchOptions {
  timeoutS: number
  /** Draw a bar (a terminal); else print plain lines. */
  tty: boolean
  out: NodeJS.WritableStream
  /** How often to ask the API (ms). */
  intervalMs?: number
  /** The state before the action, so the first line shows where the node came from. */
  from?: string | null
}

const FAILED = /failed$|^error$/

/** Human sizes for the plain-line view. */
export function bytesText(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(2)} GiB`
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`
  return `${Math.round(n / 1024)} KiB`
}

/** The phase a node is in (Ferrum's driver_internal_info.ferrum_phase), if any. */
export function phaseOf(n: NodeRecord): string | null {
  const p = n.driver_internal_info?.ferrum_phase as { name?: unknown } | undefined
  return typeof p?.name === 'string' ? p.name : null
}

/** The image write's progress the agent last reported, if any. */
export function progressOf(n: NodeRecord): Progress | null {
  const p = n.driver_internal_info?.ferrum_agent_progress as Progress | undefined
  return p && typeof p.bytes === 'number' ? p : null
}

/**
 * Follows the node until it reaches one of `targets`.
 * @throws Error when it fails (with last_error), or is still moving after the timeout
 */
export async function watchNode(c: ApiClient, ident: string, targets: readonly string[], o: WatchOptions): Promise<NodeRecord> {
  const started = Date.now()
  const stamp = () => `[${((Date.now() - started) / 1000).toFixed(1).padStart(5)} s]`
  const deadline = started + o.timeoutS * 1000
  // The bar exists only while the image is written; lines go through it then, straight out otherwise.
  let bars: MultiBar | null = null
  const newBars = () => new MultiBar({ format: '  write image [{bar}] {percentage}% | {done} of {size} | {rate} | ETA {eta_formatted}', hideCursor: true, clearOnComplete: true, stopOnComplete: false, etaBuffer: 20, barsize: 30, stream: o.out as NodeJS.WriteStream })
  let bar: SingleBar | null = null
  let lastPercent = -1
  const line = (text: string) => (bars ? bars.log(`${text}\n`) : o.out.write(`${text}\n`))
  let state: string | null | undefined = o.from
  let phase: string | null = null
  let sawWrite = false
  let total = 0
  let current: NodeRecord | null = null
  const seen = new Set<string>()

  let writeStarted = 0
  // History entries older than this watch are not its write's.
  const historyBefore = await historyLength(c, ident)
  // Phases shown live whose history event (written when the phase ends) has not been read yet,
  // and how many of this watch's phase events were read.
  const livePhases: string[] = []
  let phaseEventsRead = 0
  const missedPhases = async (): Promise<{ name: string; summary: string | null }[]> => {
    const events = (await phaseEvents(c, ident, historyBefore)).slice(phaseEventsRead)
    phaseEventsRead += events.length
    const missed: { name: string; summary: string | null }[] = []
    for (const e of events) {
      const i = livePhases.indexOf(e.name)
      if (i >= 0) livePhases.splice(0, i + 1)
      else missed.push({ name: e.name, summary: e.summary })
    }
    return missed
  }
  const finishWrite = async () => {
    if (!sawWrite) return
    sawWrite = false
    // The conductor's own measure of the write (its history event), else what this view saw.
    const measured = await writeEvent(c, ident, historyBefore)
    const secs = (Date.now() - writeStarted) / 1000
    const summary = measured ?? (total ? ` | ${bytesText(total)} in ${secs.toFixed(1)} s (${bytesText(total / Math.max(secs, 0.001))}/s)` : '')
    // The live bar gives way to a line that stays: the write is complete.
    if (bars) bars.stop()
    bars = null
    bar = null
    line(`${stamp()}   write image ${o.tty ? `[${'='.repeat(30)}] ` : ''}100%${summary}`)
  }
  const onSigint = () => {
    bars?.stop()
    o.out.write(`\nstopped waiting; node ${ident} goes on (now "${current?.provision_state ?? 'unknown'}"). Follow it with: ferrum node show ${ident}\n`)
    process.exit(130)
  }
  process.once('SIGINT', onSigint)
  try {
    for (;;) {
      const n = await c.call<NodeRecord>('GET', `/v1/nodes/${encodeURIComponent(ident)}`)
      current = n
      // The write ended (the node moved on): close the bar before any other line.
      if (sawWrite && phaseOf(n) !== 'write image') await finishWrite()
      const p = phaseOf(n)
      if (p !== phase || n.provision_state !== state) {
        // Phases that began and ended between two polls (a write of a mostly empty image takes
        // milliseconds) are in the history: show them first, in order.
        for (const missed of await missedPhases()) {
          line(`${stamp()}   phase: ${missed.name}`)
          if (missed.name === 'write image') line(`${stamp()}   write image ${o.tty ? `[${'='.repeat(30)}] ` : ''}100%${missed.summary ?? ''}`)
        }
      }
      if (n.provision_state !== state) {
        line(`${stamp()} ${state === undefined ? '' : `${state} -> `}${n.provision_state}${n.target_provision_state ? ` (target ${n.target_provision_state})` : ''}`)
        state = n.provision_state
        if (state) seen.add(state)
      }
      if (p !== phase) {
        if (p) {
          line(`${stamp()}   phase: ${p}`)
          livePhases.push(p)
        }
        phase = p
        if (p === 'write image') {
          sawWrite = true
          writeStarted = Date.now()
        }
      }
      const pr = progressOf(n)
      if (pr && sawWrite) {
        if (pr.total) total = pr.total
        const payload = { done: bytesText(pr.bytes), size: pr.total ? bytesText(pr.total) : '?', rate: pr.rate_bytes_per_s ? `${bytesText(pr.rate_bytes_per_s)}/s` : '' }
        if (o.tty && pr.total) {
          bars ??= newBars()
          bar ??= bars.create(pr.total, 0, payload)
          bar.update(pr.bytes, payload)
        } else if (!o.tty && pr.total) {
          const pct = Math.floor((pr.bytes / pr.total) * 10) * 10
          if (pct > lastPercent) {
            lastPercent = pct
            line(`${stamp()}   write image ${pct}% (${payload.done} of ${payload.size}, ${payload.rate}${pr.eta_s != null ? `, ETA ${pr.eta_s} s` : ''})`)
          }
        }
      }
      if (n.provision_state && targets.includes(n.provision_state)) {
        await finishWrite()
        return n
      }
      // A failed verification (manage) puts the node back in enroll.
      const fellBack = n.provision_state === 'enroll' && seen.has('verifying')
      if (n.provision_state && (FAILED.test(n.provision_state) || fellBack) && !targets.includes(n.provision_state)) {
        throw new Error(`node ${ident} ended in "${n.provision_state}": ${n.last_error ?? 'no error recorded'} (see: ferrum node history ${ident})`)
      }
      if (Date.now() > deadline) throw new Error(`node ${ident} is still "${n.provision_state}" after ${o.timeoutS} s; it goes on (follow it with: ferrum node show ${ident})`)
      await new Promise((r) => setTimeout(r, o.intervalMs ?? 400))
    }
  } finally {
    process.removeListener('SIGINT', onSigint)
    bars?.stop()
  }
}

/** " | 64.0 MiB in 0.69 s (92.8 MiB/s)" from the node's last "write image" phase event, if any. */
async function writeEvent(c: ApiClient, ident: string, skip: number): Promise<string | null> {
  return (await phaseEvents(c, ident, skip)).reverse().find((e) => e.name === 'write image')?.summary ?? null
}

/** This watch's phase events (history after `skip`), oldest first, with a write's summary. */
async function phaseEvents(c: ApiClient, ident: string, skip: number): Promise<{ name: string; summary: string | null }[]> {
  try {
    const r = await c.call<{ history: { event: string; event_type?: string; ferrum_phase?: string | null }[] }>('GET', `/v1/nodes/${encodeURIComponent(ident)}/history?detail=true`)
    return r.history.slice(skip).filter((h) => typeof h.ferrum_phase === 'string' && h.ferrum_phase !== '').map((h) => {
      const m = /: ([0-9.]+) s \(([0-9.]+ MiB) at ([0-9.]+ MiB\/s)\)$/.exec(h.event)
      return { name: h.ferrum_phase!, summary: m ? ` | ${m[2]} in ${m[1]} s (${m[3]})` : null }
    })
  } catch {
    return []
  }
}

async function historyLength(c: ApiClient, ident: string): Promise<number> {
  try {
    return (await c.call<{ history: unknown[] }>('GET', `/v1/nodes/${encodeURIComponent(ident)}/history`)).history.length
  } catch {
    return Number.MAX_SAFE_INTEGER
  }
}
