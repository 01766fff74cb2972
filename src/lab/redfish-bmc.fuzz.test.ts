import assert from 'node:assert/strict'
import { connect } from 'node:net'
import { describe, test } from 'node:test'
import fc from 'fast-check'
import { PASSWORD, type RunningBmc, USER, labMachine, startBmc } from '../../test/helpers/redfish.js'
import type { PersonalityName } from './redfish/personality.js'

const BASIC = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString('base64')}`

const segmentsFor = (p: PersonalityName): string[] => {
  const sys = p === 'idrac' ? 'System.Embedded.1' : 'node-1'
  const mgr = p === 'idrac' ? 'iDRAC.Embedded.1' : 'BMC'
  return [
    'redfish', 'v1', 'Systems', sys, 'Managers', mgr, 'Chassis', 'Bios', 'Settings', 'Actions',
    'ComputerSystem.Reset', 'Bios.ResetBios', 'VirtualMedia', 'Cd', 'CD', 'Floppy', 'RemovableDisk',
    'VirtualMedia.InsertMedia', 'VirtualMedia.EjectMedia', 'SessionService', 'Sessions', 'TaskService',
    'Tasks', 'TaskMonitors', '1', 'Jobs', 'Oem', 'Dell', 'DellJobService', 'DellJobService.DeleteJobQueue',
    'EthernetInterfaces', 'eno1', 'Storage', 'Drives', 'sda', 'SimpleStorage', 'Processors', 'CPU1', '..', '.', '%00', '%zz',
  ]
}

const knownPaths = (p: PersonalityName): string[] => {
  const sys = p === 'idrac' ? '/redfish/v1/Systems/System.Embedded.1' : '/redfish/v1/Systems/node-1'
  const mgr = p === 'idrac' ? '/redfish/v1/Managers/iDRAC.Embedded.1' : '/redfish/v1/Managers/BMC'
  const cd = p === 'idrac' ? 'CD' : 'Cd'
  return [
    '/redfish', '/redfish/v1/', sys, `${sys}/Actions/ComputerSystem.Reset`, `${sys}/Bios`, `${sys}/Bios/Settings`,
    `${sys}/Bios/Actions/Bios.ResetBios`, mgr, `${mgr}/VirtualMedia/${cd}`, `${mgr}/VirtualMedia/${cd}/Actions/VirtualMedia.InsertMedia`,
    `${mgr}/VirtualMedia/${cd}/Actions/VirtualMedia.EjectMedia`, '/redfish/v1/SessionService/Sessions',
    '/redfish/v1/TaskService/TaskMonitors/1', `${mgr}/Jobs`, `${mgr}/Oem/Dell/DellJobService/Actions/DellJobService.DeleteJobQueue`,
    `${mgr}/Actions/Manager.Reset`,
  ]
}

const printable = (max: number): fc.Arbitrary<string> => fc.stringMatching(new RegExp(`^[ -~]{0,${max}}$`))

const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue(),
  fc.constantFrom('On', 'ForceOff', 'Pxe', 'Once', 'UEFI', 'Disabled', 'JID_CLEARALL', 'OnReset', null, true, -1, 1e308),
)

/** Bodies that look like what the BMC expects, with hostile values. */
const shapedBody: fc.Arbitrary<unknown> = fc.oneof(
  fc.record({ ResetType: anyValue }, { requiredKeys: [] }),
  fc.record({ Boot: fc.oneof(anyValue, fc.dictionary(fc.constantFrom('BootSourceOverrideTarget', 'BootSourceOverrideEnabled', 'BootSourceOverrideMode', 'X'), anyValue)) }),
  fc.record({ Attributes: fc.oneof(anyValue, fc.dictionary(fc.constantFrom('ProcTurboMode', 'LogicalProc', 'QuietBoot', 'BootTimeoutSeconds', '__proto__', 'constructor'), anyValue)), '@Redfish.SettingsApplyTime': fc.oneof(anyValue, fc.record({ ApplyTime: anyValue })) }, { requiredKeys: [] }),
  // Image URLs only ever point at loopback port 1 (refused) or are not URLs at all.
  fc.record({ Image: fc.oneof(anyValue, fc.constantFrom('http://127.0.0.1:1/a.iso', 'https://127.0.0.1:1/b.iso', 'file:///etc/passwd', '')), Inserted: anyValue, WriteProtected: anyValue }, { requiredKeys: [] }),
  fc.record({ UserName: anyValue, Password: anyValue }, { requiredKeys: [] }),
  fc.record({ JobID: anyValue, TargetSettingsURI: anyValue }, { requiredKeys: [] }),
  fc.record({ AssetTag: anyValue, IndicatorLED: anyValue, PowerState: anyValue }, { requiredKeys: [] }),
)

const body: fc.Arbitrary<string | undefined> = fc.oneof(
  fc.constant(undefined),
  shapedBody.map((b) => JSON.stringify(b)),
  fc.jsonValue().map((v) => JSON.stringify(v)),
  printable(200),
  fc.constantFrom('{', '{"a":', '[]', 'null', '"x"', '{"ResetType":"On"}}', '\u0000\u0001', '{"__proto__":{"x":1}}'),
)

const requestArb = (p: PersonalityName) =>
  fc.record({
    method: fc.oneof(fc.constantFrom('GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'HEAD', 'OPTIONS'), fc.stringMatching(/^[A-Z]{1,8}$/)),
    path: fc.oneof(
      fc.constantFrom(...knownPaths(p)),
      fc.tuple(fc.constantFrom(...knownPaths(p)), fc.stringMatching(/^[A-Za-z0-9._~%/?=&$-]{0,20}$/)).map(([a, b]) => a + b),
      fc.array(fc.oneof(fc.constantFrom(...segmentsFor(p)), fc.stringMatching(/^[A-Za-z0-9._~%!$&'()*+,;=:@-]{0,12}$/)), { maxLength: 9 }).map((s) => `/${s.join('/')}`),
    ),
    body,
    auth: fc.oneof(fc.constant(BASIC), fc.constant(undefined), printable(30)),
    headers: fc.dictionary(fc.constantFrom('if-match', 'content-type', 'x-auth-token', 'prefer', 'accept', 'odata-version', 'x-fuzz'), printable(40), { maxKeys: 4 }),
  })

async function assertHealthy(h: RunningBmc, system: string): Promise<void> {
  h.client.auth = { authorization: BASIC }
  const root = await h.client.get('/redfish/v1/')
  assert.equal(root.status, 200)
  const sys = await h.client.get(system)
  assert.equal(sys.status, 200)
  assert.equal(sys.json?.['@odata.id'], system)
  assert.match(String(sys.headers.etag), /^W\/"/)
  const reset = await h.client.post(`${system}/Actions/ComputerSystem.Reset`, { ResetType: 'ForceOff' })
  assert.equal(reset.status, 204)
  assert.equal((await h.client.get(system)).json?.PowerState, 'Off')
}

for (const personality of ['generic', 'idrac'] as const) {
  const system = personality === 'idrac' ? '/redfish/v1/Systems/System.Embedded.1' : '/redfish/v1/Systems/node-1'

  describe(`RedfishBmc (${personality}) under malformed requests`, () => {
    test('thousands of random requests: no 5xx, every error is a Redfish error body, then it still serves', async () => {
      const m = labMachine()
      const h = await startBmc({ machines: m.machine, personality })
      try {
        await fc.assert(
          fc.asyncProperty(requestArb(personality), async (req) => {
            const headers: Record<string, string> = { ...req.headers }
            h.client.auth = req.auth === undefined ? {} : { authorization: req.auth }
            const a = await h.client.call(req.method, req.path, req.body, headers)
            assert.ok(a.status < 500, `${req.method} ${req.path} -> ${a.status} ${a.text}`)
            if (a.status >= 400 && req.method !== 'HEAD') {
              const err = a.json?.error as { code?: string; '@Message.ExtendedInfo'?: unknown[] } | undefined
              assert.ok(err?.code && Array.isArray(err['@Message.ExtendedInfo']), `${req.method} ${req.path} -> ${a.status} ${a.text}`)
            }
          }),
          { numRuns: 1500 },
        )
        await assertHealthy(h, system)
      } finally {
        await h.stop()
      }
    })

    test('raw garbage on the socket never takes the BMC down', async () => {
      const m = labMachine()
      const h = await startBmc({ machines: m.machine, personality })
      const line = fc.oneof(
        fc.constantFrom(
          'GET /redfish/v1/ HTTP/1.1',
          'POST /redfish/v1/SessionService/Sessions HTTP/1.1',
          `PATCH ${system} HTTP/1.1`,
          'GET / HTTP/9.9',
          'G\u0000T / HTTP/1.1',
          'GET',
          '',
        ),
        printable(80),
      )
      const header = fc.oneof(
        fc.constantFrom('Host: x', 'Content-Length: 5', 'Content-Length: -1', 'Content-Length: abc', 'Transfer-Encoding: chunked', 'Transfer-Encoding: gzip', `Authorization: ${BASIC}`, 'X-Auth-Token: ', ': empty', 'Bad Header'),
        printable(60),
      )
      try {
        await fc.assert(
          fc.asyncProperty(line, fc.array(header, { maxLength: 6 }), fc.oneof(printable(50), fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString('latin1'))), async (first, hs, tail) => {
            const payload = `${first}\r\n${hs.join('\r\n')}\r\n\r\n${tail}`
            await new Promise<void>((resolve) => {
              const sock = connect(h.port, '127.0.0.1')
              const done = (): void => {
                clearTimeout(guard)
                sock.destroy()
                resolve()
              }
              // The guard only bounds a hung exchange; nothing is asserted about its timing.
              const guard = setTimeout(done, 2000)
              sock.on('error', done)
              sock.on('close', done)
              sock.on('data', () => undefined)
              sock.end(payload, 'latin1')
            })
          }),
          { numRuns: 300 },
        )
        await assertHealthy(h, system)
      } finally {
        await h.stop()
      }
    })
  })
}
