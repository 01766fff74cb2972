import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { NotAcceptableError, ValidationError } from './errors.js'
import {
  isPowerState,
  isPowerTargetSatisfied,
  parsePowerRequest,
  POWER_STATES,
  POWER_TARGETS,
  settledPowerState,
} from './power-states.js'

describe('power states', () => {
  it('fit the 15-character DB column', () => {
    for (const s of POWER_STATES) assert.ok(s.length <= 15, s)
  })

  it('settle reboots on and soft power off off', () => {
    assert.equal(settledPowerState('rebooting'), 'power on')
    assert.equal(settledPowerState('soft rebooting'), 'power on')
    assert.equal(settledPowerState('soft power off'), 'power off')
    for (const t of POWER_TARGETS) assert.ok(isPowerState(settledPowerState(t)))
  })

  it('treats level targets as idempotent and reboots as always acting', () => {
    assert.equal(isPowerTargetSatisfied('power on', 'power on'), true)
    assert.equal(isPowerTargetSatisfied('power off', 'soft power off'), true)
    assert.equal(isPowerTargetSatisfied(null, 'power off'), false)
    assert.equal(isPowerTargetSatisfied('power on', 'rebooting'), false)
  })
})

describe('parsePowerRequest', () => {
  it('accepts the classic targets at 1.1', () => {
    assert.deepEqual(parsePowerRequest('power on', undefined, 1), { target: 'power on' })
    assert.deepEqual(parsePowerRequest('rebooting', null, 1), { target: 'rebooting' })
  })

  it('needs 1.27 for soft targets and the timeout', () => {
    assert.throws(() => parsePowerRequest('soft power off', undefined, 26), NotAcceptableError)
    assert.throws(() => parsePowerRequest('power off', 30, 26), NotAcceptableError)
    assert.deepEqual(parsePowerRequest('soft rebooting', 30, 27), { target: 'soft rebooting', timeoutSeconds: 30 })
  })

  it('rejects unknown targets and bad timeouts', () => {
    assert.throws(() => parsePowerRequest('on', undefined, 90), ValidationError)
    assert.throws(() => parsePowerRequest('error', undefined, 90), ValidationError)
    assert.throws(() => parsePowerRequest('power on', 0, 90), ValidationError)
    assert.throws(() => parsePowerRequest('power on', 1.5, 90), ValidationError)
    assert.throws(() => parsePowerRequest('power on', '10', 90), ValidationError)
  })
})
