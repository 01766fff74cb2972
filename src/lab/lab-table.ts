/** Plain-text tables for `ferrum lab up`, `ferrum lab status` and `ferrum up --lab`. */
import type { NodeEnrollResult } from './lab-enroll.js'
import type { LabState } from './lab-state.js'
import type { LabStatus } from './lab-status-server.js'

/** Left-aligned columns separated by two spaces; the first row is the header. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = []
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)))
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join('  ')).join('\n')
}

/** NAME, KIND, BMC, CREDENTIALS, MACS: what a person needs to reach each node. */
export function labNodesTable(state: LabState): string {
  return formatTable([
    ['NAME', 'KIND', 'BMC', 'CREDENTIALS', 'MACS'],
    ...state.nodes.map((n) => [
      n.name,
      n.bmc.kind,
      n.bmc.url ? `${n.bmc.url}${n.bmc.systemPath ?? ''}` : `${n.bmc.address}:${n.bmc.port}/udp`,
      `${n.bmc.username} / ${n.bmc.password}`,
      n.macs.join(','),
    ]),
  ])
}

/** NAME, KIND, POWER, BOOT DEVICE, RUNNING, FAULTS. */
export function labStatusTable(status: LabStatus): string {
  return formatTable([
    ['NAME', 'KIND', 'POWER', 'BOOT DEVICE', 'RUNNING', 'FAULTS'],
    ...status.nodes.map((n) => {
      const f = n.faults
      const faults = [
        f.bmcUnreachable ? 'bmc-unreachable' : '',
        f.packetLoss > 0 ? `loss=${f.packetLoss}` : '',
        f.latencyMs > 0 ? `latency=${f.latencyMs}ms` : '',
        f.ramdiskCrashAfterMs !== null ? `ramdisk-crash=${f.ramdiskCrashAfterMs}ms` : '',
        f.diskWriteErrors ? 'disk-write-errors' : '',
      ].filter(Boolean)
      return [
        n.name,
        n.kind,
        n.power,
        `${n.boot.device} (${n.boot.persistent ? 'persistent' : 'once'}, ${n.boot.mode})`,
        n.summary,
        faults.join(',') || '-',
      ]
    }),
  ])
}

/** One line per node: enrolled with its uuid and ports, or the API's reason. */
export function enrollReport(results: readonly NodeEnrollResult[]): string {
  return results
    .map((r) => {
      if (!r.ok) return `${r.name}: NOT enrolled (driver ${r.driver}): ${r.error}`
      const failed = r.ports.filter((p) => !p.ok)
      const ports = `${r.ports.length - failed.length}/${r.ports.length} ports`
      return [`${r.name}: enrolled as ${r.uuid} (driver ${r.driver}), ${ports}`, ...failed.map((p) => `  port ${p.address}: ${p.error}`)].join('\n')
    })
    .join('\n')
}
