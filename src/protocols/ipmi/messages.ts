/**
 * IPMI v2.0 wire codes and the decoded shapes the codec produces. Pure data: no I/O, no crypto.
 * Section numbers refer to the IPMI v2.0 rev 1.1 specification.
 */

/** RMCP message classes (§13.1.3, ASF 2.0 §3.2.2.1). */
export const enum RmcpClass {
  Asf = 0x06,
  Ipmi = 0x07,
  /** Bit 7 of the class byte: this is an RMCP ACK. */
  AckFlag = 0x80,
}

/** RMCP constants (§13.1.3). */
export const enum Rmcp {
  Version = 0x06,
  /** Sequence 0xFF: the sender wants no RMCP ACK (IPMI always uses this). */
  NoAckSequence = 0xff,
  HeaderLength = 4,
}

/** ASF presence ping/pong (§13.2.3, ASF 2.0 §3.2.4). */
export const enum Asf {
  Iana = 4542,
  PresencePing = 0x80,
  PresencePong = 0x40,
  /** Supported entities byte of a pong: bit 7 = IPMI supported, low nibble = ASF version 1.0. */
  EntitiesIpmi = 0x81,
}

/** Session authentication type byte (§13.6, §22.13). 0x06 marks an IPMI v2.0 / RMCP+ packet. */
export const enum AuthType {
  None = 0x00,
  Md2 = 0x01,
  Md5 = 0x02,
  Password = 0x04,
  Oem = 0x05,
  RmcpPlus = 0x06,
}

/** RMCP+ payload types (§13.27.3), the low 6 bits of the payload type byte. */
export const enum PayloadType {
  Ipmi = 0x00,
  Sol = 0x01,
  Oem = 0x02,
  OpenSessionRequest = 0x10,
  OpenSessionResponse = 0x11,
  Rakp1 = 0x12,
  Rakp2 = 0x13,
  Rakp3 = 0x14,
  Rakp4 = 0x15,
}

/** Payload type byte flags (§13.6, table 13-8). */
export const enum PayloadFlag {
  Encrypted = 0x80,
  Authenticated = 0x40,
  TypeMask = 0x3f,
}

/** Network functions (§5.1, table 5-1); responses use the request's netFn + 1. */
export const enum NetFn {
  Chassis = 0x00,
  ChassisResponse = 0x01,
  App = 0x06,
  AppResponse = 0x07,
}

/** App netFn commands used here (§20, §22, appendix G). */
export const enum AppCmd {
  GetDeviceId = 0x01,
  GetChannelAuthCapabilities = 0x38,
  SetSessionPrivilegeLevel = 0x3b,
  CloseSession = 0x3c,
  GetChannelCipherSuites = 0x54,
}

/** Chassis netFn commands (§28). */
export const enum ChassisCmd {
  GetChassisCapabilities = 0x00,
  GetChassisStatus = 0x01,
  ChassisControl = 0x02,
  SetSystemBootOptions = 0x08,
  GetSystemBootOptions = 0x09,
}

/** Chassis Control request byte (§28.3, table 28-4). */
export const enum ChassisControl {
  PowerDown = 0x00,
  PowerUp = 0x01,
  PowerCycle = 0x02,
  HardReset = 0x03,
  DiagnosticInterrupt = 0x04,
  SoftShutdown = 0x05,
}

/** Completion codes (§5.2, table 5-2). */
export const enum CompletionCode {
  Ok = 0x00,
  NodeBusy = 0xc0,
  InvalidCommand = 0xc1,
  InvalidForLun = 0xc2,
  Timeout = 0xc3,
  OutOfSpace = 0xc4,
  RequestDataTruncated = 0xc6,
  RequestDataLengthInvalid = 0xc7,
  RequestDataFieldLengthLimitExceeded = 0xc8,
  ParameterOutOfRange = 0xc9,
  CannotReturnRequestedBytes = 0xca,
  NotPresent = 0xcb,
  InvalidDataField = 0xcc,
  CommandIllegalForSensor = 0xcd,
  ResponseNotProvided = 0xce,
  DuplicatedRequest = 0xcf,
  DestinationUnavailable = 0xd3,
  InsufficientPrivilege = 0xd4,
  NotSupportedInPresentState = 0xd5,
  SubFunctionDisabled = 0xd6,
  Unspecified = 0xff,
}

/** Command-specific completion codes of the session commands (§22.18, §22.19). */
export const enum SessionCompletionCode {
  /** Set Session Privilege Level: requested level not available to this user. */
  PrivilegeNotAvailable = 0x80,
  /** Set Session Privilege Level: requested level exceeds the channel/user limit. */
  PrivilegeExceedsLimit = 0x81,
  /** Close Session: invalid session ID in request. */
  InvalidSessionId = 0x87,
}

/** Command-specific completion codes of Get/Set System Boot Options (§28.12, §28.13). */
export const enum BootOptionsCompletionCode {
  ParameterNotSupported = 0x80,
  /** Set: "set in progress" is already active. */
  SetInProgressActive = 0x81,
  /** Set: write to a read-only parameter. */
  ParameterReadOnly = 0x82,
}

/** Privilege levels (§6.8). */
export const enum Privilege {
  /** In requests: "highest level matching the proposed algorithms" / "no change". */
  Unspecified = 0x00,
  Callback = 0x01,
  User = 0x02,
  Operator = 0x03,
  Administrator = 0x04,
  Oem = 0x05,
}

/** RMCP+ and RAKP message status codes (§13.24, table 13-15). */
export const enum RakpStatus {
  Ok = 0x00,
  InsufficientResources = 0x01,
  InvalidSessionId = 0x02,
  InvalidPayloadType = 0x03,
  InvalidAuthAlgorithm = 0x04,
  InvalidIntegrityAlgorithm = 0x05,
  NoMatchingAuthPayload = 0x06,
  NoMatchingIntegrityPayload = 0x07,
  InactiveSessionId = 0x08,
  InvalidRole = 0x09,
  UnauthorizedRole = 0x0a,
  InsufficientResourcesForRole = 0x0b,
  InvalidNameLength = 0x0c,
  UnauthorizedName = 0x0d,
  UnauthorizedGuid = 0x0e,
  InvalidIntegrityCheckValue = 0x0f,
  InvalidConfidentialityAlgorithm = 0x10,
  NoCipherSuiteMatch = 0x11,
  IllegalParameter = 0x12,
}

/** Authentication algorithm numbers (§13.28). */
export const enum AuthAlgorithm {
  None = 0x00,
  RakpHmacSha1 = 0x01,
  RakpHmacMd5 = 0x02,
  RakpHmacSha256 = 0x03,
}

/** Integrity algorithm numbers (§13.28.4). */
export const enum IntegrityAlgorithm {
  None = 0x00,
  HmacSha1_96 = 0x01,
  HmacMd5_128 = 0x02,
  Md5_128 = 0x03,
  HmacSha256_128 = 0x04,
}

/** Confidentiality algorithm numbers (§13.28.5). */
export const enum ConfidentialityAlgorithm {
  None = 0x00,
  AesCbc128 = 0x01,
  XRc4_128 = 0x02,
  XRc4_40 = 0x03,
}

/** Well-known addresses (§5.5, §13.8). */
export const enum Address {
  Bmc = 0x20,
  /** Remote console software ID 0x81 (software IDs have bit 0 set). */
  RemoteConsole = 0x81,
}

/** Boot option parameter selectors (§28.13, table 28-14). */
export const enum BootParam {
  SetInProgress = 0x00,
  ServicePartitionSelector = 0x01,
  ServicePartitionScan = 0x02,
  BootFlagValidBitClearing = 0x03,
  BootInfoAcknowledge = 0x04,
  BootFlags = 0x05,
  BootInitiatorInfo = 0x06,
}

/** Boot device selector, bits 5:2 of boot flags data byte 2 (§28.13, parameter 5). */
export const enum BootDeviceSelector {
  NoOverride = 0x0,
  Pxe = 0x1,
  Disk = 0x2,
  DiskSafeMode = 0x3,
  DiagnosticPartition = 0x4,
  CdDvd = 0x5,
  BiosSetup = 0x6,
  RemoteFloppy = 0x7,
  RemoteCdDvd = 0x8,
  PrimaryRemoteMedia = 0x9,
  RemoteDisk = 0xb,
  Floppy = 0xf,
}

/** The IPMI message inside a session wrapper (§13.8), request direction. */
export interface IpmiRequest {
  rsAddr: number
  netFn: number
  rsLun: number
  rqAddr: number
  rqSeq: number
  rqLun: number
  cmd: number
  data: Buffer
}

/** The IPMI message inside a session wrapper (§13.8), response direction. */
export interface IpmiResponse {
  rqAddr: number
  netFn: number
  rqLun: number
  rsAddr: number
  rqSeq: number
  rsLun: number
  cmd: number
  completionCode: number
  data: Buffer
}

/** An IPMI v1.5 session packet (§13.6, table 13-4): used here only outside a session. */
export interface V15Packet {
  format: 'v15'
  authType: number
  sequence: number
  sessionId: number
  /** 16 bytes when authType is not None; absent otherwise. */
  authCode?: Buffer
  message: Buffer
}

/** An IPMI v2.0 / RMCP+ session packet (§13.6, table 13-8), payload still sealed. */
export interface V20Packet {
  format: 'v20'
  payloadType: number
  encrypted: boolean
  authenticated: boolean
  /** Present for payload type OEM (0x02) only. */
  oem?: { iana: number; payloadId: number }
  sessionId: number
  sequence: number
  /** Payload as on the wire (ciphertext with IV when encrypted). */
  payload: Buffer
  /** Present when authenticated: the bytes covered by the AuthCode (authType .. next header). */
  integrityData?: Buffer
  authCode?: Buffer
}

export type SessionPacket = V15Packet | V20Packet
