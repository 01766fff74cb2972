/**
 * The BIOS settings cache behind `GET /v1/nodes/{node}/bios`. Ironic refreshes it from the BIOS
 * interface during verification and cleaning; Ferrum also refreshes it when the settings are
 * read, so what the API shows follows the BIOS (fake or Redfish) without waiting for a clean.
 */
import type { NodeRecord } from '../db/repos/nodes.js'
import type { BiosSettingRecord } from '../db/repos/bios.js'
import type { ConductorApi } from './api.js'
import { Conductor } from './conductor.js'

/**
 * Reads the node's BIOS settings through its BIOS interface and stores them, then returns the
 * cache. A node without a BIOS interface (`no-bios`), one another operation holds, a conductor
 * reached over RPC, or a BIOS that can not be read leaves the cache as it was.
 */
export async function refreshBiosCache(api: ConductorApi, node: NodeRecord): Promise<BiosSettingRecord[]> {
  if (!(api instanceof Conductor)) return []
  const store = api.deps.store
  if (node.bios_interface && node.bios_interface !== 'no-bios' && node.reservation === null) {
    try {
      const task = api.taskFor(node)
      const settings = await task.call((ctx) => task.impl('bios').getSettings(ctx), 30_000, { readOnly: true })
      await store.bios.sync(node.id, settings.map((s) => ({ ...s, allowable_values: s.allowable_values ? [...s.allowable_values] : null })))
    } catch (e) {
      api.deps.log.warn({ err: e, node: node.uuid }, 'could not read BIOS settings; serving the cached ones')
    }
  }
  return store.bios.list(node.id)
}
