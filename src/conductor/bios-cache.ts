/**
 * The BIOS settings cache behind `GET /v1/nodes/{node}/bios`. Ironic refreshes it from the BIOS
 * interface during verification and cleaning; Ferrum also refreshes it when the settings are
 * read, so what the API shows follows the BIOS (fake or Redfish) without waiting for a clean.
 */
import type { BiosSettingRecord } from '../db/repos/bios.js'
import type { ConductorCore } from './conductor-core.js'

/**
 * Reads the node's BIOS settings through its BIOS interface (a shared read) and stores them, then
 * returns the cache. A node without a BIOS interface (`no-bios`), one another operation holds, or
 * a BIOS that can not be read leaves the cache as it was.
 * @throws NotFoundError when there is no such node
 */
export async function refreshBiosCache(c: ConductorCore, uuid: string): Promise<BiosSettingRecord[]> {
  const store = c.deps.store
  const task = await c.tasks.sharedTask(uuid)
  const node = task.node
  if (node.bios_interface && node.bios_interface !== 'no-bios' && node.reservation === null) {
    try {
      const settings = await task.call((ctx) => task.impl('bios').getSettings(ctx), 30_000)
      await store.bios.sync(node.id, settings.map((s) => ({ ...s, allowable_values: s.allowable_values ? [...s.allowable_values] : null })))
    } catch (e) {
      c.deps.log.warn({ err: e, node: node.uuid }, 'could not read BIOS settings; serving the cached ones')
    }
  }
  return store.bios.list(node.id)
}
