import { emitKeypressEvents } from 'node:readline'
import type { Command } from 'commander'
import logUpdate from 'log-update'
import { clientFor, table, type ApiClient } from '../client.js'
import type { NodeRecord } from '../live.js'
import type { HistoryEntry } from '../timeline-chart.js'
import { example } from '../help.js'
import { progressText } from './node.js'

/** The views `f` cycles through, and which nodes each shows. */
const FILTERS: readonly { name: string; keep: (n: NodeRecord) => boolean }[] = [
  { name: 'all', keep: () => true },
  { name: 'busy', keep: (n) => n.target_provision_state !== null && n.target_provision_state !== undefined },
  { name: 'failed', keep: (n) => /failed$|^error$/.test(n.provision_state ?? '') || (typeof n.last_error === 'string' && n.last_error !== '') },
  { name: 'maintenance', keep: (n) => n.maintenance === true },
]

interface View {
  filter: number
  selected: number
  /** The node opened with Enter, if any. */
  open: string | null
  error: string | null
}

/** One frame of the fleet view (pure, for a given terminal width). */
export function fleetFrame(url: string, nodes: readonly NodeRecord[], v: View, columns: number, now = new Date()): string {
  const counts = new Map<string, number>()
  for (const n of nodes) counts.set(n.provision_state ?? 'none', (counts.get(n.provision_state ?? 'none') ?? 0) + 1)
  const busy = nodes.filter(FILTERS[1].keep).length
  const failed = nodes.filter(FILTERS[2].keep).length
  const shown = nodes.filter(FILTERS[v.filter].keep)
  const head = [
    `ferrum top  ${url}  ${now.toISOString().slice(11, 19)}`,
    `${nodes.length} nodes: ${[...counts].map(([s, c]) => `${c} ${s}`).join(', ') || 'none'} | queue (busy): ${busy} | failures: ${failed}`,
    `view: ${FILTERS[v.filter].name} (${shown.length})   keys: f filter  ↑/↓ select  Enter open  q quit`,
    ...(v.error ? [`! ${v.error}`] : []),
  ]
  const rows = shown.map((n, i) => [i === v.selected ? '>' : ' ', n.name ?? n.uuid, n.power_state, n.provision_state, n.target_provision_state, progressText(n), n.maintenance ? 'yes' : '', (n.last_error ?? '').toString().slice(0, 60)])
  const body = table([' ', 'name', 'power', 'state', 'target', 'progress', 'maint', 'last error'], rows)
  return [...head, body].join('\n').split('\n').map((l) => l.slice(0, Math.max(20, columns))).join('\n')
}

/** The detail of one node, shown when it is opened. */
export function nodeFrame(n: NodeRecord, history: readonly HistoryEntry[], columns: number): string {
  const fields = ['uuid', 'name', 'driver', 'power_state', 'provision_state', 'target_provision_state', 'maintenance', 'owner', 'last_error']
  const lines = [`node ${n.name ?? n.uuid}   keys: Esc back  q quit`, table(['field', 'value'], fields.map((f) => [f, n[f]])), `progress: ${progressText(n) || '-'}`, '', 'last events:']
  for (const h of history.slice(-10)) lines.push(`  ${h.created_at.slice(11, 19)} ${h.severity.padEnd(7)} ${h.event}`)
  return lines.join('\n').split('\n').map((l) => l.slice(0, Math.max(20, columns))).join('\n')
}

/** `ferrum top`: a live fleet view that refreshes, with keys to filter and open a node. */
export function registerTop(program: Command): void {
  example(program.command('top').description('Live fleet view: states, progress, failures and the queue of busy nodes')
    .option('--url <url>', 'API URL (default $FERRUM_URL, $OS_ENDPOINT, ~/.config/ferrum/config.yaml, or http://127.0.0.1:6385)')
    .option('--interval <s>', 'seconds between refreshes', '1').option('--once', 'print one frame and exit (also when stdout is not a terminal)'),
  'ferrum top', 'ferrum top --once')
    .action(async (o: { url?: string; interval: string; once?: boolean }) => {
      const intervalS = Number(o.interval)
      if (!(intervalS > 0)) throw new Error(`--interval takes a number of seconds greater than 0 (got "${o.interval}")`)
      const c = clientFor(o.url)
      const columns = () => process.stdout.columns ?? 120
      const v: View = { filter: 0, selected: 0, open: null, error: null }
      if (o.once || !process.stdout.isTTY || !process.stdin.isTTY) {
        const r = await c.call<{ nodes: NodeRecord[] }>('GET', '/v1/nodes?detail=True')
        console.log(fleetFrame(c.baseUrl, r.nodes, v, columns()))
        return
      }
      await runTop(c, v, intervalS, columns)
    })
}

async function runTop(c: ApiClient, v: View, intervalS: number, columns: () => number): Promise<void> {
  let nodes: NodeRecord[] = []
  let timer: NodeJS.Timeout | null = null
  let stopped = false
  const draw = async () => {
    try {
      nodes = (await c.call<{ nodes: NodeRecord[] }>('GET', '/v1/nodes?detail=True')).nodes
      v.error = null
      const shown = nodes.filter(FILTERS[v.filter].keep)
      v.selected = Math.min(v.selected, Math.max(0, shown.length - 1))
      if (v.open) {
        const n = nodes.find((x) => x.uuid === v.open)
        if (n) {
          const h = await c.call<{ history: HistoryEntry[] }>('GET', `/v1/nodes/${n.uuid}/history?detail=true`)
          if (!stopped) logUpdate(nodeFrame(n, h.history, columns()))
          return
        }
        v.open = null
      }
    } catch (e) {
      v.error = (e as Error).message
    }
    if (!stopped) logUpdate(fleetFrame(c.baseUrl, nodes, v, columns()))
  }
  const loop = async () => {
    await draw()
    if (!stopped) timer = setTimeout(() => void loop(), intervalS * 1000)
  }
  await new Promise<void>((resolve) => {
    const quit = () => {
      stopped = true
      if (timer) clearTimeout(timer)
      process.stdin.setRawMode(false)
      process.stdin.pause()
      logUpdate.done()
      resolve()
    }
    emitKeypressEvents(process.stdin)
    process.stdin.setRawMode(true)
    process.stdin.resume()
    process.stdin.on('keypress', (_s: string, key: { name?: string; ctrl?: boolean }) => {
      if (key.name === 'q' || (key.ctrl && key.name === 'c')) return quit()
      const shown = nodes.filter(FILTERS[v.filter].keep)
      if (key.name === 'f') {
        v.filter = (v.filter + 1) % FILTERS.length
        v.selected = 0
      } else if (key.name === 'down') v.selected = Math.min(v.selected + 1, Math.max(0, shown.length - 1))
      else if (key.name === 'up') v.selected = Math.max(0, v.selected - 1)
      else if (key.name === 'return' && shown[v.selected]) v.open = shown[v.selected].uuid
      else if (key.name === 'escape' || key.name === 'backspace') v.open = null
      else return
      void draw()
    })
    void loop()
  })
}
