/**
 * A node's boot stages from what Ferrum keeps: the end of dnsmasq's log and the boot server's
 * request log, since shortly before the phase that runs now. Used by the boot-stages API and by
 * the callback timeout, whose last_error names the last stage seen.
 */
import { open } from 'node:fs/promises'
import { bootStages, type BootLog, type BootStage } from './boot-stages.js'

export interface NetbootLogs {
  bootLog: BootLog
  dnsmasqLog: string | null
}

interface NodeLike {
  driver_internal_info: Readonly<Record<string, unknown>>
  provision_updated_at?: string | null
  updated_at?: string | null
}

/** How much of dnsmasq's log (which only grows) is read: its end, where the latest boot is. */
const LOG_TAIL_BYTES = 4 * 1024 * 1024

async function tail(path: string, bytes: number): Promise<string> {
  let fh
  try {
    fh = await open(path, 'r')
  } catch {
    return ''
  }
  try {
    const size = (await fh.stat()).size
    const start = Math.max(0, size - bytes)
    const buf = Buffer.alloc(size - start)
    const { bytesRead } = await fh.read(buf, 0, buf.length, start)
    const text = buf.subarray(0, bytesRead).toString('utf8')
    // A cut first line is dropped.
    return start > 0 ? text.slice(text.indexOf('\n') + 1) : text
  } finally {
    await fh.close()
  }
}

/** The stages, the window they were read from, and the first stage not seen. */
export async function nodeBootStages(node: NodeLike, pxeMacs: readonly string[], netboot: NetbootLogs): Promise<{ since: string; stages: BootStage[]; stopped_at: BootStage['stage'] | null }> {
  const dii = node.driver_internal_info
  const phase = dii.ferrum_phase as { started_at?: string } | undefined
  // The current boot began at most a minute before the phase that is running now.
  const since = (Date.parse(phase?.started_at ?? node.provision_updated_at ?? node.updated_at ?? '') || Date.now()) - 60_000
  const dnsmasqLog = netboot.dnsmasqLog ? await tail(netboot.dnsmasqLog, LOG_TAIL_BYTES) : null
  const stages = bootStages({ macs: pxeMacs, since, dnsmasqLog, fetches: netboot.bootLog.entries(), internalInfo: dii })
  const stopped = stages.find((s) => !s.seen && s.stage !== 'boot file')
  return { since: new Date(since).toISOString(), stages, stopped_at: stopped?.stage ?? null }
}

/** One line for last_error: the last stage seen and where the boot stopped. */
export function describeBootProgress(r: { stages: BootStage[]; stopped_at: BootStage['stage'] | null }): string {
  const seen = r.stages.filter((s) => s.seen)
  const last = seen.at(-1)
  const stop = r.stages.find((s) => s.stage === r.stopped_at)
  if (!last) return `no boot stage seen (${stop?.detail ?? 'nothing in the logs'})`
  return `last boot stage seen: ${last.stage} (${last.detail})${stop ? `; not seen: ${stop.stage} (${stop.detail})` : ''}`
}
