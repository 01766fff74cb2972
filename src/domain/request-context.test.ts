import { test } from 'node:test'
import assert from 'node:assert/strict'
import { NOAUTH_CONTEXT } from './request-context.js'

test('NOAUTH_CONTEXT: nobody, no roles, noauth; frozen and JSON-serialisable', () => {
  assert.deepEqual(JSON.parse(JSON.stringify(NOAUTH_CONTEXT)), { user: null, project: null, roles: [], system: null, authStrategy: 'noauth' })
  assert.ok(Object.isFrozen(NOAUTH_CONTEXT))
  assert.ok(Object.isFrozen(NOAUTH_CONTEXT.roles))
})
