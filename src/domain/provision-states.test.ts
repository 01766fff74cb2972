import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { InvalidStateError } from './errors.js'
import {
  allowedVerbs,
  applyEvent,
  canDeleteNode,
  eventsFrom,
  FAILURE_STATES,
  findTransition,
  HOLD_STATES,
  isProvisionState,
  isStable,
  nextTarget,
  PROVISION_EVENTS,
  PROVISION_STATES,
  PROVISION_VERBS,
  STABLE_STATES,
  STATE_INFO,
  targetOf,
  TRANSITIONS,
  VERBS,
  WAIT_STATES,
  WORKING_STATES,
  type ProvisionEvent,
  type ProvisionState,
} from './provision-states.js'

/** Ironic stores provision_state and target_provision_state in String(15) columns. */
const DB_COLUMN_WIDTH = 15
const CONDUCTOR_ONLY_EVENTS: readonly ProvisionEvent[] = ['done', 'fail', 'wait', 'resume', 'hold']

describe('provision state table invariants', () => {
  it('lists every state and event once', () => {
    assert.equal(new Set(PROVISION_STATES).size, PROVISION_STATES.length)
    assert.equal(new Set(PROVISION_EVENTS).size, PROVISION_EVENTS.length)
    assert.equal(PROVISION_STATES.length, 30)
    assert.deepEqual(Object.keys(STATE_INFO).sort(), [...PROVISION_STATES].sort())
  })

  it('has no duplicate (from, event) pairs', () => {
    const seen = new Set<string>()
    for (const [from, event] of TRANSITIONS) {
      const key = `${from}/${event}`
      assert.ok(!seen.has(key), `duplicate transition ${key}`)
      seen.add(key)
    }
  })

  it('fits every state in the DB column', () => {
    for (const s of PROVISION_STATES) assert.ok(s.length <= DB_COLUMN_WIDTH, `${s} is ${s.length} chars`)
    assert.equal('wait call-back'.length, 14)
  })

  it('reaches every state from enroll', () => {
    const seen = new Set<ProvisionState>(['enroll'])
    const queue: ProvisionState[] = ['enroll']
    while (queue.length > 0) {
      const s = queue.shift()!
      for (const [from, , to] of TRANSITIONS) {
        if (from === s && !seen.has(to)) {
          seen.add(to)
          queue.push(to)
        }
      }
    }
    assert.deepEqual([...PROVISION_STATES].filter((s) => !seen.has(s)), [])
  })

  it('leaves every state by some event (no dead ends)', () => {
    for (const s of PROVISION_STATES) assert.ok(eventsFrom(s).length > 0, `${s} has no way out`)
  })

  it('gives every wait state abort and fail, and times out through fail', () => {
    assert.equal(WAIT_STATES.size, 5)
    for (const s of WAIT_STATES) {
      assert.ok(findTransition(s, 'abort'), `${s} lacks abort`)
      const fail = findTransition(s, 'fail')
      assert.ok(fail, `${s} lacks fail`)
      assert.equal(fail[2], STATE_INFO[s].timeoutState)
      assert.ok(s.endsWith(' wait') || s === 'wait call-back')
    }
  })

  it('lets an operator leave every hold state by unhold or abort', () => {
    assert.deepEqual([...HOLD_STATES], ['deploy hold', 'clean hold', 'service hold'])
    for (const s of HOLD_STATES) {
      assert.ok(findTransition(s, 'unhold'), `${s} lacks unhold`)
      assert.ok(findTransition(s, 'abort'), `${s} lacks abort`)
    }
  })

  it('gives every transient state a failState that is stable or failed, reached by fail', () => {
    for (const s of [...WORKING_STATES, ...WAIT_STATES]) {
      const info = STATE_INFO[s]
      assert.ok(info.failState, `${s} has no failState`)
      const failKind = STATE_INFO[info.failState].kind
      assert.ok(failKind === 'stable' || failKind === 'failed', `${s} fails into ${info.failState} (${failKind})`)
      assert.equal(findTransition(s, 'fail')?.[2], info.failState, `${s}: fail edge disagrees with failState`)
    }
  })

  it('gives targets to non-stable states only, and the targets are stable', () => {
    for (const s of PROVISION_STATES) {
      const info = STATE_INFO[s]
      assert.equal(info.stable, info.kind === 'stable')
      if (info.stable) assert.equal(info.target, undefined, s)
      else {
        assert.ok(info.target, `${s} has no target`)
        assert.ok(STABLE_STATES.has(info.target), `${s} targets ${info.target}`)
        assert.ok(info.target.length <= DB_COLUMN_WIDTH)
      }
    }
  })

  it('matches Ironic stable and failure sets', () => {
    assert.deepEqual([...STABLE_STATES].sort(), ['active', 'available', 'enroll', 'error', 'manageable', 'rescue'])
    assert.deepEqual([...FAILURE_STATES].sort(), [
      'adopt failed', 'clean failed', 'deploy failed', 'inspect failed', 'rescue failed', 'service failed', 'unrescue failed',
    ])
  })

  it('never lets a client fire a conductor-only event', () => {
    for (const [from, event, , by] of TRANSITIONS) {
      if (CONDUCTOR_ONLY_EVENTS.includes(event)) assert.equal(by, 'conductor', `${from}/${event}`)
    }
    const verbEvents = new Set(PROVISION_VERBS.map((v) => VERBS[v].event))
    for (const [from, event, , by] of TRANSITIONS) {
      if (by === 'api') assert.ok(verbEvents.has(event), `${from}/${event} has no verb`)
    }
    for (const v of PROVISION_VERBS) {
      assert.ok(TRANSITIONS.some((t) => t[1] === VERBS[v].event && t[3] === 'api'), `verb ${v} is never usable`)
    }
  })

  it('contains the Ironic edges the API relies on', () => {
    const expect: [ProvisionState, ProvisionEvent, ProvisionState][] = [
      ['manageable', 'provide', 'cleaning'],
      ['cleaning', 'done', 'available'],
      ['manageable', 'inspect', 'inspecting'],
      ['manageable', 'adopt', 'adopting'],
      ['adopting', 'done', 'active'],
      ['active', 'service', 'servicing'],
      ['active', 'rebuild', 'deploying'],
      ['deploy failed', 'rebuild', 'deploying'],
      ['deploy hold', 'unhold', 'wait call-back'],
      ['clean hold', 'unhold', 'clean wait'],
      ['service failed', 'abort', 'active'],
    ]
    for (const [from, event, to] of expect) assert.equal(findTransition(from, event)?.[2], to, `${from}/${event}`)
    for (const s of ['active', 'deploy failed', 'wait call-back', 'error', 'rescue', 'rescue wait', 'rescue failed', 'unrescue failed'] as const) {
      assert.equal(findTransition(s, 'delete')?.[2], 'deleting', `delete from ${s}`)
    }
    for (const s of ['inspect failed', 'clean failed', 'adopt failed', 'available'] as const) {
      assert.equal(findTransition(s, 'manage')?.[2], 'manageable', `manage from ${s}`)
    }
  })
})

describe('applyEvent', () => {
  it('walks enroll → active → available', () => {
    const walk: [ProvisionEvent, ProvisionState][] = [
      ['manage', 'verifying'], ['done', 'manageable'], ['provide', 'cleaning'], ['wait', 'clean wait'],
      ['resume', 'cleaning'], ['done', 'available'], ['deploy', 'deploying'], ['wait', 'wait call-back'],
      ['resume', 'deploying'], ['done', 'active'], ['delete', 'deleting'], ['clean', 'cleaning'], ['done', 'available'],
    ]
    let state: ProvisionState = 'enroll'
    for (const [event, expected] of walk) {
      state = applyEvent(state, event)
      assert.equal(state, expected, `after ${event}`)
    }
  })

  it('refuses an invalid event with a 409 naming the state and the allowed verbs', () => {
    assert.throws(
      () => applyEvent('enroll', 'deploy', { node: 'node-1', verb: 'active' }),
      (e: unknown) => {
        assert.ok(e instanceof InvalidStateError)
        assert.equal(e.httpStatus, 409)
        assert.equal(e.code, 'FERRUM_INVALID_STATE')
        assert.equal(
          e.message,
          'The requested action "active" can not be performed on node "node-1" while it is in state "enroll". Allowed: manage.',
        )
        assert.deepEqual(e.details?.allowed, ['manage'])
        return true
      },
    )
  })

  it('says so when no verb is allowed', () => {
    assert.throws(() => applyEvent('deploying', 'deploy'), /while it is in state "deploying"\. No actions are allowed/)
  })

  it('rejects conductor-only transitions when apiOnly is set', () => {
    assert.equal(applyEvent('cleaning', 'manage'), 'manageable')
    assert.throws(() => applyEvent('cleaning', 'manage', { apiOnly: true }), InvalidStateError)
    assert.throws(() => applyEvent('deploying', 'done', { apiOnly: true }), InvalidStateError)
  })
})

describe('helpers', () => {
  it('lists allowed verbs, filtered by microversion', () => {
    assert.deepEqual(allowedVerbs('manageable'), ['provide', 'inspect', 'clean', 'adopt'])
    assert.deepEqual(allowedVerbs('manageable', 10), ['provide', 'inspect'])
    assert.deepEqual(allowedVerbs('available', 72), ['manage', 'active'])
    assert.deepEqual(allowedVerbs('available'), ['manage', 'active', 'deploy'])
    assert.deepEqual(allowedVerbs('deploying'), [])
  })

  it('reports stability and targets', () => {
    assert.equal(isStable('active'), true)
    assert.equal(isStable('wait call-back'), false)
    assert.equal(targetOf('wait call-back'), 'active')
    assert.equal(targetOf('active'), null)
    assert.equal(nextTarget('cleaning'), 'available')
    assert.equal(nextTarget('cleaning', 'manageable'), 'manageable')
    assert.equal(nextTarget('manageable', 'manageable'), null)
  })

  it('recognises state strings', () => {
    assert.equal(isProvisionState('wait call-back'), true)
    assert.equal(isProvisionState('deploy wait'), false)
    assert.equal(isProvisionState(null), false)
  })

  it('allows deletion as Ironic does', () => {
    assert.equal(canDeleteNode('manageable', { maintenance: false }), true)
    assert.equal(canDeleteNode('available', { maintenance: false }), true)
    assert.equal(canDeleteNode('available', { maintenance: false, allowDeletingAvailable: false }), false)
    assert.equal(canDeleteNode('active', { maintenance: false }), false)
    assert.equal(canDeleteNode('active', { maintenance: true }), true)
  })
})

describe('state metadata', () => {
  it('gives every wait state a callback timeout and no other state one', () => {
    for (const s of PROVISION_STATES) assert.equal(STATE_INFO[s].timeout !== undefined, STATE_INFO[s].kind === 'wait', s)
  })

  it('keeps a phase through its working, wait and hold states', () => {
    const byPhase = (p: string) => PROVISION_STATES.filter((s) => STATE_INFO[s].phase === p)
    assert.deepEqual(byPhase('deploy'), ['deploying', 'wait call-back', 'deploy hold'])
    assert.deepEqual(byPhase('clean'), ['cleaning', 'clean wait', 'clean hold'])
    assert.deepEqual(byPhase('service'), ['servicing', 'service wait', 'service hold'])
  })

  it('lets abort interrupt only working states, and skips the power sync in enroll and waits', () => {
    for (const s of PROVISION_STATES) {
      if (STATE_INFO[s].abortable) assert.equal(STATE_INFO[s].kind, 'working', s)
      assert.equal(STATE_INFO[s].powerSync, s !== 'enroll' && STATE_INFO[s].kind !== 'wait', s)
    }
    assert.deepEqual(PROVISION_STATES.filter((s) => STATE_INFO[s].abortable), ['inspecting', 'deploying', 'cleaning', 'rescuing', 'servicing'])
  })

  it('undoes driver preparations only on the way into failure states', () => {
    const withCleanUp = PROVISION_STATES.filter((s) => STATE_INFO[s].cleanUp)
    assert.deepEqual(withCleanUp, ['inspect failed', 'deploy failed', 'rescue failed'])
    for (const s of withCleanUp) assert.equal(STATE_INFO[s].kind, 'failed')
  })

  it('names the step phase a verb starts afresh', () => {
    assert.equal(VERBS.provide.phase, 'clean')
    assert.equal(VERBS.rebuild.phase, 'deploy')
    assert.equal(VERBS.manage.phase, undefined)
  })
})
