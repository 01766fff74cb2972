/**
 * Enrolls lab nodes into an Ironic-compatible API (Ferrum or Ironic itself) over HTTP: one
 * `POST /v1/nodes` per node with the driver_info its BMC needs, then one `POST /v1/ports` per NIC.
 * A node the API refuses (e.g. a hardware type that is not enabled) is reported with the API's
 * own message and the rest carry on.
 */
import { request } from 'undici'
import { GiB } from './virtual-node-spec.js'
import type { LabNodeState } from './lab-state.js'

export const ENROLL_MICROVERSION = '1.78'

export interface EnrollOptions {
  apiUrl: string
  /** Hardware type for every node; default: the one matching its BMC (ipmi, redfish, idrac). The real driver_info is sent either way. */
  driver?: string
  /** Sent as X-Auth-Token when set. */
  token?: string
  /** Per request. Default 30 s. */
  timeoutMs?: number
  /** Extra node fields, e.g. `{ boot_interface: 'fake', deploy_interface: 'fake' }`. */
  nodeFields?: Record<string, unknown>
}

export interface PortEnrollResult {
  address: string
  ok: boolean
  uuid?: string
  error?: string
}

export interface NodeEnrollResult {
  name: string
  driver: string
  ok: boolean
  uuid?: string
  error?: string
  ports: PortEnrollResult[]
}

/** The hardware type and driver_info Ironic's ipmi/redfish/idrac drivers need for this node's BMC. */
export function driverFieldsFor(node: LabNodeState): { driver: string; driver_info: Record<string, unknown> } {
  const b = node.bmc
  if (b.kind === 'ipmi') {
    return {
      driver: 'ipmi',
      driver_info: {
        ipmi_address: b.address,
        ipmi_port: b.port,
        ipmi_username: b.username,
        ipmi_password: b.password,
        ipmi_protocol_version: '2.0',
        // NOTE: suite 3 (SHA1/HMAC-SHA1-96/AES) spares ipmitool its slow cipher-suite discovery.
        ipmi_cipher_suite: 3,
      },
    }
  }
  return {
    driver: b.kind,
    driver_info: {
      redfish_address: b.url,
      redfish_system_id: b.systemPath,
      redfish_username: b.username,
      redfish_password: b.password,
      // The lab's certificates are self-signed.
      redfish_verify_ca: false,
    },
  }
}

export function propertiesFor(node: LabNodeState): Record<string, unknown> {
  return {
    cpus: node.cpus,
    memory_mb: node.memoryMiB,
    local_gb: Math.floor((node.disks[0]?.sizeBytes ?? 0) / GiB),
    cpu_arch: node.cpuArch,
    capabilities: `boot_mode:${node.bootMode}`,
  }
}

/** Enrolls nodes one after another; never throws for API errors (they are in the results). */
export async function enrollLab(nodes: readonly LabNodeState[], opts: EnrollOptions): Promise<NodeEnrollResult[]> {
  const base = opts.apiUrl.replace(/\/+$/, '')
  const results: NodeEnrollResult[] = []
  for (const node of nodes) {
    const fields = driverFieldsFor(node)
    const driver = opts.driver ?? fields.driver
    const result: NodeEnrollResult = { name: node.name, driver, ok: false, ports: [] }
    results.push(result)
    const created = await call(base, '/v1/nodes', { ...opts.nodeFields, name: node.name, driver, driver_info: { ...(opts.nodeFields?.driver_info as Record<string, unknown> | undefined), ...fields.driver_info }, properties: { ...propertiesFor(node), ...(opts.nodeFields?.properties as Record<string, unknown> | undefined) } }, opts)
    if (!created.ok) {
      result.error = created.error
      continue
    }
    result.ok = true
    result.uuid = String(created.body.uuid)
    for (const [i, address] of node.macs.entries()) {
      const port = await call(base, '/v1/ports', { node_uuid: result.uuid, address, pxe_enabled: i === 0 }, opts)
      result.ports.push(port.ok ? { address, ok: true, uuid: String(port.body.uuid) } : { address, ok: false, error: port.error })
    }
  }
  return results
}

type CallResult = { ok: true; body: Record<string, unknown> } | { ok: false; error: string }

async function call(base: string, path: string, body: unknown, opts: EnrollOptions): Promise<CallResult> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    'x-openstack-ironic-api-version': ENROLL_MICROVERSION,
  }
  if (opts.token) headers['x-auth-token'] = opts.token
  try {
    const res = await request(`${base}${path}`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
      headersTimeout: opts.timeoutMs ?? 30_000,
      bodyTimeout: opts.timeoutMs ?? 30_000,
    })
    const text = await res.body.text()
    let parsed: unknown = null
    try {
      parsed = text ? JSON.parse(text) : null
    } catch {
      // Not JSON: the raw text is the message.
    }
    if (res.statusCode >= 200 && res.statusCode < 300 && isObject(parsed)) return { ok: true, body: parsed }
    return { ok: false, error: `POST ${path}: HTTP ${res.statusCode}: ${ironicMessage(parsed) ?? (text.slice(0, 300) || '(empty body)')}` }
  } catch (err) {
    const e = err as Error & { code?: string }
    return { ok: false, error: `POST ${path}: cannot reach ${base}: ${e.code ? `${e.code} ` : ''}${e.message}` }
  }
}

/**
 * Ironic's error body is `{"error_message": "<JSON string with faultstring>"}`; some versions send
 * the inner object directly. Returns the faultstring, or null for anything else.
 */
export function ironicMessage(body: unknown): string | null {
  if (!isObject(body)) return null
  let inner: unknown = body.error_message
  if (typeof inner === 'string') {
    const raw = inner
    try {
      inner = JSON.parse(raw)
    } catch {
      return raw
    }
  }
  if (isObject(inner) && typeof inner.faultstring === 'string') return inner.faultstring
  if (typeof body.faultstring === 'string') return body.faultstring
  return null
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}
