/**
 * IPMI errors → DriverErrors whose message names the node, the BMC and what to check. The
 * conductor copies the message into last_error (verify on "manage", power actions), so an
 * operator reads "unreachable" or "wrong credentials" rather than a protocol detail.
 */
import { DriverError, FerrumError } from '../../domain/errors.js'
import { IpmiCompletionCodeError, IpmiError } from '../../protocols/ipmi/errors.js'
import type { NodeView } from '../node-view.js'
import type { IpmiDriverInfo } from './ipmi-driver-info.js'

/** Completion code "insufficient privilege level" (§5.2). */
const CC_INSUFFICIENT_PRIVILEGE = 0xd4

/** How each IPMI error code reads, given the BMC's name and what was being done. */
const WORDING: Readonly<Record<string, (bmc: string, info: IpmiDriverInfo, what: string) => string>> = {
  IPMI_TIMEOUT: (bmc, _i, what) =>
    `IPMI BMC ${bmc} is unreachable: no answer while ${what} (timed out after retries). Check ipmi_address, ipmi_port and the network path to the BMC`,
  IPMI_AUTH_FAILED: (bmc, i, what) =>
    `IPMI BMC ${bmc} rejected the credentials while ${what} (wrong credentials: check ipmi_username "${i.username}", ipmi_password` +
    `${i.kg ? ', ipmi_hex_kg_key' : ''} and ipmi_priv_level ${i.privilegeName})`,
  IPMI_SESSION_FAILED: (bmc, i, what) =>
    `IPMI BMC ${bmc} refused an RMCP+ session with cipher suite ${i.cipherSuite} while ${what} (check ipmi_cipher_suite: 3 or 17)`,
  IPMI_MALFORMED: (bmc, _i, what) => `IPMI BMC ${bmc} sent an answer that does not follow the IPMI specification while ${what}`,
  IPMI_COMPLETION_CODE: (bmc, _i, what) => `IPMI BMC ${bmc} refused ${what}`,
}

/**
 * The DriverError to raise for `e`, caught while doing `what` ("reading the power state") on the
 * node's BMC. Ferrum errors that are not IPMI's (validation) pass through unchanged; anything
 * else (a host name that does not resolve, a socket error) becomes an "unreachable" error.
 */
export function ipmiFailure(e: unknown, node: NodeView, info: IpmiDriverInfo, what: string): FerrumError {
  const bmc = `${info.address}:${info.port}`
  if (e instanceof IpmiError) {
    const word = WORDING[e.code]
    let text = word ? word(bmc, info, what) : `IPMI call to BMC ${bmc} failed while ${what}`
    if (e instanceof IpmiCompletionCodeError && e.completionCode === CC_INSUFFICIENT_PRIVILEGE) {
      text += ` (insufficient privilege: ipmi_priv_level is ${info.privilegeName}; power and boot changes need OPERATOR or ADMINISTRATOR)`
    }
    return new DriverError(`Node ${node.uuid}: ${text}: ${sentence(e.message)}`, {
      code: e.code,
      retryable: e.retryable,
      cause: e,
      details: { ...(e.details ?? {}), bmc },
    })
  }
  if (e instanceof FerrumError) return e
  const reason = e instanceof Error ? e.message : String(e)
  return new DriverError(
    `Node ${node.uuid}: IPMI BMC ${bmc} is unreachable while ${what}: ${sentence(reason)} Check ipmi_address and the network path to the BMC.`,
    { code: 'IPMI_TIMEOUT', retryable: true, cause: e, details: { bmc } },
  )
}

/** `text` ending with one full stop (or its own ? or !). */
function sentence(text: string): string {
  return /[.?!]$/.test(text) ? text : `${text}.`
}
