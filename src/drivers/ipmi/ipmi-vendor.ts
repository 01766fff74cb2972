/**
 * ipmitool vendor passthru: `send_raw` sends any IPMI request given as Ironic's raw_bytes string
 * ("0x06 0x01": netfn, command, data…) and returns the response data bytes.
 */
import { ValidationError } from '../../domain/errors.js'
import type { DriverContext } from '../driver-context.js'
import type { DriverPassthruMethod, NodePassthruMethod, VendorInterface } from '../interfaces/vendor.js'
import type { JsonObject, NodeView } from '../node-view.js'
import { IpmiAccess } from './ipmi-access.js'
import { IPMI_PROPERTIES } from './ipmi-driver-info.js'

/** A parsed raw request. */
export interface RawRequest {
  readonly netFn: number
  readonly cmd: number
  readonly data: readonly number[]
}

/**
 * Parses raw_bytes as ipmitool's `raw` does: whitespace-separated bytes, each 0x-prefixed hex or
 * decimal; the first is the (even, request) netfn, the second the command.
 * @throws ValidationError naming the bad token
 */
export function parseRawBytes(raw: unknown): RawRequest {
  if (typeof raw !== 'string' || raw.trim() === '') {
    throw new ValidationError('Parameter raw_bytes (string of bytes, e.g. "0x06 0x01") was not specified.', { code: 'FERRUM_MISSING_PARAMETER' })
  }
  const bytes = raw.trim().split(/\s+/).map((tok) => {
    const n = /^0x[0-9a-f]{1,2}$/i.test(tok) ? parseInt(tok.slice(2), 16) : /^\d{1,3}$/.test(tok) ? Number(tok) : NaN
    if (!Number.isInteger(n) || n < 0 || n > 0xff) {
      throw new ValidationError(`raw_bytes: "${tok}" is not a byte (use 0x00..0xff or 0..255).`, { code: 'FERRUM_INVALID_PARAMETER' })
    }
    return n
  })
  if (bytes.length < 2) throw new ValidationError('raw_bytes needs at least a netfn and a command byte, e.g. "0x06 0x01".', { code: 'FERRUM_INVALID_PARAMETER' })
  const [netFn, cmd, ...data] = bytes
  if (netFn > 0x3e || netFn % 2 !== 0) {
    throw new ValidationError(`raw_bytes: netfn 0x${netFn.toString(16).padStart(2, '0')} is not a request netfn (an even value up to 0x3e).`, { code: 'FERRUM_INVALID_PARAMETER' })
  }
  return { netFn, cmd, data }
}

/** `0x01 0xff …` */
function hexBytes(b: Buffer): string {
  return [...b].map((x) => `0x${x.toString(16).padStart(2, '0')}`).join(' ')
}

/** Vendor passthru of the ipmi hardware type. */
export class IpmiVendor implements VendorInterface {
  readonly kind = 'vendor'
  readonly name = 'ipmitool'
  readonly methods: Readonly<Record<string, NodePassthruMethod>>
  readonly driverMethods: Readonly<Record<string, DriverPassthruMethod>> = {}
  readonly #bmc: IpmiAccess

  /** @param access shared with the node's other ipmitool interfaces (one session pool) */
  constructor(access: IpmiAccess = new IpmiAccess()) {
    this.#bmc = access
    this.methods = {
      send_raw: {
        httpMethods: ['POST'],
        async: false,
        attach: false,
        requireExclusiveLock: true,
        description: "Send raw bytes to the BMC. Required argument: 'raw_bytes' - a string of raw bytes (e.g. '0x00 0x01'). Returns the response data bytes.",
        run: (ctx: DriverContext, args: JsonObject) => this.sendRaw(ctx, args.raw_bytes),
      },
    }
  }

  validate(node: NodeView): void {
    this.#bmc.info(node, this.kind, this.name)
  }

  getProperties(): Readonly<Record<string, string>> {
    return IPMI_PROPERTIES
  }

  /**
   * Sends one raw request in the node's session.
   * @returns the response data (completion code 0 stripped) as "0x.." bytes and as numbers
   * @throws ValidationError for bad raw_bytes; DriverError (IPMI_COMPLETION_CODE…) when the BMC refuses
   */
  async sendRaw(ctx: DriverContext, rawBytes: unknown): Promise<{ raw_bytes: string; bytes: number[] }> {
    const req = parseRawBytes(rawBytes)
    const what = `sending raw bytes "${String(rawBytes).trim()}"`
    const res = await this.#bmc.run(ctx, this.kind, this.name, what, (c, o) => c.sendRaw(req.netFn, req.cmd, req.data, o))
    return { raw_bytes: hexBytes(res), bytes: [...res] }
  }
}
