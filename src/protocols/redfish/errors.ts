/**
 * Errors of Ferrum's Redfish client. Every failure is a `RedfishError` (a DriverError, so the
 * API shows it as a 500 with a stable code) carrying what the BMC said: the HTTP status and the
 * first MessageId of the Redfish error body (DSP0266 §9.7 "Error responses").
 */
import { DriverError } from '../../domain/errors.js'
import type { ApiErrorCode } from '../../domain/error-codes.js'

/** Stable codes of Redfish failures. */
export const REDFISH_ERROR_CODES = [
  'REDFISH_UNREACHABLE',
  'REDFISH_AUTH_FAILED',
  'REDFISH_NOT_FOUND',
  'REDFISH_TIMEOUT',
  'REDFISH_ERROR',
] as const satisfies readonly Extract<ApiErrorCode, `REDFISH_${string}`>[]
/** One Redfish error code. */
export type RedfishErrorCode = (typeof REDFISH_ERROR_CODES)[number]

/** What went wrong on the wire, beyond the message. */
export interface RedfishErrorOptions {
  readonly code: RedfishErrorCode
  /** HTTP status the BMC answered with; absent when it did not answer. */
  readonly status?: number
  /** First `@Message.ExtendedInfo` MessageId of the error body (`Base.1.16.PropertyValueNotInList`). */
  readonly messageId?: string
  readonly method?: string
  readonly url?: string
  readonly cause?: unknown
}

/** Codes worth retrying later (the BMC may come back). */
const RETRYABLE: ReadonlySet<RedfishErrorCode> = new Set(['REDFISH_UNREACHABLE', 'REDFISH_TIMEOUT'])

/** A failed Redfish exchange. */
export class RedfishError extends DriverError {
  readonly status: number | undefined
  readonly messageId: string | undefined
  readonly method: string | undefined
  readonly url: string | undefined

  constructor(message: string, opts: RedfishErrorOptions) {
    super(message, {
      code: opts.code,
      retryable: RETRYABLE.has(opts.code) || (opts.status !== undefined && opts.status >= 500),
      cause: opts.cause,
      details: {
        ...(opts.status === undefined ? {} : { http_status: opts.status }),
        ...(opts.messageId === undefined ? {} : { redfish_message_id: opts.messageId }),
      },
    })
    this.status = opts.status
    this.messageId = opts.messageId
    this.method = opts.method
    this.url = opts.url
  }
}

/** True if `e` is a RedfishError with `code`. */
export function isRedfishError(e: unknown, code?: RedfishErrorCode): e is RedfishError {
  return e instanceof RedfishError && (code === undefined || e.code === code)
}

/** The MessageId and message of a Redfish error body, when it is one. */
export function parseErrorBody(body: unknown): { messageId?: string; message?: string } {
  if (typeof body !== 'object' || body === null) return {}
  const err = (body as { error?: unknown }).error
  if (typeof err !== 'object' || err === null) return {}
  const e = err as { code?: unknown; message?: unknown; '@Message.ExtendedInfo'?: unknown }
  const infos = Array.isArray(e['@Message.ExtendedInfo']) ? (e['@Message.ExtendedInfo'] as unknown[]) : []
  const first = (infos[0] ?? {}) as { MessageId?: unknown; Message?: unknown }
  const messageId = typeof first.MessageId === 'string' ? first.MessageId : typeof e.code === 'string' ? e.code : undefined
  const message = typeof first.Message === 'string' ? first.Message : typeof e.message === 'string' ? e.message : undefined
  return { messageId, message }
}

/** The error for an HTTP answer with a failure status. */
export function errorForStatus(method: string, url: string, status: number, body: unknown): RedfishError {
  const { messageId, message } = parseErrorBody(body)
  const said = message === undefined ? '' : `: ${message}`
  const where = `${method} ${url}`
  if (status === 401 || status === 403) {
    return new RedfishError(`The Redfish BMC refused the credentials (wrong username or password) on ${where} (HTTP ${status})${said}`, {
      code: 'REDFISH_AUTH_FAILED',
      status,
      messageId,
      method,
      url,
    })
  }
  if (status === 404) {
    return new RedfishError(`The Redfish resource does not exist: ${where} (HTTP 404)${said}`, { code: 'REDFISH_NOT_FOUND', status, messageId, method, url })
  }
  return new RedfishError(`The Redfish BMC failed ${where} with HTTP ${status}${said}`, { code: 'REDFISH_ERROR', status, messageId, method, url })
}
