/**
 * Power states and power targets, spelled as Ironic's API spells them. Pure: drivers map their
 * protocol values (IPMI chassis status, Redfish `PowerState`) onto these through tables of their own.
 */
import { NotAcceptableError, ValidationError } from './errors.js'

/** Every value of a node's `power_state` besides null (unknown, e.g. right after enrolment). */
export const POWER_STATES = ['power on', 'power off', 'rebooting', 'soft power off', 'soft rebooting', 'error'] as const

/** A node's `power_state` / `target_power_state` value; null means unknown or no target. */
export type PowerState = (typeof POWER_STATES)[number]

/** What a power driver reports after asking the BMC: on, off, or it could not tell. */
export type ObservedPowerState = Extract<PowerState, 'power on' | 'power off' | 'error'>

/**
 * Targets accepted by `PUT /v1/nodes/{node}/states/power`, with the microversion (1.N as N) that
 * introduced each. The soft targets and the `timeout` field arrived together in 1.27.
 */
export const POWER_TARGET_SINCE_MINOR = {
  'power on': 1,
  'power off': 1,
  rebooting: 1,
  'soft power off': 27,
  'soft rebooting': 27,
} as const

/** A target of a power state change. */
export type PowerTarget = keyof typeof POWER_TARGET_SINCE_MINOR

/** All power targets, in a stable order. */
export const POWER_TARGETS: readonly PowerTarget[] = Object.keys(POWER_TARGET_SINCE_MINOR) as PowerTarget[]

/** Microversion that introduced the `timeout` field of a power state change. */
export const POWER_TIMEOUT_SINCE_MINOR = 27

/** True if `value` is a power state string. */
export function isPowerState(value: unknown): value is PowerState {
  return typeof value === 'string' && (POWER_STATES as readonly string[]).includes(value)
}

/** True if `value` is a power target. */
export function isPowerTarget(value: unknown): value is PowerTarget {
  return typeof value === 'string' && Object.hasOwn(POWER_TARGET_SINCE_MINOR, value)
}

/** A validated power state change request. */
export interface PowerRequest {
  readonly target: PowerTarget
  /** Seconds, as sent by the client; undefined means the conductor's default. */
  readonly timeoutSeconds?: number
}

/**
 * Validates the body of a power state change for microversion 1.`apiMinor`.
 * @throws ValidationError (400) for an unknown target or a bad timeout
 * @throws NotAcceptableError (406) for a target or field newer than the microversion
 */
export function parsePowerRequest(target: unknown, timeout: unknown, apiMinor: number): PowerRequest {
  if (!isPowerTarget(target)) {
    throw new ValidationError(`Invalid power state target "${String(target)}". Valid targets: ${POWER_TARGETS.join(', ')}.`)
  }
  const since = POWER_TARGET_SINCE_MINOR[target]
  if (apiMinor < since) {
    throw new NotAcceptableError(`Power target "${target}" requires API version 1.${since} or later.`)
  }
  if (timeout === undefined || timeout === null) return { target }
  if (apiMinor < POWER_TIMEOUT_SINCE_MINOR) {
    throw new NotAcceptableError(`The power "timeout" field requires API version 1.${POWER_TIMEOUT_SINCE_MINOR} or later.`)
  }
  if (typeof timeout !== 'number' || !Number.isInteger(timeout) || timeout < 1) {
    throw new ValidationError(`Invalid power timeout "${String(timeout)}": it must be a positive integer of seconds.`)
  }
  return { target, timeoutSeconds: timeout }
}

/**
 * The state the node should settle in once `target` is reached: reboots end powered on,
 * soft power off ends powered off. This is what Ironic stores as `target_power_state`.
 */
export function settledPowerState(target: PowerTarget): ObservedPowerState {
  switch (target) {
    case 'power on':
    case 'rebooting':
    case 'soft rebooting':
      return 'power on'
    case 'power off':
    case 'soft power off':
      return 'power off'
  }
}

/** True for targets that cycle power rather than set a level. */
export function isRebootTarget(target: PowerTarget): boolean {
  return target === 'rebooting' || target === 'soft rebooting'
}

/** True for the graceful (ACPI) targets. */
export function isSoftTarget(target: PowerTarget): boolean {
  return target === 'soft power off' || target === 'soft rebooting'
}

/**
 * Whether asking for `target` while the node is `current` needs no action. Level targets are
 * idempotent; reboots always act.
 */
export function isPowerTargetSatisfied(current: PowerState | null, target: PowerTarget): boolean {
  if (isRebootTarget(target)) return false
  return current === settledPowerState(target)
}
