import type { VolumeConnectorRecord, VolumeTargetRecord } from '../../db/repos/volume.js'
import type { ApiVersion } from '../microversions.js'
import type { FieldTable } from '../collection.js'
import { pickFields } from '../collection.js'
import { selfLinks } from '../links.js'

/** Volume connector fields (all since 1.32). */
export const CONNECTOR_FIELDS: FieldTable = [
  ['uuid', null], ['node_uuid', null], ['type', null], ['connector_id', null], ['extra', null],
  ['created_at', null], ['updated_at', null], ['links', null],
]
export const CONNECTOR_DEFAULT_FIELDS = ['uuid', 'node_uuid', 'type', 'connector_id'] as const

/** Volume target fields (all since 1.32). */
export const TARGET_FIELDS: FieldTable = [
  ['uuid', null], ['node_uuid', null], ['volume_type', null], ['properties', null], ['boot_index', null],
  ['volume_id', null], ['extra', null], ['created_at', null], ['updated_at', null], ['links', null],
]
export const TARGET_DEFAULT_FIELDS = ['uuid', 'node_uuid', 'volume_type', 'boot_index', 'volume_id'] as const

export const VOLUME_UNSORTABLE = ['extra', 'properties', 'links', 'node_uuid'] as const

export function connectorView(c: VolumeConnectorRecord, base: string, v: ApiVersion, fields?: readonly string[]): Record<string, unknown> {
  const all = { ...c, links: selfLinks(base, `volume/connectors/${c.uuid}`) }
  return pickFields(all, CONNECTOR_FIELDS, v, fields)
}

export function targetView(t: VolumeTargetRecord, base: string, v: ApiVersion, fields?: readonly string[]): Record<string, unknown> {
  const all = { ...t, links: selfLinks(base, `volume/targets/${t.uuid}`) }
  return pickFields(all, TARGET_FIELDS, v, fields)
}
