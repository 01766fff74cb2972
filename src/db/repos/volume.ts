import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import type { Schema } from '../schema.js'
import { fromJson, mapUnique, nowIso, toJson } from '../codec.js'
import { NotFoundError } from '../../domain/errors.js'
import { applyPage } from './shared.js'
import type { ListOptions } from './shared.js'

type Json = Record<string, unknown>

/** A volume connector: how a node reaches storage (an iSCSI IQN, a WWPN, an IP…). */
export interface VolumeConnectorRecord {
  id: number
  uuid: string
  node_id: number
  node_uuid: string
  type: string
  connector_id: string
  extra: Json
  created_at: string
  updated_at: string | null
}

/** A volume target: a volume the node boots from or attaches (boot_index 0 is the boot volume). */
export interface VolumeTargetRecord {
  id: number
  uuid: string
  node_id: number
  node_uuid: string
  volume_type: string
  properties: Json
  boot_index: number
  volume_id: string
  extra: Json
  created_at: string
  updated_at: string | null
}

export type ConnectorFields = Pick<VolumeConnectorRecord, 'node_id' | 'type' | 'connector_id' | 'extra'>
export type TargetFields = Pick<VolumeTargetRecord, 'node_id' | 'volume_type' | 'properties' | 'boot_index' | 'volume_id' | 'extra'>

export const CONNECTOR_SORT_KEYS = ['id', 'uuid', 'type', 'connector_id', 'created_at', 'updated_at'] as const
export const TARGET_SORT_KEYS = ['id', 'uuid', 'volume_type', 'boot_index', 'volume_id', 'created_at', 'updated_at'] as const
export type ConnectorSortKey = (typeof CONNECTOR_SORT_KEYS)[number]
export type TargetSortKey = (typeof TARGET_SORT_KEYS)[number]

function connectorDuplicate(col: string, r: Partial<ConnectorFields> & { uuid?: string }): string {
  if (col === 'uuid') return `A volume connector with UUID ${r.uuid} already exists.`
  return `A volume connector with type ${r.type} and connector ID ${r.connector_id} already exists.`
}

function targetDuplicate(col: string, r: Partial<TargetFields> & { uuid?: string }): string {
  if (col === 'uuid') return `A volume target with UUID ${r.uuid} already exists.`
  return `A volume target with boot index '${r.boot_index}' for the same node already exists.`
}

/** Database access for volume connectors and targets. */
export class VolumeRepo {
  constructor(private readonly db: Kysely<Schema>) {}

  async #nodeUuids(ids: number[]): Promise<Map<number, string>> {
    const wanted = [...new Set(ids)]
    if (wanted.length === 0) return new Map()
    const rows = await this.db.selectFrom('nodes').select(['id', 'uuid']).where('id', 'in', wanted).execute()
    return new Map(rows.map((r) => [r.id, r.uuid]))
  }

  // ---- connectors -----------------------------------------------------------------------------

  async listConnectors(f: { node_id?: number } = {}, opts: ListOptions<ConnectorSortKey> = {}): Promise<VolumeConnectorRecord[]> {
    let q = this.db.selectFrom('volume_connectors').selectAll()
    if (f.node_id !== undefined) q = q.where('node_id', '=', f.node_id)
    const rows = await (applyPage(q, opts) as typeof q).execute()
    const uuids = await this.#nodeUuids(rows.map((r) => r.node_id))
    return rows.map((r) => ({ ...r, extra: fromJson(r.extra, {}), node_uuid: uuids.get(r.node_id) ?? '' }))
  }

  async getConnector(uuid: string): Promise<VolumeConnectorRecord> {
    const row = await this.db.selectFrom('volume_connectors').selectAll().where('uuid', '=', uuid.toLowerCase()).executeTakeFirst()
    if (!row) throw new NotFoundError(`Volume connector ${uuid} could not be found.`, { code: 'VOLUME_CONNECTOR_NOT_FOUND' })
    const uuids = await this.#nodeUuids([row.node_id])
    return { ...row, extra: fromJson(row.extra, {}), node_uuid: uuids.get(row.node_id) ?? '' }
  }

  async createConnector(c: ConnectorFields & { uuid?: string }): Promise<VolumeConnectorRecord> {
    const uuid = c.uuid ?? randomUUID()
    await mapUnique(
      () => this.db.insertInto('volume_connectors').values({ uuid, node_id: c.node_id, type: c.type, connector_id: c.connector_id, extra: toJson(c.extra), created_at: nowIso(), updated_at: null }).execute(),
      (col) => connectorDuplicate(col, { ...c, uuid }),
    )
    return this.getConnector(uuid)
  }

  async updateConnector(id: number, uuid: string, c: Partial<ConnectorFields>): Promise<VolumeConnectorRecord> {
    const set: Record<string, unknown> = { updated_at: nowIso() }
    for (const k of ['node_id', 'type', 'connector_id'] as const) if (c[k] !== undefined) set[k] = c[k]
    if (c.extra !== undefined) set.extra = toJson(c.extra)
    await mapUnique(() => this.db.updateTable('volume_connectors').set(set).where('id', '=', id).execute(), (col) => connectorDuplicate(col, c))
    return this.getConnector(uuid)
  }

  async deleteConnector(id: number): Promise<void> {
    await this.db.deleteFrom('volume_connectors').where('id', '=', id).execute()
  }

  // ---- targets --------------------------------------------------------------------------------

  async listTargets(f: { node_id?: number } = {}, opts: ListOptions<TargetSortKey> = {}): Promise<VolumeTargetRecord[]> {
    let q = this.db.selectFrom('volume_targets').selectAll()
    if (f.node_id !== undefined) q = q.where('node_id', '=', f.node_id)
    const rows = await (applyPage(q, opts) as typeof q).execute()
    const uuids = await this.#nodeUuids(rows.map((r) => r.node_id))
    return rows.map((r) => ({ ...r, properties: fromJson(r.properties, {}), extra: fromJson(r.extra, {}), node_uuid: uuids.get(r.node_id) ?? '' }))
  }

  async getTarget(uuid: string): Promise<VolumeTargetRecord> {
    const row = await this.db.selectFrom('volume_targets').selectAll().where('uuid', '=', uuid.toLowerCase()).executeTakeFirst()
    if (!row) throw new NotFoundError(`Volume target ${uuid} could not be found.`, { code: 'VOLUME_TARGET_NOT_FOUND' })
    const uuids = await this.#nodeUuids([row.node_id])
    return { ...row, properties: fromJson(row.properties, {}), extra: fromJson(row.extra, {}), node_uuid: uuids.get(row.node_id) ?? '' }
  }

  async createTarget(t: TargetFields & { uuid?: string }): Promise<VolumeTargetRecord> {
    const uuid = t.uuid ?? randomUUID()
    await mapUnique(
      () =>
        this.db.insertInto('volume_targets').values({
          uuid, node_id: t.node_id, volume_type: t.volume_type, properties: toJson(t.properties), boot_index: t.boot_index,
          volume_id: t.volume_id, extra: toJson(t.extra), created_at: nowIso(), updated_at: null,
        }).execute(),
      (col) => targetDuplicate(col, { ...t, uuid }),
    )
    return this.getTarget(uuid)
  }

  async updateTarget(id: number, uuid: string, t: Partial<TargetFields>): Promise<VolumeTargetRecord> {
    const set: Record<string, unknown> = { updated_at: nowIso() }
    for (const k of ['node_id', 'volume_type', 'boot_index', 'volume_id'] as const) if (t[k] !== undefined) set[k] = t[k]
    if (t.properties !== undefined) set.properties = toJson(t.properties)
    if (t.extra !== undefined) set.extra = toJson(t.extra)
    await mapUnique(() => this.db.updateTable('volume_targets').set(set).where('id', '=', id).execute(), (col) => targetDuplicate(col, t))
    return this.getTarget(uuid)
  }

  async deleteTarget(id: number): Promise<void> {
    await this.db.deleteFrom('volume_targets').where('id', '=', id).execute()
  }
}
