/**
 * What a driver's I/O methods receive: the node, a logger, a cancellation signal, a clock and a
 * scratch copy of driver_internal_info that the conductor persists after the call.
 */
import type { Clock } from '../common/clock.js'
import type { Logger } from '../common/logger.js'
import type { NodeView } from './node-view.js'

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
}

/** A context for driver-level calls that involve no node (driver vendor passthru). */
export type DriverLevelContext = Omit<DriverContext, 'node' | 'internalInfo'>
