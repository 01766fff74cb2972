/**
 * The provision state machine, declared once as data.
 *
 * State strings, events and transitions follow OpenStack Ironic (`ironic/common/states.py` and
 * `ironic/common/state_machine.py`), so a node moves exactly as it would under Ironic and the API
 * can show the same values. Everything here is pure: no I/O, no clock.
 *
 * Microversion-dependent views (what an old client sees, which verbs it may send) live in
 * `provision-states-api.ts`; the Mermaid rendering lives in `provision-states-diagram.ts`.
 */
import { InvalidStateError } from './errors.js'

/** Every provision state, spelled exactly as Ironic's API shows it. */
export const PROVISION_STATES = [
  'enroll', 'verifying', 'manageable',
  'inspecting', 'inspect wait', 'inspect failed',
  'available', 'deploying', 'wait call-back', 'deploy hold', 'deploy failed', 'active',
  'deleting', 'cleaning', 'clean wait', 'clean hold', 'clean failed', 'error',
  'adopting', 'adopt failed',
  'rescuing', 'rescue wait', 'rescue', 'rescue failed', 'unrescuing', 'unrescue failed',
  'servicing', 'service wait', 'service hold', 'service failed',
] as const

/** A node's `provision_state` (never null in Ferrum; see `displayProvisionState` for API ≤ 1.1). */
export type ProvisionState = (typeof PROVISION_STATES)[number]

/**
 * Every event the machine understands. The first group is fired on behalf of an API verb
 * (see {@link VERBS}); `done`, `fail`, `wait`, `resume` and `hold` are fired only by the conductor.
 * `delete` is the event behind the `deleted`/`undeploy` verbs; `clean` and `manage` are also
 * fired internally (tear-down → cleaning, manual cleaning → manageable).
 */
export const PROVISION_EVENTS = [
  'manage', 'provide', 'inspect', 'deploy', 'rebuild', 'delete', 'clean',
  'rescue', 'unrescue', 'adopt', 'abort', 'unhold', 'service',
  'done', 'fail', 'wait', 'resume', 'hold',
] as const

/** An event of the provision state machine. */
export type ProvisionEvent = (typeof PROVISION_EVENTS)[number]

/** The `target` values accepted by `PUT /v1/nodes/{node}/states/provision`. */
export const PROVISION_VERBS = [
  'manage', 'provide', 'inspect', 'active', 'deploy', 'rebuild', 'deleted', 'undeploy',
  'clean', 'adopt', 'abort', 'rescue', 'unrescue', 'unhold', 'service',
] as const

/** A provision verb as sent by API clients. */
export type ProvisionVerb = (typeof PROVISION_VERBS)[number]

/** The kinds of step list a node can run (deploy, clean and service steps). */
export const STEP_PHASES = ['deploy', 'clean', 'service'] as const
/** A step phase. */
export type StepPhase = (typeof STEP_PHASES)[number]

/** How an API verb maps onto the machine, and the first microversion (1.N, stored as N) accepting it. */
export interface VerbInfo {
  readonly event: ProvisionEvent
  readonly sinceMinor: number
  /** The step phase the verb starts afresh (its earlier progress is forgotten), if any. */
  readonly phase?: StepPhase
}

/**
 * Verb → event and minimum microversion. `active`/`deploy` and `deleted`/`undeploy` are aliases
 * (the second spelling arrived in 1.73); `unhold` arrived in 1.85 and `service` in 1.87.
 */
export const VERBS: Readonly<Record<ProvisionVerb, VerbInfo>> = {
  active: { event: 'deploy', sinceMinor: 1, phase: 'deploy' },
  rebuild: { event: 'rebuild', sinceMinor: 1, phase: 'deploy' },
  deleted: { event: 'delete', sinceMinor: 1 },
  manage: { event: 'manage', sinceMinor: 4 },
  provide: { event: 'provide', sinceMinor: 4, phase: 'clean' },
  inspect: { event: 'inspect', sinceMinor: 6 },
  abort: { event: 'abort', sinceMinor: 13 },
  clean: { event: 'clean', sinceMinor: 15, phase: 'clean' },
  adopt: { event: 'adopt', sinceMinor: 17 },
  rescue: { event: 'rescue', sinceMinor: 38 },
  unrescue: { event: 'unrescue', sinceMinor: 38 },
  deploy: { event: 'deploy', sinceMinor: 73, phase: 'deploy' },
  undeploy: { event: 'delete', sinceMinor: 73 },
  unhold: { event: 'unhold', sinceMinor: 85 },
  service: { event: 'service', sinceMinor: 87, phase: 'service' },
}

/**
 * What kind of state this is. `stable` states wait for an operator and clear the target;
 * `working` states have conductor work in flight; `wait` states wait on an agent callback;
 * `hold` states were parked by a step until the operator says `unhold`; `failed` states need
 * operator action.
 */
export type StateKind = 'stable' | 'working' | 'wait' | 'hold' | 'failed'

/** The conductor setting (seconds) that bounds how long a wait state waits for its callback. */
export type WaitTimeoutSetting =
  | 'deployCallbackTimeoutS' | 'cleanCallbackTimeoutS' | 'inspectWaitTimeoutS' | 'rescueCallbackTimeoutS' | 'serviceCallbackTimeoutS'

/** The interface whose preparations are undone when a node fails (or is aborted) into a state. */
export type FailureCleanUp = 'deploy' | 'rescue' | 'inspect'

/** Metadata of one state. */
export interface StateInfo {
  readonly kind: StateKind
  /** True for Ironic's STABLE_STATES: the node stays here until a request arrives. */
  readonly stable: boolean
  /** The default `target_provision_state` shown while the node is in this state. */
  readonly target?: ProvisionState
  /**
   * For `working` states: where the node goes (by the `fail` event) when the conductor running the
   * work dies. For `wait` states: where the `fail` event sends it when the wait is given up.
   */
  readonly failState?: ProvisionState
  /** For `wait` states: where a callback timeout sends the node. */
  readonly timeoutState?: ProvisionState
  /** For `wait` states: the setting bounding the wait. Hold states wait for a person and never time out. */
  readonly timeout?: WaitTimeoutSetting
  /** The step phase whose progress (plan, index, current step) a node in this state carries. */
  readonly phase?: StepPhase
  /** Working states whose running work the `abort` verb may interrupt (a Ferrum extension). */
  readonly abortable: boolean
  /** Entering this state is refused while the node is in maintenance (as Ironic does). */
  readonly requiresHealthy: boolean
  /** For failure states: the interface whose preparations are undone on the way in. */
  readonly cleanUp?: FailureCleanUp
  /** The periodic power-state sync reads the BMC of nodes in this state (not in enroll or agent waits). */
  readonly powerSync: boolean
}

interface Extra {
  readonly phase?: StepPhase
  readonly abortable?: boolean
  readonly healthy?: boolean
}
const stable: StateInfo = { kind: 'stable', stable: true, abortable: false, requiresHealthy: false, powerSync: true }
const working = (target: ProvisionState, failState: ProvisionState, x: Extra = {}): StateInfo => ({
  kind: 'working',
  stable: false,
  target,
  failState,
  phase: x.phase,
  abortable: x.abortable ?? false,
  requiresHealthy: x.healthy ?? false,
  powerSync: true,
})
const waiting = (target: ProvisionState, failState: ProvisionState, timeout: WaitTimeoutSetting, phase?: StepPhase): StateInfo => ({
  kind: 'wait',
  stable: false,
  target,
  failState,
  timeoutState: failState,
  timeout,
  phase,
  abortable: false,
  requiresHealthy: false,
  powerSync: false,
})
const held = (target: ProvisionState, phase: StepPhase): StateInfo => ({ kind: 'hold', stable: false, target, phase, abortable: false, requiresHealthy: false, powerSync: true })
const failed = (target: ProvisionState, cleanUp?: FailureCleanUp): StateInfo => ({ kind: 'failed', stable: false, target, cleanUp, abortable: false, requiresHealthy: false, powerSync: true })

/** Metadata for every state. */
export const STATE_INFO: Readonly<Record<ProvisionState, StateInfo>> = {
  enroll: { ...stable, powerSync: false }, // credentials not checked yet
  verifying: working('manageable', 'enroll', { healthy: true }),
  manageable: stable,
  inspecting: working('manageable', 'inspect failed', { abortable: true, healthy: true }),
  'inspect wait': waiting('manageable', 'inspect failed', 'inspectWaitTimeoutS'),
  'inspect failed': failed('manageable', 'inspect'),
  available: stable,
  deploying: working('active', 'deploy failed', { phase: 'deploy', abortable: true, healthy: true }),
  'wait call-back': waiting('active', 'deploy failed', 'deployCallbackTimeoutS', 'deploy'),
  'deploy hold': held('active', 'deploy'),
  'deploy failed': failed('active', 'deploy'),
  active: stable,
  deleting: working('available', 'error'),
  cleaning: working('available', 'clean failed', { phase: 'clean', abortable: true, healthy: true }),
  'clean wait': waiting('available', 'clean failed', 'cleanCallbackTimeoutS', 'clean'),
  'clean hold': held('available', 'clean'),
  'clean failed': failed('available'),
  error: stable,
  adopting: working('active', 'adopt failed', { healthy: true }),
  'adopt failed': failed('active'),
  rescuing: working('rescue', 'rescue failed', { abortable: true, healthy: true }),
  'rescue wait': waiting('rescue', 'rescue failed', 'rescueCallbackTimeoutS'),
  rescue: stable,
  'rescue failed': failed('rescue', 'rescue'),
  unrescuing: working('active', 'unrescue failed', { healthy: true }),
  'unrescue failed': failed('active'),
  servicing: working('active', 'service failed', { phase: 'service', abortable: true, healthy: true }),
  'service wait': waiting('active', 'service failed', 'serviceCallbackTimeoutS', 'service'),
  'service hold': held('active', 'service'),
  'service failed': failed('active'),
}

/** Who fires a transition: an API verb, or the conductor on its own. */
export type TransitionSource = 'api' | 'conductor'

/** One row of the transition table: `[from, event, to, firedBy]`. */
export type Transition = readonly [from: ProvisionState, event: ProvisionEvent, to: ProvisionState, by: TransitionSource]

/** The transition table, grouped by workflow. Mirrors Ironic's machine edge for edge. */
export const TRANSITIONS = [
  // enrolment: credentials are checked before the node becomes manageable
  ['enroll', 'manage', 'verifying', 'api'],
  ['verifying', 'done', 'manageable', 'conductor'],
  ['verifying', 'fail', 'enroll', 'conductor'], // last_error says why
  // inspection
  ['manageable', 'inspect', 'inspecting', 'api'],
  ['inspecting', 'done', 'manageable', 'conductor'],
  ['inspecting', 'wait', 'inspect wait', 'conductor'], // out-of-band or agent inspection pending
  ['inspecting', 'fail', 'inspect failed', 'conductor'],
  ['inspect wait', 'resume', 'inspecting', 'conductor'],
  ['inspect wait', 'done', 'manageable', 'conductor'],
  ['inspect wait', 'fail', 'inspect failed', 'conductor'], // includes the inspect-wait timeout
  ['inspect wait', 'abort', 'inspect failed', 'api'],
  ['inspect failed', 'inspect', 'inspecting', 'api'],
  ['inspect failed', 'manage', 'manageable', 'api'],
  // manageable ⇄ available (provide runs automated cleaning first)
  ['manageable', 'provide', 'cleaning', 'api'],
  ['manageable', 'clean', 'cleaning', 'api'], // manual cleaning, back to manageable when done
  ['available', 'manage', 'manageable', 'api'],
  // deployment
  ['available', 'deploy', 'deploying', 'api'],
  ['deploying', 'done', 'active', 'conductor'],
  ['deploying', 'wait', 'wait call-back', 'conductor'], // a step returned {wait}
  ['deploying', 'hold', 'deploy hold', 'conductor'],
  ['deploying', 'fail', 'deploy failed', 'conductor'],
  ['wait call-back', 'resume', 'deploying', 'conductor'], // agent heartbeat
  ['wait call-back', 'hold', 'deploy hold', 'conductor'],
  ['wait call-back', 'fail', 'deploy failed', 'conductor'], // callback timeout
  ['wait call-back', 'abort', 'deploy failed', 'api'],
  ['wait call-back', 'delete', 'deleting', 'api'],
  ['deploy hold', 'unhold', 'wait call-back', 'api'],
  ['deploy hold', 'abort', 'deploy failed', 'api'],
  ['deploy failed', 'rebuild', 'deploying', 'api'],
  ['deploy failed', 'deploy', 'deploying', 'api'], // old clients retry with "active"
  ['deploy failed', 'delete', 'deleting', 'api'],
  ['active', 'rebuild', 'deploying', 'api'],
  ['error', 'rebuild', 'deploying', 'api'],
  // tear-down: deleting hands over to automated cleaning
  ['active', 'delete', 'deleting', 'api'],
  ['error', 'delete', 'deleting', 'api'],
  ['deleting', 'clean', 'cleaning', 'conductor'],
  ['deleting', 'fail', 'error', 'conductor'],
  // cleaning (automated after provide/tear-down, or manual from manageable)
  ['cleaning', 'done', 'available', 'conductor'],
  ['cleaning', 'manage', 'manageable', 'conductor'], // manual cleaning finished
  ['cleaning', 'wait', 'clean wait', 'conductor'],
  ['cleaning', 'hold', 'clean hold', 'conductor'],
  ['cleaning', 'fail', 'clean failed', 'conductor'],
  ['clean wait', 'resume', 'cleaning', 'conductor'],
  ['clean wait', 'hold', 'clean hold', 'conductor'],
  ['clean wait', 'fail', 'clean failed', 'conductor'], // callback timeout
  ['clean wait', 'abort', 'clean failed', 'api'],
  ['clean hold', 'unhold', 'clean wait', 'api'],
  ['clean hold', 'abort', 'clean failed', 'api'],
  ['clean failed', 'manage', 'manageable', 'api'],
  // adoption of a node deployed by other means
  ['manageable', 'adopt', 'adopting', 'api'],
  ['adopting', 'done', 'active', 'conductor'],
  ['adopting', 'fail', 'adopt failed', 'conductor'],
  ['adopt failed', 'adopt', 'adopting', 'api'],
  ['adopt failed', 'manage', 'manageable', 'api'],
  // rescue
  ['active', 'rescue', 'rescuing', 'api'],
  ['rescuing', 'done', 'rescue', 'conductor'],
  ['rescuing', 'wait', 'rescue wait', 'conductor'],
  ['rescuing', 'fail', 'rescue failed', 'conductor'],
  ['rescue wait', 'resume', 'rescuing', 'conductor'],
  ['rescue wait', 'fail', 'rescue failed', 'conductor'], // callback timeout
  ['rescue wait', 'abort', 'rescue failed', 'api'],
  ['rescue wait', 'delete', 'deleting', 'api'],
  ['rescue', 'rescue', 'rescuing', 'api'],
  ['rescue', 'unrescue', 'unrescuing', 'api'],
  ['rescue', 'delete', 'deleting', 'api'],
  ['rescue failed', 'rescue', 'rescuing', 'api'],
  ['rescue failed', 'unrescue', 'unrescuing', 'api'],
  ['rescue failed', 'delete', 'deleting', 'api'],
  ['unrescuing', 'done', 'active', 'conductor'],
  ['unrescuing', 'fail', 'unrescue failed', 'conductor'],
  ['unrescue failed', 'rescue', 'rescuing', 'api'],
  ['unrescue failed', 'unrescue', 'unrescuing', 'api'],
  ['unrescue failed', 'delete', 'deleting', 'api'],
  // servicing an active node
  ['active', 'service', 'servicing', 'api'],
  ['servicing', 'done', 'active', 'conductor'],
  ['servicing', 'wait', 'service wait', 'conductor'],
  ['servicing', 'hold', 'service hold', 'conductor'],
  ['servicing', 'fail', 'service failed', 'conductor'],
  ['service wait', 'resume', 'servicing', 'conductor'],
  ['service wait', 'hold', 'service hold', 'conductor'],
  ['service wait', 'fail', 'service failed', 'conductor'], // callback timeout
  ['service wait', 'abort', 'service failed', 'api'],
  ['service wait', 'delete', 'deleting', 'api'],
  ['service hold', 'service', 'servicing', 'api'], // more steps for a held node
  ['service hold', 'unhold', 'service wait', 'api'],
  ['service hold', 'fail', 'service failed', 'conductor'],
  ['service hold', 'abort', 'service failed', 'api'],
  ['service failed', 'service', 'servicing', 'api'],
  ['service failed', 'rescue', 'rescuing', 'api'],
  ['service failed', 'wait', 'service wait', 'conductor'],
  ['service failed', 'hold', 'service hold', 'conductor'],
  ['service failed', 'abort', 'active', 'api'], // give up servicing, keep the instance
  ['service failed', 'delete', 'deleting', 'api'],
] as const satisfies readonly Transition[]

/** Ironic's STABLE_STATES: a node rests here until a request arrives. */
export const STABLE_STATES: ReadonlySet<ProvisionState> = statesWhere((i) => i.stable)
/** States with conductor work in flight; a dead conductor's nodes here go to `failState`. */
export const WORKING_STATES: ReadonlySet<ProvisionState> = statesWhere((i) => i.kind === 'working')
/** States waiting on an agent callback, subject to a callback timeout. */
export const WAIT_STATES: ReadonlySet<ProvisionState> = statesWhere((i) => i.kind === 'wait')
/** States where a step parked the node until `unhold`/`abort`. */
export const HOLD_STATES: ReadonlySet<ProvisionState> = statesWhere((i) => i.kind === 'hold')
/** Ironic's FAILURE_STATES. */
export const FAILURE_STATES: ReadonlySet<ProvisionState> = statesWhere((i) => i.kind === 'failed')

/**
 * States in which `DELETE /v1/nodes/{node}` is allowed (Ironic's DELETE_ALLOWED_STATES).
 * `available` is added by default config (`allow_deleting_available_nodes`), and any state is
 * allowed in maintenance: see {@link canDeleteNode}.
 */
export const DELETE_ALLOWED_STATES: ReadonlySet<ProvisionState> = new Set(['manageable', 'enroll', 'adopt failed'])

/**
 * Non-stable states in which a node may still be updated (Ironic's UPDATE_ALLOWED_STATES).
 * Stable states always allow updates; `inspecting` is refused from API 1.39 on.
 */
export const UPDATE_ALLOWED_STATES: ReadonlySet<ProvisionState> = new Set([
  'deploy failed',
  'inspecting',
  'inspect failed',
  'inspect wait',
  'clean failed',
  'error',
  'verifying',
  'adopt failed',
  'rescue failed',
  'unrescue failed',
  'service hold',
  'service failed',
])

/** States in which the agent's `GET /v1/lookup` finds the node (without fast-track). */
export const LOOKUP_ALLOWED_STATES: ReadonlySet<ProvisionState> = new Set([
  'deploying',
  'wait call-back',
  'cleaning',
  'clean wait',
  'inspecting',
  'inspect wait',
  'rescuing',
  'rescue wait',
])

/** States in which lookup is allowed when fast-track is enabled. */
export const FASTTRACK_LOOKUP_ALLOWED_STATES: ReadonlySet<ProvisionState> = new Set([
  ...LOOKUP_ALLOWED_STATES,
  'enroll',
  'manageable',
  'available',
  'servicing',
  'service wait',
  'service hold',
])

function statesWhere(pred: (info: StateInfo) => boolean): ReadonlySet<ProvisionState> {
  return new Set(PROVISION_STATES.filter((s) => pred(STATE_INFO[s])))
}

const EDGES: ReadonlyMap<string, Transition> = new Map(TRANSITIONS.map((t) => [`${t[0]}\u0000${t[1]}`, t]))

/** The transition for (from, event), or undefined when the machine has none. */
export function findTransition(from: ProvisionState, event: ProvisionEvent): Transition | undefined {
  return EDGES.get(`${from}\u0000${event}`)
}

/** Options for {@link applyEvent}, used only to word the error. */
export interface ApplyEventOptions {
  /** Node UUID or name, named in the error message. */
  readonly node?: string
  /** The verb as the client spelled it (`active`, `undeploy`…); defaults to the event name. */
  readonly verb?: string
  /** When set, only API-fired transitions are accepted (a client cannot send `done`). */
  readonly apiOnly?: boolean
  /** The client's microversion (1.N as N): the error lists only verbs it may send. */
  readonly apiMinor?: number
}

/**
 * Applies one event and returns the new state.
 * @throws InvalidStateError (409) naming the state and the verbs allowed there.
 */
export function applyEvent(from: ProvisionState, event: ProvisionEvent, opts: ApplyEventOptions = {}): ProvisionState {
  const t = findTransition(from, event)
  if (t !== undefined && (!opts.apiOnly || t[3] === 'api')) return t[2]
  throw new InvalidStateError(invalidActionMessage(from, opts.verb ?? event, opts.node, opts.apiMinor), {
    details: { provision_state: from, action: opts.verb ?? event, allowed: allowedVerbs(from, opts.apiMinor) },
  })
}

/** The message Ironic clients expect for a refused provision action, plus the verbs allowed. */
export function invalidActionMessage(state: ProvisionState, action: string, node?: string, apiMinor?: number): string {
  const where = node === undefined ? '' : ` on node "${node}"`
  const allowed = allowedVerbs(state, apiMinor)
  const hint = allowed.length === 0 ? ' No actions are allowed in this state.' : ` Allowed: ${allowed.join(', ')}.`
  return `The requested action "${action}" can not be performed${where} while it is in state "${state}".${hint}`
}

/**
 * API verbs accepted in a state, in {@link PROVISION_VERBS} order. With `apiMinor`, verbs newer
 * than microversion 1.`apiMinor` are left out (state-specific limits are in provision-states-api.ts).
 */
export function allowedVerbs(state: ProvisionState, apiMinor?: number): ProvisionVerb[] {
  return PROVISION_VERBS.filter((verb) => {
    const info = VERBS[verb]
    if (apiMinor !== undefined && apiMinor < info.sinceMinor) return false
    const t = findTransition(state, info.event)
    return t !== undefined && t[3] === 'api'
  })
}

/** Events (of any source) defined from a state. */
export function eventsFrom(state: ProvisionState): ProvisionEvent[] {
  return TRANSITIONS.filter((t) => t[0] === state).map((t) => t[1])
}

/** True for Ironic's stable states. */
export function isStable(state: ProvisionState): boolean {
  return STATE_INFO[state].stable
}

/** The default `target_provision_state` while in `state` (null for stable states). */
export function targetOf(state: ProvisionState): ProvisionState | null {
  return STATE_INFO[state].target ?? null
}

/**
 * The `target_provision_state` to store after entering `to`. The conductor passes `override`
 * where Ironic does: manual cleaning keeps `manageable` as the target through cleaning, clean wait
 * and clean failed. Stable states always clear the target.
 */
export function nextTarget(to: ProvisionState, override?: ProvisionState | null): ProvisionState | null {
  if (isStable(to)) return null
  return override ?? targetOf(to)
}

/** True if `state` is a provision state string. */
export function isProvisionState(value: unknown): value is ProvisionState {
  return typeof value === 'string' && (PROVISION_STATES as readonly string[]).includes(value)
}

/** True if `value` is a provision verb. */
export function isProvisionVerb(value: unknown): value is ProvisionVerb {
  return typeof value === 'string' && Object.hasOwn(VERBS, value)
}

/** Options for {@link canDeleteNode}. */
export interface DeleteCheck {
  readonly maintenance: boolean
  /** Mirrors Ironic's `[conductor]allow_deleting_available_nodes` (default true). */
  readonly allowDeletingAvailable?: boolean
}

/** Whether `DELETE /v1/nodes/{node}` may proceed in this state. */
export function canDeleteNode(state: ProvisionState, check: DeleteCheck): boolean {
  if (check.maintenance || DELETE_ALLOWED_STATES.has(state)) return true
  return state === 'available' && (check.allowDeletingAvailable ?? true)
}
