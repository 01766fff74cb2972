/**
 * Property test: thousands of hostile datagrams (random bytes, truncated and bit-flipped valid
 * packets, wrong session IDs, replayed sequence numbers) never crash the BMC, and afterwards it
 * still answers a presence ping, a fresh RMCP+ login and the real ipmitool.
 */
import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { RawPeer, command, ipmitool, login, startLabBmc } from '../../test/helpers/ipmi.js'
import type { LabBmc } from '../../test/helpers/ipmi.js'
import type { IpmiSession } from '../protocols/ipmi/session.js'
import { CIPHER_SUITE_17, CIPHER_SUITE_3 } from '../protocols/ipmi/crypto.js'
import { encodeRequest, encodeV15, encodeV20 } from '../protocols/ipmi/codec.js'
import { encodeOpenSessionRequest, encodeRakp1, encodeRakp3 } from '../protocols/ipmi/rakp.js'
import { encodePresencePing, encodeRmcp } from '../protocols/ipmi/rmcp.js'
import { AppCmd, ChassisCmd, NetFn, PayloadType, RmcpClass } from '../protocols/ipmi/messages.js'

function setup(type: PayloadType, payload: Buffer): Buffer {
  return encodeRmcp(RmcpClass.Ipmi, encodeV20({ payloadType: type, encrypted: false, authenticated: false, sessionId: 0, sequence: 0, payload }))
}

/** Valid datagrams of every kind the BMC understands, to truncate and corrupt. */
function seeds(sessions: IpmiSession[]): Buffer[] {
  const authCaps = encodeRequest({ rsAddr: 0x20, netFn: NetFn.App, rsLun: 0, rqAddr: 0x81, rqSeq: 1, rqLun: 0, cmd: AppCmd.GetChannelAuthCapabilities, data: Buffer.from([0x8e, 4]) })
  const algs = { auth: 1, integrity: 1, confidentiality: 1 }
  return [
    encodePresencePing(3),
    encodeRmcp(RmcpClass.Ipmi, encodeV15({ authType: 0, sequence: 0, sessionId: 0, message: authCaps })),
    setup(PayloadType.Ipmi, authCaps),
    setup(PayloadType.OpenSessionRequest, encodeOpenSessionRequest({ tag: 1, maxPrivilege: 4, consoleSessionId: 0x0badf00d, algorithms: algs })),
    setup(PayloadType.Rakp1, encodeRakp1({ tag: 2, bmcSessionId: sessions[0].bmcSessionId, consoleRandom: Buffer.alloc(16, 1), role: 4, username: Buffer.from('admin') })),
    setup(PayloadType.Rakp3, encodeRakp3({ tag: 3, status: 0, bmcSessionId: sessions[0].bmcSessionId, authCode: Buffer.alloc(20, 2) })),
    ...sessions.flatMap((s) => [s.seal(NetFn.App, AppCmd.GetDeviceId).datagram, s.seal(NetFn.Chassis, ChassisCmd.GetChassisStatus).datagram]),
  ]
}

describe('IpmiBmc under malformed and hostile datagrams', () => {
  let lab: LabBmc
  let peer: RawPeer
  let sessions: IpmiSession[]
  let syncTag = 0

  before(async () => {
    lab = await startLabBmc()
    peer = await RawPeer.connect(lab.host, lab.port)
    sessions = [await login(peer, { suite: CIPHER_SUITE_3 }), await login(peer, { suite: CIPHER_SUITE_17 })]
  })
  after(async () => {
    await peer.close()
    await lab.stop()
  })

  /** Sends a batch, then proves the BMC is alive: it answers a ping sent after the batch. */
  async function blast(batch: Buffer[]): Promise<void> {
    for (const d of batch) peer.send(d)
    syncTag = (syncTag + 1) & 0xff
    await peer.sendThenSync(null, syncTag)
  }

  it('survives random bytes, with and without a valid RMCP header', async () => {
    const raw = fc.uint8Array({ maxLength: 300 }).map((a) => Buffer.from(a))
    const rmcpIpmi = fc.tuple(fc.constantFrom(0x00, 0x06), fc.uint8Array({ maxLength: 120 })).map(([auth, rest]) => Buffer.concat([Buffer.from([6, 0, 0xff, 7, auth]), rest]))
    const rmcpAsf = fc.uint8Array({ maxLength: 40 }).map((rest) => Buffer.concat([Buffer.from([6, 0, 0xff, 6, 0, 0, 0x11, 0xbe]), rest]))
    await fc.assert(fc.asyncProperty(fc.array(fc.oneof(raw, rmcpIpmi, rmcpAsf), { minLength: 10, maxLength: 40 }), blast), { numRuns: 100 })
  })

  it('survives truncated and bit-flipped valid packets', async () => {
    const valid = seeds(sessions)
    const truncated = fc.tuple(fc.constantFrom(...valid), fc.nat()).map(([d, n]) => d.subarray(0, n % d.length))
    const flipped = fc.tuple(fc.constantFrom(...valid), fc.nat(), fc.integer({ min: 1, max: 255 })).map(([d, at, x]) => {
      const b = Buffer.from(d)
      b[at % b.length] ^= x
      return b
    })
    const extended = fc.tuple(fc.constantFrom(...valid), fc.uint8Array({ minLength: 1, maxLength: 20 })).map(([d, tail]) => Buffer.concat([d, tail]))
    await fc.assert(fc.asyncProperty(fc.array(fc.oneof(truncated, flipped, extended), { minLength: 10, maxLength: 40 }), blast), { numRuns: 100 })
  })

  it('drops wrong session IDs and replayed sequence numbers', async () => {
    const sent: Buffer[] = []
    for (const s of sessions) {
      const req = s.seal(NetFn.App, AppCmd.GetDeviceId)
      assert.equal((await peer.sendThenSync(req.datagram)).length, 1)
      sent.push(req.datagram)
    }
    const rejectedBefore = lab.bmc.stats.rejected
    const replay = fc.constantFrom(...sent)
    const wrongSession = fc.tuple(fc.constantFrom(...sent), fc.integer({ min: 1, max: 0xffffffff })).map(([d, sid]) => {
      const b = Buffer.from(d)
      b.writeUInt32LE(sid, 4 + 2) // RMCP header, auth type, payload type, then the session ID
      return b
    })
    let answers = 0
    await fc.assert(
      fc.asyncProperty(fc.array(fc.oneof(replay, wrongSession), { minLength: 10, maxLength: 40 }), async (batch) => {
        for (const d of batch) peer.send(d)
        syncTag = (syncTag + 1) & 0xff
        answers += (await peer.sendThenSync(null, syncTag)).length
      }),
      { numRuns: 100 },
    )
    assert.equal(answers, 0, 'no replay or foreign session ID gets an answer')
    assert.ok(lab.bmc.stats.rejected > rejectedBefore + 1000)
  })

  it('still serves the established sessions, a new login and ipmitool afterwards', async () => {
    for (const s of sessions) assert.equal((await command(peer, s, NetFn.App, AppCmd.GetDeviceId)).completionCode, 0)
    const fresh = await login(peer, { suite: CIPHER_SUITE_17 })
    assert.equal((await command(peer, fresh, NetFn.Chassis, ChassisCmd.GetChassisStatus)).completionCode, 0)
    const r = await ipmitool(lab, ['power', 'status'], { suite: 3 })
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /Chassis Power is off/)
    assert.ok(lab.bmc.stats.received > 3000, `only ${lab.bmc.stats.received} datagrams were sent`)
  })
})
