/**
 * IPMI error family. Every class is a DriverError (HTTP 500 + stable code) so the conductor and the
 * API can report it without knowing IPMI; protocol detail rides in `details`.
 */
import { DriverError } from '../../domain/errors.js'
import type { ErrorOptions } from '../../domain/errors.js'
import type { ApiErrorCode } from '../../domain/error-codes.js'

/** Stable codes of the IPMI error family. */
export type IpmiErrorCode = Extract<ApiErrorCode, `IPMI_${string}`>

/** Base of all IPMI errors; `code` says which kind. */
export class IpmiError extends DriverError {
  constructor(code: IpmiErrorCode, message: string, opts: ErrorOptions & { retryable?: boolean } = {}) {
    super(message, { ...opts, code })
  }
}

/** A datagram or payload does not follow the spec (short, bad checksum, bad length, bad MAC). */
export class IpmiMalformedError extends IpmiError {
  constructor(message: string, opts: ErrorOptions = {}) {
    super('IPMI_MALFORMED', message, { ...opts, retryable: true })
  }
}

/** No (valid) answer arrived within the call's deadline, retries included. */
export class IpmiTimeoutError extends IpmiError {
  constructor(message: string, opts: ErrorOptions = {}) {
    super('IPMI_TIMEOUT', message, { ...opts, retryable: true })
  }
}

/** The BMC refused the credentials, or proved it does not know them (RAKP 2/4 check failed). */
export class IpmiAuthError extends IpmiError {
  constructor(message: string, opts: ErrorOptions = {}) {
    super('IPMI_AUTH_FAILED', message, { ...opts, retryable: false })
  }
}

/**
 * Session setup failed for a reason other than credentials (no cipher suite match, no RMCP+,
 * resources). Retryable only when the BMC was out of resources.
 */
export class IpmiSessionError extends IpmiError {
  constructor(message: string, opts: ErrorOptions & { retryable?: boolean } = {}) {
    super('IPMI_SESSION_FAILED', message, { ...opts, retryable: opts.retryable ?? false })
  }
}

/** The BMC answered with a non-zero completion code (§5.2). */
export class IpmiCompletionCodeError extends IpmiError {
  readonly completionCode: number
  readonly netFn: number
  readonly cmd: number
  constructor(netFn: number, cmd: number, completionCode: number, opts: ErrorOptions = {}) {
    const hex = (n: number) => `0x${n.toString(16).padStart(2, '0')}`
    super(
      'IPMI_COMPLETION_CODE',
      `BMC answered netFn ${hex(netFn)} cmd ${hex(cmd)} with completion code ${hex(completionCode)} (${describeCompletionCode(completionCode)})`,
      {
        ...opts,
        // Node busy / timeout / out of space can clear up on their own.
        retryable: completionCode === 0xc0 || completionCode === 0xc3 || completionCode === 0xc4,
        details: { ...opts.details, netFn, cmd, completionCode },
      },
    )
    this.completionCode = completionCode
    this.netFn = netFn
    this.cmd = cmd
  }
}

/** The caller's AbortSignal fired before the call finished. */
export class IpmiAbortedError extends IpmiError {
  constructor(message: string, opts: ErrorOptions = {}) {
    super('IPMI_ABORTED', message, { ...opts, retryable: false })
  }
}

/** The client was closed while the call was queued or running. */
export class IpmiClosedError extends IpmiError {
  constructor(message: string, opts: ErrorOptions = {}) {
    super('IPMI_CLOSED', message, { ...opts, retryable: false })
  }
}

const GENERIC_CC: Record<number, string> = {
  0x00: 'command completed normally',
  0xc0: 'node busy',
  0xc1: 'invalid command',
  0xc2: 'command invalid for given LUN',
  0xc3: 'timeout while processing command',
  0xc4: 'out of space',
  0xc5: 'reservation cancelled or invalid',
  0xc6: 'request data truncated',
  0xc7: 'request data length invalid',
  0xc8: 'request data field length limit exceeded',
  0xc9: 'parameter out of range',
  0xca: 'cannot return number of requested data bytes',
  0xcb: 'requested sensor, data or record not present',
  0xcc: 'invalid data field in request',
  0xcd: 'command illegal for specified sensor or record type',
  0xce: 'command response could not be provided',
  0xcf: 'cannot execute duplicated request',
  0xd0: 'SDR repository in update mode',
  0xd1: 'device in firmware update mode',
  0xd2: 'BMC initialization in progress',
  0xd3: 'destination unavailable',
  0xd4: 'insufficient privilege level',
  0xd5: 'command not supported in present state',
  0xd6: 'sub-function disabled or unavailable',
  0xff: 'unspecified error',
}

/** A short English description of a completion code (§5.2, table 5-2); 0x80..0xBE are command-specific. */
export function describeCompletionCode(cc: number): string {
  const known = GENERIC_CC[cc]
  if (known) return known
  if (cc >= 0x80 && cc <= 0xbe) return 'command-specific error'
  if (cc >= 0x01 && cc <= 0x7e) return 'OEM error'
  return 'reserved completion code'
}
