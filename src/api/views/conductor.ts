import type { ConductorRecord } from '../../db/repos/conductors.js'
import type { ApiVersion } from '../microversions.js'
import type { FieldTable } from '../collection.js'
import { pickFields } from '../collection.js'
import { selfLinks } from '../links.js'

/** A conductor that has not heartbeaten for this long is shown as not alive (Ironic's heartbeat_timeout). */
export const HEARTBEAT_TIMEOUT_MS = 60_000

/** Conductor fields (the resource appeared in 1.49). */
export const CONDUCTOR_FIELDS: FieldTable = [
  ['hostname', null], ['conductor_group', null], ['alive', null], ['drivers', null],
  ['created_at', null], ['updated_at', null], ['links', null],
]

export const CONDUCTOR_DEFAULT_FIELDS = ['hostname', 'conductor_group', 'alive'] as const

/** Registered online and heartbeaten within HEARTBEAT_TIMEOUT_MS of `nowMs`. */
export function conductorAlive(c: ConductorRecord, nowMs: number): boolean {
  const last = Date.parse(c.updated_at ?? c.created_at)
  return c.online && Number.isFinite(last) && nowMs - last <= HEARTBEAT_TIMEOUT_MS
}

export function conductorView(c: ConductorRecord, base: string, v: ApiVersion, nowMs: number, fields?: readonly string[]): Record<string, unknown> {
  const all: Record<string, unknown> = {
    hostname: c.hostname,
    conductor_group: c.conductor_group,
    alive: conductorAlive(c, nowMs),
    drivers: c.drivers,
    created_at: c.created_at,
    updated_at: c.updated_at,
    links: selfLinks(base, `conductors/${c.hostname}`),
  }
  return pickFields(all, CONDUCTOR_FIELDS, v, fields)
}
