import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { ValidationError } from '../../domain/errors.js'
import { Privilege } from '../../protocols/ipmi/messages.js'
import { makeNodeView } from '../testing/fixtures.js'
import { IPMI_PROPERTIES, parseIpmiDriverInfo } from './ipmi-driver-info.js'

const parse = (driverInfo: Record<string, unknown>) => parseIpmiDriverInfo(makeNodeView({ driver: 'ipmi', driverInfo }), 'power', 'ipmitool')

describe('parseIpmiDriverInfo', () => {
  test('defaults: port 623, null user, suite 3, ADMINISTRATOR, boot timeout disabled', () => {
    assert.deepEqual(parse({ ipmi_address: '10.0.0.5' }), {
      address: '10.0.0.5',
      port: 623,
      username: '',
      password: '',
      cipherSuite: 3,
      privilege: Privilege.Administrator,
      privilegeName: 'ADMINISTRATOR',
      kg: null,
      callTimeoutMs: null,
      disableBootTimeout: true,
      terminalPort: null,
    })
  })

  test('reads the strings the CLI sends', () => {
    const i = parse({
      ipmi_address: 'bmc-7.example.com', ipmi_port: '6230', ipmi_username: 'admin', ipmi_password: 'pw', ipmi_cipher_suite: '17',
      ipmi_priv_level: 'operator', ipmi_hex_kg_key: '0a0B', ipmi_retry_timeout: '15', ipmi_bridging: 'no', ipmi_protocol_version: '2.0',
      ipmi_disable_boot_timeout: 'False', ipmi_terminal_port: '8023',
    })
    assert.deepEqual(
      [i.address, i.port, i.username, i.password, i.cipherSuite, i.privilege, i.kg?.toString('hex'), i.callTimeoutMs, i.disableBootTimeout, i.terminalPort],
      ['bmc-7.example.com', 6230, 'admin', 'pw', 17, Privilege.Operator, '0a0b', 15_000, false, 8023],
    )
  })

  const bad: [Record<string, unknown>, RegExp][] = [
    [{}, /missing driver_info field\(s\) required by the power interface "ipmitool": ipmi_address/],
    [{ ipmi_address: '10.0.0.5', ipmi_port: 'abc' }, /"ipmi_port": ipmi_port must be an integer between 1 and 65535 \(got 'abc'\)/],
    [{ ipmi_address: '10.0.0.5', ipmi_port: 70000 }, /ipmi_port must be an integer between 1 and 65535 \(got 70000\)/],
    [{ ipmi_address: '10.0.0.5', ipmi_cipher_suite: '1' }, /ipmi_cipher_suite must be 3 or 17 \(got '1'\)/],
    [{ ipmi_address: '10.0.0.5', ipmi_priv_level: 'ROOT' }, /ipmi_priv_level must be one of ADMINISTRATOR, OPERATOR, USER \(got 'ROOT'\)/],
    [{ ipmi_address: '10.0.0.5', ipmi_bridging: 'single' }, /only "no" is supported \(got 'single'\)/],
    [{ ipmi_address: '10.0.0.5', ipmi_protocol_version: '1.5' }, /only "2.0" \(RMCP\+\) is supported/],
    [{ ipmi_address: '10.0.0.5', ipmi_hex_kg_key: 'abc' }, /even number of hexadecimal digits/],
    [{ ipmi_address: '10.0.0.5', ipmi_password: 'x'.repeat(21) }, /at most 20 bytes/],
    [{ ipmi_address: '10.0.0.5', ipmi_retry_timeout: '0' }, /ipmi_retry_timeout must be a number of seconds between 1 and 3600/],
    [{ ipmi_address: '10.0.0.5', ipmi_terminal_port: '-1' }, /ipmi_terminal_port must be an integer between 1 and 65535/],
    [{ ipmi_address: '10.0.0.5', ipmi_disable_boot_timeout: 'maybe' }, /ipmi_disable_boot_timeout must be true or false/],
    [{ ipmi_address: 'http://10.0.0.5/' }, /ipmi_address must be an IP address or host name/],
  ]
  for (const [info, pattern] of bad) {
    test(`refuses ${JSON.stringify(info)}`, () => {
      assert.throws(() => parse(info), (e: unknown) => e instanceof ValidationError && pattern.test(e.message))
    })
  }

  test('every parsed field is documented in the properties', () => {
    for (const f of ['ipmi_address', 'ipmi_port', 'ipmi_username', 'ipmi_password', 'ipmi_cipher_suite', 'ipmi_priv_level', 'ipmi_hex_kg_key', 'ipmi_retry_timeout', 'ipmi_bridging', 'ipmi_terminal_port']) {
      assert.ok(IPMI_PROPERTIES[f], f)
    }
  })
})
