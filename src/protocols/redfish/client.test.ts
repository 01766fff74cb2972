import assert from 'node:assert/strict'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, test } from 'node:test'
import { PASSWORD, type RunningBmc, USER, labMachine, startBmc, startImageServer } from '../../../test/helpers/redfish.js'
import { RedfishClient, type RedfishClientOptions, retryAfterMs } from './client.js'
import { RedfishError } from './errors.js'
import { findManagerPath, findSystemPath, type ComputerSystem } from './resources.js'

const SYS = '/redfish/v1/Systems/node-1'

/** A sleep that records what it was asked for and returns at once. */
function recordingSleep(): { sleeps: number[]; sleep: (ms: number, signal?: AbortSignal) => Promise<void> } {
  const sleeps: number[] = []
  return {
    sleeps,
    sleep: async (ms, signal) => {
      signal?.throwIfAborted()
      sleeps.push(ms)
    },
  }
}

async function rejectsWith(p: Promise<unknown>, code: string): Promise<RedfishError> {
  try {
    await p
  } catch (e) {
    assert.ok(e instanceof RedfishError, `expected a RedfishError, got ${String(e)}`)
    assert.equal(e.code, code, e.message)
    return e
  }
  assert.fail(`expected ${code}`)
}

describe('RedfishClient over HTTP (generic BMC)', () => {
  let h: RunningBmc
  const tm = labMachine()
  const clients: RedfishClient[] = []
  const client = (opts: Partial<RedfishClientOptions> = {}): RedfishClient => {
    const c = new RedfishClient({ baseUrl: h.url, username: USER, password: PASSWORD, retryDelayMs: 1, ...opts })
    clients.push(c)
    return c
  }
  before(async () => {
    h = await startBmc({ machines: tm.machine, personality: 'generic' })
  })
  after(async () => {
    for (const c of clients) await c.close()
    await h.stop()
  })

  test('auto auth logs in with a session, reuses it and logs out on close', async () => {
    const c = new RedfishClient({ baseUrl: h.url, username: USER, password: PASSWORD })
    const sys = await c.get<ComputerSystem>(SYS)
    assert.equal(sys.status, 200)
    assert.equal(sys.body.Id, 'node-1')
    assert.ok(sys.etag?.startsWith('W/"'))
    await c.get(SYS)
    assert.equal(c.authMode, 'session')
    assert.equal(h.bmc.service.sessions.list().length, 1)
    await c.close()
    assert.equal(h.bmc.service.sessions.list().length, 0)
    await rejectsWith(c.get(SYS), 'REDFISH_ERROR')
  })

  test('basic auth creates no session', async () => {
    const before = h.bmc.service.sessions.list().length
    const c = client({ authType: 'basic' })
    assert.equal((await c.get(SYS)).status, 200)
    assert.equal(c.authMode, 'basic')
    assert.equal(h.bmc.service.sessions.list().length, before)
  })

  test('a wrong password is REDFISH_AUTH_FAILED in every auth mode', async () => {
    for (const authType of ['auto', 'session', 'basic'] as const) {
      const err = await rejectsWith(client({ authType, password: 'wrong' }).get(SYS), 'REDFISH_AUTH_FAILED')
      assert.equal(err.status, 401)
      assert.match(err.message, /wrong username or password/)
      assert.equal(err.retryable, false)
    }
  })

  test('an expired session is replaced transparently', async () => {
    const c = client({ authType: 'session' })
    await c.get(SYS)
    for (const s of h.bmc.service.sessions.list()) h.bmc.service.sessions.delete(s.id)
    assert.equal((await c.get(SYS)).status, 200)
    assert.equal(h.bmc.service.sessions.list().length, 1)
  })

  test('404 is REDFISH_NOT_FOUND; a bad value is REDFISH_ERROR with status and MessageId', async () => {
    const c = client()
    const nf = await rejectsWith(c.get('/redfish/v1/Systems/nope'), 'REDFISH_NOT_FOUND')
    assert.equal(nf.messageId, 'Base.1.16.ResourceNotFound')
    const bad = await rejectsWith(c.patch(SYS, { Boot: { BootSourceOverrideTarget: 'Tape' } }), 'REDFISH_ERROR')
    assert.equal(bad.status, 400)
    assert.equal(bad.messageId, 'Base.1.16.PropertyValueNotInList')
    assert.deepEqual(bad.details, { http_status: 400, redfish_message_id: 'Base.1.16.PropertyValueNotInList' })
  })

  test('PATCH guarded by the ETag; a stale If-Match is refused with 412', async () => {
    const c = client()
    const stale = (await c.get(SYS)).etag as string
    await c.patchWithEtag(SYS, { Boot: { BootSourceOverrideTarget: 'Pxe', BootSourceOverrideEnabled: 'Continuous' } })
    assert.deepEqual(tm.machine.bootSetting(), { device: 'pxe', persistent: true, mode: 'uefi' })
    const err = await rejectsWith(c.patch(SYS, { AssetTag: 'x' }, { ifMatch: stale }), 'REDFISH_ERROR')
    assert.equal(err.status, 412)
  })

  test('finds the only system and its manager', async () => {
    const c = client()
    assert.equal(await findSystemPath(c, null), SYS)
    assert.equal(await findSystemPath(c, 'node-1'), SYS)
    assert.equal(await findSystemPath(c, SYS), SYS)
    await rejectsWith(findSystemPath(c, 'other'), 'REDFISH_NOT_FOUND')
    const sys = (await c.get<ComputerSystem>(SYS)).body
    assert.equal(await findManagerPath(c, sys), '/redfish/v1/Managers/BMC')
  })

  test('unreachable: bounded retries with growing backoff, then REDFISH_UNREACHABLE', async () => {
    const rec = recordingSleep()
    const c = client({ retries: 3, retryDelayMs: 100, clock: { now: () => Date.now(), sleep: rec.sleep }, authType: 'basic' })
    tm.machine.faults.unreachable = true
    try {
      const err = await rejectsWith(c.get(SYS), 'REDFISH_UNREACHABLE')
      assert.match(err.message, /could not be reached.*4 attempt/)
      assert.equal(err.retryable, true)
      assert.deepEqual(rec.sleeps, [100, 200, 400])
    } finally {
      tm.machine.faults.unreachable = false
    }
  })

  test('a BMC slower than the timeout: REDFISH_TIMEOUT after the retries', async () => {
    const rec = recordingSleep()
    const c = client({ retries: 1, timeoutMs: 100, clock: { now: () => Date.now(), sleep: rec.sleep }, authType: 'basic' })
    tm.machine.faults.latencyMs = 400
    try {
      const err = await rejectsWith(c.get(SYS), 'REDFISH_TIMEOUT')
      assert.match(err.message, /did not answer within/)
      assert.equal(rec.sleeps.length, 1)
    } finally {
      tm.machine.faults.latencyMs = 0
    }
  })

  test('the caller aborting a slow call rejects with its reason, without retrying', async () => {
    const rec = recordingSleep()
    const c = client({ clock: { now: () => Date.now(), sleep: rec.sleep }, authType: 'basic' })
    tm.machine.faults.latencyMs = 300
    try {
      const ac = new AbortController()
      const p = c.get(SYS, { signal: ac.signal })
      setTimeout(() => ac.abort(new Error('operator cancelled')), 50)
      await assert.rejects(p, /operator cancelled/)
      assert.equal(rec.sleeps.length, 0)
    } finally {
      tm.machine.faults.latencyMs = 0
    }
  })

  test('task monitor: a 202 insert is polled until done', async () => {
    const images = await startImageServer()
    const asyncBmc = await startBmc({ machines: labMachine('node-a').machine, personality: 'generic', asyncVirtualMedia: true })
    const c = new RedfishClient({ baseUrl: asyncBmc.url, username: USER, password: PASSWORD })
    try {
      const slot = '/redfish/v1/Managers/BMC/VirtualMedia/Cd'
      const res = await c.post(`${slot}/Actions/VirtualMedia.InsertMedia`, { Image: `${images.url}/slow.iso` })
      assert.equal(res.status, 202)
      assert.match(String(res.location), /TaskMonitors/)
      const done = await c.waitForTask(res, { pollMs: 100, timeoutMs: 30_000 })
      assert.equal(done.status, 204)
      assert.equal((await c.get<{ Inserted: boolean }>(slot)).body.Inserted, true)
      const failed = await c.post('/redfish/v1/Managers/BMC/VirtualMedia/Floppy/Actions/VirtualMedia.InsertMedia', { Image: `${images.url}/missing.img` })
      await assert.rejects(c.waitForTask(failed, { pollMs: 50 }), (e: unknown) => e instanceof RedfishError && e.status !== undefined && e.status >= 400)
    } finally {
      await c.close()
      await asyncBmc.stop()
      await images.stop()
    }
  })
})

describe('RedfishClient over HTTPS', () => {
  let h: RunningBmc
  let dir: string
  let caPath: string
  before(async () => {
    h = await startBmc({ machines: labMachine().machine, personality: 'idrac', tls: true })
    dir = await mkdtemp(join(tmpdir(), 'ferrum-redfish-ca-'))
    caPath = join(dir, 'ca.pem')
    await writeFile(caPath, h.certPem as string)
  })
  after(async () => {
    await h.stop()
    await rm(dir, { recursive: true, force: true })
  })

  test('verifies against the emulator certificate given as a CA path', async () => {
    const c = new RedfishClient({ baseUrl: h.url, username: USER, password: PASSWORD, verify: caPath })
    try {
      const sys = await c.get<ComputerSystem>('/redfish/v1/Systems/System.Embedded.1')
      assert.equal(sys.body.Manufacturer, 'Dell Inc.')
    } finally {
      await c.close()
    }
  })

  test('verify=false accepts the self-signed certificate', async () => {
    const c = new RedfishClient({ baseUrl: h.url, username: USER, password: PASSWORD, verify: false })
    try {
      assert.equal((await c.get('/redfish/v1/Systems/System.Embedded.1')).status, 200)
    } finally {
      await c.close()
    }
  })

  test('verify=true rejects the self-signed certificate; a missing CA file is a clear error', async () => {
    const c = new RedfishClient({ baseUrl: h.url, username: USER, password: PASSWORD, verify: true, retries: 0 })
    const err = await rejectsWith(c.get('/redfish/v1/'), 'REDFISH_UNREACHABLE')
    assert.match(err.message, /certificate/i)
    await c.close()
    const missing = new RedfishClient({ baseUrl: h.url, verify: join(dir, 'nope.pem') })
    const err2 = await rejectsWith(missing.get('/redfish/v1/'), 'REDFISH_ERROR')
    assert.match(err2.message, /CA bundle/)
    await missing.close()
  })
})

test('retryAfterMs reads delta-seconds and HTTP-dates', () => {
  const now = Date.parse('2025-01-01T00:00:00Z')
  assert.equal(retryAfterMs('3', now), 3000)
  assert.equal(retryAfterMs('Wed, 01 Jan 2025 00:00:02 GMT', now), 2000)
  assert.equal(retryAfterMs('Tue, 31 Dec 2024 00:00:00 GMT', now), 0)
  assert.equal(retryAfterMs('soon', now), undefined)
  assert.equal(retryAfterMs(undefined, now), undefined)
})
