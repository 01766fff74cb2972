/**
 * The BMC side of RMCP+ session setup (IPMI v2.0 §13.15–§13.23) and the table of sessions:
 * Open Session → RAKP 1/2 → RAKP 3/4, inbound sequence windows, idle timeout, privilege.
 * No sockets: ipmi-bmc.ts feeds it decoded payloads and sends what it returns.
 */
import { randomBytes, randomInt } from 'node:crypto'
import { CIPHER_SUITE_17, CIPHER_SUITE_3, safeEqual } from '../protocols/ipmi/crypto.js'
import type { CipherSuite } from '../protocols/ipmi/crypto.js'
import { Privilege, RakpStatus } from '../protocols/ipmi/messages.js'
import type { OpenSessionRequest, OpenSessionResponse, Rakp1, Rakp2, Rakp3, Rakp4 } from '../protocols/ipmi/rakp.js'
import { deriveSessionKeys, rakp2AuthCode, rakp3AuthCode, rakp4IntegrityCheck, sessionIntegrityKey, userKey } from '../protocols/ipmi/session-keys.js'
import type { RakpContext, SessionKeys } from '../protocols/ipmi/session-keys.js'

/** A user account of the emulated BMC. */
export interface BmcUser {
  name: string
  password: string
  /** Highest privilege this user may hold (Privilege.Administrator for the lab's one user). */
  maxPrivilege: Privilege
}

/** One RMCP+ session, from Open Session until close or idle timeout. */
export interface BmcSession {
  readonly bmcSessionId: number
  readonly consoleSessionId: number
  readonly suite: CipherSuite
  /** Where Open Session came from; later packets must come from the same place. */
  readonly peer: string
  state: 'opened' | 'rakp2-sent' | 'active'
  /** Requested maximum privilege from Open Session / RAKP 1. */
  maxPrivilege: number
  /** Current operating privilege (Set Session Privilege Level raises it). */
  privilege: number
  rakp?: RakpContext
  user?: BmcUser
  keys?: SessionKeys
  lastActivity: number
  /** Highest inbound session sequence number accepted, and a bitmap of the 16 below it. */
  highestSeq: number
  seenBelow: number
  /** Next outbound session sequence number. */
  outboundSeq: number
}

export interface SessionTableOptions {
  users: readonly BmcUser[]
  /** Idle timeout (§6.12.15: default 60 s). */
  timeoutMs: number
  /** Managed system GUID sent in RAKP 2. */
  guid: Buffer
  maxSessions?: number
  now?: () => number
}

/** How far ahead of the highest accepted number an inbound sequence number may jump. */
const SEQ_AHEAD = 32
/** How far behind the highest accepted number an unseen sequence number is still accepted. */
const SEQ_BEHIND = 16
const WINDOW_MASK = (1 << SEQ_BEHIND) - 1

/**
 * The session table. Methods never throw on peer input: every answer is a message with a status
 * code, or null when the spec says to stay silent.
 */
export class BmcSessionTable {
  readonly #sessions = new Map<number, BmcSession>()
  readonly #opts: Required<SessionTableOptions>

  constructor(opts: SessionTableOptions) {
    this.#opts = { maxSessions: 16, now: Date.now, ...opts }
  }

  /** Number of sessions in the table (any state, expired ones swept first). */
  get size(): number {
    this.sweep()
    return this.#sessions.size
  }

  /** Drops sessions idle for longer than the timeout. */
  sweep(): void {
    const now = this.#opts.now()
    for (const [id, s] of this.#sessions) if (now - s.lastActivity > this.#opts.timeoutMs) this.#sessions.delete(id)
  }

  /** Open Session Request (§13.17) → Open Session Response (§13.18). */
  openSession(req: OpenSessionRequest, peer: string): OpenSessionResponse {
    const fail = (status: RakpStatus): OpenSessionResponse => ({ tag: req.tag, status, maxPrivilege: 0, consoleSessionId: req.consoleSessionId, bmcSessionId: 0 })
    this.sweep()
    // A retransmitted request (the response was lost) gets the same session back.
    for (const s of this.#sessions.values()) {
      if (s.state === 'opened' && s.peer === peer && s.consoleSessionId === req.consoleSessionId) return this.#opened(req.tag, s)
    }
    if (req.maxPrivilege > Privilege.Oem) return fail(RakpStatus.InvalidRole)
    const { auth, integrity, confidentiality } = req.algorithms
    // Wildcards (null) match anything; prefer the stronger suite when several match.
    const matches = (c: CipherSuite) =>
      (auth === null || c.auth === auth) && (integrity === null || c.integrity === integrity) && (confidentiality === null || c.confidentiality === confidentiality)
    const suite = [CIPHER_SUITE_17, CIPHER_SUITE_3].find(matches)
    if (!suite) return fail(RakpStatus.NoCipherSuiteMatch)
    if (this.#sessions.size >= this.#opts.maxSessions) this.#evictOldestPending()
    if (this.#sessions.size >= this.#opts.maxSessions) return fail(RakpStatus.InsufficientResources)
    const session: BmcSession = {
      bmcSessionId: this.#newSessionId(),
      consoleSessionId: req.consoleSessionId,
      suite,
      peer,
      state: 'opened',
      maxPrivilege: req.maxPrivilege === Privilege.Unspecified ? Privilege.Administrator : req.maxPrivilege,
      privilege: Privilege.User,
      lastActivity: this.#opts.now(),
      highestSeq: 0,
      seenBelow: 0,
      outboundSeq: 1,
    }
    this.#sessions.set(session.bmcSessionId, session)
    return this.#opened(req.tag, session)
  }

  #opened(tag: number, s: BmcSession): OpenSessionResponse {
    return {
      tag,
      status: RakpStatus.Ok,
      maxPrivilege: s.maxPrivilege,
      consoleSessionId: s.consoleSessionId,
      bmcSessionId: s.bmcSessionId,
      algorithms: { auth: s.suite.auth, integrity: s.suite.integrity, confidentiality: s.suite.confidentiality },
    }
  }

  /** RAKP 1 (§13.20) → RAKP 2 (§13.21). Unknown user → "unauthorized name" (0x0D). */
  rakp1(msg: Rakp1, peer: string): Rakp2 {
    const s = this.#sessions.get(msg.bmcSessionId)
    const fail = (status: RakpStatus, consoleSessionId = s?.consoleSessionId ?? 0): Rakp2 => ({ tag: msg.tag, status, consoleSessionId })
    if (!s || s.peer !== peer || s.state === 'active') return fail(RakpStatus.InvalidSessionId)
    s.lastActivity = this.#opts.now()
    const role = msg.role & 0x0f
    if (role < Privilege.Callback || role > Privilege.Oem || (msg.role & 0xe0) !== 0) return this.#drop(s, fail(RakpStatus.InvalidRole))
    if (msg.username.length > 16) return this.#drop(s, fail(RakpStatus.InvalidNameLength))
    const name = msg.username.toString('latin1')
    const user = this.#opts.users.find((u) => u.name === name && name.length > 0)
    if (!user) return this.#drop(s, fail(RakpStatus.UnauthorizedName))
    if (role > user.maxPrivilege || role > s.maxPrivilege) return this.#drop(s, fail(RakpStatus.UnauthorizedRole))
    const rakp: RakpContext = {
      consoleSessionId: s.consoleSessionId,
      bmcSessionId: s.bmcSessionId,
      consoleRandom: msg.consoleRandom,
      // A retransmitted RAKP 1 (same Rm) gets the same Rc, so a late RAKP 2 is still valid.
      bmcRandom: s.rakp && s.rakp.consoleRandom.equals(msg.consoleRandom) ? s.rakp.bmcRandom : randomBytes(16),
      bmcGuid: this.#opts.guid,
      role: msg.role,
      username: msg.username,
    }
    s.rakp = rakp
    s.user = user
    s.maxPrivilege = role
    s.state = 'rakp2-sent'
    return {
      tag: msg.tag,
      status: RakpStatus.Ok,
      consoleSessionId: s.consoleSessionId,
      bmcRandom: rakp.bmcRandom,
      bmcGuid: rakp.bmcGuid,
      authCode: rakp2AuthCode(s.suite, userKey(user.password), rakp),
    }
  }

  /**
   * RAKP 3 (§13.22) → RAKP 4 (§13.23). A console that reports an error in RAKP 3 gets no answer and
   * its session is dropped; a wrong key exchange code (wrong password) → "invalid integrity check value".
   * A retransmitted RAKP 3 for an active session gets the same RAKP 4 again.
   */
  rakp3(msg: Rakp3, peer: string): Rakp4 | null {
    const s = this.#sessions.get(msg.bmcSessionId)
    if (!s || s.peer !== peer || s.state === 'opened' || !s.rakp || !s.user) {
      return { tag: msg.tag, status: RakpStatus.InvalidSessionId, consoleSessionId: s?.consoleSessionId ?? 0, integrityCheck: Buffer.alloc(0) }
    }
    if (msg.status !== RakpStatus.Ok) {
      if (s.state !== 'active') this.#sessions.delete(s.bmcSessionId)
      return null
    }
    const expected = rakp3AuthCode(s.suite, userKey(s.user.password), s.rakp)
    if (!safeEqual(expected, msg.authCode)) {
      const answer = { tag: msg.tag, status: RakpStatus.InvalidIntegrityCheckValue, consoleSessionId: s.consoleSessionId, integrityCheck: Buffer.alloc(0) }
      return s.state === 'active' ? answer : this.#drop(s, answer)
    }
    if (s.state !== 'active') {
      const sik = sessionIntegrityKey(s.suite, userKey(s.user.password), null, s.rakp)
      s.keys = deriveSessionKeys(s.suite, sik)
      s.state = 'active'
    }
    s.lastActivity = this.#opts.now()
    return { tag: msg.tag, status: RakpStatus.Ok, consoleSessionId: s.consoleSessionId, integrityCheck: rakp4IntegrityCheck(s.suite, s.keys!.sik, s.rakp) }
  }

  /** The active session with this BMC session ID from this peer, or undefined (unknown, pending, expired). */
  active(bmcSessionId: number, peer: string): BmcSession | undefined {
    const s = this.#sessions.get(bmcSessionId)
    if (!s || s.state !== 'active' || s.peer !== peer) return undefined
    if (this.#opts.now() - s.lastActivity > this.#opts.timeoutMs) {
      this.#sessions.delete(bmcSessionId)
      return undefined
    }
    return s
  }

  /**
   * Accepts an inbound session sequence number once (§6.12.13): zero, replays and numbers outside
   * the window [highest − 16, highest + 32] are refused. Call only after the packet's integrity
   * code was verified, so forged packets cannot move the window.
   */
  acceptSequence(s: BmcSession, seq: number): boolean {
    if (seq === 0) return false
    const diff = (seq - s.highestSeq) | 0 // signed distance with 32-bit wrap-around
    if (diff > 0) {
      if (diff > SEQ_AHEAD) return false
      // Bit i-1 of seenBelow stands for highest - i; the old highest becomes bit diff-1.
      const shifted = diff >= 32 ? 0 : s.seenBelow << diff
      s.seenBelow = (shifted | (1 << (diff - 1))) & WINDOW_MASK
      s.highestSeq = seq >>> 0
    } else {
      const back = -diff
      if (back === 0 || back > SEQ_BEHIND) return false
      const bit = 1 << (back - 1)
      if (s.seenBelow & bit) return false
      s.seenBelow = (s.seenBelow | bit) & WINDOW_MASK
    }
    s.lastActivity = this.#opts.now()
    return true
  }

  /** The next outbound sequence number for the session (never 0, wraps after 2^32 − 1). */
  nextOutboundSeq(s: BmcSession): number {
    const seq = s.outboundSeq
    s.outboundSeq = seq >= 0xffffffff ? 1 : seq + 1
    return seq
  }

  /** Removes a session; true if it existed. */
  close(bmcSessionId: number): boolean {
    return this.#sessions.delete(bmcSessionId)
  }

  /** True when a session with this ID is in the table. */
  has(bmcSessionId: number): boolean {
    return this.#sessions.has(bmcSessionId)
  }

  /** Abandoned handshakes (e.g. a client that gave up after RAKP 2) must not lock out new logins. */
  #evictOldestPending(): void {
    let oldest: BmcSession | undefined
    for (const s of this.#sessions.values()) {
      if (s.state !== 'active' && (!oldest || s.lastActivity < oldest.lastActivity)) oldest = s
    }
    if (oldest) this.#sessions.delete(oldest.bmcSessionId)
  }

  #drop<T>(s: BmcSession, answer: T): T {
    this.#sessions.delete(s.bmcSessionId)
    return answer
  }

  #newSessionId(): number {
    for (;;) {
      const id = randomInt(1, 0xffffffff)
      if (!this.#sessions.has(id)) return id
    }
  }
}
