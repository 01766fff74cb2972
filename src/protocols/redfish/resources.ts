/**
 * Typed views of the Redfish resources Ferrum reads (DMTF schema property names; every field
 * optional because BMCs omit what they like), and helpers to find them from the service root.
 */
import type { RedfishCallOptions, RedfishClient } from './client.js'
import { RedfishError } from './errors.js'

/** A navigation link. */
export interface ODataLink {
  readonly '@odata.id': string
}

/** Members of a resource collection. */
export interface ResourceCollection {
  readonly '@odata.id'?: string
  readonly Members?: readonly ODataLink[]
  readonly 'Members@odata.count'?: number
}

/** The service root, `/redfish/v1`. */
export interface ServiceRoot {
  readonly RedfishVersion?: string
  readonly UUID?: string
  readonly Vendor?: string
  readonly Product?: string
  readonly Systems?: ODataLink
  readonly Managers?: ODataLink
  readonly Chassis?: ODataLink
  readonly SessionService?: ODataLink
  readonly TaskService?: ODataLink
  readonly Registries?: ODataLink
}

/** An action's target and, often, the values its parameters accept. */
export interface ActionInfo {
  readonly target: string
  readonly 'ResetType@Redfish.AllowableValues'?: readonly string[]
}

/** ComputerSystem.Boot. */
export interface BootProperties {
  readonly BootSourceOverrideTarget?: string | null
  readonly 'BootSourceOverrideTarget@Redfish.AllowableValues'?: readonly string[]
  readonly BootSourceOverrideEnabled?: string | null
  readonly BootSourceOverrideMode?: string | null
  readonly 'BootSourceOverrideMode@Redfish.AllowableValues'?: readonly string[]
}

/** A ComputerSystem. */
export interface ComputerSystem {
  readonly '@odata.id': string
  readonly '@odata.etag'?: string
  readonly Id?: string
  readonly Name?: string
  readonly Manufacturer?: string
  readonly Model?: string
  readonly SerialNumber?: string
  readonly UUID?: string
  /** On, Off, PoweringOn, PoweringOff, Paused. */
  readonly PowerState?: string | null
  readonly Boot?: BootProperties
  readonly ProcessorSummary?: { readonly Count?: number; readonly LogicalProcessorCount?: number; readonly Model?: string }
  readonly MemorySummary?: { readonly TotalSystemMemoryGiB?: number }
  readonly Processors?: ODataLink
  readonly EthernetInterfaces?: ODataLink
  readonly SimpleStorage?: ODataLink
  readonly Storage?: ODataLink
  readonly Bios?: ODataLink
  readonly Links?: { readonly ManagedBy?: readonly ODataLink[]; readonly Chassis?: readonly ODataLink[] }
  readonly Actions?: { readonly '#ComputerSystem.Reset'?: ActionInfo }
}

/** A Processor. */
export interface Processor {
  readonly ProcessorType?: string
  readonly ProcessorArchitecture?: string
  readonly InstructionSet?: string
  readonly TotalCores?: number
  readonly TotalThreads?: number
}

/** An EthernetInterface of a system. */
export interface EthernetInterface {
  readonly Id?: string
  readonly MACAddress?: string | null
  readonly PermanentMACAddress?: string | null
  readonly Status?: { readonly State?: string }
}

/** A SimpleStorage controller. */
export interface SimpleStorage {
  readonly Devices?: readonly { readonly Name?: string; readonly CapacityBytes?: number | null; readonly Status?: { readonly State?: string } }[]
}

/** A Storage subsystem. */
export interface Storage {
  readonly Drives?: readonly ODataLink[]
}

/** A Drive. */
export interface Drive {
  readonly CapacityBytes?: number | null
}

/** The Bios resource (current values) or its settings object (pending values). */
export interface Bios {
  readonly '@odata.id'?: string
  readonly AttributeRegistry?: string
  readonly Attributes?: Readonly<Record<string, string | number | boolean | null>>
  readonly '@Redfish.Settings'?: { readonly SettingsObject?: ODataLink; readonly SupportedApplyTimes?: readonly string[] }
  readonly Actions?: { readonly '#Bios.ResetBios'?: ActionInfo }
}

/** A Manager (the BMC itself). */
export interface Manager {
  readonly '@odata.id': string
  readonly Id?: string
  readonly FirmwareVersion?: string
  readonly VirtualMedia?: ODataLink
  readonly Links?: { readonly Oem?: { readonly Dell?: { readonly Jobs?: ODataLink; readonly DellJobService?: ODataLink } } }
}

/** A VirtualMedia slot. */
export interface VirtualMedia {
  readonly '@odata.id': string
  readonly Id?: string
  readonly MediaTypes?: readonly string[]
  readonly Image?: string | null
  readonly Inserted?: boolean | null
  readonly Actions?: {
    readonly '#VirtualMedia.InsertMedia'?: ActionInfo
    readonly '#VirtualMedia.EjectMedia'?: ActionInfo
  }
}

const SERVICE_ROOT = '/redfish/v1'

/** The service root. */
export async function getServiceRoot(client: RedfishClient, opts?: RedfishCallOptions): Promise<ServiceRoot> {
  return (await client.get<ServiceRoot>(SERVICE_ROOT, opts)).body
}

/** The member paths of a collection. */
export async function listMemberPaths(client: RedfishClient, path: string, opts?: RedfishCallOptions): Promise<string[]> {
  const body = (await client.get<ResourceCollection>(path, opts)).body
  return (body.Members ?? []).map((m) => m['@odata.id'])
}

/** Every member of a collection, read one by one. */
export async function getMembers<T>(client: RedfishClient, path: string, opts?: RedfishCallOptions): Promise<T[]> {
  const out: T[] = []
  for (const p of await listMemberPaths(client, path, opts)) out.push((await client.get<T>(p, opts)).body)
  return out
}

/**
 * The path of the ComputerSystem to manage: `systemId` as a path (`/redfish/v1/Systems/1`, as
 * Ironic's `redfish_system_id` is spelled) or as a bare id, else the only system of the service.
 * @throws RedfishError REDFISH_NOT_FOUND when the id names no system, or when there are
 *   several systems and no id (listing them)
 */
export async function findSystemPath(client: RedfishClient, systemId: string | null, opts?: RedfishCallOptions): Promise<string> {
  const root = await getServiceRoot(client, opts)
  const systems = root.Systems?.['@odata.id'] ?? `${SERVICE_ROOT}/Systems`
  if (systemId !== null) {
    const path = systemId.startsWith('/') ? systemId : `${systems.replace(/\/+$/, '')}/${encodeURIComponent(systemId)}`
    try {
      await client.get<ComputerSystem>(path, opts)
    } catch (e) {
      if (!(e instanceof RedfishError) || e.code !== 'REDFISH_NOT_FOUND') throw e
      const members = await listMemberPaths(client, systems, opts).catch(() => [] as string[])
      throw new RedfishError(
        `The Redfish BMC at ${client.baseUrl} has no system "${systemId}" (wrong redfish_system_id); it has: ${members.join(', ') || 'none'}.`,
        { code: 'REDFISH_NOT_FOUND', url: `${client.baseUrl}${path}`, cause: e },
      )
    }
    return path
  }
  const members = await listMemberPaths(client, systems, opts)
  if (members.length === 1) return members[0]
  throw new RedfishError(
    members.length === 0
      ? `The Redfish service at ${client.baseUrl} has no ComputerSystem.`
      : `The Redfish service at ${client.baseUrl} has ${members.length} systems (${members.join(', ')}); set driver_info redfish_system_id to one of them.`,
    { code: 'REDFISH_NOT_FOUND', url: `${client.baseUrl}${systems}` },
  )
}

/**
 * The path of the Manager of a system: its `Links.ManagedBy`, else the only manager.
 * @throws RedfishError REDFISH_NOT_FOUND when neither says
 */
export async function findManagerPath(client: RedfishClient, system: ComputerSystem, opts?: RedfishCallOptions): Promise<string> {
  const linked = system.Links?.ManagedBy?.[0]?.['@odata.id']
  if (linked !== undefined) return linked
  const members = await listMemberPaths(client, `${SERVICE_ROOT}/Managers`, opts)
  if (members.length === 1) return members[0]
  throw new RedfishError(`Cannot tell which Redfish manager manages ${system['@odata.id']}.`, { code: 'REDFISH_NOT_FOUND' })
}
