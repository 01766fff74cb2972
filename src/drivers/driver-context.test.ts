import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { pino } from 'pino'
import type { Logger } from './driver-context.js'
import { memoryLogger } from './testing/fixtures.js'

describe('Logger', () => {
  it('is satisfied by pino, so the conductor can pass its child loggers', () => {
    const log: Logger = pino({ enabled: false })
    log.info({ node: 'n1' }, 'powered on')
    log.warn('plain message')
  })

  it('has a memory implementation for tests', () => {
    const log = memoryLogger()
    log.error({ step: 'deploy.deploy' }, 'failed')
    log.debug('hello')
    assert.deepEqual(log.lines, [
      { level: 'error', msg: 'failed', fields: { step: 'deploy.deploy' } },
      { level: 'debug', msg: 'hello', fields: {} },
    ])
  })
})
