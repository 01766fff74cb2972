import { describe, it, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { RawPeer, command, login, startLabBmc, isPong, USER, PASSWORD } from '../../test/helpers/ipmi.js'
import type { LabBmc } from '../../test/helpers/ipmi.js'
import { CIPHER_SUITE_17, CIPHER_SUITE_3 } from '../protocols/ipmi/crypto.js'
import { AppCmd, ChassisCmd, NetFn, PayloadType, Privilege, RakpStatus, RmcpClass } from '../protocols/ipmi/messages.js'
import { decodeSessionPacket, encodeRequest, encodeV15, encodeV20 } from '../protocols/ipmi/codec.js'
import { decodeAsf, decodeRmcp, encodePresencePing, encodeRmcp, pongSupportsIpmi } from '../protocols/ipmi/rmcp.js'
import { decodeOpenSessionResponse, decodeRakp2, decodeRakp4, encodeOpenSessionRequest, encodeRakp1, encodeRakp3 } from '../protocols/ipmi/rakp.js'
import { decodeBootFlags, decodeBootOptionResponse, decodeChassisStatus, decodeCipherSuiteRecords, decodeDeviceId } from '../protocols/ipmi/commands.js'
import { IpmiAuthError } from '../protocols/ipmi/errors.js'

function setupDatagram(type: PayloadType, payload: Buffer): Buffer {
  return encodeRmcp(RmcpClass.Ipmi, encodeV20({ payloadType: type, encrypted: false, authenticated: false, sessionId: 0, sequence: 0, payload }))
}

function setupPayload(d: Buffer): Buffer {
  const pkt = decodeSessionPacket(decodeRmcp(d).body)
  assert.equal(pkt.format, 'v20')
  return pkt.payload
}

describe('IpmiBmc', () => {
  let lab: LabBmc
  let peer: RawPeer
  let clock = 1_000_000

  before(async () => {
    lab = await startLabBmc({ now: () => clock, sessionTimeoutMs: 60_000 })
    peer = await RawPeer.connect(lab.host, lab.port)
  })
  after(async () => {
    await peer.close()
    await lab.stop()
  })

  it('answers an RMCP presence ping with a pong that says IPMI', async () => {
    peer.send(encodePresencePing(7))
    const pong = await peer.next()
    assert.ok(isPong(pong, 7))
    assert.ok(pongSupportsIpmi(decodeAsf(decodeRmcp(pong).body)))
  })

  it('answers Get Channel Auth Capabilities in IPMI v1.5 format outside a session', async () => {
    const msg = encodeRequest({ rsAddr: 0x20, netFn: NetFn.App, rsLun: 0, rqAddr: 0x81, rqSeq: 2, rqLun: 0, cmd: AppCmd.GetChannelAuthCapabilities, data: Buffer.from([0x8e, 0x04]) })
    peer.send(encodeRmcp(RmcpClass.Ipmi, encodeV15({ authType: 0, sequence: 0, sessionId: 0, message: msg })))
    const pkt = decodeSessionPacket(decodeRmcp(await peer.next()).body)
    assert.equal(pkt.format, 'v15')
    // rqSA, netFn 7, chk, rsSA, seq, cmd, cc 0, channel 1, v2 extended bit, ..., IPMI 2.0 supported
    const m = pkt.format === 'v15' ? pkt.message : Buffer.alloc(0)
    assert.equal(m[6], 0x00)
    assert.equal(m[7], 1)
    assert.equal(m[8] & 0x80, 0x80)
    assert.equal(m[10] & 0x02, 0x02)
  })

  it('lists cipher suites 3 and 17 outside a session', async () => {
    const msg = encodeRequest({ rsAddr: 0x20, netFn: NetFn.App, rsLun: 0, rqAddr: 0x81, rqSeq: 3, rqLun: 0, cmd: AppCmd.GetChannelCipherSuites, data: Buffer.from([0x0e, 0x00, 0x80]) })
    peer.send(setupDatagram(PayloadType.Ipmi, msg))
    const res = setupPayload(await peer.next())
    assert.equal(res[6], 0x00)
    const records = decodeCipherSuiteRecords(res.subarray(8, res.length - 1))
    assert.deepEqual(records.map((r) => r.id), [3, 17])
    assert.deepEqual(records[1], { id: 17, auth: [3], integrity: [4], confidentiality: [1] })
  })

  it('refuses in-session commands sent outside a session (0xD4)', async () => {
    const msg = encodeRequest({ rsAddr: 0x20, netFn: NetFn.Chassis, rsLun: 0, rqAddr: 0x81, rqSeq: 4, rqLun: 0, cmd: ChassisCmd.ChassisControl, data: Buffer.from([1]) })
    peer.send(setupDatagram(PayloadType.Ipmi, msg))
    assert.equal(setupPayload(await peer.next())[6], 0xd4)
    assert.equal(lab.machine.powerState(), 'off')
  })

  for (const suite of [CIPHER_SUITE_3, CIPHER_SUITE_17]) {
    it(`cipher suite ${suite.id}: logs in, starts at User, needs Operator for chassis control`, async () => {
      const s = await login(peer, { suite })
      const dev = await command(peer, s, NetFn.App, AppCmd.GetDeviceId)
      assert.equal(dev.completionCode, 0)
      assert.equal(decodeDeviceId(dev.data).ipmiVersion, 0x02)
      const denied = await command(peer, s, NetFn.Chassis, ChassisCmd.ChassisControl, Buffer.from([0x01]))
      assert.equal(denied.completionCode, 0xd4)
      const priv = await command(peer, s, NetFn.App, AppCmd.SetSessionPrivilegeLevel, Buffer.from([Privilege.Administrator]))
      assert.deepEqual([priv.completionCode, priv.data[0]], [0, Privilege.Administrator])
      const on = await command(peer, s, NetFn.Chassis, ChassisCmd.ChassisControl, Buffer.from([0x01]))
      assert.equal(on.completionCode, 0)
      assert.equal(lab.machine.powerState(), 'on')
      const st = await command(peer, s, NetFn.Chassis, ChassisCmd.GetChassisStatus)
      assert.equal(decodeChassisStatus(st.data).powerOn, true)
      const off = await command(peer, s, NetFn.Chassis, ChassisCmd.ChassisControl, Buffer.from([0x00]))
      assert.equal(off.completionCode, 0)
      assert.equal(lab.machine.powerState(), 'off')
      const sid = Buffer.alloc(4)
      sid.writeUInt32LE(s.bmcSessionId)
      assert.equal((await command(peer, s, NetFn.App, AppCmd.CloseSession, sid)).completionCode, 0)
      // The closed session is gone: its next request is dropped without an answer.
      assert.deepEqual(await peer.sendThenSync(s.seal(NetFn.App, AppCmd.GetDeviceId).datagram), [])
    })
  }

  it('sets and reads boot flags (param 5) and rejects unsupported devices and parameters', async () => {
    const s = await login(peer, { suite: CIPHER_SUITE_3 })
    await command(peer, s, NetFn.App, AppCmd.SetSessionPrivilegeLevel, Buffer.from([Privilege.Operator]))
    const set = await command(peer, s, NetFn.Chassis, ChassisCmd.SetSystemBootOptions, Buffer.from([0x05, 0xe0, 0x04, 0, 0, 0]))
    assert.equal(set.completionCode, 0)
    assert.deepEqual(lab.machine.bootSetting(), { device: 'pxe', persistent: true, mode: 'uefi' })
    const get = await command(peer, s, NetFn.Chassis, ChassisCmd.GetSystemBootOptions, Buffer.from([0x05, 0, 0]))
    const opt = decodeBootOptionResponse(get.data)
    const flags = decodeBootFlags(opt.data)
    assert.deepEqual([opt.version, opt.parameter, flags.valid, flags.persistent, flags.efi, flags.device], [1, 5, true, true, true, 1])
    const diag = await command(peer, s, NetFn.Chassis, ChassisCmd.SetSystemBootOptions, Buffer.from([0x05, 0x80, 0x10, 0, 0, 0]))
    assert.equal(diag.completionCode, 0xcc)
    const param7 = await command(peer, s, NetFn.Chassis, ChassisCmd.GetSystemBootOptions, Buffer.from([0x07, 0, 0]))
    assert.equal(param7.completionCode, 0x80)
    const short = await command(peer, s, NetFn.Chassis, ChassisCmd.SetSystemBootOptions, Buffer.from([0x05, 0x80]))
    assert.equal(short.completionCode, 0xc7)
  })

  it('drops replayed and out-of-window sequence numbers, accepts reordering inside the window', async () => {
    const s = await login(peer, { suite: CIPHER_SUITE_17 })
    const first = s.seal(NetFn.App, AppCmd.GetDeviceId)
    const answered = await peer.sendThenSync(first.datagram)
    assert.equal(answered.length, 1)
    const rejectedBefore = lab.bmc.stats.rejected
    assert.deepEqual(await peer.sendThenSync(first.datagram), [], 'replay is dropped')
    assert.equal(lab.bmc.stats.rejected, rejectedBefore + 1)
    const a = s.seal(NetFn.App, AppCmd.GetDeviceId)
    const b = s.seal(NetFn.App, AppCmd.GetDeviceId)
    assert.equal((await peer.sendThenSync(b.datagram)).length, 1)
    assert.equal((await peer.sendThenSync(a.datagram)).length, 1, 'older but unseen: accepted')
    for (let i = 0; i < 40; i++) s.seal(NetFn.App, AppCmd.GetDeviceId) // skip 40 numbers
    assert.deepEqual(await peer.sendThenSync(s.seal(NetFn.App, AppCmd.GetDeviceId).datagram), [], 'too far ahead')
  })

  it('expires idle sessions after sessionTimeoutMs', async () => {
    const s = await login(peer, { suite: CIPHER_SUITE_3 })
    assert.equal((await peer.sendThenSync(s.seal(NetFn.App, AppCmd.GetDeviceId).datagram)).length, 1)
    clock += 60_001
    assert.deepEqual(await peer.sendThenSync(s.seal(NetFn.App, AppCmd.GetDeviceId).datagram), [])
  })

  it('answers an unknown user with RAKP 2 "unauthorized name"', async () => {
    await assert.rejects(login(peer, { suite: CIPHER_SUITE_3, username: 'mallory' }), (e: unknown) => {
      assert.ok(e instanceof IpmiAuthError)
      assert.equal(e.details?.rakpStatus, RakpStatus.UnauthorizedName)
      return true
    })
  })

  it('a wrong password fails the RAKP 2 check on the console side', async () => {
    await assert.rejects(login(peer, { suite: CIPHER_SUITE_17, password: 'wrong' }), IpmiAuthError)
  })

  it('answers a RAKP 3 with a wrong key exchange code with RAKP 4 "invalid integrity check value"', async () => {
    const consoleSessionId = 0x11223344
    const alg = { auth: 1, integrity: 1, confidentiality: 1 }
    peer.send(setupDatagram(PayloadType.OpenSessionRequest, encodeOpenSessionRequest({ tag: 1, maxPrivilege: 4, consoleSessionId, algorithms: alg })))
    const open = decodeOpenSessionResponse(setupPayload(await peer.next()))
    assert.equal(open.status, RakpStatus.Ok)
    const rakp1 = encodeRakp1({ tag: 2, bmcSessionId: open.bmcSessionId, consoleRandom: Buffer.alloc(16, 9), role: 4, username: Buffer.from(USER) })
    peer.send(setupDatagram(PayloadType.Rakp1, rakp1))
    assert.equal(decodeRakp2(setupPayload(await peer.next())).status, RakpStatus.Ok)
    const before = lab.bmc.sessionCount
    peer.send(setupDatagram(PayloadType.Rakp3, encodeRakp3({ tag: 3, status: 0, bmcSessionId: open.bmcSessionId, authCode: Buffer.alloc(20, 0xab) })))
    const r4 = decodeRakp4(setupPayload(await peer.next()))
    assert.equal(r4.status, RakpStatus.InvalidIntegrityCheckValue)
    assert.equal(r4.consoleSessionId, consoleSessionId)
    assert.equal(lab.bmc.sessionCount, before - 1, 'the failed session is discarded')
  })

  it('rejects cipher suite 0 (no authentication) in Open Session', async () => {
    const none = { auth: 0, integrity: 0, confidentiality: 0 }
    peer.send(setupDatagram(PayloadType.OpenSessionRequest, encodeOpenSessionRequest({ tag: 9, maxPrivilege: 4, consoleSessionId: 5, algorithms: none })))
    assert.equal(decodeOpenSessionResponse(setupPayload(await peer.next())).status, RakpStatus.NoCipherSuiteMatch)
  })

  it('honours faults: unreachable and packet loss drop requests; latency still answers', async () => {
    const f = lab.machine.faults
    f.unreachable = true
    const received = lab.bmc.stats.received
    peer.send(encodePresencePing(1))
    while (lab.bmc.stats.received === received) await new Promise((r) => setImmediate(r))
    f.unreachable = false
    assert.equal(lab.bmc.stats.faultDropped, 1)
    assert.deepEqual(await peer.sendThenSync(null, 2), [])
    f.latencyMs = 20
    const s = await login(peer, { suite: CIPHER_SUITE_3, password: PASSWORD })
    assert.equal((await command(peer, s, NetFn.App, AppCmd.GetDeviceId)).completionCode, 0)
    f.latencyMs = 0
  })
})

describe('IpmiBmc packet loss', () => {
  it('drops exactly the datagrams the random source selects', async () => {
    const draws = [0.1, 0.9, 0.2, 0.8]
    const lab = await startLabBmc({ faults: { packetLoss: 0.5 }, random: () => draws.shift() ?? 1 })
    const peer = await RawPeer.connect(lab.host, lab.port)
    try {
      peer.send(encodePresencePing(1)) // 0.1 < 0.5: dropped
      assert.deepEqual(await peer.sendThenSync(null, 2), []) // 0.9: answered, and nothing for tag 1 before it
      peer.send(encodePresencePing(3)) // 0.2: dropped
      assert.deepEqual(await peer.sendThenSync(null, 4), [])
      assert.equal(lab.bmc.stats.faultDropped, 2)
    } finally {
      await peer.close()
      await lab.stop()
    }
  })
})
