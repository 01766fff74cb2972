import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { BmcGate } from './bmc-gate.js'

/** A promise and the function that settles it. */
function latch(): { promise: Promise<void>; open: () => void } {
  let open!: () => void
  const promise = new Promise<void>((resolve) => (open = resolve))
  return { promise, open }
}

describe('BmcGate', () => {
  test('one operation per key at a time, in arrival order; other keys run alongside', async () => {
    const gate = new BmcGate()
    const signal = new AbortController().signal
    const order: string[] = []
    const first = latch()
    const a = gate.run('10.0.0.1:623', signal, async () => {
      order.push('a start')
      await first.promise
      order.push('a end')
    })
    const b = gate.run('10.0.0.1:623', signal, async () => void order.push('b'))
    const c = gate.run('10.0.0.1:623', signal, async () => void order.push('c'))
    await gate.run('10.0.0.2:623', signal, async () => void order.push('other BMC'))
    assert.deepEqual(order, ['a start', 'other BMC'])
    first.open()
    await Promise.all([a, b, c])
    assert.deepEqual(order, ['a start', 'other BMC', 'a end', 'b', 'c'])
    assert.equal(gate.busy, 0)
  })

  test('a waiter whose signal fires leaves the queue with the signal reason', async () => {
    const gate = new BmcGate()
    const free = new AbortController().signal
    const hold = latch()
    const a = gate.run('bmc', free, () => hold.promise)
    const ac = new AbortController()
    const reason = new Error('deadline')
    const b = gate.run('bmc', ac.signal, async () => assert.fail('must not run'))
    let ran = false
    const c = gate.run('bmc', free, async () => void (ran = true))
    ac.abort(reason)
    await assert.rejects(b, (e: unknown) => e === reason)
    hold.open()
    await Promise.all([a, c])
    assert.ok(ran)
    assert.equal(gate.busy, 0)
  })

  test('a failing operation releases the key', async () => {
    const gate = new BmcGate()
    const signal = new AbortController().signal
    await assert.rejects(gate.run('bmc', signal, async () => Promise.reject(new Error('boom'))), /boom/)
    assert.equal(await gate.run('bmc', signal, async () => 42), 42)
  })
})
