/**
 * Ferrum's error families. Every error carries a stable `code`, the HTTP status the API answers
 * with, and whether retrying can help. The API's error handler turns any FerrumError into
 * Ironic's error body; drivers wrap protocol errors with `{ cause }`.
 */
import type { ErrorCode } from './error-codes.js'

export type { ErrorCode } from './error-codes.js'

export interface ErrorOptions {
  cause?: unknown
  /** Extra machine-readable detail carried into the API error body. */
  details?: Record<string, unknown>
}

export class FerrumError extends Error {
  readonly code: ErrorCode
  readonly httpStatus: number
  readonly retryable: boolean
  readonly details: Record<string, unknown> | undefined

  constructor(code: ErrorCode, message: string, httpStatus: number, retryable: boolean, opts: ErrorOptions = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause })
    this.name = new.target.name
    this.code = code
    this.httpStatus = httpStatus
    this.retryable = retryable
    this.details = opts.details
  }
}

/** 400: the request is malformed or names a bad value. */
export class ValidationError extends FerrumError {
  constructor(message: string, opts: ErrorOptions & { code?: ErrorCode } = {}) {
    super(opts.code ?? 'FERRUM_INVALID', message, 400, false, opts)
  }
}

/** 401/403: authentication or policy denial. */
export class NotAuthorizedError extends FerrumError {
  constructor(message: string, opts: ErrorOptions & { code?: ErrorCode; status?: 401 | 403 } = {}) {
    super(opts.code ?? 'FERRUM_FORBIDDEN', message, opts.status ?? 403, false, opts)
  }
}

/** 404: the named resource does not exist. */
export class NotFoundError extends FerrumError {
  constructor(message: string, opts: ErrorOptions & { code?: ErrorCode } = {}) {
    super(opts.code ?? 'FERRUM_NOT_FOUND', message, 404, false, opts)
  }
}

/** 406: the requested API microversion is not supported. */
export class NotAcceptableError extends FerrumError {
  constructor(message: string, opts: ErrorOptions & { code?: ErrorCode } = {}) {
    super(opts.code ?? 'FERRUM_NOT_ACCEPTABLE', message, 406, false, opts)
  }
}

/** 409: the request conflicts with the current state (duplicate, locked, invalid transition). */
export class ConflictError extends FerrumError {
  constructor(message: string, opts: ErrorOptions & { code?: ErrorCode } = {}) {
    super(opts.code ?? 'FERRUM_CONFLICT', message, 409, false, opts)
  }
}

/** 503: try again later (no free worker, BMC busy). */
export class TemporaryError extends FerrumError {
  constructor(message: string, opts: ErrorOptions & { code?: ErrorCode } = {}) {
    super(opts.code ?? 'FERRUM_TEMPORARY', message, 503, true, opts)
  }
}

/** 500 with a code: the hardware or a protocol peer failed. */
export class DriverError extends FerrumError {
  constructor(message: string, opts: ErrorOptions & { code?: ErrorCode; retryable?: boolean } = {}) {
    super(opts.code ?? 'FERRUM_DRIVER_ERROR', message, 500, opts.retryable ?? false, opts)
  }
}

export class InvalidStateError extends ConflictError {
  constructor(message: string, opts: ErrorOptions = {}) {
    super(message, { ...opts, code: 'FERRUM_INVALID_STATE' })
  }
}

/**
 * 400: a provision verb the state machine does not allow in the node's current state (Ironic's
 * InvalidStateRequested). A 400, not a 409, so clients report it at once instead of retrying.
 */
export class InvalidStateRequestedError extends ValidationError {
  constructor(message: string, opts: ErrorOptions = {}) {
    super(message, { ...opts, code: 'INVALID_STATE_REQUESTED' })
  }
}

export class NodeLockedError extends ConflictError {
  constructor(node: string, holder: string, opts: ErrorOptions = {}) {
    super(`Node ${node} is locked by host ${holder}, please retry after the current operation is completed.`, {
      ...opts,
      code: 'NODE_LOCKED',
    })
  }
}

export function isFerrumError(e: unknown): e is FerrumError {
  return e instanceof FerrumError
}
