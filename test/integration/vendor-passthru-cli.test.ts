// Vendor passthru with the real client: `ferrum up` (the compiled build: run `npm run build`
// first) and Debian's `openstack baremetal node passthru list|call`, which names the method in the
// path (…/vendor_passthru/NAME). The ipmi node talks RMCP+ to a lab IpmiBmc in this process.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startFerrum, type FerrumProcess } from '../helpers/ferrum-process.js'
import { baremetal, baremetalJson, baremetalOk } from '../helpers/openstack-cli.js'
import { PASSWORD, USER, startIpmiLab, type IpmiLab } from '../helpers/ipmi-test-kit.js'

let ferrum: FerrumProcess
let lab: IpmiLab
let dataDir: string

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'ferrum-passthru-cli-'))
  lab = await startIpmiLab()
  ferrum = await startFerrum({ dataDir })
})
after(async () => {
  await ferrum?.stop()
  await lab?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

type Method = { Name: string; 'Supported HTTP methods': string; Async: boolean; Description: string; 'Response is attachment': boolean }

test('passthru list and call: send_raw Get Device ID on an ipmi node, echo on a fake one', async () => {
  const url = ferrum.url
  const ipmi = await baremetalJson<{ uuid: string }>(url, [
    'node', 'create', '--driver', 'ipmi', '--name', 'passthru-ipmi',
    '--driver-info', 'ipmi_address=127.0.0.1', '--driver-info', `ipmi_port=${lab.port}`,
    '--driver-info', `ipmi_username=${USER}`, '--driver-info', `ipmi_password=${PASSWORD}`,
  ])
  const listed = await baremetalJson<Method[]>(url, ['node', 'passthru', 'list', 'passthru-ipmi'])
  assert.deepEqual(listed.map((m) => [m.Name, m['Supported HTTP methods'], m.Async, m['Response is attachment']]), [['send_raw', 'POST', false, false]])
  assert.match(listed[0].Description, /raw_bytes/)

  // The client prints the response dict as Python's repr.
  const call = await baremetalOk(url, ['node', 'passthru', 'call', ipmi.uuid, 'send_raw', '--arg', 'raw_bytes=0x06 0x01'])
  const raw = /'raw_bytes': '([^']*)'/.exec(call.stdout)
  assert.ok(raw, call.stdout)
  const bytes = raw[1].split(' ').map((b) => parseInt(b, 16))
  assert.equal(bytes[0], 0x20, raw[1])
  assert.equal(bytes[4], 0x02, raw[1])

  // A refusal reaches the operator as the client's error, with our message.
  const bad = await baremetal(url, ['node', 'passthru', 'call', ipmi.uuid, 'send_raw', '--arg', 'raw_bytes=0x06 0xzz'])
  assert.notEqual(bad.code, 0)
  assert.match(bad.stderr, /"0xzz" is not a byte/)
  const wrongVerb = await baremetal(url, ['node', 'passthru', 'call', ipmi.uuid, 'send_raw', '--http-method', 'GET'])
  assert.notEqual(wrongVerb.code, 0)
  assert.match(wrongVerb.stderr, /does not support HTTP GET; it accepts: POST/)

  await baremetalJson(url, ['node', 'create', '--driver', 'fake-hardware', '--name', 'passthru-fake'])
  const names = (await baremetalJson<Method[]>(url, ['node', 'passthru', 'list', 'passthru-fake'])).map((m) => m.Name)
  assert.deepEqual(names, ['echo', 'count', 'fail'])
  const echo = await baremetalOk(url, ['node', 'passthru', 'call', 'passthru-fake', 'echo', '--arg', 'colour=blue'])
  assert.match(echo.stdout, /'args': \{'colour': 'blue'\}/)
  assert.match(echo.stdout, /'httpMethod': 'POST'/)
})
