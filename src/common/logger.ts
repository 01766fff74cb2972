/**
 * Logging: the small interface the conductor, drivers and the agent log through, and the one
 * place Ferrum builds its pino logger, which masks secrets in every line it writes.
 */
import pino from 'pino'
import type { DestinationStream, Logger as PinoLogger } from 'pino'
import { isSecretKey, maskKeys } from './secrets.js'

/** Fields attached to a log line. */
export type LogFields = Record<string, unknown>

/** One log method: a message, or fields then a message (pino's argument order). */
export interface LogMethod {
  (msg: string): void
  (fields: LogFields, msg: string): void
}

/** The logging subset drivers and the agent use; a pino logger satisfies it. */
export interface Logger {
  readonly debug: LogMethod
  readonly info: LogMethod
  readonly warn: LogMethod
  readonly error: LogMethod
}

export interface LoggerOptions {
  /** pino level: fatal, error, warn, info, debug, trace or silent (default info). */
  level?: string
  /** Where lines go: a file descriptor or a stream (default 2, stderr). */
  destination?: number | DestinationStream
}

/** Keys masked in log lines: everything the API masks, and config drives (they carry keys and passwords). */
function isLogSecret(key: string): boolean {
  return isSecretKey(key) || key === 'configdrive'
}

/** A copy of a line's fields with secrets masked at any depth (errors are left to the `err` serializer). */
export function maskLogFields(fields: LogFields): LogFields {
  return maskKeys(fields, isLogSecret)
}

/** pino's error shape (type, message, stack, own properties) with secret-looking properties masked. */
function serializeError(e: unknown): unknown {
  return e instanceof Error ? maskKeys({ ...pino.stdSerializers.err(e) }, isLogSecret) : maskKeys(e, isLogSecret)
}

/**
 * Ferrum's pino logger: JSON lines whose fields have every secret-looking value (`*_password`,
 * `agent_token`, `configdrive`, …) replaced with `******`, at any depth, errors (`err`) included.
 * Message strings and child bindings are written as given: callers bind ids, never secrets.
 */
export function createLogger(opts: LoggerOptions = {}): PinoLogger {
  const destination = opts.destination ?? 2
  return pino(
    {
      level: opts.level ?? 'info',
      formatters: { log: (obj) => maskLogFields(obj) },
      serializers: { err: serializeError },
    },
    typeof destination === 'number' ? pino.destination(destination) : destination,
  )
}
