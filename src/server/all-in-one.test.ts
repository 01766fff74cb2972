import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import pino from 'pino'
import { loadConfig } from '../config/load.js'
import { startAllInOne } from './all-in-one.js'

test('driver settings from config reach the registry: enabled and default interfaces per kind', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferrum-aio-'))
  const config = loadConfig({
    env: {
      FERRUM_DRIVERS__ENABLED_INTERFACES: JSON.stringify({ rescue: ['no-rescue'], raid: ['no-raid', 'fake'] }),
      FERRUM_DRIVERS__DEFAULT_INTERFACES: JSON.stringify({ raid: 'fake' }),
    },
    flags: { dataDir: dir, api: { port: 0 }, conductor: { powerSyncIntervalS: 0 } },
  })
  const s = await startAllInOne(config, { logger: pino({ level: 'silent' }) })
  try {
    const h = { 'X-OpenStack-Ironic-API-Version': '1.78', 'content-type': 'application/json' }
    const d = (await s.app.inject({ method: 'GET', url: '/v1/drivers/fake-hardware', headers: h })).json() as Record<string, unknown>
    assert.deepEqual(d.enabled_rescue_interfaces, ['no-rescue'])
    assert.deepEqual([...(d.enabled_raid_interfaces as string[])].sort(), ['fake', 'no-raid'])
    assert.equal(d.default_raid_interface, 'fake')
    const n = await s.app.inject({ method: 'POST', url: '/v1/nodes', headers: h, payload: JSON.stringify({ driver: 'fake-hardware' }) })
    assert.equal(n.statusCode, 201, n.body)
    assert.equal((n.json() as Record<string, unknown>).raid_interface, 'fake')
    const refused = await s.app.inject({ method: 'POST', url: '/v1/nodes', headers: h, payload: JSON.stringify({ driver: 'fake-hardware', rescue_interface: 'fake' }) })
    assert.equal(refused.statusCode, 400, refused.body)
  } finally {
    await s.close()
    rmSync(dir, { recursive: true, force: true })
  }
})

test('a setting the schema does not have is refused, naming it', () => {
  assert.throws(() => loadConfig({ flags: { conductor: { workers: 4 } } }), /workers/)
  assert.throws(() => loadConfig({ flags: { drivers: { enabledInterfaces: { nonsense: ['x'] } } } }), /nonsense/)
})
