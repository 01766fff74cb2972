import { test } from 'node:test'
import assert from 'node:assert/strict'
import { NodeLockedError, ValidationError } from '../domain/errors.js'
import { errorFromWire, errorToWire, RemoteFerrumError, toJson } from './rpc-wire.js'

test('a FerrumError survives the wire with its code, status, message, details and class name', () => {
  const sent = new ValidationError('bad thing', { code: 'FERRUM_INVALID_PARAMETER', details: { field: 'name', allowed: ['a', 'b'] } })
  const got = errorFromWire(toJson(errorToWire(sent)))
  assert.ok(got instanceof RemoteFerrumError)
  assert.deepEqual([got.code, got.httpStatus, got.message, got.details, got.name, got.retryable], ['FERRUM_INVALID_PARAMETER', 400, 'bad thing', { field: 'name', allowed: ['a', 'b'] }, 'ValidationError', false])
  const locked = errorFromWire(toJson(errorToWire(new NodeLockedError('n1', 'c1')))) as RemoteFerrumError
  assert.deepEqual([locked.httpStatus, locked.code, locked.message], [409, 'NODE_LOCKED', 'Node n1 is locked by host c1, please retry after the current operation is completed.'])
})

test('anything else arrives as a plain Error, so the API answers it as an internal error', () => {
  const got = errorFromWire(toJson(errorToWire(new TypeError('x is undefined'))))
  assert.ok(!(got instanceof RemoteFerrumError))
  assert.deepEqual([got.name, got.message], ['TypeError', 'x is undefined'])
  assert.equal(errorFromWire(errorToWire('a string')).message, 'a string')
})

test('toJson: what JSON keeps; undefined stays undefined', () => {
  assert.equal(toJson(undefined), undefined)
  assert.deepEqual(toJson({ a: 1, b: undefined, c: [1, { d: null }] }), { a: 1, c: [1, { d: null }] })
})
