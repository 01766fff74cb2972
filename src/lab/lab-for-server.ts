/**
 * `ferrum up --lab N`: a lab in the server's own process, enrolled into the API that just
 * started. `ferrum lab status --dir <dataDir>/lab` works against it as against `ferrum lab up`.
 */
import type { Logger } from 'pino'
import { Lab } from './lab.js'
import { enrollLab } from './lab-enroll.js'
import { LAB_KINDS, type LabKind } from './lab-state.js'
import { enrollReport, labNodesTable } from './lab-table.js'

export interface LabForServerOptions {
  nodes: number
  kind: string
  apiUrl: string
  dir: string
  log: Pick<Logger, 'info' | 'warn'>
  /**
   * Hardware type to retry with when the API refuses a node's own (ipmi, redfish, idrac), e.g.
   * while that hardware type is not enabled. Default 'fake-hardware'; null: no retry.
   */
  fallbackDriver?: string | null
  ramdiskCommand?: string | null
}

/** Starts the lab, enrolls it (falling back per node, loudly), logs the table; `close()` stops it. */
export async function startLabForServer(opts: LabForServerOptions): Promise<{ lab: Lab; close(): Promise<void> }> {
  if (!LAB_KINDS.includes(opts.kind as LabKind)) throw new Error(`--lab-kind must be one of ${LAB_KINDS.join(', ')} (got "${opts.kind}")`)
  const lab = await Lab.start({
    nodes: opts.nodes,
    kind: opts.kind as LabKind,
    dir: opts.dir,
    ramdiskCommand: opts.ramdiskCommand ?? null,
    ramdiskEnv: { FERRUM_API_URL: opts.apiUrl },
  })
  try {
    // NOTE: until Ferrum has its deploy agent, lab nodes boot and deploy with the fake interfaces;
    // power, management, inspection and BIOS go to their emulated BMCs.
    const results = await lab.enroll({ apiUrl: opts.apiUrl, nodeFields: { boot_interface: 'fake', deploy_interface: 'fake' } })
    const fallback = opts.fallbackDriver === undefined ? 'fake-hardware' : opts.fallbackDriver
    const refused = results.filter((r) => !r.ok)
    if (fallback && refused.length > 0) {
      const names = new Set(refused.map((r) => r.name))
      for (const r of refused) opts.log.warn({ node: r.name, driver: r.driver, error: r.error }, `lab node ${r.name}: API refused driver ${r.driver}; enrolling it with ${fallback} instead`)
      const retried = await enrollLab(lab.state().nodes.filter((n) => names.has(n.name)), { apiUrl: opts.apiUrl, driver: fallback })
      for (const r of retried) results[results.findIndex((x) => x.name === r.name)] = r
    }
    const state = lab.state()
    opts.log.info({ dir: lab.dir, statusUrl: lab.statusUrl, nodes: state.nodes.map((n) => ({ name: n.name, kind: n.bmc.kind, port: n.bmc.port })) }, `lab of ${state.nodes.length} node(s) running in ${lab.dir}`)
    process.stdout.write(`Lab: ${state.nodes.length} node(s) in ${lab.dir} (ferrum lab status --dir ${lab.dir})\n${labNodesTable(state)}\n${enrollReport(results)}\n`)
  } catch (err) {
    await lab.close()
    throw err
  }
  return { lab, close: () => lab.close() }
}
