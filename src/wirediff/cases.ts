/**
 * The request cases of the wire-level differential check (wirediff.ts): every endpoint and verb
 * of Ironic 21.4's v1 API, with valid and invalid input, at several microversions. Upper-case
 * words (NODE, NODE_UUID, PORT_UUID, MAC1, …) stand for the fixtures of one run (see
 * makeFixtures). Cases run in order, A then B, so a case that changes something changes it on
 * both, and a later case may rely on it.
 */
import { send, type Answer, type CaseResult, type Fixtures } from './wirediff.js'

export interface WireCase {
  name: string
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  path: string
  body?: unknown
  /** A body sent as is (malformed JSON). */
  raw?: string
  /** The microversion header; default 1.78; null sends none. */
  version?: string | null
  /** A scripted case with its own comparison (asynchronous contracts). */
  run?: (a: string, b: string, fx: Fixtures) => Promise<CaseResult>
}

/** The microversions every read is tried at: the oldest, the clients' and Ironic 21.4's newest. */
export const VERSIONS = ['1.1', '1.76', '1.78', '1.82'] as const

const get = (path: string, version?: string | null, name?: string): WireCase => ({ name: name ?? `GET ${path}${version === undefined ? '' : ` @${version ?? 'none'}`}`, method: 'GET', path, version })
const req = (method: WireCase['method'], path: string, body: unknown, name: string, version?: string): WireCase => ({ name, method, path, body, version })
const patch = (path: string, ops: unknown, name: string, version?: string): WireCase => ({ name: `PATCH ${path}: ${name}`, method: 'PATCH', path, body: ops, version })
const post = (path: string, body: unknown, name: string, version?: string): WireCase => req('POST', path, body, `POST ${path}: ${name}`, version)

/** Reads of every resource and sub-resource, at every version of VERSIONS. */
function reads(): WireCase[] {
  const paths = [
    '/v1/nodes', '/v1/nodes/detail', '/v1/nodes/NODE_UUID', '/v1/nodes/NODE', '/v1/nodes/NODE_UUID/states',
    '/v1/nodes/NODE_UUID/ports', '/v1/nodes/NODE_UUID/ports/detail', '/v1/nodes/NODE_UUID/portgroups',
    '/v1/nodes/NODE_UUID/management/boot_device', '/v1/nodes/NODE_UUID/management/boot_device/supported',
    '/v1/nodes/NODE_UUID/traits', '/v1/nodes/NODE_UUID/vifs', '/v1/nodes/NODE_UUID/bios',
    '/v1/nodes/NODE_UUID/volume', '/v1/nodes/NODE_UUID/volume/connectors', '/v1/nodes/NODE_UUID/volume/targets',
    '/v1/nodes/NODE_UUID/validate', '/v1/nodes/NODE_UUID/vendor_passthru/methods',
    '/v1/nodes/NODE_UUID/management/indicators', '/v1/nodes/NODE_UUID/history', '/v1/nodes/NODE_UUID/inventory',
    '/v1/nodes/NODE_UUID/allocation', '/v1/nodes/NODE_UUID/states/console',
    '/v1/ports', '/v1/ports/detail', '/v1/ports/PORT_UUID', '/v1/ports/MAC1',
    '/v1/portgroups', '/v1/portgroups/detail', '/v1/portgroups/PG_UUID', '/v1/portgroups/PG_UUID/ports',
    '/v1/chassis', '/v1/chassis/detail', '/v1/chassis/CHASSIS_UUID', '/v1/chassis/CHASSIS_UUID/nodes',
    '/v1/drivers', '/v1/drivers/fake-hardware', '/v1/drivers/fake-hardware/properties',
    '/v1/drivers/fake-hardware/raid/logical_disk_properties', '/v1/drivers/fake-hardware/vendor_passthru/methods',
    '/v1/volume', '/v1/volume/connectors', '/v1/volume/connectors/VC_UUID', '/v1/volume/targets', '/v1/volume/targets/VT_UUID',
    '/v1/conductors', '/v1/allocations', '/v1/deploy_templates', '/v1/deploy_templates/DT_UUID', '/v1/deploy_templates/DT_NAME',
    '/v1/shards',
  ]
  return paths.flatMap((p) => VERSIONS.map((v) => get(p, v)))
}

/** Version negotiation on the roots and a resource. */
function versions(): WireCase[] {
  const out: WireCase[] = []
  for (const p of ['/', '/v1', '/v1/nodes']) {
    for (const v of [null, 'latest', '1.0', '1.83', '1.999', '2.1', 'banana', '1.']) out.push(get(p, v))
  }
  return out
}

/** List filters, paging, sorting and field selection, valid and invalid. */
function queries(): WireCase[] {
  const q = (base: string, qs: string[], version?: string) => qs.map((s) => get(`${base}?${s}`, version))
  return [
    ...q('/v1/nodes', [
      'limit=-1', 'limit=abc', 'limit=0', 'limit=1', 'marker=MISSING_UUID', 'marker=banana', 'sort_key=banana', 'sort_key=name',
      'sort_dir=up', 'sort_dir=desc', 'fields=name,uuid', 'fields=banana', 'fields=name,banana', 'detail=true', 'detail=banana',
      'associated=maybe', 'associated=true', 'associated=false', 'maintenance=maybe', 'maintenance=false', 'provision_state=enroll',
      'provision_state=banana', 'driver=fake-hardware', 'driver=banana', 'resource_class=wirediff', 'conductor_group=x',
      'conductor_group=b@d', 'fault=power%20failure', 'fault=banana', 'owner=x', 'lessee=x', 'description_contains=x',
      'instance_uuid=MISSING_UUID', 'instance_uuid=banana', 'chassis_uuid=CHASSIS_UUID', 'chassis_uuid=banana', 'retired=true',
      'retired=maybe', 'conductor=x', 'sort_key=driver_info', 'sort_key=properties', 'sort_key=provision_state&sort_dir=desc',
    ]),
    ...q('/v1/nodes', ['shard=x', 'sharded=true', 'sharded=maybe'], '1.82'),
    ...q('/v1/nodes', ['shard=x', 'fault=banana', 'conductor_group=x', 'owner=x'], '1.1'),
    ...q('/v1/nodes/detail', ['fields=name', 'detail=true', 'limit=1']),
    ...q('/v1/ports', [
      'address=MAC1', 'address=banana', 'node=NODE', 'node=banana', 'node_uuid=NODE_UUID', 'node_uuid=banana', 'portgroup=PG_UUID',
      'portgroup=banana', 'fields=address', 'fields=banana', 'detail=true', 'detail=banana', 'limit=-1', 'sort_key=address',
      'sort_key=banana', 'node=NODE&node_uuid=NODE_UUID',
    ]),
    ...q('/v1/ports', ['shard=x', 'conductor_group=x'], '1.82'),
    ...q('/v1/ports', ['detail=true', 'portgroup=PG_UUID'], '1.1'),
    ...q('/v1/portgroups', ['address=MAC2', 'address=banana', 'node=NODE', 'node=banana', 'fields=name', 'fields=banana', 'detail=true', 'sort_key=banana']),
    ...q('/v1/chassis', ['fields=description', 'fields=banana', 'limit=1', 'sort_key=banana', 'detail=true', 'marker=banana']),
    ...q('/v1/allocations', ['state=error', 'state=banana', 'node=NODE', 'node=banana', 'resource_class=x', 'owner=x', 'fields=uuid,state', 'fields=banana']),
    ...q('/v1/deploy_templates', ['fields=name', 'fields=banana', 'detail=true', 'detail=banana', 'sort_key=banana']),
    ...q('/v1/volume/connectors', ['node=NODE', 'node=banana', 'fields=type', 'fields=banana', 'detail=true']),
    ...q('/v1/volume/targets', ['node=NODE', 'node=banana', 'fields=volume_type', 'fields=banana', 'detail=true']),
    ...q('/v1/conductors', ['fields=hostname', 'fields=banana', 'detail=true']),
    ...q('/v1/drivers', ['type=classic', 'type=dynamic', 'type=banana', 'detail=true', 'detail=banana']),
    ...q('/v1/nodes/NODE_UUID', ['fields=name,uuid', 'fields=banana']),
    ...q('/v1/nodes/NODE_UUID/history', ['detail=true', 'fields=event']),
  ]
}

/** Query arguments a route does not take, repeated ones, and malformed identifiers in paths and filters. */
function argumentChecks(): WireCase[] {
  const unexpected = [
    '/v1/nodes', '/v1/nodes/detail', '/v1/nodes/NODE_UUID', '/v1/nodes/NODE_UUID/states', '/v1/nodes/NODE_UUID/bios',
    '/v1/nodes/NODE_UUID/ports', '/v1/nodes/NODE_UUID/history', '/v1/nodes/NODE_UUID/management/boot_device',
    '/v1/nodes/NODE_UUID/allocation', '/v1/ports', '/v1/ports/detail', '/v1/ports/PORT_UUID', '/v1/portgroups',
    '/v1/portgroups/PG_UUID', '/v1/chassis', '/v1/chassis/CHASSIS_UUID', '/v1/drivers', '/v1/drivers/fake-hardware',
    '/v1/conductors', '/v1/allocations', '/v1/deploy_templates', '/v1/volume/connectors', '/v1/volume/targets/VT_UUID',
    '/v1/lookup',
  ]
  return [
    ...unexpected.map((p) => get(`${p}?banana=1`, '1.82')),
    // (Two unexpected names come in Python's set order in Ironic, which varies by process.)
    get('/v1/nodes?limit=1&banana=1', '1.82'),
    get('/v1/nodes?fields=name&fields=uuid', '1.82'),
    get('/v1/nodes?limit=abc&marker=banana', '1.82'),
    get('/v1/nodes?maintenance=maybe&associated=perhaps', '1.82'),
    get('/v1/nodes?limit=1&limit=2', '1.82'),
    get('/v1/nodes/%21%40%23', '1.82'),
    get('/v1/nodes/%21%40%23/states', '1.82'),
    get('/v1/nodes/%21%40%23/states?banana=1', '1.82'),
    get('/v1/nodes/%21%40%23/traits', '1.82'),
    get('/v1/nodes/%21%40%23/management/boot_device', '1.82'),
    get('/v1/nodes/%21%40%23/children', '1.82'),
    get('/v1/portgroups/%21%21', '1.82'),
    get('/v1/ports/banana?banana=1', '1.82'),
    get('/v1/ports?node=%21%21', '1.82'),
    get('/v1/chassis/banana', '1.82'),
    get('/v1/nodes/NODE_UUID/history?limit=abc', '1.82'),
    get('/v1/nodes/NODE_UUID/bios?detail=maybe', '1.82'),
    get('/v1/conductors?marker=%21%21', '1.82'),
    get('/v1/allocations?node=%21%21', '1.82'),
    req('PATCH', '/v1/nodes/NODE_UUID?banana=1', [{ op: 'replace', path: '/description', value: 'x' }], 'PATCH a node with an unexpected argument', '1.82'),
    req('PATCH', '/v1/nodes/NODE_UUID?reset_interfaces=maybe', [{ op: 'replace', path: '/description', value: 'x' }], 'PATCH a node with reset_interfaces=maybe', '1.82'),
    req('DELETE', '/v1/nodes/MISSING_UUID?banana=1', undefined, 'DELETE a node with an unexpected argument', '1.82'),
  ]
}

const bad = ['not-a-uuid', 12, true, null]

/** Node create: every schema rule, and the references it checks. */
function nodeCreates(): WireCase[] {
  const n = (body: Record<string, unknown>, name: string, version?: string) => post('/v1/nodes', body, name, version)
  const d = { driver: 'fake-hardware' }
  return [
    n({}, 'no driver'),
    n({ driver: 'banana' }, 'an unknown driver'),
    n({ driver: 12 }, 'a driver that is a number'),
    n({ ...d, name: 12 }, 'a name that is a number'),
    n({ ...d, name: 'NODE' }, 'a name already taken'),
    n({ ...d, uuid: 'NODE_UUID' }, 'a UUID already taken'),
    ...bad.map((v) => n({ ...d, chassis_uuid: v }, `chassis_uuid ${JSON.stringify(v)}`)),
    n({ ...d, chassis_uuid: 'MISSING_UUID' }, 'an unknown chassis'),
    n({ ...d, properties: 'x' }, 'properties that are a string'),
    n({ ...d, extra: [] }, 'extra that is a list'),
    n({ ...d, driver_info: 5 }, 'driver_info that is a number'),
    n({ ...d, instance_info: 'x' }, 'instance_info that is a string'),
    n({ ...d, resource_class: 'x'.repeat(81) }, 'a resource_class of 81 characters'),
    n({ ...d, resource_class: 5 }, 'a resource_class that is a number'),
    n({ ...d, boot_interface: 'banana' }, 'an unknown boot interface'),
    n({ ...d, deploy_interface: 'banana' }, 'an unknown deploy interface'),
    n({ ...d, power_interface: 'ipmitool' }, 'a power interface fake-hardware does not support'),
    n({ ...d, network_interface: 'banana' }, 'an unknown network interface'),
    n({ ...d, conductor_group: 'b@d' }, 'a conductor_group with an invalid character'),
    n({ ...d, conductor_group: 'x'.repeat(256) }, 'a conductor_group of 256 characters'),
    n({ ...d, owner: 'x'.repeat(256) }, 'an owner of 256 characters'),
    n({ ...d, lessee: 5 }, 'a lessee that is a number'),
    n({ ...d, automated_clean: 'maybe' }, 'automated_clean that is not a boolean'),
    n({ ...d, protected: true }, 'protected on create'),
    n({ ...d, retired: 'yes' }, 'retired that is a string'),
    n({ ...d, description: 'x'.repeat(4097) }, 'a description of 4097 characters'),
    n({ ...d, network_data: 'x' }, 'network_data that is a string'),
    n({ ...d, banana: 1 }, 'an unknown field'),
    n({ ...d, provision_state: 'active' }, 'a read-only provision_state'),
    n({ ...d, power_state: 'power on' }, 'a read-only power_state'),
    n({ ...d, reservation: 'me' }, 'a read-only reservation'),
    n({ ...d, shard: 'x' }, 'a shard before 1.82', '1.81'),
    n({ ...d, shard: 5 }, 'a shard that is a number', '1.82'),
    n({ ...d, owner: 'x' }, 'an owner before 1.50', '1.49'),
    n({ ...d, lessee: 'x' }, 'a lessee before 1.65', '1.64'),
    n({ ...d, description: 'x' }, 'a description before 1.51', '1.50'),
    n({ ...d, conductor_group: 'x' }, 'a conductor_group before 1.46', '1.45'),
    n({ ...d, automated_clean: true }, 'automated_clean before 1.47', '1.46'),
    n({ ...d, resource_class: 'x' }, 'a resource_class before 1.21', '1.20'),
    n({ ...d, network_data: {} }, 'network_data before 1.66', '1.65'),
    n({ ...d, boot_interface: 'fake' }, 'a boot_interface before 1.31', '1.30'),
    n({ ...d, network_interface: 'noop' }, 'a network_interface before 1.20', '1.19'),
    n({ ...d, retired: true }, 'retired before 1.61', '1.60'),
    n({ ...d, name: 'x' }, 'a name before 1.5', '1.4'),
    n({ ...d, firmware_interface: 'fake' }, 'a firmware_interface (not in 21.4)'),
  ]
}

/** Port, port group and chassis creates. */
function otherCreates(): WireCase[] {
  const p = (body: Record<string, unknown>, name: string, version?: string) => post('/v1/ports', body, name, version)
  const pg = (body: Record<string, unknown>, name: string, version?: string) => post('/v1/portgroups', body, name, version)
  const ch = (body: unknown, name: string) => post('/v1/chassis', body, name)
  const on = { node_uuid: 'NODE_UUID' }
  return [
    p({ address: 'MAC3' }, 'no node_uuid'),
    p(on, 'no address'),
    p({ ...on, address: 'banana' }, 'an invalid MAC'),
    p({ ...on, address: '52:54:00:00:00' }, 'a MAC with five octets'),
    p({ ...on, address: 'MAC1' }, 'a MAC already taken'),
    p({ ...on, address: 'MAC3', pxe_enabled: 'maybe' }, 'pxe_enabled that is not a boolean'),
    p({ ...on, address: 'MAC3', local_link_connection: { banana: 1 } }, 'an unknown local_link_connection key'),
    p({ ...on, address: 'MAC3', local_link_connection: { switch_id: 'banana' } }, 'an invalid switch_id'),
    p({ ...on, address: 'MAC3', extra: 'x' }, 'extra that is a string'),
    p({ ...on, address: 'MAC3', banana: 1 }, 'an unknown field'),
    p({ node_uuid: 'MISSING_UUID', address: 'MAC3' }, 'an unknown node'),
    p({ ...on, address: 'MAC3', portgroup_uuid: 'MISSING_UUID' }, 'an unknown port group'),
    p({ ...on, address: 'MAC3', portgroup_uuid: 'banana' }, 'a port group that is not a UUID'),
    p({ ...on, address: 'MAC3', physical_network: 'x' }, 'a physical_network before 1.34', '1.33'),
    p({ ...on, address: 'MAC3', is_smartnic: true }, 'is_smartnic before 1.53', '1.52'),
    p({ ...on, address: 'MAC3', physical_network: 'x'.repeat(65) }, 'a physical_network of 65 characters'),
    p({ ...on, address: 'MAC3', name: 'x' }, 'a port name (not in 21.4)'),
    p({ ...on, address: 'MAC3', uuid: 'PORT_UUID' }, 'a UUID already taken'),
    pg({ address: 'MAC4' }, 'no node_uuid'),
    pg({ ...on, address: 'banana' }, 'an invalid MAC'),
    pg({ ...on, address: 'MAC2' }, 'a MAC already taken'),
    pg({ ...on, name: 'NODE-pg' }, 'a name already taken'),
    pg({ ...on, name: 'a b' }, 'an invalid name'),
    pg({ ...on, mode: 5 }, 'a mode that is a number'),
    pg({ ...on, standalone_ports_supported: 'maybe' }, 'standalone_ports_supported that is not a boolean'),
    pg({ ...on, properties: 'x' }, 'properties that are a string'),
    pg({ ...on, banana: 1 }, 'an unknown field'),
    pg({ node_uuid: 'MISSING_UUID' }, 'an unknown node'),
    pg(on, 'before 1.23', '1.22'),
    pg({ ...on, mode: 'active-backup' }, 'a mode before 1.26', '1.25'),
    ch({ description: 'x'.repeat(256) }, 'a description of 256 characters'),
    ch({ description: 5 }, 'a description that is a number'),
    ch({ extra: 'x' }, 'extra that is a string'),
    ch({ banana: 1 }, 'an unknown field'),
    ch({ uuid: 'CHASSIS_UUID' }, 'a UUID already taken'),
    ch({ uuid: 'banana' }, 'a UUID that is not a UUID'),
    ch([], 'a body that is a list'),
  ]
}

/** Allocation, deploy template and volume creates. */
function moreCreates(): WireCase[] {
  const al = (body: unknown, name: string, version?: string) => post('/v1/allocations', body, name, version)
  const dt = (body: unknown, name: string, version?: string) => post('/v1/deploy_templates', body, name, version)
  const vc = (body: unknown, name: string) => post('/v1/volume/connectors', body, name)
  const vt = (body: unknown, name: string) => post('/v1/volume/targets', body, name)
  const step = { interface: 'deploy', step: 'noop', args: {}, priority: 10 }
  return [
    al({}, 'no resource_class'),
    al({ resource_class: 5 }, 'a resource_class that is a number'),
    al({ resource_class: 'x'.repeat(81) }, 'a resource_class of 81 characters'),
    al({ resource_class: 'x', traits: ['foo'] }, 'a lower-case trait'),
    al({ resource_class: 'x', traits: 'CUSTOM_X' }, 'traits that are a string'),
    al({ resource_class: 'x', candidate_nodes: ['banana'] }, 'an unknown candidate'),
    al({ resource_class: 'x', candidate_nodes: 'NODE' }, 'candidate_nodes that are a string'),
    al({ resource_class: 'x', name: 'a/b' }, 'an invalid name'),
    al({ resource_class: 'x', uuid: 'banana' }, 'a UUID that is not a UUID'),
    al({ resource_class: 'x', banana: 1 }, 'an unknown field'),
    al({ resource_class: 'x', node: 'NODE' }, 'a node before 1.58', '1.57'),
    al({ resource_class: 'x', owner: 'x' }, 'an owner before 1.60', '1.59'),
    al({ resource_class: 'x' }, 'before 1.52', '1.51'),
    al({ node: 'banana' }, 'backfill of an unknown node'),
    al({ node: 'NODE2', resource_class: 'x' }, 'backfill of a node not active'),
    dt({ steps: [step] }, 'no name'),
    dt({ name: 'foo', steps: [step] }, 'a name without CUSTOM_'),
    dt({ name: `CUSTOM_${'X'.repeat(256)}`, steps: [step] }, 'a name of 263 characters'),
    dt({ name: 'DT_NAME', steps: [step] }, 'a name already taken'),
    dt({ name: 'CUSTOM_WD_NOSTEPS' }, 'no steps'),
    dt({ name: 'CUSTOM_WD_EMPTY', steps: [] }, 'an empty step list'),
    dt({ name: 'CUSTOM_WD_A', steps: [{ ...step, interface: 'banana' }] }, 'an unknown step interface'),
    dt({ name: 'CUSTOM_WD_B', steps: [{ ...step, priority: -1 }] }, 'a negative priority'),
    dt({ name: 'CUSTOM_WD_C', steps: [{ ...step, priority: 'high' }] }, 'a priority that is a string'),
    dt({ name: 'CUSTOM_WD_D', steps: [{ interface: 'deploy', priority: 1 }] }, 'a step without a name'),
    dt({ name: 'CUSTOM_WD_E', steps: [{ ...step, banana: 1 }] }, 'a step with an unknown field'),
    dt({ name: 'CUSTOM_WD_F', steps: [step, step] }, 'a step listed twice'),
    dt({ name: 'CUSTOM_WD_G', steps: [step], banana: 1 }, 'an unknown field'),
    dt({ name: 'CUSTOM_WD_H', steps: [step], extra: 'x' }, 'extra that is a string'),
    dt({ name: 'CUSTOM_WD_I', steps: [step] }, 'before 1.55', '1.54'),
    dt({ name: 'CUSTOM_WD_J', steps: 'x' }, 'steps that are a string'),
    vc({ node_uuid: 'NODE_UUID', type: 'iqn' }, 'no connector_id'),
    vc({ node_uuid: 'NODE_UUID', connector_id: 'x' }, 'no type'),
    vc({ node_uuid: 'NODE_UUID', type: 'banana', connector_id: 'x' }, 'an unknown type'),
    vc({ type: 'iqn', connector_id: 'x' }, 'no node_uuid'),
    vc({ node_uuid: 'MISSING_UUID', type: 'iqn', connector_id: 'x' }, 'an unknown node'),
    vc({ node_uuid: 'NODE_UUID', type: 'iqn', connector_id: 'iqn.2026-12.org.wirediff:RUN' }, 'a connector already taken'),
    vc({ node_uuid: 'NODE_UUID', type: 'iqn', connector_id: 'x', banana: 1 }, 'an unknown field'),
    vt({ node_uuid: 'NODE_UUID', volume_type: 'iscsi', volume_id: 'x' }, 'no boot_index'),
    vt({ node_uuid: 'NODE_UUID', boot_index: 1, volume_id: 'x' }, 'no volume_type'),
    vt({ node_uuid: 'NODE_UUID', volume_type: 'iscsi', boot_index: 1 }, 'no volume_id'),
    vt({ node_uuid: 'NODE_UUID', volume_type: 'iscsi', boot_index: 0, volume_id: 'other' }, 'a boot_index already taken'),
    vt({ node_uuid: 'NODE_UUID', volume_type: 'iscsi', boot_index: 'one', volume_id: 'x' }, 'a boot_index that is a string'),
    vt({ node_uuid: 'MISSING_UUID', volume_type: 'iscsi', boot_index: 1, volume_id: 'x' }, 'an unknown node'),
    vt({ node_uuid: 'NODE_UUID', volume_type: 'iscsi', boot_index: 1, volume_id: 'x', banana: 1 }, 'an unknown field'),
  ]
}

/** JSON Patch on every resource: read-only fields, missing paths, bad ops, bad values. */
function patches(): WireCase[] {
  const np = '/v1/nodes/NODE_UUID'
  const op = (o: string, path: string, value?: unknown) => (value === undefined ? { op: o, path } : { op: o, path, value })
  const out: WireCase[] = []
  for (const field of ['uuid', 'provision_state', 'power_state', 'reservation', 'created_at', 'updated_at', 'target_provision_state', 'last_error', 'maintenance', 'console_enabled', 'inspection_started_at', 'allocation_uuid', 'driver_internal_info', 'fault', 'id']) {
    out.push(patch(np, [op('replace', `/${field}`, 'x')], `replace read-only ${field}`))
  }
  out.push(
    patch(np, [op('add', '/extra/wd', 'v')], 'add extra/wd'),
    patch(np, [op('replace', '/extra/wd', 'w')], 'replace extra/wd'),
    patch(np, [op('remove', '/extra/wd')], 'remove extra/wd'),
    patch(np, [op('remove', '/extra/wd')], 'remove extra/wd again'),
    patch(np, [op('remove', '/extra')], 'remove extra itself'),
    patch(np, [op('add', '/properties/cpus', 4)], 'add properties/cpus'),
    patch(np, [op('move', '/name', '/description')], 'an unsupported op'),
    patch(np, [op('banana', '/name', 'x')], 'an unknown op'),
    patch(np, [{ op: 'replace', value: 'x' }], 'an op without a path'),
    patch(np, [{ op: 'replace', path: '/description' }], 'replace without a value'),
    patch(np, [op('replace', 'description', 'x')], 'a path without a slash'),
    patch(np, { op: 'replace', path: '/description', value: 'x' }, 'a patch that is not a list'),
    patch(np, [], 'an empty patch'),
    patch(np, [op('replace', '/banana', 'x')], 'an unknown field'),
    patch(np, [op('add', '/banana', 'x')], 'add an unknown field'),
    patch(np, [op('replace', '/driver', 'banana')], 'an unknown driver'),
    patch(np, [op('replace', '/boot_interface', 'banana')], 'an unknown boot interface'),
    patch(np, [op('replace', '/chassis_uuid', 'MISSING_UUID')], 'an unknown chassis'),
    patch(np, [op('replace', '/instance_uuid', 'banana')], 'an instance_uuid that is not a UUID'),
    patch(np, [op('replace', '/resource_class', 'x'.repeat(81))], 'a resource_class of 81 characters'),
    patch(np, [op('replace', '/conductor_group', 'b@d')], 'an invalid conductor_group'),
    patch(np, [op('replace', '/name', 'NODE2')], 'a name already taken'),
    patch(np, [op('replace', '/protected', 'maybe')], 'protected that is not a boolean'),
    patch(np, [op('replace', '/protected', true)], 'protected in enroll'),
    patch(np, [op('replace', '/retired', true)], 'retired in enroll'),
    patch(np, [op('replace', '/retired', false)], 'not retired in enroll'),
    patch(np, [op('replace', '/automated_clean', 'maybe')], 'automated_clean that is not a boolean'),
    patch(np, [op('replace', '/owner', 'x')], 'an owner before 1.50', '1.49'),
    patch(np, [op('replace', '/shard', 'x')], 'a shard before 1.82', '1.81'),
    patch(np, [op('replace', '/shard', 'wd')], 'set a shard', '1.82'),
    patch(np, [op('remove', '/shard')], 'remove the shard', '1.82'),
    patch(np, [op('replace', '/description', 'wirediff')], 'set the description'),
    patch(np, [op('replace', '/properties', 'x')], 'properties that are a string'),
    patch(np, [op('replace', '/driver_info/ipmi_password', 'secret')], 'set a password (masked in the answer)'),
    patch('/v1/nodes/MISSING_UUID', [op('replace', '/description', 'x')], 'an unknown node'),
  )
  const pp = '/v1/ports/PORT_UUID'
  out.push(
    patch(pp, [op('replace', '/address', 'banana')], 'an invalid MAC'),
    patch(pp, [op('replace', '/address', 'MAC2')], 'a MAC taken by a port group (allowed)'),
    patch(pp, [op('replace', '/node_uuid', 'MISSING_UUID')], 'an unknown node'),
    patch(pp, [op('replace', '/uuid', 'MISSING_UUID')], 'the uuid'),
    patch(pp, [op('replace', '/pxe_enabled', 'maybe')], 'pxe_enabled that is not a boolean'),
    patch(pp, [op('add', '/extra/wd', 1)], 'add extra/wd'),
    patch(pp, [op('remove', '/extra/banana')], 'remove a missing extra key'),
    patch(pp, [op('replace', '/portgroup_uuid', 'PG_UUID')], 'join the port group'),
    patch(pp, [op('replace', '/portgroup_uuid', 'MISSING_UUID')], 'an unknown port group'),
    patch(pp, [op('replace', '/banana', 1)], 'an unknown field'),
    patch(pp, [op('replace', '/physical_network', 'x')], 'physical_network before 1.34', '1.33'),
    patch(pp, [op('replace', '/address', 'MAC1')], 'back to its MAC'),
  )
  const gp = '/v1/portgroups/PG_UUID'
  out.push(
    patch(gp, [op('replace', '/address', 'banana')], 'an invalid MAC'),
    patch(gp, [op('replace', '/name', 'a b')], 'an invalid name'),
    patch(gp, [op('replace', '/node_uuid', 'MISSING_UUID')], 'an unknown node'),
    patch(gp, [op('add', '/extra/wd', 1)], 'add extra/wd'),
    patch(gp, [op('replace', '/mode', 'balance-rr')], 'set the mode'),
    patch(gp, [op('replace', '/banana', 1)], 'an unknown field'),
  )
  const cp = '/v1/chassis/CHASSIS_UUID'
  out.push(
    patch(cp, [op('replace', '/description', 'x'.repeat(256))], 'a description of 256 characters'),
    patch(cp, [op('replace', '/description', 'changed')], 'set the description'),
    patch(cp, [op('replace', '/uuid', 'MISSING_UUID')], 'the uuid'),
    patch(cp, [op('add', '/extra/wd', 1)], 'add extra/wd'),
    patch(cp, [op('replace', '/banana', 1)], 'an unknown field'),
  )
  const tp = '/v1/deploy_templates/DT_UUID'
  out.push(
    patch(tp, [op('replace', '/name', 'foo')], 'a name without CUSTOM_'),
    patch(tp, [op('replace', '/steps', [])], 'no steps'),
    patch(tp, [op('replace', '/steps/0/priority', 20)], 'a step priority'),
    patch(tp, [op('add', '/extra/wd', 1)], 'add extra/wd'),
    patch(tp, [op('replace', '/uuid', 'MISSING_UUID')], 'the uuid'),
    patch(tp, [op('replace', '/banana', 1)], 'an unknown field'),
  )
  const vcp = '/v1/volume/connectors/VC_UUID'
  const vtp = '/v1/volume/targets/VT_UUID'
  out.push(
    patch(vcp, [op('replace', '/type', 'banana')], 'an unknown type'),
    patch(vcp, [op('add', '/extra/wd', 1)], 'add extra/wd (node in enroll, powered off)'),
    patch(vcp, [op('replace', '/node_uuid', 'MISSING_UUID')], 'an unknown node'),
    patch(vtp, [op('replace', '/boot_index', 'one')], 'a boot_index that is a string'),
    patch(vtp, [op('add', '/extra/wd', 1)], 'add extra/wd'),
    patch(vtp, [op('replace', '/banana', 1)], 'an unknown field'),
  )
  return out
}

/** Node actions: power, provision verbs, boot device, traits, maintenance, VIFs, RAID, console, indicators. */
function actions(): WireCase[] {
  const np = '/v1/nodes/NODE_UUID'
  const put = (path: string, body: unknown, name: string, version?: string) => req('PUT', `${np}${path}`, body, `PUT ${path}: ${name}`, version)
  const prov = (target: string, extra: Record<string, unknown> = {}, version?: string, what?: string) => put('/states/provision', { target, ...extra }, what ?? `${target} from enroll`, version)
  const out: WireCase[] = [
    put('/states/power', { target: 'banana' }, 'an unknown target'),
    put('/states/power', {}, 'no target'),
    put('/states/power', { target: 'power on', timeout: -1 }, 'a negative timeout'),
    put('/states/power', { target: 'power on', timeout: 'x' }, 'a timeout that is a string'),
    put('/states/power', { target: 'soft power off' }, 'soft power off before 1.27', '1.26'),
    put('/states/power', { target: 'power on', timeout: 10 }, 'a timeout before 1.27', '1.26'),
    put('/states/power', { target: 'power on', banana: 1 }, 'an unknown field'),
    // The node stays in enroll: only verbs enroll refuses (manage is tried on node2 below).
    ...['provide', 'inspect', 'active', 'rebuild', 'deleted', 'clean', 'rescue', 'unrescue', 'abort', 'adopt', 'service', 'unhold', 'banana'].map((t) => prov(t)),
    prov('manage', {}, '1.1', 'manage before 1.4'),
    prov('clean', { clean_steps: 'x' }, undefined, 'clean with steps that are a string'),
    prov('active', { configdrive: 5 }, undefined, 'active with a config drive that is a number'),
    prov('active', { deploy_steps: [] }, '1.68', 'deploy_steps before 1.69'),
    prov('rescue', {}, undefined, 'rescue without a password'),
    prov('manage', { banana: 1 }, undefined, 'manage with an unknown field'),
    put('/states/provision', {}, 'no target'),
    put('/states/raid', { logical_disks: 'x' }, 'logical_disks that are a string'),
    put('/states/raid', { logical_disks: [{ size_gb: 'x', raid_level: '1' }] }, 'a size that is a string'),
    put('/states/raid', { logical_disks: [{ size_gb: 10, raid_level: '7' }] }, 'an unknown RAID level'),
    put('/states/raid', {}, 'no logical_disks'),
    put('/states/raid', { logical_disks: [] }, 'before 1.12', '1.11'),
    put('/states/console', { enabled: 'maybe' }, 'enabled that is not a boolean'),
    put('/states/console', {}, 'no enabled'),
    put('/management/boot_device', { boot_device: 'banana' }, 'an unknown device'),
    put('/management/boot_device', {}, 'no device'),
    put('/management/boot_device', { boot_device: 'pxe', persistent: 'maybe' }, 'persistent that is not a boolean'),
    put('/management/boot_device', { boot_device: 'pxe' }, 'pxe'),
    put('/management/inject_nmi', {}, 'in enroll'),
    put('/management/inject_nmi', {}, 'before 1.29', '1.28'),
    put('/traits', { traits: ['CUSTOM_A', 'CUSTOM_B'] }, 'two traits'),
    put('/traits', { traits: 'CUSTOM_A' }, 'traits that are a string'),
    put('/traits', {}, 'no traits'),
    put('/traits', { traits: [`CUSTOM_${'X'.repeat(250)}`] }, 'a trait of 257 characters'),
    put('/traits', { traits: Array.from({ length: 51 }, (_, i) => `CUSTOM_T${i}`) }, '51 traits'),
    put('/traits/CUSTOM_C', undefined, 'add one'),
    put('/traits/foo', undefined, 'a lower-case one'),
    put('/traits/CUSTOM_C', undefined, 'before 1.37', '1.36'),
    get(`${np}/traits`, undefined, 'GET the traits after the changes'),
    req('DELETE', `${np}/traits/CUSTOM_Z`, undefined, 'DELETE a trait the node does not have'),
    req('DELETE', `${np}/traits/CUSTOM_A`, undefined, 'DELETE one trait'),
    req('DELETE', `${np}/traits`, undefined, 'DELETE all traits'),
    put('/maintenance', { reason: 'wirediff' }, 'with a reason'),
    get(np, undefined, 'GET the node in maintenance'),
    put('/maintenance', { reason: 5 }, 'a reason that is a number'),
    req('DELETE', `${np}/maintenance`, undefined, 'DELETE maintenance'),
    req('POST', `${np}/vifs`, {}, 'POST a VIF without an id'),
    req('POST', `${np}/vifs`, { id: 5 }, 'POST a VIF id that is a number'),
    req('POST', `${np}/vifs`, { id: 'wd-vif' }, 'POST a VIF (noop network interface)'),
    req('POST', `${np}/vifs`, { id: 'wd-vif' }, 'POST a VIF before 1.28', '1.27'),
    req('DELETE', `${np}/vifs/wd-vif`, undefined, 'DELETE a VIF (noop)'),
    req('DELETE', `${np}/vifs/banana`, undefined, 'DELETE an unknown VIF (noop)'),
    req('PUT', `${np}/management/indicators/led@system`, { state: 'banana' }, 'PUT an unknown indicator state'),
    get(`${np}/management/indicators/banana`, undefined, 'GET an unknown indicator'),
    get(`${np}/bios/banana`, undefined, 'GET an unknown BIOS setting'),
    get(`${np}/history/MISSING_UUID`, undefined, 'GET an unknown history event'),
    get(`${np}/vendor_passthru?method=banana`, undefined, 'GET an unknown node vendor method'),
    req('POST', `${np}/vendor_passthru?method=first_method`, { a: 1 }, 'POST a fake vendor method'),
    get('/v1/drivers/fake-hardware/vendor_passthru?method=banana', undefined, 'GET an unknown driver vendor method'),
    req('DELETE', '/v1/nodes/NODE_UUID/allocation', undefined, 'DELETE the allocation of a node without one'),
  ]
  // A second node through manage → provide → the verbs that need manageable/available.
  const n2 = '/v1/nodes/NODE2_UUID'
  const put2 = (path: string, body: unknown, name: string, version?: string) => req('PUT', `${n2}${path}`, body, `PUT node2 ${path}: ${name}`, version)
  const wait = (name: string, want: string): WireCase => ({ name, method: 'GET', path: n2, run: async (a, b, fx) => waitState(a, b, fx, name, want) })
  out.push(
    put2('/states/provision', { target: 'manage' }, 'manage'),
    wait('node2 reaches manageable on both', 'manageable'),
    patch(n2, [{ op: 'replace', path: '/retired', value: true }], 'retired in manageable'),
    patch(n2, [{ op: 'replace', path: '/retired', value: false }], 'not retired in manageable'),
    put2('/states/provision', { target: 'provide' }, 'provide'),
    wait('node2 reaches available on both', 'available'),
    patch(n2, [{ op: 'replace', path: '/retired', value: true }], 'retired in available'),
    patch(n2, [{ op: 'replace', path: '/protected', value: true }], 'protected in available'),
    patch(n2, [{ op: 'replace', path: '/driver', value: 'banana' }], 'an unknown driver in available'),
    put2('/states/provision', { target: 'manage' }, 'manage from available'),
    put2('/states/provision', { target: 'deleted' }, 'deleted from available'),
    put2('/states/provision', { target: 'rescue', rescue_password: 'x' }, 'rescue from available'),
    put2('/states/provision', { target: 'clean' }, 'clean from available'),
    put2('/states/provision', { target: 'adopt' }, 'adopt from available'),
    req('DELETE', '/v1/ports/PORT_UUID', undefined, 'DELETE a port of a node that is not in maintenance (enroll: allowed)'),
    post('/v1/ports', { uuid: 'PORT2_UUID', node_uuid: 'NODE_UUID', address: 'MAC3', extra: { wd: 1 } }, 'a port with extra (created)'),
    get('/v1/ports/PORT2_UUID', undefined, 'GET the new port'),
    req('DELETE', '/v1/chassis/CHASSIS_UUID', undefined, 'DELETE a chassis that has nodes'),
    req('DELETE', '/v1/nodes/MISSING_UUID', undefined, 'DELETE an unknown node'),
    req('DELETE', '/v1/ports/MISSING_UUID', undefined, 'DELETE an unknown port'),
    req('DELETE', '/v1/portgroups/banana', undefined, 'DELETE an unknown port group'),
    req('DELETE', '/v1/deploy_templates/CUSTOM_NONE', undefined, 'DELETE an unknown deploy template'),
    req('DELETE', '/v1/allocations/banana', undefined, 'DELETE an unknown allocation'),
    req('DELETE', '/v1/volume/connectors/MISSING_UUID', undefined, 'DELETE an unknown volume connector'),
    req('DELETE', '/v1/volume/targets/banana', undefined, 'DELETE a volume target by a non-UUID'),
  )
  return out
}

/** Unknown paths, wrong methods, malformed bodies, the agent endpoints' argument checks. */
function misc(): WireCase[] {
  const raw = (method: WireCase['method'], path: string, text: string, name: string): WireCase => ({ name, method, path, raw: text })
  return [
    get('/v1/banana', undefined, 'GET an unknown collection'),
    get('/v2', undefined, 'GET /v2'),
    get('/v1/nodes/NODE_UUID/banana', undefined, 'GET an unknown node sub-resource'),
    get('/v1/ports/banana', undefined, 'GET a port by a non-UUID'),
    get('/v1/ports/MISSING_UUID', undefined, 'GET an unknown port'),
    get('/v1/portgroups/MISSING_UUID', undefined, 'GET an unknown port group'),
    get('/v1/portgroups/no-such-group', undefined, 'GET an unknown port group by name'),
    get('/v1/chassis/banana', undefined, 'GET a chassis by a non-UUID'),
    get('/v1/chassis/MISSING_UUID', undefined, 'GET an unknown chassis'),
    get('/v1/drivers/banana', undefined, 'GET an unknown driver'),
    get('/v1/drivers/banana/properties', undefined, 'GET the properties of an unknown driver'),
    get('/v1/conductors/banana', undefined, 'GET an unknown conductor'),
    get('/v1/allocations/MISSING_UUID', undefined, 'GET an unknown allocation'),
    get('/v1/allocations/banana', undefined, 'GET an unknown allocation by name'),
    get('/v1/deploy_templates/CUSTOM_NONE', undefined, 'GET an unknown deploy template'),
    get('/v1/volume/connectors/banana', undefined, 'GET a volume connector by a non-UUID'),
    get('/v1/volume/targets/MISSING_UUID', undefined, 'GET an unknown volume target'),
    get('/v1/nodes/MISSING_UUID/ports', undefined, 'GET the ports of an unknown node'),
    get('/v1/nodes/banana/states', undefined, 'GET the states of an unknown node'),
    get('/v1/lookup', undefined, 'GET /v1/lookup without addresses'),
    get('/v1/lookup?addresses=banana', undefined, 'GET /v1/lookup with an invalid MAC'),
    get('/v1/lookup?addresses=MAC4', undefined, 'GET /v1/lookup of an unknown MAC'),
    get('/v1/lookup?addresses=MAC1', undefined, 'GET /v1/lookup of a node not in a boot flow'),
    post('/v1/heartbeat/NODE_UUID', { callback_url: 'http://127.0.0.1:9999' }, 'a heartbeat of a node not waiting'),
    post('/v1/heartbeat/MISSING_UUID', { callback_url: 'http://127.0.0.1:9999' }, 'a heartbeat of an unknown node'),
    post('/v1/heartbeat/NODE_UUID', {}, 'a heartbeat without callback_url'),
    post('/v1/events', { events: [] }, 'no events'),
    post('/v1/events', { events: [{ event: 'network.bind_port' }] }, 'an incomplete event'),
    post('/v1/events', {}, 'no events key'),
    post('/v1/events', { events: [] }, 'before 1.54', '1.53'),
    req('PUT', '/v1/nodes', {}, 'PUT /v1/nodes'),
    req('DELETE', '/v1/nodes', undefined, 'DELETE /v1/nodes'),
    req('POST', '/v1/nodes/NODE_UUID', {}, 'POST to a node'),
    req('PATCH', '/v1/ports', [], 'PATCH /v1/ports'),
    req('POST', '/v1/drivers', {}, 'POST /v1/drivers'),
    req('DELETE', '/v1/conductors', undefined, 'DELETE /v1/conductors'),
    req('POST', '/v1/nodes/NODE_UUID/states', {}, 'POST /states'),
    req('GET', '/v1/nodes/NODE_UUID/states/power', undefined, 'GET /states/power'),
    raw('POST', '/v1/nodes', '{"driver": ', 'POST a node with truncated JSON'),
    raw('POST', '/v1/nodes', '[1, 2]', 'POST a node with a list body'),
    raw('POST', '/v1/nodes', '"fake-hardware"', 'POST a node with a string body'),
    raw('PATCH', '/v1/nodes/NODE_UUID', 'not json', 'PATCH a node with a non-JSON body'),
    raw('PUT', '/v1/nodes/NODE_UUID/states/power', '{', 'PUT power with truncated JSON'),
    raw('POST', '/v1/ports', '', 'POST a port with an empty body'),
    { name: 'the allocation contract: "allocating" at once, then "error" without a matching node', method: 'POST', path: '/v1/allocations', run: allocationContract },
  ]
}

/** Every case, in the order they run. */
export function buildCases(): WireCase[] {
  return [...reads(), ...versions(), ...queries(), ...argumentChecks(), ...nodeCreates(), ...otherCreates(), ...moreCreates(), ...patches(), ...actions(), ...misc()]
}

async function poll(base: string, path: string, done: (a: Answer) => boolean): Promise<Answer> {
  let last = await send(base, 'GET', path)
  for (let i = 0; i < 80 && !done(last); i++) {
    await new Promise((r) => setTimeout(r, 250))
    last = await send(base, 'GET', path)
  }
  return last
}

async function waitState(a: string, b: string, fx: Fixtures, name: string, want: string): Promise<CaseResult> {
  const path = `/v1/nodes/${fx.NODE2_UUID}`
  const seen: string[] = []
  for (const base of [a, b]) {
    const last = await poll(base, path, (x) => (x.body as { provision_state?: string } | null)?.provision_state === want && (x.body as { target_provision_state?: string | null }).target_provision_state === null)
    const body = last.body as { provision_state?: string; last_error?: string | null } | null
    seen.push(`${body?.provision_state}${body?.last_error ? ` (${body.last_error})` : ''}`)
  }
  const ok = seen[0] === want && seen[1] === want
  return { name, ok, diffs: ok ? [] : [`provision_state: ${seen[0]} vs ${seen[1]}`], allowed: [], gaps: [], why: ok ? null : `A: ${seen[0]}; B: ${seen[1]}` }
}

async function allocationContract(a: string, b: string): Promise<CaseResult> {
  const name = 'the allocation contract: "allocating" at once, then "error" without a matching node'
  const states: string[] = []
  for (const base of [a, b]) {
    const created = await send(base, 'POST', '/v1/allocations', { resource_class: 'wirediff-none' })
    const uuid = String((created.body as { uuid?: string } | null)?.uuid ?? '')
    const last = await poll(base, `/v1/allocations/${uuid}`, (x) => (x.body as { state?: string } | null)?.state !== 'allocating')
    await send(base, 'DELETE', `/v1/allocations/${uuid}`)
    states.push(`${created.status} ${String((created.body as { state?: string } | null)?.state)} -> ${String((last.body as { state?: string } | null)?.state)}`)
  }
  const ok = states[0] === states[1]
  return { name, ok, diffs: ok ? [] : [`${states[0]} vs ${states[1]}`], allowed: [], gaps: [], why: ok ? null : `A: ${states[0]}; B: ${states[1]}` }
}
