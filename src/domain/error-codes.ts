/**
 * Every stable error code Ferrum reports, in one registry: the `ferrum_code` of API error bodies,
 * the `code` of FerrumErrors crossing the conductor seam, and the failure codes nodes record in
 * their history. Codes named after the Ironic exception raised for the same condition have no
 * prefix (NODE_NOT_FOUND ← NodeNotFound); conditions only Ferrum has start with FERRUM_; driver
 * protocol families start with IPMI_ or REDFISH_. A code never changes meaning once released;
 * docs/error-codes.md is generated from this table (a test keeps them equal).
 */

interface CodeInfo {
  /** The HTTP status an API request failing with this code is answered with. */
  readonly status: number
  /** What it means, for docs/error-codes.md. */
  readonly meaning: string
}

const c = (status: number, meaning: string): CodeInfo => ({ status, meaning })

/** Codes of failed API requests and of errors crossing the conductor seam. */
export const API_ERROR_CODES = {
  // 400: the request is wrong
  FERRUM_INVALID: c(400, 'The request body, a query parameter or a field value is invalid; the message names it.'),
  FERRUM_INVALID_JSON: c(400, 'The request body is not valid JSON.'),
  FERRUM_INVALID_FIELD: c(400, 'A field name in `fields=` or a JSON Patch path is not a field of the resource.'),
  FERRUM_READ_ONLY_FIELD: c(400, 'A JSON Patch tries to change a read-only field.'),
  FERRUM_VALUE_TOO_LONG: c(400, 'A value is longer than its column allows.'),
  FERRUM_INVALID_TEXT: c(400, 'A text value contains a NUL character.'),
  FERRUM_INVALID_UUID: c(400, 'A value that must be a UUID is not one.'),
  FERRUM_INVALID_IDENT: c(400, 'A value that must be a logical name or UUID is neither.'),
  FERRUM_INVALID_MAC: c(400, 'A MAC address is malformed.'),
  FERRUM_UNEXPECTED_ARGUMENT: c(400, 'The request has a query argument the route does not take (Ironic\'s "Unexpected arguments").'),
  INVALID_AGENT_TOKEN: c(400, 'A heartbeat carried no agent token or not the one the lookup issued (Ironic answers InvalidParameterValue).'),
  INCOMPLETE_LOOKUP: c(400, 'A ramdisk lookup named neither MAC addresses nor a node UUID.'),
  FERRUM_INVALID_LOCAL_LINK: c(400, 'A port\'s local_link_connection is invalid.'),
  FERRUM_INVALID_SWITCH_ID: c(400, 'A local_link_connection switch_id is neither a MAC address nor an OpenFlow datapath ID.'),
  FERRUM_INVALID_PARAMETER: c(400, 'An argument of a vendor method or step is invalid.'),
  FERRUM_MISSING_PARAMETER: c(400, 'A required argument or the vendor method name is missing.'),
  FERRUM_MISSING_DRIVER_INFO: c(400, 'The node\'s driver_info lacks a property its interfaces need.'),
  FERRUM_INVALID_DRIVER_INFO: c(400, 'A driver_info property has a wrong value.'),
  FERRUM_INVALID_BOOT_DEVICE: c(400, 'The boot device is not one the API knows.'),
  FERRUM_UNSUPPORTED_BOOT_DEVICE: c(400, 'The node\'s management interface does not support that boot device.'),
  FERRUM_INVALID_INDICATOR: c(400, 'The indicator name is malformed.'),
  FERRUM_INVALID_INDICATOR_STATE: c(400, 'The indicator state is not one the indicator accepts.'),
  FERRUM_INDICATOR_READONLY: c(400, 'The indicator cannot be changed.'),
  FERRUM_INTERFACE_NOT_ENABLED: c(400, 'The interface implementation is not enabled in this deployment.'),
  FERRUM_INCOMPATIBLE_INTERFACE: c(400, 'The interface implementation is not allowed for the node\'s hardware type.'),
  FERRUM_NO_DEFAULT_INTERFACE: c(400, 'No enabled implementation of an interface fits the hardware type; set it explicitly.'),
  FERRUM_UNKNOWN_VENDOR_METHOD: c(400, 'The vendor interface has no method of that name.'),
  FERRUM_VENDOR_METHOD_HTTP_VERB: c(400, 'The vendor method does not accept that HTTP method.'),
  FERRUM_BAD_PATH: c(400, 'A URL path is not validly %-encoded, or a boot file path escapes its directory.'),
  FERRUM_URL_TOO_LONG: c(414, 'A URL path segment is longer than 1024 characters.'),
  FERRUM_BODY_TOO_LARGE: c(413, 'The request body is larger than the API accepts.'),
  FERRUM_UNSUPPORTED_MEDIA_TYPE: c(415, 'The request body\'s Content-Type is not JSON.'),
  UNSUPPORTED_DRIVER_EXTENSION: c(400, 'The node\'s driver does not implement the requested feature (its interface is a no-op).'),
  DRIVER_NOT_FOUND: c(404, 'No enabled driver or hardware type has that name.'),
  INVALID_STATE_REQUESTED: c(400, 'The provision or power verb is not allowed in the node\'s state; the message lists the allowed ones.'),
  NODE_IN_MAINTENANCE: c(400, 'The action needs a node that is not in maintenance.'),
  PORTGROUP_NO_STANDALONE: c(400, 'A port group that does not allow standalone ports got a port without it.'),
  PORTGROUP_PHYSNET_CONFLICT: c(400, 'The ports of a port group would end up on different physical networks.'),
  NO_FREE_PHYSICAL_PORTS: c(400, 'The node has no free port for another VIF.'),
  INVALID_DEPLOY_TEMPLATE: c(400, 'A deploy template or runbook step is invalid.'),
  RUNBOOK_NOT_APPLICABLE: c(400, 'The runbook\'s name is not among the node\'s traits.'),
  API_VERSION_INVALID: c(400, 'The X-OpenStack-Ironic-API-Version header is malformed.'),
  // 403
  FERRUM_FORBIDDEN: c(403, 'The operation is not permitted.'),
  FERRUM_EXCLUSIVE_FILTERS: c(403, 'Filters that exclude each other were combined.'),
  OPERATION_NOT_PERMITTED: c(403, 'The operation is not permitted on this path (as Ironic answers).'),
  NODE_PROTECTED: c(403, 'The node is protected: it cannot be undeployed, rebuilt or deleted, nor its instance fields changed.'),
  // 404
  FERRUM_NOT_FOUND: c(404, 'The resource does not exist.'),
  FERRUM_NO_ROUTE: c(404, 'No API path matches the request.'),
  FERRUM_METHOD_NOT_ALLOWED: c(405, 'The path exists but does not take the request\'s method; the Allow header lists the ones it takes.'),
  FERRUM_BOOT_FILE_NOT_FOUND: c(404, 'The boot file does not exist.'),
  FERRUM_INDICATOR_NOT_FOUND: c(404, 'The node has no such indicator.'),
  NODE_NOT_FOUND: c(404, 'No node has that UUID or name.'),
  PORT_NOT_FOUND: c(404, 'No port has that UUID or address.'),
  PORTGROUP_NOT_FOUND: c(404, 'No port group has that UUID or name.'),
  CHASSIS_NOT_FOUND: c(404, 'No chassis has that UUID.'),
  ALLOCATION_NOT_FOUND: c(404, 'No allocation has that UUID or name.'),
  DEPLOY_TEMPLATE_NOT_FOUND: c(404, 'No deploy template has that UUID or name.'),
  RUNBOOK_NOT_FOUND: c(404, 'No runbook has that UUID or name.'),
  VOLUME_CONNECTOR_NOT_FOUND: c(404, 'No volume connector has that UUID.'),
  VOLUME_TARGET_NOT_FOUND: c(404, 'No volume target has that UUID.'),
  CONDUCTOR_NOT_FOUND: c(404, 'No conductor has that host name.'),
  NODE_TRAIT_NOT_FOUND: c(404, 'The node does not have that trait.'),
  NODE_HISTORY_NOT_FOUND: c(404, 'The node has no history event with that UUID.'),
  BIOS_SETTING_NOT_FOUND: c(404, 'The node has no BIOS setting of that name.'),
  VIF_NOT_ATTACHED: c(404, 'The VIF is not attached to the node.'),
  REDFISH_NOT_FOUND: c(404, 'The BMC answered 404 for a Redfish resource Ferrum needs.'),
  API_VERSION_TOO_OLD: c(404, 'The path, method or field needs a newer microversion (404, 405 or 406 as Ironic answers).'),
  // 406
  FERRUM_NOT_ACCEPTABLE: c(406, 'The request needs something the negotiated microversion does not have.'),
  API_VERSION_UNSUPPORTED: c(406, 'The requested microversion is outside the supported range.'),
  // 409
  FERRUM_CONFLICT: c(409, 'The request conflicts with the current state of a resource.'),
  FERRUM_DUPLICATE: c(409, 'A resource with that unique value (name, UUID, MAC) exists.'),
  FERRUM_INVALID_STATE: c(409, 'The resource is in a state that does not allow the change.'),
  NODE_LOCKED: c(409, 'Another operation holds the node\'s lock; retry after it finishes.'),
  NODE_ASSOCIATED: c(409, 'The node already has an instance or allocation.'),
  INSTANCE_ASSOCIATED: c(409, 'The instance UUID is already associated with another node.'),
  NODE_RETIRED: c(409, 'The node is retired and cannot be made available.'),
  VIF_ALREADY_ATTACHED: c(409, 'The VIF is already attached to a port of the node.'),
  PORTGROUP_NOT_EMPTY: c(409, 'The port group still has ports.'),
  CHASSIS_NOT_EMPTY: c(409, 'The chassis still has nodes.'),
  ALLOCATION_FAILED: c(409, 'No available node matches the allocation.'),
  ABORTED: c(409, 'The operation was aborted on request.'),
  // 500 and 503: the hardware, a peer or Ferrum failed
  FERRUM_INTERNAL: c(500, 'An unexpected error; the Ferrum log has the details.'),
  FERRUM_DRIVER_ERROR: c(500, 'A driver call failed.'),
  FERRUM_FAKE_FAILURE: c(500, 'A fake driver failed because driver_info asked it to (testing).'),
  FERRUM_POWER_TIMEOUT: c(500, 'The node did not reach the requested power state in time.'),
  FERRUM_BIOS_TIMEOUT: c(500, 'Applying BIOS settings did not finish in time.'),
  FERRUM_INSPECTION_FAILED: c(500, 'Out-of-band inspection failed.'),
  FERRUM_IDRAC_JOB_FAILED: c(500, 'A Dell iDRAC job ended in failure.'),
  FERRUM_IDRAC_JOB_TIMEOUT: c(500, 'A Dell iDRAC job did not finish in time.'),
  DRIVER_TIMEOUT: c(500, 'A driver call did not finish within its deadline.'),
  FERRUM_BAD_RANGE: c(416, 'The requested byte range lies outside the file.'),
  FERRUM_TEMPORARY: c(503, 'A temporary condition; retry later.'),
  CONDUCTOR_STOPPING: c(503, 'The conductor is shutting down.'),
  IPMI_MALFORMED: c(500, 'An IPMI datagram or payload does not follow the spec.'),
  IPMI_TIMEOUT: c(500, 'The BMC did not answer over IPMI in time.'),
  IPMI_AUTH_FAILED: c(500, 'The BMC refused the IPMI credentials.'),
  IPMI_SESSION_FAILED: c(500, 'An IPMI RMCP+ session could not be opened or was lost.'),
  IPMI_COMPLETION_CODE: c(500, 'The BMC answered an IPMI command with an error completion code.'),
  IPMI_ABORTED: c(500, 'An IPMI request was cancelled.'),
  IPMI_CLOSED: c(500, 'The IPMI session pool was closed.'),
  REDFISH_ERROR: c(500, 'The BMC answered a Redfish request with an error.'),
  REDFISH_AUTH_FAILED: c(500, 'The BMC refused the Redfish credentials.'),
  REDFISH_TIMEOUT: c(500, 'The BMC did not answer over Redfish in time.'),
  REDFISH_UNREACHABLE: c(500, 'The BMC could not be reached over Redfish.'),
  AGENT_UNREACHABLE: c(500, "The deploy agent's command API could not be reached at the node's agent_url."),
  AGENT_COMMAND_FAILED: c(500, 'The deploy agent refused a command or reported it failed; the message carries its error.'),
  AGENT_TOKEN_INVALID: c(500, 'The deploy agent refused the agent token the conductor holds (the ramdisk was rebooted or replaced).'),
  AGENT_NOT_READY: c(500, 'An agent step ran before the deploy agent had called back.'),
  IMAGE_DOWNLOAD_FAILED: c(500, 'The conductor could not fetch an image into its cache (HTTP error, missing file, cut stream).'),
  IMAGE_CHECKSUM_MISMATCH: c(500, "An image's bytes do not match its declared checksum."),
  IMAGE_CONVERSION_FAILED: c(500, 'qemu-img refused the image or could not convert it to raw (or is not installed).'),
  CONFIG_DRIVE_INVALID: c(400, 'The config drive is neither a URL, a gzipped base64 ISO 9660 image nor a JSON object, is over 64 MiB, or could not be built (no genisoimage).'),
} as const satisfies Record<string, CodeInfo>

/**
 * Codes a failed node records with its failure (history's `ferrum_error.code`), each with the
 * phase and a remedy (see docs/conductor.md).
 */
export const FAILURE_CODES = {
  VERIFY_FAILED: 'The BMC credentials could not be verified on "manage".',
  INSPECT_FAILED: 'Hardware inspection failed.',
  DEPLOY_PREPARE_FAILED: 'Preparing the deployment (boot, network) failed before any step ran.',
  DEPLOY_STEP_FAILED: 'A deploy step failed.',
  CLEAN_STEP_FAILED: 'A clean step failed.',
  SERVICE_STEP_FAILED: 'A service step failed.',
  STEP_INVALID: 'A requested step is not offered by the node\'s drivers.',
  TEARDOWN_FAILED: 'Tearing the instance down failed.',
  ADOPT_FAILED: 'The node could not be adopted.',
  RESCUE_FAILED: 'Booting the rescue ramdisk failed.',
  UNRESCUE_FAILED: 'Leaving rescue mode failed.',
  PROVISION_FAILED: 'A provisioning action failed (the generic code of a failure event).',
  CALLBACK_TIMEOUT: 'The node sat in a wait state longer than its timeout.',
  ABORTED: 'The operator aborted the operation.',
  DRIVER_TIMEOUT: 'A driver call did not finish within its deadline.',
  CONDUCTOR_RESTARTED: 'The conductor died while the operation ran.',
  CONDUCTOR_STOPPED: 'The conductor was shut down while the operation ran.',
  POWER_ACTION_FAILED: 'A requested power change failed.',
  POWER_TIMEOUT: 'The node did not reach the requested power state in time.',
  POWER_SYNC_FAILED: 'The power state sync could not reach the BMC several times in a row.',
  UNEXPECTED_ERROR: 'A bug or an unexpected condition; see the conductor log.',
} as const

/** A code of a failed request or a FerrumError. */
export type ApiErrorCode = keyof typeof API_ERROR_CODES
/** A failure code recorded in a node's history. */
export type FailureCode = keyof typeof FAILURE_CODES
/** Any stable code. */
export type ErrorCode = ApiErrorCode | FailureCode

/** True if `value` is a registered code. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && (Object.hasOwn(API_ERROR_CODES, value) || Object.hasOwn(FAILURE_CODES, value))
}

/** docs/error-codes.md, generated from the registry. */
export function errorCodesMarkdown(): string {
  const lines = [
    '# Error codes',
    '',
    'Generated from `src/domain/error-codes.ts` (a test keeps this file equal to it). Every Ironic error',
    'body Ferrum sends carries one of these as `ferrum_code`; a code keeps its meaning across releases.',
    'Codes named after the Ironic exception for the same condition have no prefix; conditions only',
    'Ferrum has start with `FERRUM_`; BMC protocol failures start with `IPMI_` or `REDFISH_`.',
    '',
    '## Request and driver errors (`ferrum_code`)',
    '',
    '| code | HTTP | meaning |',
    '| --- | --- | --- |',
    ...Object.entries(API_ERROR_CODES).map(([k, v]) => `| \`${k}\` | ${v.status} | ${v.meaning} |`),
    '',
    '## Failure codes (node history `ferrum_error.code`)',
    '',
    '| code | meaning |',
    '| --- | --- |',
    ...Object.entries(FAILURE_CODES).map(([k, v]) => `| \`${k}\` | ${v} |`),
    '',
  ]
  return lines.join('\n')
}
