import { test } from 'node:test'
import assert from 'node:assert/strict'
import { execFileSync, spawnSync } from 'node:child_process'
import { LabNetwork, netnsUnavailable, sweepStaleLabNetworks } from './lab-network.js'

const why = await netnsUnavailable()
if (why) console.log(`# skipping lab-network tests: ${why}`)

const ip = (...args: string[]) => execFileSync('ip', args, { encoding: 'utf8' })
const exists = (link: string) => spawnSync('ip', ['link', 'show', link]).status === 0
const namespaces = () => ip('netns', 'list')

/** What a lab killed with SIGKILL leaves: bridge (owned by `pid`), a tap on it, a namespace with a veth. */
function leftover(prefix: string, pid: number): void {
  ip('link', 'add', `${prefix}br`, 'type', 'bridge')
  ip('link', 'set', `${prefix}br`, 'alias', `ferrum-lab pid=${pid}`)
  ip('tuntap', 'add', 'dev', `${prefix}n0t0`, 'mode', 'tap')
  ip('link', 'set', `${prefix}n0t0`, 'master', `${prefix}br`)
  ip('netns', 'add', `${prefix}-n1`)
  ip('link', 'add', `${prefix}n1m0`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', `${prefix}-n1`)
}

test('a new lab network sweeps what a killed lab left (bridge, taps, veths, namespaces), and only that', { skip: why ?? false }, async () => {
  const dead = spawnSync('true').pid! // a process that has exited
  leftover('flde01', dead)
  leftover('flde02', process.pid) // a live owner: kept
  ip('link', 'add', 'flde03br', 'type', 'bridge') // no owner alias: not Ferrum's, kept
  let n: LabNetwork | null = null
  try {
    n = await LabNetwork.create()
    assert.ok(n.swept.includes('flde01'), `swept ${JSON.stringify(n.swept)}`)
    assert.ok(!n.swept.includes('flde02') && !n.swept.includes('flde03'))
    for (const l of ['flde01br', 'flde01n0t0', 'flde01n1m0']) assert.equal(exists(l), false, `${l} removed`)
    assert.doesNotMatch(namespaces(), /flde01-n1/)
    for (const l of ['flde02br', 'flde02n0t0', 'flde02n1m0', 'flde03br']) assert.equal(exists(l), true, `${l} kept`)
    assert.match(namespaces(), /flde02-n1/)
    // The new bridge carries this process as its owner, so it is never swept while it lives.
    assert.match(ip('-j', 'link', 'show', n.bridge), new RegExp(`"ifalias":"ferrum-lab pid=${process.pid}"`))
    assert.deepEqual(await sweepStaleLabNetworks(), [])
    // Once its owner counts as gone, the same sweep takes it.
    assert.deepEqual((await sweepStaleLabNetworks((pid) => pid !== process.pid)).sort(), ['flde02', n.prefix].sort())
    assert.equal(exists('flde02br') || exists(n.bridge), false)
  } finally {
    await n?.close()
    for (const l of ['flde01br', 'flde01n0t0', 'flde02br', 'flde02n0t0', 'flde03br']) spawnSync('ip', ['link', 'del', l])
    for (const ns of ['flde01-n1', 'flde02-n1']) spawnSync('ip', ['netns', 'del', ns])
  }
})
