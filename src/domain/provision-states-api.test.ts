import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidStateError, NotAcceptableError, ValidationError } from './errors.js'
import {
  applyVerb,
  checkProvisionArgument,
  displayProvisionState,
  initialProvisionState,
  updateAllowedAt,
  verbSinceMinor,
} from './provision-states-api.js'
import { UPDATE_ALLOWED_STATES } from './provision-states.js'

describe('applyVerb', () => {
  it('maps verbs and aliases onto events', () => {
    assert.deepEqual(applyVerb('available', 'active', { apiMinor: 1 }), { verb: 'active', event: 'deploy', to: 'deploying' })
    assert.deepEqual(applyVerb('available', 'deploy', { apiMinor: 73 }), { verb: 'deploy', event: 'deploy', to: 'deploying' })
    assert.equal(applyVerb('active', 'deleted', { apiMinor: 1 }).to, 'deleting')
    assert.equal(applyVerb('active', 'undeploy', { apiMinor: 73 }).event, 'delete')
    assert.equal(applyVerb('manageable', 'provide', { apiMinor: 4 }).to, 'cleaning')
    assert.equal(applyVerb('clean hold', 'unhold', { apiMinor: 85 }).to, 'clean wait')
    assert.equal(applyVerb('active', 'service', { apiMinor: 87 }).to, 'servicing')
  })

  it('answers 406 for verbs newer than the microversion', () => {
    assert.throws(() => applyVerb('available', 'deploy', { apiMinor: 72 }), NotAcceptableError)
    assert.throws(() => applyVerb('enroll', 'manage', { apiMinor: 3 }), /minimal required API version .* should be 1\.4/)
    assert.throws(() => applyVerb('deploy hold', 'unhold', { apiMinor: 84 }), NotAcceptableError)
  })

  it('needs 1.41 to abort inspection but 1.13 to abort cleaning', () => {
    assert.equal(verbSinceMinor('abort', 'clean wait'), 13)
    assert.equal(verbSinceMinor('abort', 'inspect wait'), 41)
    assert.equal(applyVerb('clean wait', 'abort', { apiMinor: 13 }).to, 'clean failed')
    assert.throws(() => applyVerb('inspect wait', 'abort', { apiMinor: 40 }), NotAcceptableError)
    assert.equal(applyVerb('inspect wait', 'abort', { apiMinor: 41 }).to, 'inspect failed')
  })

  it('answers 400 for an unknown target and 409 for a wrong state', () => {
    assert.throws(() => applyVerb('available', 'explode', { apiMinor: 90 }), ValidationError)
    assert.throws(() => applyVerb('available', 'done', { apiMinor: 90 }), ValidationError)
    assert.throws(
      () => applyVerb('enroll', 'provide', { apiMinor: 90, node: 'n1' }),
      (e: unknown) => e instanceof InvalidStateError && /on node "n1" while it is in state "enroll"\. Allowed: manage\./.test(e.message),
    )
  })
})

describe('microversion views', () => {
  it('creates nodes in enroll from 1.11, available before', () => {
    assert.equal(initialProvisionState(1), 'available')
    assert.equal(initialProvisionState(10), 'available')
    assert.equal(initialProvisionState(11), 'enroll')
  })

  it('shows old clients the old names', () => {
    assert.equal(displayProvisionState('available', 1), null)
    assert.equal(displayProvisionState('available', 2), 'available')
    assert.equal(displayProvisionState('inspect wait', 38), 'inspecting')
    assert.equal(displayProvisionState('inspect wait', 39), 'inspect wait')
    assert.equal(displayProvisionState(null, 50), null)
  })

  it('refuses updates while inspecting from 1.39', () => {
    assert.equal(updateAllowedAt('inspecting', 38, UPDATE_ALLOWED_STATES), true)
    assert.equal(updateAllowedAt('inspecting', 39, UPDATE_ALLOWED_STATES), false)
    assert.equal(updateAllowedAt('deploy failed', 90, UPDATE_ALLOWED_STATES), true)
  })

  it('gates provision arguments by microversion', () => {
    assert.doesNotThrow(() => checkProvisionArgument('deploy_steps', 69))
    assert.throws(() => checkProvisionArgument('deploy_steps', 68), NotAcceptableError)
    assert.throws(() => checkProvisionArgument('disable_ramdisk', 69), NotAcceptableError)
    assert.throws(() => checkProvisionArgument('runbook', 91), NotAcceptableError)
    assert.doesNotThrow(() => checkProvisionArgument('runbook', 92))
  })
})
