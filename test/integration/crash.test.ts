// Crash safety: SIGKILL `ferrum up` while nodes are cleaning, deploying, queued for a deploy slot,
// parked in clean wait and changing power; restart on the same data dir and check that every node
// is in the right state, no lock is left behind, history is intact, and the nodes are usable.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { startFerrum, type FerrumProcess } from '../helpers/ferrum-process.js'
import { api, apiOk, historyOf, stateChanges, waitNode, waitState, type HistoryEntry, type Json } from '../helpers/conductor-http.js'

const ENV = { FERRUM_CONDUCTOR__HOSTNAME: 'crash-conductor', FERRUM_CONDUCTOR__MAX_CONCURRENT_DEPLOYS: '1' }
let dataDir: string
let ferrum: FerrumProcess | undefined

before(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'ferrum-crash-'))
})
after(async () => {
  await ferrum?.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

const SLOW = 120_000

async function node(url: string, name: string, driverInfo: Json): Promise<string> {
  await apiOk(url, 'POST', '/v1/nodes', { driver: 'fake-hardware', name, driver_info: driverInfo })
  await apiOk(url, 'PUT', `/v1/nodes/${name}/states/provision`, { target: 'manage' })
  await waitState(url, name, 'manageable')
  return name
}

const verb = (url: string, n: string, target: string) => apiOk(url, 'PUT', `/v1/nodes/${n}/states/provision`, { target })
const stepOf = (n: Json, field: string) => (n[field] as { step?: string } | null)?.step

test('SIGKILL mid-clean, mid-deploy, queued, parked and mid-power: restart recovers every node', async () => {
  ferrum = await startFerrum({ dataDir, env: ENV })
  let url = ferrum.url
  const cleaning = await node(url, 'cleaning', { fake_step_sleep_ms: { erase_devices: SLOW } })
  const deploying = await node(url, 'deploying', { fake_step_sleep_ms: { 'deploy.deploy': SLOW } })
  const queued = await node(url, 'queued', {})
  const parked = await node(url, 'parked', { fake_step_wait: 'erase_devices' })
  const powering = await node(url, 'powering', { fake_power_delay_ms: SLOW })
  for (const n of [deploying, queued]) {
    await verb(url, n, 'provide')
    await waitState(url, n, 'available')
  }
  await verb(url, cleaning, 'provide')
  await verb(url, parked, 'provide')
  await verb(url, deploying, 'deploy')
  await verb(url, queued, 'deploy')
  await apiOk(url, 'PUT', `/v1/nodes/${powering}/states/power`, { target: 'power on' })
  await waitNode(url, cleaning, (n) => stepOf(n, 'clean_step') === 'erase_devices', 'cleaning in erase_devices')
  await waitNode(url, deploying, (n) => stepOf(n, 'deploy_step') === 'deploy', 'deploying in deploy.deploy')
  await waitState(url, parked, 'clean wait')
  assert.equal((await apiOk(url, 'GET', `/v1/nodes/${queued}/states`)).ferrum_queue_position, 1)
  assert.equal((await apiOk(url, 'GET', `/v1/nodes/${powering}/states`)).target_power_state, 'power on')
  const before: Record<string, HistoryEntry[]> = {}
  for (const n of [cleaning, deploying, queued, parked, powering]) before[n] = await historyOf(url, n)

  const killed = await ferrum.kill()
  assert.equal(killed.signal, 'SIGKILL')
  const port = ferrum.port
  ferrum = undefined
  // What the dead process left in the database: locks held, nodes mid-operation.
  const db = new Database(join(dataDir, 'ferrum.db'), { readonly: true })
  const rows = db.prepare('SELECT name, provision_state, reservation FROM nodes ORDER BY name').all() as { name: string; provision_state: string; reservation: string | null }[]
  db.close()
  const left = Object.fromEntries(rows.map((r) => [r.name, [r.provision_state, r.reservation]]))
  assert.deepEqual(left, {
    cleaning: ['cleaning', 'crash-conductor'],
    deploying: ['deploying', 'crash-conductor'],
    queued: ['deploying', 'crash-conductor'],
    parked: ['clean wait', null],
    powering: ['manageable', 'crash-conductor'],
  })

  ferrum = await startFerrum({ dataDir, port, env: ENV })
  url = ferrum.url
  const nodes = (await apiOk(url, 'GET', '/v1/nodes?detail=true')).nodes as Json[]
  assert.deepEqual(nodes.filter((n) => n.reservation !== null).map((n) => n.name), [], 'no lock survives the restart')
  const byName = Object.fromEntries(nodes.map((n) => [n.name as string, n]))
  assert.equal(byName.cleaning.provision_state, 'clean failed')
  assert.equal(byName.deploying.provision_state, 'deploy failed')
  assert.equal(byName.queued.provision_state, 'deploy failed')
  assert.equal(byName.parked.provision_state, 'clean wait', 'a parked node had nothing running: it keeps waiting')
  assert.equal(byName.powering.target_power_state, null)
  assert.match(String(byName.cleaning.last_error), /crash-conductor restarted while the node was "cleaning" \(step deploy\.erase_devices\)/)
  assert.match(String(byName.deploying.last_error), /\(step deploy\.deploy\)/)
  assert.match(String(byName.powering.last_error), /restarted during a power change to "power on"/)

  for (const n of [cleaning, deploying, queued, parked, powering]) {
    const after = await historyOf(url, n)
    assert.deepEqual(after.slice(0, before[n].length).map((e) => e.uuid), before[n].map((e) => e.uuid), `${n}: history before the crash is intact`)
  }
  for (const [n, phase] of [[cleaning, 'cleaning / clean step deploy.erase_devices'], [deploying, 'deploying / deploy step deploy.deploy'], [queued, 'deploying']]) {
    const last = (await historyOf(url, n)).at(-1)!
    assert.equal(last.ferrum_error?.code, 'CONDUCTOR_RESTARTED', n)
    assert.equal(last.ferrum_error?.phase, phase, n)
    assert.ok(last.ferrum_error!.remedy.length > 10)
  }
  assert.equal((await historyOf(url, powering)).at(-1)!.ferrum_error?.code, 'CONDUCTOR_RESTARTED')

  // The recovered nodes are usable again.
  const fast = [{ op: 'remove', path: '/driver_info/fake_step_sleep_ms' }]
  for (const n of [cleaning, deploying]) assert.equal((await api(url, 'PATCH', `/v1/nodes/${n}`, fast)).status, 200)
  await verb(url, cleaning, 'manage')
  await waitState(url, cleaning, 'manageable')
  await verb(url, cleaning, 'provide')
  await waitState(url, cleaning, 'available')
  await verb(url, deploying, 'rebuild')
  await waitState(url, deploying, 'active')
  await verb(url, queued, 'deploy')
  await waitState(url, queued, 'active')
  await verb(url, parked, 'abort')
  await waitState(url, parked, 'clean failed')
  assert.deepEqual(stateChanges(await historyOf(url, cleaning)).slice(-4), ['cleaning -> clean failed', 'clean failed -> manageable', 'manageable -> cleaning', 'cleaning -> available'])
})
