/**
 * Automatic TLS for the agent's command API (IPA's `enable_auto_tls`): when the API it calls home
 * to speaks 1.68 or later (`agent_verify_ca`), the agent makes a fresh key and a self-signed
 * certificate for its advertised address, serves its command API over HTTPS, and sends the
 * certificate in its heartbeats; the conductor then accepts that certificate and no other for the
 * ramdisk's life (pinned). The key never leaves the agent's memory (the files openssl writes are
 * removed at once).
 */
import { runTool } from './tool.js'
import { isIP } from 'node:net'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export interface AgentCertificate {
  readonly key: string
  readonly cert: string
}

/**
 * A P-256 key and a self-signed certificate naming `host` (an IP address or a DNS name) in its
 * subjectAltName, valid for `days`, made with Debian's `openssl`.
 * @throws Error naming the remedy when openssl is missing or fails
 */
export async function generateCertificate(host: string, days = 30): Promise<AgentCertificate> {
  const dir = await mkdtemp(join(tmpdir(), 'ferrum-agent-tls-'))
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')]
  const san = isIP(host) ? `IP:${host}` : `DNS:${host}`
  try {
    await runTool('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', String(days), '-subj', '/CN=ferrum-agent', '-addext', `subjectAltName=${san}`, '-addext', 'basicConstraints=critical,CA:FALSE'], {
      cannot: 'cannot run openssl to make the agent\'s TLS certificate',
      missing: 'install Debian\'s openssl in the ramdisk, or boot with ipa-enable-auto-tls=0',
      failed: 'openssl could not make the agent\'s TLS certificate',
    })
    return { key: await readFile(key, 'utf8'), cert: await readFile(cert, 'utf8') }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

/** `x.y` from an API's maximum version header; null when absent or malformed. */
export function parseVersion(v: string | null | undefined): [number, number] | null {
  const m = /^(\d+)\.(\d+)$/.exec(v?.trim() ?? '')
  return m ? [Number(m[1]), Number(m[2])] : null
}

/** True when `max` is 1.68 or later: the API takes `agent_verify_ca` in heartbeats. */
export function supportsAutoTls(max: [number, number] | null): boolean {
  return max !== null && (max[0] > 1 || (max[0] === 1 && max[1] >= 68))
}
