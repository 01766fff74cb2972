// The live view catches phases that began and ended between two polls from the node's history
// (a write of a mostly empty image takes milliseconds), against a scripted API over HTTP.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PassThrough } from 'node:stream'
import { ApiClient } from './client.js'
import { watchNode } from './live.js'

test('phases missed between polls are shown from the history, in order, with the write summary', async () => {
  let polls = 0
  const history: { event: string; event_type: string; ferrum_phase: string | null }[] = [{ event: 'an older event', event_type: 'provisioning', ferrum_phase: null }]
  const phase = (name: string, text: string) => history.push({ event: `Phase ${name}: ${text}`, event_type: 'phase', ferrum_phase: name })
  const server = createServer((req, res) => {
    const send = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify(body))
    }
    if (req.url!.includes('/history')) return send({ history })
    polls++
    if (polls === 1) return send({ uuid: 'u', name: 'n1', provision_state: 'deploying', target_provision_state: 'active', driver_internal_info: { ferrum_phase: { name: 'network boot' } } })
    // Between the polls: network boot ended, the write came and went, the boot loader ended too.
    if (history.length === 1) {
      phase('network boot', '1.2 s')
      phase('write image', '0.05 s (64.0 MiB at 1280.0 MiB/s)')
      phase('boot loader', '0.2 s')
    }
    return send({ uuid: 'u', name: 'n1', provision_state: 'active', target_provision_state: null, driver_internal_info: {} })
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const out = new PassThrough()
  let text = ''
  out.on('data', (d: Buffer) => (text += d.toString()))
  try {
    const n = await watchNode(new ApiClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`), 'n1', ['active'], { timeoutS: 10, tty: false, out, intervalMs: 10, from: 'available' })
    assert.equal(n.provision_state, 'active')
  } finally {
    await new Promise((r) => server.close(r))
  }
  const lines = text.trim().split('\n').map((l) => l.replace(/^\[[ 0-9.]+ s\] /, ''))
  assert.deepEqual(lines, [
    'available -> deploying (target active)',
    '  phase: network boot',
    '  phase: write image',
    '  write image 100% | 64.0 MiB in 0.05 s (1280.0 MiB/s)',
    '  phase: boot loader',
    'deploying -> active',
  ])
})
