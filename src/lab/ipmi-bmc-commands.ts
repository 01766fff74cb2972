/**
 * IPMI command handlers of the lab BMC: App (§20, §22) and Chassis (§28) commands, mapped onto a
 * LabMachine. Pure dispatch over decoded requests; ipmi-bmc.ts owns sockets and sessions.
 */
import type { LabBootDevice, LabMachine } from './machine.js'
import type { BmcSession, BmcSessionTable } from './ipmi-bmc-session.js'
import { CIPHER_SUITE_17, CIPHER_SUITE_3 } from '../protocols/ipmi/crypto.js'
import {
  AppCmd,
  BootDeviceSelector,
  BootParam,
  ChassisCmd,
  ChassisControl,
  BootOptionsCompletionCode,
  CompletionCode,
  NetFn,
  Privilege,
  SessionCompletionCode,
} from '../protocols/ipmi/messages.js'
import type { IpmiRequest } from '../protocols/ipmi/messages.js'
import {
  decodeBootFlags,
  decodeChannelAuthCapsRequest,
  decodeCipherSuitesRequest,
  decodeGetBootOptionRequest,
  decodeSetBootOption,
  encodeBootFlags,
  encodeBootOptionResponse,
  encodeChannelAuthCaps,
  encodeChassisStatus,
  encodeCipherSuiteRecords,
  encodeDeviceId,
} from '../protocols/ipmi/commands.js'
import type { BootFlags } from '../protocols/ipmi/commands.js'
import { IpmiMalformedError } from '../protocols/ipmi/errors.js'

/** What a handler answers: a completion code, data, and optionally a session to close once sent. */
export interface CommandResult {
  cc: number
  data?: Buffer
  closeAfterSend?: number
}

/** Mutable per-BMC state that is not the machine's (boot option parameters 0, 3, 4 and flag extras). */
export interface BmcCommandState {
  setInProgress: number
  validBitClearing: number
  bootInfoAck: number
  /** The last boot flags written; bytes the machine does not model are echoed from here. */
  lastBootFlags: BootFlags | null
}

export interface CommandContext {
  machine: LabMachine
  /** null for session-less requests. */
  session: BmcSession | null
  sessions: BmcSessionTable
  state: BmcCommandState
  /** The LAN channel number reported for "this channel" (0x0E). */
  channel: number
}

/** Minimum privilege per command (Appendix G); absent = not implemented. 0 = allowed outside a session. */
const REQUIRED: ReadonlyMap<number, number> = new Map([
  [key(NetFn.App, AppCmd.GetChannelAuthCapabilities), 0],
  [key(NetFn.App, AppCmd.GetChannelCipherSuites), 0],
  [key(NetFn.App, AppCmd.GetDeviceId), Privilege.User],
  [key(NetFn.App, AppCmd.SetSessionPrivilegeLevel), Privilege.User],
  [key(NetFn.App, AppCmd.CloseSession), Privilege.Callback],
  [key(NetFn.Chassis, ChassisCmd.GetChassisCapabilities), Privilege.User],
  [key(NetFn.Chassis, ChassisCmd.GetChassisStatus), Privilege.User],
  [key(NetFn.Chassis, ChassisCmd.ChassisControl), Privilege.Operator],
  [key(NetFn.Chassis, ChassisCmd.SetSystemBootOptions), Privilege.Operator],
  [key(NetFn.Chassis, ChassisCmd.GetSystemBootOptions), Privilege.Operator],
])

function key(netFn: number, cmd: number): number {
  return (netFn << 8) | cmd
}

const DEVICE_TO_SELECTOR: Record<LabBootDevice, BootDeviceSelector> = {
  none: BootDeviceSelector.NoOverride,
  pxe: BootDeviceSelector.Pxe,
  disk: BootDeviceSelector.Disk,
  cdrom: BootDeviceSelector.CdDvd,
  bios: BootDeviceSelector.BiosSetup,
}

const SELECTOR_TO_DEVICE: ReadonlyMap<number, LabBootDevice> = new Map([
  [BootDeviceSelector.NoOverride, 'none'],
  [BootDeviceSelector.Pxe, 'pxe'],
  [BootDeviceSelector.Disk, 'disk'],
  [BootDeviceSelector.DiskSafeMode, 'disk'],
  [BootDeviceSelector.RemoteDisk, 'disk'],
  [BootDeviceSelector.CdDvd, 'cdrom'],
  [BootDeviceSelector.RemoteCdDvd, 'cdrom'],
  [BootDeviceSelector.PrimaryRemoteMedia, 'cdrom'],
  [BootDeviceSelector.BiosSetup, 'bios'],
])

/** A fresh command state: set complete, no acknowledgements, no flags written yet. */
export function initialCommandState(): BmcCommandState {
  return { setInProgress: 0, validBitClearing: 0, bootInfoAck: 0, lastBootFlags: null }
}

/**
 * Runs one request. Never throws for peer input: malformed data yields a completion code.
 * Rejections from the machine (its own failures) propagate to the caller.
 */
export async function handleCommand(ctx: CommandContext, req: IpmiRequest): Promise<CommandResult> {
  const need = REQUIRED.get(key(req.netFn, req.cmd))
  if (need === undefined) return { cc: CompletionCode.InvalidCommand }
  if (need > 0 && (!ctx.session || ctx.session.privilege < need)) return { cc: CompletionCode.InsufficientPrivilege }
  const d = req.data
  try {
    switch (key(req.netFn, req.cmd)) {
      case key(NetFn.App, AppCmd.GetChannelAuthCapabilities):
        return channelAuthCaps(ctx, d)
      case key(NetFn.App, AppCmd.GetChannelCipherSuites):
        return cipherSuites(ctx, d)
      case key(NetFn.App, AppCmd.GetDeviceId):
        return { cc: CompletionCode.Ok, data: deviceId() }
      case key(NetFn.App, AppCmd.SetSessionPrivilegeLevel):
        return setPrivilege(ctx.session!, d)
      case key(NetFn.App, AppCmd.CloseSession):
        return closeSession(ctx, d)
      case key(NetFn.Chassis, ChassisCmd.GetChassisCapabilities):
        // §28.1: flags, then FRU/SDR/SEL/system-management/bridge device addresses.
        return { cc: CompletionCode.Ok, data: Buffer.from([0x00, 0x20, 0x20, 0x20, 0x20]) }
      case key(NetFn.Chassis, ChassisCmd.GetChassisStatus):
        return { cc: CompletionCode.Ok, data: chassisStatus(ctx.machine) }
      case key(NetFn.Chassis, ChassisCmd.ChassisControl):
        return await chassisControl(ctx.machine, d)
      case key(NetFn.Chassis, ChassisCmd.SetSystemBootOptions):
        return setBootOption(ctx, d)
      case key(NetFn.Chassis, ChassisCmd.GetSystemBootOptions):
        return getBootOption(ctx, d)
    }
  } catch (e) {
    // Short request bodies surface as IpmiMalformedError from the decoders.
    if (e instanceof IpmiMalformedError) return { cc: CompletionCode.RequestDataLengthInvalid }
    throw e
  }
  return { cc: CompletionCode.InvalidCommand }
}

function channelAuthCaps(ctx: CommandContext, d: Buffer): CommandResult {
  const req = decodeChannelAuthCapsRequest(d)
  if (req.channel !== 0x0e && req.channel !== ctx.channel) return { cc: CompletionCode.InvalidDataField }
  if (req.privilege < Privilege.Callback || req.privilege > Privilege.Oem) return { cc: CompletionCode.InvalidDataField }
  // §22.13: an RMCP+-only channel; per-user logins with non-null names, KG left at its default.
  const data = encodeChannelAuthCaps({
    channel: ctx.channel,
    authTypes: 0x00,
    extendedCapabilities: req.extended,
    kgNonZero: false,
    perMessageAuthDisabled: false,
    userLevelAuthDisabled: false,
    nonNullUsernames: true,
    nullUsernames: false,
    anonymousLogin: false,
    supportsV15: false,
    supportsV20: req.extended,
    oemId: 0,
    oemAux: 0,
  })
  return { cc: CompletionCode.Ok, data }
}

function cipherSuites(ctx: CommandContext, d: Buffer): CommandResult {
  const req = decodeCipherSuitesRequest(d)
  if (req.channel !== 0x0e && req.channel !== ctx.channel) return { cc: CompletionCode.InvalidDataField }
  const suites = [CIPHER_SUITE_3, CIPHER_SUITE_17]
  // §22.15: by suite = full records; otherwise the list of algorithm bytes alone.
  const all = req.bySuite ? encodeCipherSuiteRecords(suites) : encodeCipherSuiteRecords(suites).filter((_, i) => i % 5 >= 2)
  const slice = all.subarray(req.listIndex * 16, req.listIndex * 16 + 16)
  return { cc: CompletionCode.Ok, data: Buffer.concat([Buffer.from([ctx.channel]), slice]) }
}

function deviceId(): Buffer {
  return encodeDeviceId({
    deviceId: 0x20,
    deviceRevision: 1,
    providesSdrs: false,
    deviceAvailable: true,
    firmwareMajor: 1,
    firmwareMinor: 0,
    ipmiVersion: 0x02,
    additionalSupport: 0x80, // chassis device
    manufacturerId: 0,
    productId: 0x4652,
  })
}

function setPrivilege(session: BmcSession, d: Buffer): CommandResult {
  if (d.length < 1) return { cc: CompletionCode.RequestDataLengthInvalid }
  const level = d[0] & 0x0f
  if (level === Privilege.Unspecified) return { cc: CompletionCode.Ok, data: Buffer.from([session.privilege]) }
  if (level > Privilege.Oem) return { cc: CompletionCode.InvalidDataField }
  if (level > session.maxPrivilege) return { cc: SessionCompletionCode.PrivilegeExceedsLimit }
  session.privilege = level
  return { cc: CompletionCode.Ok, data: Buffer.from([level]) }
}

function closeSession(ctx: CommandContext, d: Buffer): CommandResult {
  if (d.length < 4) return { cc: CompletionCode.RequestDataLengthInvalid }
  const id = d.readUInt32LE(0)
  if (id === ctx.session!.bmcSessionId) return { cc: CompletionCode.Ok, closeAfterSend: id }
  // §22.19: closing another session needs Administrator.
  if (!ctx.sessions.has(id)) return { cc: SessionCompletionCode.InvalidSessionId }
  if (ctx.session!.privilege < Privilege.Administrator) return { cc: CompletionCode.InsufficientPrivilege }
  ctx.sessions.close(id)
  return { cc: CompletionCode.Ok }
}

function chassisStatus(machine: LabMachine): Buffer {
  return encodeChassisStatus({
    powerOn: machine.powerState() === 'on',
    powerOverload: false,
    interlock: false,
    powerFault: false,
    powerControlFault: false,
    restorePolicy: 1, // restore previous state
    lastPowerEvent: 0,
    miscChassisState: 0,
  })
}

async function chassisControl(machine: LabMachine, d: Buffer): Promise<CommandResult> {
  if (d.length < 1) return { cc: CompletionCode.RequestDataLengthInvalid }
  switch (d[0] & 0x0f) {
    case ChassisControl.PowerDown:
      await machine.powerOff()
      break
    case ChassisControl.PowerUp:
      await machine.powerOn()
      break
    case ChassisControl.PowerCycle:
      await machine.powerCycle()
      break
    case ChassisControl.HardReset:
      await machine.reset()
      break
    case ChassisControl.DiagnosticInterrupt:
      await machine.nmi()
      break
    case ChassisControl.SoftShutdown:
      await machine.softOff()
      break
    default:
      return { cc: CompletionCode.InvalidDataField }
  }
  return { cc: CompletionCode.Ok }
}

function setBootOption(ctx: CommandContext, d: Buffer): CommandResult {
  const req = decodeSetBootOption(d)
  const st = ctx.state
  switch (req.parameter) {
    case BootParam.SetInProgress: {
      if (req.data.length < 1) return { cc: CompletionCode.RequestDataLengthInvalid }
      const v = req.data[0] & 0x03
      if (v === 3) return { cc: CompletionCode.InvalidDataField }
      // §28.12: asking for "set in progress" while already in progress is refused.
      if (v === 1 && st.setInProgress === 1) return { cc: BootOptionsCompletionCode.SetInProgressActive }
      st.setInProgress = v === 2 ? 0 : v // commit write completes at once
      return { cc: CompletionCode.Ok }
    }
    case BootParam.BootFlagValidBitClearing:
      if (req.data.length < 1) return { cc: CompletionCode.RequestDataLengthInvalid }
      st.validBitClearing = req.data[0] & 0x1f
      return { cc: CompletionCode.Ok }
    case BootParam.BootInfoAcknowledge: {
      if (req.data.length < 2) return { cc: CompletionCode.RequestDataLengthInvalid }
      const mask = req.data[0]
      st.bootInfoAck = (st.bootInfoAck & ~mask) | (req.data[1] & mask)
      return { cc: CompletionCode.Ok }
    }
    case BootParam.BootFlags: {
      if (req.data.length < 5) return { cc: CompletionCode.RequestDataLengthInvalid }
      const flags = decodeBootFlags(req.data)
      const device = flags.valid ? SELECTOR_TO_DEVICE.get(flags.device) : 'none'
      if (device === undefined) return { cc: CompletionCode.InvalidDataField }
      const current = ctx.machine.bootSetting()
      ctx.machine.setBootSetting({
        device,
        persistent: flags.valid && flags.persistent,
        mode: flags.valid ? (flags.efi ? 'uefi' : 'bios') : current.mode,
      })
      st.lastBootFlags = flags
      return { cc: CompletionCode.Ok }
    }
    default:
      return { cc: BootOptionsCompletionCode.ParameterNotSupported }
  }
}

function getBootOption(ctx: CommandContext, d: Buffer): CommandResult {
  const req = decodeGetBootOptionRequest(d)
  const st = ctx.state
  let data: Buffer
  switch (req.parameter) {
    case BootParam.SetInProgress:
      data = Buffer.from([st.setInProgress])
      break
    case BootParam.BootFlagValidBitClearing:
      data = Buffer.from([st.validBitClearing])
      break
    case BootParam.BootInfoAcknowledge:
      data = Buffer.from([0x00, st.bootInfoAck])
      break
    case BootParam.BootFlags: {
      const b = ctx.machine.bootSetting()
      const last = st.lastBootFlags
      data = encodeBootFlags({
        valid: b.device !== 'none',
        persistent: b.device !== 'none' && b.persistent,
        efi: b.mode === 'uefi',
        device: DEVICE_TO_SELECTOR[b.device],
        clearCmos: last?.clearCmos ?? false,
        lockKeyboard: last?.lockKeyboard ?? false,
        screenBlank: last?.screenBlank ?? false,
        lockResetButton: last?.lockResetButton ?? false,
        extra: last?.extra ?? Buffer.alloc(3),
      })
      break
    }
    default:
      return { cc: BootOptionsCompletionCode.ParameterNotSupported }
  }
  return { cc: CompletionCode.Ok, data: encodeBootOptionResponse({ version: 1, parameter: req.parameter, invalid: false, data }) }
}
