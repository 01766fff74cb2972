import { Type } from '@sinclair/typebox'

/** RAID levels a logical disk may ask for. */
export const RAID_LEVELS = ['JBOD', '0', '1', '2', '5', '6', '1+0', '5+0', '6+0'] as const

/** Each logical disk property with what it means (served by logical_disk_properties). */
export const LOGICAL_DISK_PROPERTIES: Readonly<Record<string, string>> = {
  raid_level: `RAID level of the logical disk: one of ${RAID_LEVELS.join(', ')}. Required.`,
  size_gb: 'Size of the logical disk in GiB, or "MAX" for the space that is left. Required.',
  volume_name: 'Name of the volume; the controller may change or ignore it. Optional.',
  is_root_volume: 'True for the disk the image is written to; at most one disk. Optional.',
  share_physical_disks: 'Whether the disk may share physical disks with other logical disks. Optional.',
  disk_type: 'Kind of physical disks to use: "hdd" or "ssd". Optional.',
  interface_type: 'Interface of the physical disks to use: "sata", "scsi" or "sas". Optional.',
  number_of_physical_disks: 'How many physical disks to build the logical disk from. Optional.',
  controller: 'The RAID controller to create the disk on. Optional.',
  physical_disks: 'The physical disks to use, as the controller names them. Optional.',
}

const LogicalDisk = Type.Object(
  {
    raid_level: Type.Union(RAID_LEVELS.map((l) => Type.Literal(l))),
    size_gb: Type.Union([Type.Integer({ minimum: 0 }), Type.Literal('MAX')]),
    volume_name: Type.Optional(Type.String()),
    is_root_volume: Type.Optional(Type.Boolean()),
    share_physical_disks: Type.Optional(Type.Boolean()),
    disk_type: Type.Optional(Type.Union([Type.Literal('hdd'), Type.Literal('ssd')])),
    interface_type: Type.Optional(Type.Union([Type.Literal('sata'), Type.Literal('scsi'), Type.Literal('sas')])),
    number_of_physical_disks: Type.Optional(Type.Integer({ minimum: 1 })),
    controller: Type.Optional(Type.String()),
    physical_disks: Type.Optional(Type.Array(Type.Unknown(), { minItems: 1 })),
  },
  { additionalProperties: false },
)

/** A target RAID configuration (the schema Ironic validates `PUT …/states/raid` against). */
export const TargetRaidConfig = Type.Object(
  { logical_disks: Type.Array(LogicalDisk, { minItems: 1 }) },
  { additionalProperties: false },
)
