import type { Conductor, NodeTask } from './conductor.js'
import type { DriverStep, StepPhase } from '../drivers/steps.js'
import type { InterfaceKind } from '../drivers/interface-kinds.js'
import { INTERFACE_KINDS } from '../drivers/interface-kinds.js'
import type { ProvisionState } from '../domain/provision-states.js'
import { FerrumError, ValidationError } from '../domain/errors.js'

const STEP_FIELD = { deploy: 'deploy_step', clean: 'clean_step', service: 'service_step' } as const

/** Ironic orders steps of equal priority by interface. */
const INTERFACE_ORDER: Partial<Record<InterfaceKind, number>> = { power: 7, management: 6, deploy: 5, bios: 4, raid: 3, firmware: 2, inspect: 1 }

function orderSteps(steps: DriverStep[]): DriverStep[] {
  return [...steps].sort((a, b) => b.priority - a.priority || (INTERFACE_ORDER[b.interface] ?? 0) - (INTERFACE_ORDER[a.interface] ?? 0))
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/**
 * Runs the work for the state the node was just moved into (deploying, cleaning, …) and fires
 * the event that ends it. Every failure lands the node in the state's failure state with
 * last_error, a stable code, the phase and a remedy in history.
 */
export async function runWorkflow(c: Conductor, task: NodeTask): Promise<void> {
  const state = task.node.provision_state as ProvisionState
  try {
    switch (state) {
      case 'verifying': return await verify(task)
      case 'inspecting': return await inspect(task)
      case 'cleaning': return await runSteps(c, task, 'clean')
      case 'deploying': return await deploy(c, task)
      case 'deleting': return await tearDown(c, task)
      case 'adopting': return await adopt(task)
      case 'rescuing': return await rescue(task)
      case 'unrescuing': return await unrescue(task)
      case 'servicing': return await runSteps(c, task, 'service')
      case 'clean wait': case 'wait call-back': case 'service wait':
        // unhold: continue with the remaining steps right away.
        await task.event('resume')
        return await runWorkflow(c, task)
      default:
        return
    }
  } catch (e) {
    const now = task.node.provision_state as ProvisionState
    const code = e instanceof FerrumError ? e.code : 'UNEXPECTED_ERROR'
    await task.event('fail', { lastError: message(e), detail: { code, remedy: '' } }).catch(() => undefined)
    if (now === 'deleting') return
  }
}

async function callDriver<T>(task: NodeTask, fn: (ctx: Awaited<ReturnType<NodeTask['ctx']>>) => Promise<T>, timeoutMs?: number): Promise<T> {
  const ctx = await task.ctx(timeoutMs)
  try {
    return await fn(ctx)
  } finally {
    ctx.dispose()
  }
}

async function verify(task: NodeTask): Promise<void> {
  const power = task.impl('power')
  const mgmt = task.impl('management')
  try {
    const view = (await task.ctx(1)).node
    power.validate(view)
    mgmt.validate(view)
    const state = await callDriver(task, (ctx) => power.getPowerState(ctx))
    await task.save({ power_state: state })
    await task.event('done', { lastError: null })
  } catch (e) {
    await task.event('fail', { lastError: `Failed to verify node ${task.node.uuid}: ${message(e)}`, detail: { code: e instanceof FerrumError ? e.code : 'VERIFY_FAILED', remedy: 'Fix driver_info (address, credentials, system id) and run "manage" again.' } })
  }
}

async function inspect(task: NodeTask): Promise<void> {
  const insp = task.impl('inspect')
  const started = new Date().toISOString()
  await task.save({ inspection_started_at: started, inspection_finished_at: null })
  const r = await callDriver(task, (ctx) => insp.inspectHardware(ctx))
  if (r && typeof r === 'object' && 'wait' in r) {
    await task.event('wait')
    return
  }
  const upd = (r as { properties?: Record<string, unknown> } | undefined)?.properties
  await task.save({ inspection_finished_at: new Date().toISOString(), ...(upd ? { properties: { ...task.node.properties, ...upd } } : {}) })
  await task.event('done')
}

async function deploy(c: Conductor, task: NodeTask): Promise<void> {
  const deployIface = task.impl('deploy')
  if (!task.node.driver_internal_info.deploy_steps) {
    await callDriver(task, (ctx) => deployIface.prepare(ctx))
  }
  await runSteps(c, task, 'deploy')
}

async function tearDown(c: Conductor, task: NodeTask): Promise<void> {
  try {
    const deployIface = task.impl('deploy')
    await callDriver(task, (ctx) => deployIface.tearDown(ctx))
    await callDriver(task, (ctx) => deployIface.cleanUp(ctx))
    const power = task.impl('power')
    await callDriver(task, (ctx) => power.setPowerState(ctx, 'power off'))
    const ii = { ...task.node.instance_info }
    const keep: Record<string, unknown> = {}
    for (const k of ['capabilities', 'traits']) if (k in ii) keep[k] = ii[k]
    await task.save({ power_state: 'power off', instance_info: {}, instance_uuid: null, deploy_step: null })
  } catch (e) {
    await task.event('fail', { lastError: `Tear down failed: ${message(e)}`, detail: { code: e instanceof FerrumError ? e.code : 'TEARDOWN_FAILED', remedy: 'Fix the cause, then "undeploy" again.' } })
    return
  }
  await task.event('clean')
  await c.cleanQueue.run(task.node.id, () => runSteps(c, task, 'clean'))
}

async function adopt(task: NodeTask): Promise<void> {
  const view = (await task.ctx(1)).node
  task.impl('power').validate(view)
  task.impl('deploy').validate(view)
  await task.event('done')
}

async function rescue(task: NodeTask): Promise<void> {
  const r = task.impl('rescue')
  const res = await callDriver(task, (ctx) => r.rescue(ctx))
  if (res && typeof res === 'object' && 'wait' in res) {
    await task.event('wait')
    return
  }
  await task.event('done')
}

async function unrescue(task: NodeTask): Promise<void> {
  const r = task.impl('rescue')
  await callDriver(task, (ctx) => r.unrescue(ctx))
  const ii = { ...task.node.instance_info }
  delete ii.rescue_password
  await task.save({ instance_info: ii })
  await task.event('done')
}

/** The steps a phase runs: requested ones (manual clean/service, deploy_steps) or the drivers' own. */
async function planSteps(task: NodeTask, phase: StepPhase): Promise<DriverStep[]> {
  const dii = task.node.driver_internal_info
  const view = (await task.ctx(1)).node
  const requested = dii[`requested_${phase}_steps`] as DriverStep[] | undefined
  const offered: DriverStep[] = []
  for (const kind of INTERFACE_KINDS) {
    const impl = task.impl(kind)
    const list = phase === 'deploy' ? impl.getDeploySteps?.(view) : phase === 'clean' ? impl.getCleanSteps?.(view) : impl.getServiceSteps?.(view)
    if (list) offered.push(...list)
  }
  const find = (s: { interface: string; step: string }) => offered.find((o) => o.interface === s.interface && o.step === s.step)
  if (phase === 'clean' && task.node.target_provision_state !== 'manageable' || phase === 'deploy') {
    // Automated cleaning / deploy: the drivers' steps with priority > 0 (plus requested deploy steps).
    const automatedCleanOff = phase === 'clean' && task.node.automated_clean === false
    let steps = automatedCleanOff ? [] : offered.filter((s) => s.priority > 0)
    if (phase === 'deploy' && requested) {
      for (const r of requested) {
        const o = find(r)
        if (!o) throw new ValidationError(`Deploy step "${r.interface}.${r.step}" is not offered by node ${task.node.uuid}'s drivers.`)
        steps = steps.filter((s) => !(s.interface === r.interface && s.step === r.step))
        steps.push({ ...o, args: r.args ?? {}, priority: r.priority ?? o.priority })
      }
    }
    return orderSteps(steps)
  }
  // Manual clean or service: exactly the requested steps, in the order given.
  return (requested ?? []).map((r) => {
    if (r.interface === 'deploy' && (r.step === 'hold' || r.step === 'wait')) return { ...r, priority: 0, args: r.args ?? {} }
    const o = find(r)
    if (!o) throw new ValidationError(`${phase === 'clean' ? 'Clean' : 'Service'} step "${r.interface}.${r.step}" is not offered by node ${task.node.uuid}'s drivers.`)
    return { ...o, args: r.args ?? {}, priority: 0 }
  })
}

/**
 * Runs the phase's steps from where the node left off, persisting the current step and index
 * after each so a restarted conductor can resume or fail it cleanly.
 */
export async function runSteps(c: Conductor, task: NodeTask, phase: StepPhase): Promise<void> {
  const field = STEP_FIELD[phase]
  let dii = { ...task.node.driver_internal_info }
  let steps = dii[`${phase}_steps`] as DriverStep[] | undefined
  if (!steps) {
    try {
      steps = await planSteps(task, phase)
    } catch (e) {
      await task.event('fail', { lastError: message(e), detail: { code: 'STEP_INVALID', remedy: 'Check the requested steps against the driver (GET /v1/nodes/{node}/states, driver docs).' } })
      return
    }
    dii = { ...dii, [`${phase}_steps`]: steps, [`${phase}_step_index`]: 0 }
    await task.save({ driver_internal_info: dii })
  }
  let index = Number(dii[`${phase}_step_index`] ?? 0)
  for (; index < steps.length; index++) {
    if (task.signal.aborted) throw task.signal.reason
    const step = steps[index]
    await task.save({ [field]: step, driver_internal_info: { ...task.node.driver_internal_info, [`${phase}_step_index`]: index } })
    if (step.interface === 'deploy' && step.step === 'hold') {
      await task.save({ driver_internal_info: { ...task.node.driver_internal_info, [`${phase}_step_index`]: index + 1 } })
      await task.event('hold')
      return
    }
    let result
    try {
      result = await callDriver(task, (ctx) => {
        const impl = task.impl(step.interface)
        if (!impl.executeStep) throw new ValidationError(`The ${step.interface} interface "${impl.name}" has no steps.`)
        return impl.executeStep(ctx, step)
      }, 30 * 60_000)
    } catch (e) {
      const code = e instanceof FerrumError ? e.code : 'STEP_FAILED'
      await task.event('fail', {
        lastError: `${phase} step ${step.interface}.${step.step} failed: ${message(e)}`,
        detail: { code, remedy: `Fix the cause of the failing step ${step.interface}.${step.step}, then retry the action.` },
      })
      return
    }
    if ('wait' in result) {
      await task.save({ driver_internal_info: { ...task.node.driver_internal_info, [`${phase}_step_index`]: index + 1 } })
      await task.event('wait')
      return
    }
    if (result.updates?.properties) await task.save({ properties: { ...task.node.properties, ...result.updates.properties } })
    if (result.updates && 'raidConfig' in result.updates) await task.save({ raid_config: result.updates.raidConfig ?? null })
  }
  const done = { ...task.node.driver_internal_info }
  for (const k of [`${phase}_steps`, `${phase}_step_index`, `requested_${phase}_steps`, 'disable_ramdisk']) delete done[k]
  await task.save({ [field]: phase === 'clean' ? {} : null, driver_internal_info: done })
  if (phase === 'deploy') {
    await task.save({ power_state: 'power on' })
    await task.event('done')
  } else if (phase === 'clean') {
    await task.event(task.node.target_provision_state === 'manageable' ? 'manage' : 'done')
  } else {
    await task.event('done')
  }
  void c
}
