import { execFile } from 'node:child_process'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

export interface TlsMaterial {
  certPem: string
  keyPem: string
}

/**
 * Creates a self-signed P-256 certificate for `host` with Debian's `openssl` binary. The
 * certificate names the host both as CN and subjectAltName (IP or DNS), so clients that verify
 * hostnames (python-requests with the PEM as CA bundle) accept it; it is also marked as a CA
 * so it can serve as its own trust anchor.
 */
export async function generateSelfSignedCert(host: string, opts: { openssl?: string; days?: number } = {}): Promise<TlsMaterial> {
  const dir = await mkdtemp(join(tmpdir(), 'ferrum-redfish-tls-'))
  try {
    const keyPath = join(dir, 'key.pem')
    const certPath = join(dir, 'cert.pem')
    const isIp = /^[0-9.]+$/.test(host) || host.includes(':')
    const san = isIp ? `IP:${host}` : `DNS:${host}`
    await run(opts.openssl ?? 'openssl', [
      'req', '-x509', '-nodes',
      '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1',
      '-keyout', keyPath, '-out', certPath,
      '-days', String(opts.days ?? 30),
      '-subj', `/CN=${host}/O=Ferrum Lab BMC`,
      '-addext', `subjectAltName=${san},DNS:localhost`,
      '-addext', 'basicConstraints=critical,CA:TRUE',
      '-addext', 'keyUsage=critical,digitalSignature,keyCertSign',
    ], { timeout: 30_000 })
    return { certPem: await readFile(certPath, 'utf8'), keyPem: await readFile(keyPath, 'utf8') }
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}
