/**
 * What a driver's I/O methods receive: the node, a logger, a cancellation signal, a clock and a
 * scratch copy of driver_internal_info that the conductor persists after the call.
 */
import type { NodeView } from './node-view.js'

/** Fields attached to a log line. */
export type LogFields = Record<string, unknown>

/** One log method: a message, or fields then a message (pino's argument order). */
export interface LogMethod {
  (msg: string): void
  (fields: LogFields, msg: string): void
}

/** The logging subset drivers use; a pino logger satisfies it. */
export interface Logger {
  readonly debug: LogMethod
  readonly info: LogMethod
  readonly warn: LogMethod
  readonly error: LogMethod
}

/** Injected time, so drivers never call Date.now() or setTimeout directly. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>
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
}

/** A context for driver-level calls that involve no node (driver vendor passthru). */
export type DriverLevelContext = Omit<DriverContext, 'node' | 'internalInfo'>
