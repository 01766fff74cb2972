/**
 * The ramdisk's calls home (Ironic's ramdisk API): `lookup` finds the node an agent boots on and
 * issues its agent token, `heartbeat` records the agent's command URL and continues a node that
 * waits on it. The token is generated once per ramdisk boot, under the node lock, and only the
 * first lookup sees it; later lookups get it masked, as in Ironic, so a second agent (or anyone
 * who can reach the API) cannot learn it. Heartbeats must carry it; a missing or wrong token is
 * refused and logged without the token.
 */
import { randomBytes } from 'node:crypto'
import { WAIT_STATES, type ProvisionState } from '../domain/provision-states.js'
import { NotFoundError, ValidationError } from '../domain/errors.js'
import { validMacs } from '../domain/mac.js'
import { MASK, maskInstanceInfo, maskSecrets, secretsEqual } from '../common/secrets.js'
import type { NodeRecord } from '../db/repos/nodes.js'
import type { ConductorCore } from './conductor-core.js'
import { continueFromWait } from './workflows.js'

/** Where an agent may look its node up (Ironic's _LOOKUP_ALLOWED_STATES). */
export const LOOKUP_ALLOWED_STATES: ReadonlySet<ProvisionState> = new Set<ProvisionState>([
  'deploying', 'wait call-back', 'cleaning', 'clean wait', 'inspecting', 'inspect wait',
  'rescuing', 'rescue wait', 'servicing', 'service wait',
])

/** What an agent sends to find its node (`GET /v1/lookup`). */
export interface LookupRequest {
  /** MAC addresses of the agent's NICs (invalid ones are ignored, as Ironic does). */
  addresses: string[]
  nodeUuid?: string
}

/** Ironic's lookup answer: the node's few fields the agent needs, and its configuration. */
export interface LookupAnswer {
  node: { uuid: string; properties: Record<string, unknown>; instance_info: Record<string, unknown>; driver_internal_info: Record<string, unknown> }
  config: {
    heartbeat_timeout: number
    agent_token: string
    agent_token_required: true
    agent_md5_checksum_enable: false
    metrics: { backend: 'noop'; prepend_host: false; prepend_uuid: false; prepend_host_reverse: false; global_prefix: null }
    metrics_statsd: { statsd_host: string; statsd_port: number }
  }
}

/** What a heartbeat carries (`POST /v1/heartbeat/{node}`). */
export interface HeartbeatRequest {
  callback_url: string
  agent_token?: string
  agent_version?: string
  agent_verify_ca?: string
  agent_status?: string
  agent_status_message?: string
}

/** One vague answer for "no such node" and "not in a state to look up", as Ironic gives. */
function notFound(): NotFoundError {
  return new NotFoundError('Resource could not be found.')
}

/**
 * Finds the node of a booting agent and hands it its token.
 * @throws ValidationError (400 INCOMPLETE_LOOKUP) when neither a valid MAC nor a UUID is given
 * @throws NotFoundError (404) when no node matches or the node is not in a lookup state
 */
export async function lookup(c: ConductorCore, req: LookupRequest, heartbeatTimeoutS: number): Promise<LookupAnswer> {
  const macs = validMacs(req.addresses)
  if (macs.length === 0 && !req.nodeUuid) {
    throw new ValidationError("At least one of 'addresses' and 'node_uuid' parameters is required", { code: 'INCOMPLETE_LOOKUP' })
  }
  let node: NodeRecord | null = null
  if (req.nodeUuid) node = await c.deps.store.nodes.getByUuid(req.nodeUuid)
  else {
    const ids = new Set<number>()
    for (const mac of macs) {
      const port = await c.deps.store.ports.getByAddress(mac)
      if (port) ids.add(port.node_id)
    }
    // MACs of two different nodes: refuse rather than guess (Ironic does the same).
    if (ids.size === 1) node = await c.deps.store.nodes.getById([...ids][0]!)
  }
  if (!node || !LOOKUP_ALLOWED_STATES.has(node.provision_state)) throw notFound()
  c.deps.log.info({ node: node.uuid }, 'agent looked up its node')
  return withToken(c, node.uuid, heartbeatTimeoutS)
}

/**
 * The lookup answer for a node, with its agent token: generated (under the node lock) when the
 * node has none, else masked. Shared by lookup and continue_inspection.
 */
export async function withToken(c: ConductorCore, uuid: string, heartbeatTimeoutS: number): Promise<LookupAnswer> {
  const { record, token } = await c.tasks.withNodeLock(uuid, async (task) => {
    const dii = task.node.driver_internal_info
    if (typeof dii.agent_secret_token === 'string' && dii.agent_secret_token !== '') return { record: task.node, token: MASK }
    const fresh = randomBytes(32).toString('base64url')
    await task.save({ driver_internal_info: { ...dii, agent_secret_token: fresh } })
    // The ramdisk is up and its agent called home: network boot is over.
    if (dii.ferrum_phase !== undefined) await task.phase('agent start')
    return { record: task.node, token: fresh }
  }, { purpose: 'agent token' })
  return {
    node: {
      uuid,
      properties: record.properties,
      instance_info: maskInstanceInfo(record.instance_info),
      driver_internal_info: maskSecrets(record.driver_internal_info),
    },
    config: {
      heartbeat_timeout: heartbeatTimeoutS,
      agent_token: token,
      agent_token_required: true,
      agent_md5_checksum_enable: false,
      metrics: { backend: 'noop', prepend_host: false, prepend_uuid: false, prepend_host_reverse: false, global_prefix: null },
      metrics_statsd: { statsd_host: 'localhost', statsd_port: 8125 },
    },
  }
}

/**
 * Records a heartbeat and, when the node waits on its agent, lets the deploy interface decide
 * whether the parked work continues. Answers once the heartbeat is recorded (the API says 202).
 * @throws ValidationError (400 INVALID_AGENT_TOKEN) for a missing or wrong token
 * @throws ValidationError (400) when the callback URL changed within one ramdisk boot
 * @throws NotFoundError (404) for an unknown node; NodeLockedError (409) while it is busy
 */
export async function heartbeat(c: ConductorCore, uuid: string, req: HeartbeatRequest): Promise<void> {
  const task = await c.tasks.acquire(uuid, { purpose: 'agent heartbeat' })
  let spawned = false
  try {
    const dii = task.node.driver_internal_info
    // Ironic's order: a changed callback URL first (the API checks it), then the token.
    if (typeof dii.agent_url === 'string' && dii.agent_url !== req.callback_url) {
      c.deps.log.error({ node: task.uuid, stored: dii.agent_url, got: req.callback_url }, 'heartbeat with a changed callback URL refused')
      throw new ValidationError('Detected change in ramdisk provided "callback_url"')
    }
    const expected = dii.agent_secret_token
    if (typeof expected !== 'string' || typeof req.agent_token !== 'string' || !secretsEqual(req.agent_token, expected)) {
      c.deps.log.warn({ node: task.uuid, token: req.agent_token === undefined ? 'missing' : 'wrong', callbackUrl: req.callback_url }, 'heartbeat refused: invalid or missing agent token')
      throw new ValidationError('Invalid or missing agent token received.', { code: 'INVALID_AGENT_TOKEN' })
    }
    // The certificate is pinned for the ramdisk's life, as Ironic's store_agent_certificate does:
    // another one within the same boot is refused (a new boot starts without one).
    if (req.agent_verify_ca !== undefined && typeof dii.agent_verify_ca === 'string' && dii.agent_verify_ca !== '' && dii.agent_verify_ca.trim() !== req.agent_verify_ca.trim()) {
      c.deps.log.error({ node: task.uuid, callbackUrl: req.callback_url }, 'heartbeat with a changed agent certificate refused')
      throw new ValidationError('Detected change in ramdisk provided "agent_verify_ca"')
    }
    const next: Record<string, unknown> = { ...dii, agent_url: req.callback_url, agent_last_heartbeat: task.nowIso() }
    if (req.agent_version !== undefined) next.agent_version = req.agent_version
    if (req.agent_verify_ca !== undefined) next.agent_verify_ca = req.agent_verify_ca
    if (req.agent_status !== undefined) next.agent_status = req.agent_status
    // As in Ironic, a heartbeat shows the node is alive: a waiting node's timeout starts again.
    await task.save(WAIT_STATES.has(task.state) ? { driver_internal_info: next, provision_updated_at: task.nowIso() } : { driver_internal_info: next })
    if (!WAIT_STATES.has(task.state) || task.node.maintenance) return
    const deploy = task.impl('deploy')
    const outcome = deploy.heartbeat ? await task.call((ctx) => deploy.heartbeat!(ctx)) : 'wait'
    if (outcome !== 'continue') return
    c.workers.spawn(task, () => continueFromWait(c, task))
    spawned = true
  } finally {
    if (!spawned) await c.tasks.release(task)
  }
}
