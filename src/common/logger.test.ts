import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import type { Logger } from './logger.js'
import { createLogger } from './logger.js'
import { memoryLogger } from '../drivers/testing/fixtures.js'

/** A logger writing into an array of parsed JSON lines. */
function capture(): { lines: Record<string, unknown>[]; stream: Writable } {
  const lines: Record<string, unknown>[] = []
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>)
      done()
    },
  })
  return { lines, stream }
}

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

describe('createLogger', () => {
  it('masks passwords, agent tokens and config drives at any depth, in every line\'s fields', () => {
    const { lines, stream } = capture()
    const log = createLogger({ level: 'info', destination: stream })
    log.child({ component: 'conductor' }).info({
      node: 'n1',
      agent_token: 'tok-1',
      driver_info: { ipmi_address: '10.0.0.1', ipmi_password: 'hunter2', redfish_password: 'pw' },
      instance_info: { configdrive: 'H4sIAAAA', image_source: 'http://img' },
      nested: [{ password: 'p' }],
    }, 'deploying')
    assert.equal(lines.length, 1)
    const line = lines[0]!
    assert.equal(line.msg, 'deploying')
    assert.equal(line.component, 'conductor')
    assert.equal(line.agent_token, '******')
    assert.deepEqual(line.driver_info, { ipmi_address: '10.0.0.1', ipmi_password: '******', redfish_password: '******' })
    assert.deepEqual(line.instance_info, { configdrive: '******', image_source: 'http://img' })
    assert.deepEqual(line.nested, [{ password: '******' }])
    assert.ok(!JSON.stringify(lines).includes('hunter2'))
  })

  it('keeps an error\'s message and stack (and masks its secret-looking own properties)', () => {
    const { lines, stream } = capture()
    const log = createLogger({ destination: stream })
    log.error({ err: Object.assign(new Error('BMC refused'), { code: 'E1', token: 'abc' }) }, 'power failed')
    const err = lines[0]!.err as Record<string, unknown>
    assert.equal(err.message, 'BMC refused')
    assert.equal(err.type, 'Error')
    assert.equal(err.code, 'E1')
    assert.equal(err.token, '******')
    assert.match(String(err.stack), /BMC refused/)
  })

  it('honours the level', () => {
    const { lines, stream } = capture()
    const log = createLogger({ level: 'warn', destination: stream })
    log.info('dropped')
    log.warn('kept')
    assert.deepEqual(lines.map((l) => l.msg), ['kept'])
  })
})
