/**
 * How the conductor words failures. Every failure a node records carries, besides Ironic's
 * last_error, a stable code, the phase it happened in and a remedy (history's `ferrum_error`).
 */
import type { HistoryErrorDetail } from '../db/repos/history.js'
import type { ProvisionState } from '../domain/provision-states.js'
import { FerrumError } from '../domain/errors.js'
import type { FailureCode } from '../domain/error-codes.js'
import type { DriverStep } from '../drivers/steps.js'

export { FAILURE_CODES, type FailureCode } from '../domain/error-codes.js'

/** The reason an operator abort carries through AbortSignal. */
export class AbortRequestedError extends FerrumError {
  constructor(message = 'aborted on request') {
    super('ABORTED', message, 409, false)
  }
}

/** The error message without a stack. */
export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e)
}

/** The driver-level code of an error, if it has one. */
export function causeCode(e: unknown): string | null {
  return e instanceof FerrumError ? e.code : null
}

/**
 * The code to record for an error raised while doing `fallback` work: aborts and driver
 * deadlines keep their own code, the rest get the phase's.
 */
export function failureCode(e: unknown, fallback: FailureCode): FailureCode {
  if (e instanceof AbortRequestedError) return 'ABORTED'
  const code = causeCode(e)
  if (code === 'DRIVER_TIMEOUT') return 'DRIVER_TIMEOUT'
  if (code === 'CONDUCTOR_STOPPING') return 'CONDUCTOR_STOPPED'
  if (code === 'FERRUM_POWER_TIMEOUT') return 'POWER_TIMEOUT'
  return fallback
}

/** "cleaning / clean step deploy.erase_devices", or just the state. */
export function phaseOf(state: ProvisionState | string, step?: Pick<DriverStep, 'interface' | 'step'> | null, kind?: string): string {
  return step ? `${state} / ${kind ?? 'step'} ${step.interface}.${step.step}` : state
}

/** What an operator can do about a failure with `code` that left the node in `state`. */
export function remedy(code: FailureCode, state: ProvisionState, step?: Pick<DriverStep, 'interface' | 'step'> | null): string {
  const stepName = step ? `${step.interface}.${step.step}` : 'the step'
  switch (code) {
    case 'VERIFY_FAILED': return 'Fix driver_info (BMC address, credentials), check "openstack baremetal node validate", then "manage" again.'
    case 'STEP_INVALID': return 'Request only steps the node\'s interfaces offer (see the driver docs and "node validate"), then retry.'
    case 'CALLBACK_TIMEOUT': return 'Check that the node boots the ramdisk and reaches the API (console, DHCP, network); raise the wait timeout if it is just slow; then retry.'
    case 'ABORTED': return retryHint(state)
    case 'DRIVER_TIMEOUT': return `The BMC or agent did not answer in time during ${stepName}: check its reachability and load, then retry. ${retryHint(state)}`
    case 'CONDUCTOR_RESTARTED': case 'CONDUCTOR_STOPPED': return `Nothing is wrong with the node itself; ${retryHint(state)}`
    case 'POWER_ACTION_FAILED': return 'Check the BMC (address, credentials, reachability: "openstack baremetal node validate"), then retry the power action.'
    case 'POWER_TIMEOUT': return 'The OS ignored the soft request or the BMC is slow: retry with a longer --power-timeout, or use a hard power off/reboot.'
    case 'POWER_SYNC_FAILED': return 'Check the BMC (network, credentials). The node leaves maintenance by itself once the BMC answers again.'
    case 'CLEAN_STEP_FAILED': return `Read last_error, fix what made ${stepName} fail, unset maintenance, then "manage" and "provide" (or "clean") again.`
    case 'DEPLOY_STEP_FAILED': case 'DEPLOY_PREPARE_FAILED': return `Read last_error, fix what made ${code === 'DEPLOY_STEP_FAILED' ? stepName : 'the preparation'} fail (image, config drive, BMC), then "deploy"/"rebuild" again or "undeploy".`
    case 'SERVICE_STEP_FAILED': return `Read last_error, fix what made ${stepName} fail, then "service" again, or "abort" to return to active.`
    default: return retryHint(state)
  }
}

/** The verbs that get a node out of a failure state. */
export function retryHint(state: ProvisionState): string {
  switch (state) {
    case 'enroll': return 'fix driver_info and run "manage" again.'
    case 'deploy failed': return 'run "deploy"/"rebuild" again, or "undeploy".'
    case 'clean failed': return 'run "manage", then "provide" or "clean" again.'
    case 'inspect failed': return 'run "inspect" again, or "manage".'
    case 'rescue failed': return 'run "rescue" or "unrescue" again.'
    case 'unrescue failed': return 'run "unrescue" again.'
    case 'service failed': return 'run "service" again, or "abort" to return to active.'
    case 'adopt failed': return 'fix driver_info/instance_info, then "adopt" again or "manage".'
    case 'error': return 'run "undeploy" again.'
    default: return 'read last_error and the node history, then retry.'
  }
}

/** Builds the history detail. */
export function detail(code: FailureCode, phase: string, state: ProvisionState, step?: Pick<DriverStep, 'interface' | 'step'> | null): HistoryErrorDetail {
  return { code, phase, remedy: remedy(code, state, step) }
}
