/**
 * The work behind each working state: what runs after the API moved a node into verifying,
 * inspecting, deploying, deleting, cleaning, adopting, rescuing, unrescuing or servicing, and
 * how a parked node continues. Every path ends in a state change; failures go through failTask.
 */
import type { NodeTask } from './node-task.js'
import type { ProvisionState } from '../domain/provision-states.js'
import { clearTeardown, readProgress, teardownFrom } from './step-progress.js'
import { failTask } from './fail.js'
import type { FailureCode } from './failures.js'
import { runSteps, type StepSettings } from './step-runner.js'

/** What workflows need from the conductor. */
export interface WorkflowHost {
  readonly stepSettings: StepSettings
  /** Runs `fn` once the phase's admission queue has a free slot (fair, first come first served). */
  admit(task: NodeTask, phase: 'deploy' | 'clean', fn: () => Promise<void>): Promise<void>
}

/** Runs the work of the state the node was just moved into. */
export async function runWorkflow(host: WorkflowHost, task: NodeTask): Promise<void> {
  const state = task.state
  switch (state) {
    case 'verifying': return guarded(task, 'VERIFY_FAILED', () => verify(task))
    case 'inspecting': return guarded(task, 'INSPECT_FAILED', () => inspect(task))
    case 'deploying': return host.admit(task, 'deploy', () => guarded(task, 'DEPLOY_PREPARE_FAILED', () => deploy(host, task)))
    case 'cleaning': return host.admit(task, 'clean', () => guarded(task, 'CLEAN_STEP_FAILED', () => clean(host, task)))
    case 'servicing': return guarded(task, 'SERVICE_STEP_FAILED', () => service(host, task))
    case 'deleting': return guarded(task, 'TEARDOWN_FAILED', () => tearDown(host, task))
    case 'adopting': return guarded(task, 'ADOPT_FAILED', () => adopt(task))
    case 'rescuing': return guarded(task, 'RESCUE_FAILED', () => rescue(task))
    case 'unrescuing': return guarded(task, 'UNRESCUE_FAILED', () => unrescue(task))
    // After "unhold" the node is in a wait state: carry on with the steps after the hold.
    case 'wait call-back': case 'clean wait': case 'service wait': case 'inspect wait': case 'rescue wait':
      return continueFromWait(host, task)
    default:
      return
  }
}

/**
 * Continues a node parked in a wait state whose pending work finished (the agent's heartbeat
 * says so; for fake hardware, a test or `unhold` does).
 */
export async function continueFromWait(host: WorkflowHost, task: NodeTask): Promise<void> {
  const state: ProvisionState = task.state
  if (state === 'inspect wait') {
    await task.event('done', { changes: { inspection_finished_at: task.nowIso() } })
    return
  }
  await task.event('resume')
  await runWorkflow(host, task)
}

/** Runs `fn`; an error it throws fails the node with `code` (a bug or a driver error outside steps). */
async function guarded(task: NodeTask, code: FailureCode, fn: () => Promise<void>): Promise<void> {
  try {
    await fn()
  } catch (e) {
    await failTask(task, e, { code })
  }
}

async function verify(task: NodeTask): Promise<void> {
  const view = await task.view()
  task.impl('power').validate(view)
  task.impl('management').validate(view)
  const state = await task.call((ctx) => task.impl('power').getPowerState(ctx))
  await task.event('done', { lastError: null, changes: { power_state: state } })
}

async function inspect(task: NodeTask): Promise<void> {
  await task.save({ inspection_started_at: task.nowIso(), inspection_finished_at: null })
  const r = await task.call((ctx) => task.impl('inspect').inspectHardware(ctx))
  if ('wait' in r) {
    await task.event('wait')
    return
  }
  const props = r.updates?.properties
  await createPortsForMacs(task, r.macAddresses ?? [])
  await task.event('done', { changes: { inspection_finished_at: task.nowIso(), ...(props ? { properties: { ...task.node.properties, ...props } } : {}) } })
}

async function deploy(host: WorkflowHost, task: NodeTask): Promise<void> {
  // A node resuming after a wait already has its plan; prepare only once per deployment.
  if (!readProgress(task.node.driver_internal_info, 'deploy').steps) await task.call((ctx) => task.impl('deploy').prepare(ctx))
  if ((await runSteps(task, 'deploy', host.stepSettings)) !== 'done') return
  if (!task.impl('deploy').bootsInstance) {
    await task.call((ctx) => task.impl('boot').prepareInstance(ctx))
    await task.call((ctx) => task.impl('power').setPowerState(ctx, 'power on'))
  }
  await task.event('done', { lastError: null, changes: { power_state: 'power on' } })
}

async function clean(host: WorkflowHost, task: NodeTask): Promise<void> {
  const manual = task.node.target_provision_state === 'manageable'
  if ((await runSteps(task, 'clean', host.stepSettings)) !== 'done') return
  await tearDownRamdisk(task)
  // Fast track kept the ramdisk (and its agent) running: the node stays powered on.
  const kept = typeof task.node.driver_internal_info.agent_url === 'string'
  // A retired node is not given back to the pool: its tear-down cleaning ends in manageable.
  await task.event(manual || task.node.retired ? 'manage' : 'done', { lastError: null, ...(kept ? { changes: { power_state: 'power on' } } : {}) })
}

async function service(host: WorkflowHost, task: NodeTask): Promise<void> {
  if ((await runSteps(task, 'service', host.stepSettings)) !== 'done') return
  await tearDownRamdisk(task)
  await task.event('done', { lastError: null })
}

/** A phase that ran steps in the agent ends its ramdisk (deploy interfaces without one skip this). */
async function tearDownRamdisk(task: NodeTask): Promise<void> {
  const deploy = task.impl('deploy')
  if (deploy.tearDownRamdisk) await task.call((ctx) => deploy.tearDownRamdisk!(ctx))
}

async function tearDown(host: WorkflowHost, task: NodeTask): Promise<void> {
  const from = teardownFrom(task.node.driver_internal_info)
  await task.call((ctx) => task.impl('deploy').tearDown(ctx))
  if (from === 'rescue' || from === 'rescue wait' || from === 'rescue failed' || from === 'unrescue failed') {
    await task.call((ctx) => task.impl('rescue').cleanUp(ctx))
  }
  await task.call((ctx) => task.impl('deploy').cleanUp(ctx))
  await task.call((ctx) => task.impl('power').setPowerState(ctx, 'power off'))
  // The instance's boot setup goes with it (e.g. an instance ISO in virtual media is ejected).
  await task.call((ctx) => task.impl('boot').cleanUpInstance(ctx))
  const dii = clearTeardown(task.node.driver_internal_info)
  await task.event('clean', { changes: { power_state: 'power off', instance_info: {}, instance_uuid: null, deploy_step: null, driver_internal_info: dii } })
  await host.admit(task, 'clean', () => guarded(task, 'CLEAN_STEP_FAILED', () => clean(host, task)))
}

async function adopt(task: NodeTask): Promise<void> {
  const view = await task.view()
  task.impl('power').validate(view)
  task.impl('deploy').validate(view)
  await task.call((ctx) => task.impl('deploy').takeOver(ctx))
  const power = await task.call((ctx) => task.impl('power').getPowerState(ctx))
  await task.event('done', { lastError: null, changes: { power_state: power } })
}

async function rescue(task: NodeTask): Promise<void> {
  const r = await task.call((ctx) => task.impl('rescue').rescue(ctx))
  await task.event('wait' in r ? 'wait' : 'done', { lastError: null })
}

async function unrescue(task: NodeTask): Promise<void> {
  await task.call((ctx) => task.impl('rescue').unrescue(ctx))
  const ii = { ...task.node.instance_info }
  delete ii.rescue_password
  delete ii.hashed_rescue_password
  await task.event('done', { lastError: null, changes: { instance_info: ii } })
}

/**
 * Inspection found these NICs: create a port for each MAC that no port has yet (as Ironic's
 * inspection does), PXE-enabled only when the node had no ports before.
 */
export async function createPortsForMacs(task: NodeTask, macs: readonly string[]): Promise<void> {
  if (macs.length === 0) return
  const ports = task.deps.store.ports
  const hadPorts = (await ports.list({ node_id: task.node.id })).length > 0
  let first = !hadPorts
  for (const raw of macs) {
    const address = raw.toLowerCase()
    if (await ports.getByAddress(address)) continue
    await ports.create({ node_id: task.node.id, address, pxe_enabled: first })
    first = false
  }
  task.portsChanged()
}
