/** `no-vendor`: no vendor passthru methods. */
import type { DriverPassthruMethod, NodePassthruMethod, VendorInterface } from '../interfaces/vendor.js'
import { NoSupport } from './no-support.js'

/** No vendor extensions. */
export class NoVendor extends NoSupport<'vendor'> implements VendorInterface {
  readonly kind = 'vendor'
  readonly name = 'no-vendor'
  readonly methods: Readonly<Record<string, NodePassthruMethod>> = {}
  readonly driverMethods: Readonly<Record<string, DriverPassthruMethod>> = {}
}
