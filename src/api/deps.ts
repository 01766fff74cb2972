import type { Store } from '../db/store.js'
import type { ConductorApi } from '../conductor/api.js'
import type { BootLog } from '../netboot/boot-stages.js'

/** What the API application is built from. */
export interface AppDeps {
  store: Store
  conductor: ConductorApi
  /** Base URL clients use to reach this API (for links); derived from the request when unset. */
  publicUrl?: string
  /** Directory served at GET|HEAD /boot/… (Ferrum's HTTP boot server); no /boot route when unset. */
  bootDir?: string
  /** What the boot-stage diagnostics read: the boot server's request log and dnsmasq's log file. */
  netboot?: { bootLog: BootLog; dnsmasqLog: string | null }
}
