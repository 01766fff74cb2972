/**
 * `ferrum node enroll FILE`: many nodes, with their ports and BMC credentials, from one YAML or
 * JSON file. The whole file is checked before anything is sent; the first error names its line
 * and field. Then the nodes and ports are created; if the API refuses one, everything this run
 * created is deleted again, so a file is enrolled whole or not at all.
 *
 * Accepted shapes: `nodes: [ {…}, … ]`, a bare list of nodes, or Bifrost's inventory (a mapping
 * of name → node). A node has Ironic's node fields (driver, name, driver_info, properties, …)
 * plus `ports: [{address, pxe_enabled?, physical_network?, local_link_connection?}]` (Bifrost's
 * `nics: [{mac}]` also works).
 */
import { LineCounter, isMap, isSeq, parseDocument, type Document, type Node as YamlNode } from 'yaml'
import { macOrNull } from '../domain/mac.js'
import { ApiError, type ApiClient } from './client.js'

/** Node fields a file may set (what `POST /v1/nodes` takes), besides ports. */
const NODE_FIELDS = new Set([
  'name', 'driver', 'driver_info', 'properties', 'extra', 'instance_info', 'resource_class', 'owner', 'lessee',
  'description', 'conductor_group', 'chassis_uuid', 'uuid', 'network_interface', 'boot_interface', 'deploy_interface',
  'power_interface', 'management_interface', 'inspect_interface', 'console_interface', 'raid_interface', 'bios_interface',
  'rescue_interface', 'storage_interface', 'vendor_interface', 'firmware_interface', 'network_data', 'automated_clean',
  'protected', 'retired', 'parent_node', 'shard', 'disable_power_off', 'instance_uuid',
])
const PORT_FIELDS = new Set(['address', 'mac', 'pxe_enabled', 'physical_network', 'local_link_connection', 'extra', 'name', 'is_smartnic'])
const OBJECT_FIELDS = new Set(['driver_info', 'properties', 'extra', 'instance_info', 'network_data'])

/** The BMC fields each hardware type needs to reach its BMC: an address and credentials. */
const BMC_FIELDS: Record<string, readonly (readonly string[])[]> = {
  ipmi: [['ipmi_address'], ['ipmi_username'], ['ipmi_password']],
  redfish: [['redfish_address'], ['redfish_username'], ['redfish_password']],
  idrac: [['redfish_address', 'drac_address'], ['redfish_username', 'drac_username'], ['redfish_password', 'drac_password']],
}

export interface EnrollPort {
  address: string
  fields: Record<string, unknown>
}

export interface EnrollNode {
  /** Where the node starts in the file (1-based), for messages. */
  line: number
  body: Record<string, unknown>
  ports: EnrollPort[]
}

/** A problem in the file: `file:line: what (how to fix it)`. */
export class EnrollFileError extends Error {}

/**
 * Parses and checks an enrollment file completely.
 * @throws EnrollFileError naming the line and field of the first problem
 */
export function parseEnrollFile(text: string, file: string): EnrollNode[] {
  const lines = new LineCounter()
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true })
  const at = (n: YamlNode | null | undefined): number => (n?.range ? lines.linePos(n.range[0]).line : 1)
  const fail = (n: YamlNode | null | undefined, msg: string): never => {
    throw new EnrollFileError(`${file}:${at(n)}: ${msg}`)
  }
  if (doc.errors.length > 0) {
    const e = doc.errors[0]
    throw new EnrollFileError(`${file}:${lines.linePos(e.pos[0]).line}: not valid YAML or JSON: ${e.message.split('\n')[0]}`)
  }
  const entries = nodeEntries(doc, fail)
  if (entries.length === 0) fail(doc.contents, 'no nodes in the file (expected "nodes:" with a list of nodes)')
  const names = new Map<string, number>()
  const macs = new Map<string, number>()
  const out: EnrollNode[] = []
  for (const { node: yn, impliedName } of entries) {
    if (!isMap(yn)) fail(yn, 'each node must be a mapping of fields (driver, name, driver_info, ports, …)')
    const value = (yn as YamlNode).toJSON() as Record<string, unknown>
    const field = (k: string) => (yn as { get(k: string, keep: true): YamlNode | undefined }).get(k, true) ?? (yn as YamlNode)
    const label = typeof value.name === 'string' ? `node "${value.name}"` : impliedName ? `node "${impliedName}"` : 'node'
    for (const k of Object.keys(value)) {
      if (!NODE_FIELDS.has(k) && k !== 'ports' && k !== 'nics') fail(keyNode(yn, k), `${label}: unknown field "${k}" (node fields as in the Ironic API, e.g. driver, name, driver_info, properties, resource_class, ports)`)
    }
    if (value.name === undefined && impliedName) value.name = impliedName
    if (typeof value.driver !== 'string' || value.driver === '') fail(value.driver === undefined ? yn : field('driver'), `${label}: "driver" is required (a hardware type: ipmi, redfish, idrac or fake-hardware)`)
    if (value.name !== undefined) {
      if (typeof value.name !== 'string' || value.name === '') fail(field('name'), `${label}: "name" must be a non-empty string`)
      const seen = names.get(value.name as string)
      if (seen !== undefined) fail(field('name'), `${label}: the name is used twice in this file (first at line ${seen})`)
      names.set(value.name as string, at(field('name')))
    }
    for (const k of OBJECT_FIELDS) {
      if (value[k] !== undefined && (typeof value[k] !== 'object' || value[k] === null || Array.isArray(value[k]))) fail(field(k), `${label}: "${k}" must be a mapping of keys to values`)
    }
    const info = (value.driver_info ?? {}) as Record<string, unknown>
    for (const alternatives of BMC_FIELDS[value.driver as string] ?? []) {
      if (!alternatives.some((k) => info[k] !== undefined && info[k] !== null)) {
        fail(value.driver_info === undefined ? yn : field('driver_info'), `${label}: driver_info.${alternatives.join(' or driver_info.')} is missing (driver ${String(value.driver)} needs the BMC's address and credentials)`)
      }
    }
    const ports: EnrollPort[] = []
    for (const key of ['ports', 'nics']) {
      const list = (yn as { get(k: string, keep: true): YamlNode | undefined }).get(key, true)
      if (list === undefined) continue
      if (!isSeq(list)) fail(list, `${label}: "${key}" must be a list of ports`)
      for (const item of (list as unknown as { items: YamlNode[] }).items) {
        if (!isMap(item)) fail(item, `${label}: each port must be a mapping with "address"`)
        const p = item.toJSON() as Record<string, unknown>
        for (const k of Object.keys(p)) if (!PORT_FIELDS.has(k)) fail(keyNode(item, k), `${label}: unknown port field "${k}" (address, pxe_enabled, physical_network, local_link_connection, extra)`)
        const raw = p.address ?? p.mac
        const addrNode = (item as { get(k: string, keep: true): YamlNode | undefined }).get(p.address !== undefined ? 'address' : 'mac', true) ?? item
        const mac = macOrNull(raw)
        if (!mac) fail(addrNode, `${label}: port address ${JSON.stringify(raw ?? null)} is not a MAC address (like 52:54:00:12:34:56)`)
        const seen = macs.get(mac!)
        if (seen !== undefined) fail(addrNode, `${label}: MAC ${mac} is used twice in this file (first at line ${seen})`)
        macs.set(mac!, at(addrNode))
        const { address: _a, mac: _m, ...fields } = p
        if (fields.pxe_enabled !== undefined && typeof fields.pxe_enabled !== 'boolean') fail(item, `${label}: port ${mac} pxe_enabled must be true or false`)
        ports.push({ address: mac!, fields })
      }
    }
    const { ports: _p, nics: _n, ...body } = value
    out.push({ line: at(yn), body, ports })
  }
  return out
}

function keyNode(map: unknown, key: string): YamlNode | undefined {
  const pair = (map as { items: { key: YamlNode & { value?: unknown } }[] }).items.find((p) => (p.key as { value?: unknown }).value === key)
  return pair?.key
}

function nodeEntries(doc: Document, fail: (n: YamlNode | null | undefined, msg: string) => never): { node: YamlNode; impliedName?: string }[] {
  const root = doc.contents
  if (isSeq(root)) return root.items.map((n) => ({ node: n as YamlNode }))
  if (isMap(root)) {
    const nodes = root.get('nodes', true)
    if (nodes !== undefined) {
      if (!isSeq(nodes)) fail(nodes as YamlNode, '"nodes" must be a list of nodes')
      return (nodes as unknown as { items: YamlNode[] }).items.map((n) => ({ node: n }))
    }
    // Bifrost's inventory: name → node.
    return root.items.map((pair) => ({ node: pair.value as YamlNode, impliedName: String((pair.key as { value?: unknown }).value) }))
  }
  return fail(root, 'expected "nodes:" with a list of nodes')
}

/** What an enrollment did, node by node. */
export interface EnrollResult {
  name: string
  uuid: string
  ports: number
}

/**
 * Creates the nodes and their ports. Names and MACs already known to the API are refused before
 * anything is created; if the API refuses a node or port midway, what this run created is deleted.
 * @throws Error naming the node (and its line) the API refused, after the roll-back
 */
export async function enrollNodes(c: ApiClient, file: string, nodes: readonly EnrollNode[]): Promise<EnrollResult[]> {
  for (const n of nodes) {
    if (typeof n.body.name === 'string') {
      const existing = await c.call('GET', `/v1/nodes/${encodeURIComponent(n.body.name)}`).catch((e: unknown) => (e instanceof ApiError && e.status === 404 ? null : Promise.reject(e)))
      if (existing) throw new Error(`${file}:${n.line}: a node named "${n.body.name}" already exists; nothing was enrolled (rename it, or delete the existing node)`)
    }
    for (const p of n.ports) {
      const r = await c.call<{ ports: unknown[] }>('GET', `/v1/ports?address=${encodeURIComponent(p.address)}`)
      if (r.ports.length > 0) throw new Error(`${file}:${n.line}: a port with MAC ${p.address} already exists; nothing was enrolled`)
    }
  }
  const created: string[] = []
  const results: EnrollResult[] = []
  try {
    for (const n of nodes) {
      let node: { uuid: string; name: string | null }
      try {
        node = await c.call<{ uuid: string; name: string | null }>('POST', '/v1/nodes', n.body)
      } catch (e) {
        throw new Error(`${file}:${n.line}: the API refused node ${typeof n.body.name === 'string' ? `"${n.body.name}"` : ''}: ${(e as Error).message}`, { cause: e })
      }
      created.push(node.uuid)
      for (const p of n.ports) {
        try {
          await c.call('POST', '/v1/ports', { ...p.fields, address: p.address, node_uuid: node.uuid })
        } catch (e) {
          throw new Error(`${file}:${n.line}: the API refused port ${p.address} of node "${node.name ?? node.uuid}": ${(e as Error).message}`, { cause: e })
        }
      }
      results.push({ name: node.name ?? node.uuid, uuid: node.uuid, ports: n.ports.length })
    }
  } catch (e) {
    const left: string[] = []
    for (const uuid of created.reverse()) {
      await c.call('DELETE', `/v1/nodes/${uuid}`).catch(() => left.push(uuid))
    }
    throw new Error(`${(e as Error).message}; ${left.length === 0 ? 'nothing was enrolled (the nodes created before it were deleted again)' : `could not delete again: ${left.join(', ')}`}`, { cause: e })
  }
  return results
}
