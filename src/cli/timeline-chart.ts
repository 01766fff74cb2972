/**
 * `ferrum node timeline`: the phases of a node's last provisioning (history entries Ferrum marks
 * with `ferrum_phase`, see conductor/timeline.ts) as a bar chart for the terminal.
 */

/** A history entry as `GET /v1/nodes/{node}/history?detail=true` gives it. */
export interface HistoryEntry {
  created_at: string
  severity: string
  event: string
  event_type?: string
  ferrum_duration_ms?: number | null
  ferrum_phase?: string | null
  ferrum_error?: { code?: string } | null
}

export type Flow = 'deploy' | 'clean' | 'inspect' | 'last'

const FLOW_START: Record<Exclude<Flow, 'last'>, RegExp> = {
  deploy: /-> deploying \((deploy|rebuild|active)\)/,
  clean: /-> cleaning \((provide|clean)\)/,
  inspect: /-> inspecting \(inspect\)/,
}
const ANY_START = /-> (deploying|cleaning|inspecting|rescuing|servicing) \((?!resume)[a-z_]+\)/

/** The entries of the chosen flow's last run: from its start to where it settled. */
export function lastRun(history: readonly HistoryEntry[], flow: Flow): { start: HistoryEntry; entries: HistoryEntry[] } | null {
  const starts = (re: RegExp) => history.map((h, i) => (h.event_type === 'provisioning' && re.test(h.event) ? i : -1)).filter((i) => i >= 0)
  let found = flow === 'last' ? starts(ANY_START) : starts(FLOW_START[flow])
  if (found.length === 0 && flow === 'deploy') found = starts(ANY_START)
  if (found.length === 0) return null
  const from = found[found.length - 1]
  const rest = history.slice(from + 1)
  // The run ends at the next flow start (a later run of another kind), if any.
  const next = rest.findIndex((h) => h.event_type === 'provisioning' && ANY_START.test(h.event))
  return { start: history[from], entries: next < 0 ? rest : rest.slice(0, next) }
}

/** The chart: one bar per phase, scaled to the longest, with seconds and share of the run. */
export function timelineChart(node: string, history: readonly HistoryEntry[], flow: Flow, columns = 100): string {
  const run = lastRun(history, flow)
  if (!run) return `node ${node} has no ${flow === 'last' ? '' : `${flow} `}provisioning in its history yet`
  const phases = run.entries.filter((h) => typeof h.ferrum_phase === 'string' && typeof h.ferrum_duration_ms === 'number')
  const settled = [...run.entries].reverse().find((h) => h.event_type === 'provisioning' && / -> (active|available|manageable|rescue|[a-z ]*failed) /.test(h.event))
  const totalMs = settled ? Date.parse(settled.created_at) - Date.parse(run.start.created_at) : phases.reduce((s, h) => s + (h.ferrum_duration_ms ?? 0), 0)
  const lines = [`${node}: ${run.start.event.replace(/^.*-> /, '')} at ${run.start.created_at}${settled ? `, ${settled.event.replace(/ \(.*$/, '')}` : ', still running'}`]
  if (phases.length === 0) return `${lines[0]}\n(no phases recorded: this run's interfaces mark none, e.g. fake-hardware)`
  const labelWidth = Math.max(...phases.map((h) => h.ferrum_phase!.length))
  const width = Math.max(10, Math.min(50, columns - labelWidth - 30))
  const longest = Math.max(1, ...phases.map((h) => h.ferrum_duration_ms!))
  for (const h of phases) {
    const ms = h.ferrum_duration_ms!
    const n = Math.max(ms > 0 ? 1 : 0, Math.round((ms / longest) * width))
    const share = totalMs > 0 ? ` ${String(Math.round((ms / totalMs) * 100)).padStart(3)}%` : ''
    const extra = /\((.*)\)$/.exec(h.event)?.[1]
    lines.push(`${h.ferrum_phase!.padEnd(labelWidth)}  ${'█'.repeat(n).padEnd(width)} ${(ms / 1000).toFixed(2).padStart(7)} s${share}${extra ? `  ${extra}` : ''}`)
  }
  const summed = phases.reduce((s, h) => s + h.ferrum_duration_ms!, 0)
  lines.push(`${'total'.padEnd(labelWidth)}  ${''.padEnd(width)} ${(totalMs / 1000).toFixed(2).padStart(7)} s  (phases ${(summed / 1000).toFixed(2)} s)`)
  return lines.join('\n')
}
