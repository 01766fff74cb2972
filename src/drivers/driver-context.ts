/**
 * What a driver's I/O methods receive: the node, a logger, a cancellation signal, a clock and a
 * scratch copy of driver_internal_info that the conductor persists after the call.
 */
import type { Clock } from '../common/clock.js'
import type { Logger } from '../common/logger.js'
import type { NodeView } from './node-view.js'
import type { BootInterface } from './interfaces/boot.js'
import type { ManagementInterface } from './interfaces/management.js'
import type { PowerInterface } from './interfaces/power.js'
import type { DhcpProvider } from '../netboot/dhcp-hosts.js'

/** The node's other interfaces, for drivers that work through them (Ironic's `task.driver`). */
export interface NodeInterfaces {
  readonly boot: BootInterface
  readonly management: ManagementInterface
  readonly power: PowerInterface
}

/**
 * Ferrum's HTTP boot server as drivers see it: files placed under `dir` are served at
 * `baseUrl/<relative path>` (see boot-files.ts for publishing and removing them).
 */
export interface BootFiles {
  /** Local directory served by the boot server (`<dataDir>/httpboot`). */
  readonly dir: string
  /** URL prefix BMCs and nodes fetch `dir`'s files under (config `api.bootUrl`), no trailing slash. */
  readonly baseUrl: string
}

/** The context of one driver call. */
export interface DriverContext {
  readonly node: NodeView
  readonly log: Logger
  /** Aborted when the call's timeout expires or the operation is cancelled. */
  readonly signal: AbortSignal
  readonly clock: Clock
  /**
   * Starts as a copy of `node.driverInternalInfo`; the driver may change it and the conductor
   * saves it after the call (also when the call throws).
   */
  readonly internalInfo: Record<string, unknown>
  /** Ferrum's HTTP boot server, when the conductor runs one (`ferrum up`); unset in bare tests. */
  readonly bootFiles?: BootFiles
  /**
   * DHCP host entries (dnsmasq's hosts directory): a network boot interface puts the node's
   * MACs in the boot flow while it boots a ramdisk and takes them out afterwards. Unset when
   * Ferrum manages no DHCP (config dhcp.mode none).
   */
  readonly dhcp?: DhcpProvider
  /**
   * The node's boot, management and power interfaces (a boot interface sets the boot device, a
   * deploy interface boots the ramdisk). Set by the conductor; unset in bare driver tests.
   */
  readonly interfaces?: NodeInterfaces
  /** Settings of the agent protocol the conductor runs with (config `agent.*`). */
  readonly agent?: AgentSettings
  /**
   * The provisioning timeline (conductor/timeline.ts): `phase` starts a named phase now (the one
   * running ends), `bytes` records what the running phase moved. Applied when the call returns.
   */
  readonly timeline?: { phase(name: string): void; bytes(n: number): void }
}

/** What agent-driven interfaces need from the conductor's config. */
export interface AgentSettings {
  /** The API URL agents call home to (`ipa-api-url`). */
  readonly apiUrl: string
  /** How long an agent command may run before the step fails. */
  readonly commandTimeoutS: number
  /** The heartbeat_timeout lookups tell agents (config `agent.heartbeatTimeoutS`). */
  readonly heartbeatTimeoutS: number
  /** Keep the ramdisk up after cleaning and reuse a live agent for the deploy (config `agent.fastTrack`). */
  readonly fastTrack?: boolean
  /** How recent the last heartbeat must be for fast track (config `agent.fastTrackTimeoutS`). */
  readonly fastTrackTimeoutS?: number
  /** Where agents get images (config `agent.imageDownloadSource`): "local" (the cache) or "http". */
  readonly imageDownloadSource?: 'local' | 'http'
  /** The conductor's image cache cap, MiB of disk (config `agent.imageCacheMiB`). */
  readonly imageCacheMiB?: number
  /** How long an unused cache entry is kept (config `agent.imageCacheTtlS`). */
  readonly imageCacheTtlS?: number
}

/** A context for driver-level calls that involve no node (driver vendor passthru). */
export type DriverLevelContext = Omit<DriverContext, 'node' | 'internalInfo' | 'interfaces'>
