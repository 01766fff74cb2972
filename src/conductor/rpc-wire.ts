/**
 * How ConductorApi calls cross a process boundary: arguments and results as JSON, errors as a
 * plain object that rebuilds a FerrumError with the same code, HTTP status, message and details,
 * so the API answers a remote failure exactly as a local one. The serialising test wrapper
 * (test/helpers/rpc-serialize.ts) uses it today, the JSON-RPC client and server (issue 14) will.
 */
import { FerrumError } from '../domain/errors.js'
import type { ErrorCode } from '../domain/error-codes.js'

/** An error as it travels. */
export interface WireError {
  /** The error class name on the conductor's side (NodeLockedError, ValidationError…). */
  readonly name: string
  /** FerrumError's stable code; FERRUM_INTERNAL for anything else. */
  readonly code: ErrorCode
  readonly message: string
  readonly httpStatus: number
  readonly retryable: boolean
  readonly details?: Record<string, unknown>
  /** True for an error that was not a FerrumError (a bug): the API answers it as an internal error. */
  readonly unexpected: boolean
}

/** An error thrown by the remote side, rebuilt from its wire form. */
export class RemoteFerrumError extends FerrumError {
  constructor(w: WireError) {
    super(w.code, w.message, w.httpStatus, w.retryable, w.details === undefined ? {} : { details: w.details })
    this.name = w.name
  }
}

/** The wire form of anything thrown. */
export function errorToWire(e: unknown): WireError {
  if (e instanceof FerrumError) {
    return { name: e.name, code: e.code, message: e.message, httpStatus: e.httpStatus, retryable: e.retryable, ...(e.details === undefined ? {} : { details: toJson(e.details) }), unexpected: false }
  }
  return { name: e instanceof Error ? e.name : 'Error', code: 'FERRUM_INTERNAL', message: e instanceof Error ? e.message : String(e), httpStatus: 500, retryable: false, unexpected: true }
}

/** The error to throw for a wire error: a FerrumError, or a plain Error for an unexpected one. */
export function errorFromWire(w: WireError): Error {
  if (!w.unexpected) return new RemoteFerrumError(w)
  const e = new Error(w.message)
  e.name = w.name
  return e
}

/**
 * `v` as the other side sees it after JSON: undefined stays undefined (a method returning nothing),
 * everything else goes through JSON.stringify and JSON.parse.
 */
export function toJson<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T)
}
