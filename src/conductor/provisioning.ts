/**
 * Provision verbs: checking a verb against the state machine and the node's flags, applying it
 * under the node lock and starting the work; `abort` of work in flight; continuing a parked node.
 */
import { encrypt } from 'unixcrypt'
import { MASK } from '../common/secrets.js'
import type { NodeRecord } from '../db/repos/nodes.js'
import type { DriverStep } from '../drivers/steps.js'
import { applyEvent, invalidActionMessage, isProvisionVerb, STATE_INFO, VERBS, WAIT_STATES } from '../domain/provision-states.js'
import type { ProvisionState, ProvisionVerb } from '../domain/provision-states.js'
import { ConflictError, InvalidStateError, NotAuthorizedError, InvalidStateRequestedError, ValidationError } from '../domain/errors.js'
import type { ProvisionRequest } from './api.js'
import type { ConductorCore } from './conductor-core.js'
import { abortParked, phaseOfState } from './fail.js'
import { STEP_FIELD, wipeProgress, withRequested, withTeardownFrom } from './step-progress.js'
import { AbortRequestedError } from './failures.js'
import { continueFromWait, runWorkflow } from './workflows.js'

/**
 * Accepts a provision verb: locks the node, checks the verb against the state machine and the
 * rules, applies the event and starts the work. `abort` also stops work in flight (see
 * docs/conductor.md).
 * @throws InvalidStateRequestedError (400) naming the state and the verbs allowed there
 * @throws NodeLockedError (409) while another operation holds the node
 */
export async function provision(c: ConductorCore, uuid: string, req: ProvisionRequest): Promise<void> {
  const verb = req.verb
  if (!isProvisionVerb(verb)) throw new ValidationError(`"${verb}" is not a valid provision target.`)
  if (verb === 'abort' && c.workers.get(uuid)) return abortRunning(c, uuid, req.apiMinor)
  // As in Ironic, a busy node takes no verb: the lock comes first, and a locked node is a 409
  // NodeLocked (clients retry); an idle node refusing the verb is a 400 (clients give up at once).
  const task = await c.tasks.acquire(uuid, { purpose: `provision ${verb}` })
  try {
    const to = accept(task.node, task.state, verb, req.apiMinor)
    checkRules(task.node, verb, to)
    if (verb === 'abort') {
      c.workers.spawn(task, () => abortParked(task))
      return
    }
    const changes = requestChanges(task.node, verb, req)
    await task.event(VERBS[verb].event, { lastError: null, targetOverride: verb === 'clean' ? 'manageable' : undefined, changes })
  } catch (e) {
    await c.tasks.release(task)
    throw e
  }
  if (STATE_INFO[task.state].stable || STATE_INFO[task.state].kind === 'failed') {
    await c.tasks.release(task)
    return
  }
  c.workers.spawn(task, () => runWorkflow(c, task))
}

/** The state `verb` leads to from `state`. @throws InvalidStateRequestedError (400) when the machine refuses it */
function accept(node: NodeRecord, state: ProvisionState, verb: ProvisionVerb, apiMinor?: number): ProvisionState {
  try {
    return applyEvent(state, VERBS[verb].event, { verb, node: node.uuid, apiOnly: true, apiMinor })
  } catch (e) {
    if (!(e instanceof InvalidStateError)) throw e
    throw new InvalidStateRequestedError(e.message, { details: e.details })
  }
}

/** The node fields a verb's arguments set, and the stale progress it forgets. */
function requestChanges(node: NodeRecord, verb: ProvisionVerb, req: ProvisionRequest): Partial<NodeRecord> {
  const changes: Partial<NodeRecord> = {}
  const wiped = wipeProgress(node, VERBS[verb].phase ?? null)
  Object.assign(changes, wiped)
  let dii = wiped.driver_internal_info ?? node.driver_internal_info
  if (req.configdrive !== undefined && req.configdrive !== null) changes.instance_info = { ...node.instance_info, configdrive: req.configdrive }
  // The rescue password is kept only as its SHA-512 crypt hash (what the agent installs); the
  // API shows rescue_password masked, as Ironic does, and no plain copy is stored.
  if (req.rescue_password !== undefined) changes.instance_info = { ...node.instance_info, rescue_password: MASK, hashed_rescue_password: encrypt(req.rescue_password) }
  if (req.clean_steps !== undefined) dii = withRequested(dii, 'clean', req.clean_steps)
  if (req.deploy_steps !== undefined) dii = withRequested(dii, 'deploy', req.deploy_steps)
  if (req.service_steps !== undefined) dii = withRequested(dii, 'service', req.service_steps)
  if (req.disable_ramdisk !== undefined) dii = { ...dii, disable_ramdisk: req.disable_ramdisk }
  if (verb === 'deleted' || verb === 'undeploy') dii = withTeardownFrom(dii, node.provision_state)
  changes.driver_internal_info = dii
  return changes
}

function checkRules(node: NodeRecord, verb: ProvisionVerb, to: ProvisionState): void {
  if (node.maintenance && STATE_INFO[to].requiresHealthy) {
    throw new ValidationError(`Node ${node.uuid} is in maintenance mode${node.maintenance_reason ? ` (${node.maintenance_reason})` : ''}; unset maintenance before "${verb}".`, { code: 'NODE_IN_MAINTENANCE' })
  }
  if (node.protected && (verb === 'deleted' || verb === 'undeploy' || verb === 'rebuild')) {
    throw new NotAuthorizedError(`Node ${node.uuid} is protected and cannot be undeployed, rebuilt or deleted; unset "protected" first.`, { code: 'NODE_PROTECTED' })
  }
  if (node.retired && verb === 'provide') {
    throw new ConflictError(`Node ${node.uuid} is retired and can not be made available; unset "retired" first.`, { code: 'NODE_RETIRED' })
  }
}

/**
 * `abort` on a node this conductor is working on (Ferrum's extension; Ironic only aborts parked
 * nodes). A node still waiting for an admission slot, or running an abortable step, stops at
 * once; a non-abortable step is marked `abort_after` and the node fails when it finishes.
 */
async function abortRunning(c: ConductorCore, uuid: string, apiMinor?: number): Promise<void> {
  const run = c.workers.get(uuid)!
  const task = run.task
  const state = task.state
  if (!STATE_INFO[state].abortable) {
    throw new InvalidStateError(invalidActionMessage(state, 'abort', task.uuid, apiMinor) + ' The current operation cannot be aborted; wait for it to finish.')
  }
  const phase = phaseOfState(state)
  const step = phase ? (task.node[STEP_FIELD[phase]] as DriverStep | null) : null
  if (c.admissionPosition(task.node.id) !== null || !step || step.abortable) {
    run.abort.abort(new AbortRequestedError())
    return
  }
  task.abortAfterStep = true
  await task.save({ [STEP_FIELD[phase!]]: { ...step, abort_after: true } })
  await task.history('provisioning', 'INFO', `Abort requested during step ${step.interface}.${step.step}, which cannot be interrupted; the node fails once it finishes.`)
}

/**
 * Continues a node parked in a wait state (`wait call-back`, `clean wait`, …): the pending
 * work finished. The agent's heartbeat calls this; tests call it for fake hardware.
 * @throws InvalidStateError when the node is not waiting
 * @throws NodeLockedError while the node is busy (the caller retries)
 */
export async function continueNode(c: ConductorCore, uuid: string): Promise<void> {
  const task = await c.tasks.acquire(uuid, { purpose: 'continue' })
  if (!WAIT_STATES.has(task.state)) {
    await c.tasks.release(task)
    throw new InvalidStateError(`Node ${task.node.name ?? task.uuid} is not waiting for a callback: it is in state "${task.state}".`)
  }
  c.workers.spawn(task, () => continueFromWait(c, task))
}
