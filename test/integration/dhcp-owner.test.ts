// Issue 11, bad input and faults: a second `ferrum up` pointed at the same dnsmasq hosts
// directory refuses to start instead of fighting over the entries; the directory is free again
// once the first stops, and one left by a killed Ferrum is taken over. Real processes.
import assert from 'node:assert/strict'
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { test } from 'node:test'
import { startFerrum } from '../helpers/ferrum-process.js'

test('a second ferrum up on the same DHCP hosts directory refuses to start; a stopped or killed owner frees it', { timeout: 120_000 }, async () => {
  const work = mkdtempSync(join(tmpdir(), 'ferrum-dhcp-owner-'))
  const hosts = join(work, 'shared-hosts')
  const owner = join(hosts, '.ferrum-owner')
  const env = { FERRUM_DHCP__MODE: 'external', FERRUM_DHCP__HOSTS_DIR: hosts }
  try {
    const first = await startFerrum({ dataDir: join(work, 'a'), env })
    try {
      assert.equal(readFileSync(owner, 'utf8'), `${first.pid} ${hostname()}\n`)
      await assert.rejects(startFerrum({ dataDir: join(work, 'b'), env }), (e: Error) => {
        assert.match(e.message, /exited \(code [1-9]/)
        assert.ok(e.message.includes(`The DHCP hosts directory ${hosts} is managed by another Ferrum (pid ${first.pid} on ${hostname()})`), e.message)
        assert.match(e.message, /Stop that one, or give this one its own dhcp\.hostsDir \(or --data-dir\)/)
        assert.doesNotMatch(e.message, /at .*\.js:\d+/, 'an error for a person, not a stack trace')
        return true
      })
      // The refused one started nothing: no database in its data dir, and the owner is unchanged.
      assert.equal(existsSync(join(work, 'b', 'ferrum.db')), false)
      assert.equal(readFileSync(owner, 'utf8'), `${first.pid} ${hostname()}\n`)
      const r = await fetch(`${first.url}/v1/nodes`, { headers: { 'X-OpenStack-Ironic-API-Version': '1.78' } })
      assert.equal(r.status, 200, 'the first one keeps serving')
    } finally {
      await first.stop()
    }
    assert.equal(existsSync(owner), false, 'a stopped Ferrum releases the directory')

    const second = await startFerrum({ dataDir: join(work, 'b'), env })
    assert.equal(readFileSync(owner, 'utf8'), `${second.pid} ${hostname()}\n`)
    await second.kill()
    assert.equal(readFileSync(owner, 'utf8'), `${second.pid} ${hostname()}\n`, 'SIGKILL leaves the owner file behind')
    const third = await startFerrum({ dataDir: join(work, 'c'), env })
    try {
      assert.equal(readFileSync(owner, 'utf8'), `${third.pid} ${hostname()}\n`, 'the dead owner is taken over')
    } finally {
      await third.stop()
    }
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
})
