import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { ValidationError } from '../domain/errors.js'
import { requireDriverInfo } from './driver-errors.js'
import { makeNodeView } from './testing/fixtures.js'

describe('requireDriverInfo', () => {
  it('names every missing or empty field', () => {
    const node = makeNodeView({ driverInfo: { ipmi_address: '10.0.0.5', ipmi_username: '' } })
    assert.throws(
      () => requireDriverInfo(node, 'power', 'ipmitool', ['ipmi_address', 'ipmi_username', 'ipmi_password']),
      (e: unknown) =>
        e instanceof ValidationError &&
        e.httpStatus === 400 &&
        e.code === 'FERRUM_MISSING_DRIVER_INFO' &&
        e.message === `Node ${node.uuid} is missing driver_info field(s) required by the power interface "ipmitool": ipmi_username, ipmi_password.`,
    )
    assert.doesNotThrow(() => requireDriverInfo(node, 'power', 'ipmitool', ['ipmi_address']))
  })
})
