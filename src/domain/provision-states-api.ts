/**
 * How the provision state machine looks through a given API microversion: which verbs and
 * provision arguments a client may send, what a freshly created node starts in, and how states
 * are shown to old clients. Microversions are `1.N`, passed here as the minor number N.
 */
import { NotAcceptableError, ValidationError } from './errors.js'
import {
  applyEvent,
  isProvisionVerb,
  PROVISION_VERBS,
  VERBS,
  type ProvisionEvent,
  type ProvisionState,
  type ProvisionVerb,
} from './provision-states.js'

/**
 * Verbs that need a newer microversion in particular states than the verb itself does:
 * aborting inspection (`inspect wait`) arrived in 1.41, after `abort` itself (1.13).
 */
export const VERB_STATE_SINCE_MINOR: readonly (readonly [ProvisionVerb, ProvisionState, number])[] = [
  ['abort', 'inspect wait', 41],
]

/**
 * Optional arguments of `PUT …/states/provision` and the microversion that introduced each.
 * `configdrive` was accepted with `active` from the start and with `rebuild` from 1.35.
 */
export const PROVISION_ARGUMENT_SINCE_MINOR = {
  configdrive: 1,
  clean_steps: 15,
  rescue_password: 38,
  deploy_steps: 69,
  disable_ramdisk: 70,
  service_steps: 87,
  runbook: 92,
} as const

/** An optional argument of the provision endpoint. */
export type ProvisionArgument = keyof typeof PROVISION_ARGUMENT_SINCE_MINOR

/** Microversion at which new nodes start in `enroll` instead of `available`. */
export const ENROLL_DEFAULT_SINCE_MINOR = 11
/** Below this microversion `available` is shown as null (Ironic's old NOSTATE). */
export const AVAILABLE_NAME_SINCE_MINOR = 2
/** Below this microversion `inspect wait` is shown as `inspecting`. */
export const INSPECT_WAIT_SINCE_MINOR = 39

/** The provision state a node created through microversion 1.`apiMinor` starts in. */
export function initialProvisionState(apiMinor: number): ProvisionState {
  return apiMinor >= ENROLL_DEFAULT_SINCE_MINOR ? 'enroll' : 'available'
}

/** The provision state value an API response shows to a client of microversion 1.`apiMinor`. */
export function displayProvisionState(state: ProvisionState | null, apiMinor: number): string | null {
  if (state === 'available' && apiMinor < AVAILABLE_NAME_SINCE_MINOR) return null
  if (state === 'inspect wait' && apiMinor < INSPECT_WAIT_SINCE_MINOR) return 'inspecting'
  return state
}

/** Whether a node in `state` may be updated (PATCH) through microversion 1.`apiMinor`. */
export function updateAllowedAt(state: ProvisionState, apiMinor: number, allowed: ReadonlySet<ProvisionState>): boolean {
  if (state === 'inspecting' && apiMinor >= INSPECT_WAIT_SINCE_MINOR) return false
  return allowed.has(state)
}

/** The minimum microversion for `verb` in `state` (the larger of the verb's and any state-specific limit). */
export function verbSinceMinor(verb: ProvisionVerb, state?: ProvisionState): number {
  let since = VERBS[verb].sinceMinor
  for (const [v, s, minor] of VERB_STATE_SINCE_MINOR) {
    if (v === verb && s === state) since = Math.max(since, minor)
  }
  return since
}

/** The outcome of an accepted provision verb. */
export interface VerbOutcome {
  readonly verb: ProvisionVerb
  readonly event: ProvisionEvent
  readonly to: ProvisionState
}

/** Options for {@link applyVerb}. */
export interface ApplyVerbOptions {
  /** Requested microversion minor (1.N → N). */
  readonly apiMinor: number
  /** Node UUID or name, for the error message. */
  readonly node?: string
}

/**
 * Validates a client's provision `target` against the microversion and the current state and
 * returns the event to fire and the state it leads to.
 * @throws ValidationError (400) for an unknown verb
 * @throws NotAcceptableError (406) when the verb is newer than the requested microversion
 * @throws InvalidStateError (409) when the verb is not allowed in the current state
 */
export function applyVerb(state: ProvisionState, target: string, opts: ApplyVerbOptions): VerbOutcome {
  if (!isProvisionVerb(target)) {
    throw new ValidationError(
      `"${target}" is not a valid provision target. Valid targets: ${PROVISION_VERBS.join(', ')}.`,
    )
  }
  const since = verbSinceMinor(target, state)
  if (opts.apiMinor < since) {
    throw new NotAcceptableError(
      `Request not acceptable. The minimal required API version for the "${target}" action should be 1.${since}.`,
    )
  }
  const event = VERBS[target].event
  const to = applyEvent(state, event, { verb: target, node: opts.node, apiOnly: true })
  return { verb: target, event, to }
}

/**
 * Checks that an optional provision argument may be used through microversion 1.`apiMinor`.
 * @throws NotAcceptableError (406) when the argument is newer than the microversion
 */
export function checkProvisionArgument(arg: ProvisionArgument, apiMinor: number): void {
  const since = PROVISION_ARGUMENT_SINCE_MINOR[arg]
  if (apiMinor < since) {
    throw new NotAcceptableError(`"${arg}" is not acceptable before API version 1.${since}.`)
  }
}
