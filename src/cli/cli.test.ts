// Unit tests for the CLI's pure parts: the enrollment file check, the timeline chart, the top
// frame, the config file and the completion script.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Command } from 'commander'
import { EnrollFileError, parseEnrollFile } from './enroll.js'
import { lastRun, timelineChart, type HistoryEntry } from './timeline-chart.js'
import { fleetFrame, nodeFrame } from './commands/top.js'
import { bashCompletion } from './commands/completion.js'
import { COMMANDS } from './commands/index.js'
import { readCliConfig } from './client.js'
import type { NodeRecord } from './live.js'

const GOOD = `nodes:
  - name: rack1-a
    driver: ipmi
    driver_info:
      ipmi_address: 10.0.0.5
      ipmi_username: admin
      ipmi_password: secret
    properties: {cpus: 8}
    ports:
      - address: 52:54:00:aa:bb:01
        pxe_enabled: true
  - name: rack1-b
    driver: redfish
    driver_info: {redfish_address: "https://10.0.0.6", redfish_username: root, redfish_password: pw}
    nics:
      - mac: 52-54-00-AA-BB-02
`

test('parseEnrollFile: reads nodes with ports and BMC credentials', () => {
  const nodes = parseEnrollFile(GOOD, 'f.yaml')
  assert.equal(nodes.length, 2)
  assert.deepEqual(nodes.map((n) => n.body.name), ['rack1-a', 'rack1-b'])
  assert.equal(nodes[0].line, 2)
  assert.equal(nodes[1].line, 12)
  assert.deepEqual(nodes[0].ports, [{ address: '52:54:00:aa:bb:01', fields: { pxe_enabled: true } }])
  assert.equal(nodes[1].ports[0].address, '52:54:00:aa:bb:02')
  assert.equal((nodes[0].body.properties as { cpus: number }).cpus, 8)
  assert.equal('ports' in nodes[0].body, false)
})

test('parseEnrollFile: JSON, a bare list and Bifrost name maps are accepted', () => {
  const json = parseEnrollFile(JSON.stringify({ nodes: [{ name: 'j1', driver: 'fake-hardware' }] }), 'f.json')
  assert.equal(json[0].body.name, 'j1')
  const bare = parseEnrollFile('- {driver: fake-hardware, name: b1}\n- {driver: fake-hardware, name: b2}\n', 'f.yaml')
  assert.deepEqual(bare.map((n) => n.body.name), ['b1', 'b2'])
  const bifrost = parseEnrollFile('srv1:\n  driver: fake-hardware\n  nics:\n    - mac: "52:54:00:00:00:01"\n', 'inv.yaml')
  assert.equal(bifrost[0].body.name, 'srv1')
  assert.equal(bifrost[0].ports.length, 1)
})

test('parseEnrollFile: the first error names its line and field', () => {
  const cases: [string, RegExp][] = [
    ['nodes:\n  - name: a\n    driver: [unclosed\n', /^f\.yaml:\d+: not valid YAML or JSON/],
    ['nodes:\n  - name: a\n    driver: fake-hardware\n    colour: red\n', /^f\.yaml:4: node "a": unknown field "colour"/],
    ['nodes:\n  - name: a\n    properties: {}\n', /^f\.yaml:2: node "a": "driver" is required/],
    ['nodes:\n  - name: a\n    driver: ipmi\n    driver_info:\n      ipmi_address: 10.0.0.1\n', /^f\.yaml:5: node "a": driver_info\.ipmi_username is missing/],
    ['nodes:\n  - name: a\n    driver: redfish\n', /^f\.yaml:2: node "a": driver_info\.redfish_address is missing/],
    ['nodes:\n  - name: a\n    driver: fake-hardware\n    ports: [{address: "52:54:00:00:00:01"}]\n  - name: b\n    driver: fake-hardware\n    ports:\n      - address: "52:54:00:00:00:01"\n', /^f\.yaml:8: node "b": MAC 52:54:00:00:00:01 is used twice in this file \(first at line 4\)/],
    ['nodes:\n  - name: a\n    driver: fake-hardware\n  - name: a\n    driver: fake-hardware\n', /^f\.yaml:4: node "a": the name is used twice/],
    ['nodes:\n  - name: a\n    driver: fake-hardware\n    ports:\n      - address: not-a-mac\n', /^f\.yaml:5: node "a": port address "not-a-mac" is not a MAC address/],
    ['nodes:\n  - name: a\n    driver: fake-hardware\n    ports:\n      - address: "52:54:00:00:00:01"\n        speed: 10G\n', /^f\.yaml:6: node "a": unknown port field "speed"/],
    ['nodes:\n  - name: a\n    driver: fake-hardware\n    driver_info: 5\n', /^f\.yaml:4: node "a": "driver_info" must be a mapping/],
    ['nodes: {}\n', /^f\.yaml:1: "nodes" must be a list/],
    ['nodes: []\n', /^f\.yaml:1: no nodes in the file/],
    ['"just a string"\n', /expected "nodes:"/],
  ]
  for (const [text, re] of cases) {
    assert.throws(() => parseEnrollFile(text, 'f.yaml'), (e: unknown) => e instanceof EnrollFileError && re.test(e.message), `${JSON.stringify(text)} should fail with ${re}`)
  }
})

const t0 = Date.parse('2026-12-07T10:00:00Z')
const at = (ms: number) => new Date(t0 + ms).toISOString()
const HISTORY: HistoryEntry[] = [
  { created_at: at(-60_000), severity: 'INFO', event_type: 'provisioning', event: 'manageable -> cleaning (provide)' },
  { created_at: at(-59_000), severity: 'INFO', event_type: 'phase', event: 'Phase erase disks: 1.0 s', ferrum_phase: 'erase disks', ferrum_duration_ms: 1000 },
  { created_at: at(-58_000), severity: 'INFO', event_type: 'provisioning', event: 'cleaning -> available (done)' },
  { created_at: at(0), severity: 'INFO', event_type: 'provisioning', event: 'available -> deploying (deploy)' },
  { created_at: at(1000), severity: 'INFO', event_type: 'phase', event: 'Phase power on: 1.0 s', ferrum_phase: 'power on', ferrum_duration_ms: 1000 },
  { created_at: at(4000), severity: 'INFO', event_type: 'phase', event: 'Phase write image: 3.0 s (64.0 MiB at 21.3 MiB/s)', ferrum_phase: 'write image', ferrum_duration_ms: 3000 },
  { created_at: at(4000), severity: 'INFO', event_type: 'provisioning', event: 'deploying -> active (done)' },
]

test('timelineChart: bars scaled to the longest phase, with seconds and share of the run', () => {
  const run = lastRun(HISTORY, 'deploy')
  assert.equal(run?.start.event, 'available -> deploying (deploy)')
  const lines = timelineChart('n1', HISTORY, 'deploy', 100).split('\n')
  assert.match(lines[0], /^n1: deploying \(deploy\) at .*, deploying -> active$/)
  const power = lines.find((l) => l.startsWith('power on'))!
  const write = lines.find((l) => l.startsWith('write image'))!
  const bars = (l: string) => (l.match(/█/g) ?? []).length
  assert.equal(bars(write), 50)
  assert.equal(bars(power), 17)
  assert.match(power, /1\.00 s\s+25%/)
  assert.match(write, /3\.00 s\s+75%\s+64\.0 MiB at 21\.3 MiB\/s/)
  assert.match(lines.at(-1)!, /^total\s+4\.00 s\s+\(phases 4\.00 s\)/)
  // The clean run is a separate flow.
  assert.match(timelineChart('n1', HISTORY, 'clean'), /erase disks/)
  assert.doesNotMatch(timelineChart('n1', HISTORY, 'clean'), /write image/)
  assert.equal(timelineChart('n1', HISTORY.slice(0, 3), 'inspect'), 'node n1 has no inspect provisioning in its history yet')
})

const node = (name: string, state: string, extra: Partial<NodeRecord> = {}): NodeRecord => ({ uuid: `uuid-${name}`, name, power_state: 'power off', provision_state: state, target_provision_state: null, maintenance: false, last_error: null, ...extra })

test('fleetFrame: counts, the queue, failures, and the filters', () => {
  const nodes = [
    node('a', 'available'),
    node('b', 'deploying', { target_provision_state: 'active', driver_internal_info: { ferrum_agent_progress: { bytes: 50, total: 100 } } }),
    node('c', 'deploy failed', { last_error: 'agent did not call back' }),
  ]
  const all = fleetFrame('http://x', nodes, { filter: 0, selected: 1, open: null, error: null }, 200, new Date(t0))
  assert.match(all, /3 nodes: 1 available, 1 deploying, 1 deploy failed \| queue \(busy\): 1 \| failures: 1/)
  assert.match(all, /view: all \(3\)/)
  assert.match(all, /^>\s+b\s+power off\s+deploying\s+active\s+write image 50%/m)
  assert.match(all, /agent did not call back/)
  const failed = fleetFrame('http://x', nodes, { filter: 2, selected: 0, open: null, error: 'boom' }, 200, new Date(t0))
  assert.match(failed, /view: failed \(1\)/)
  assert.match(failed, /^! boom$/m)
  assert.doesNotMatch(failed, /^\s+a\s+power off/m)
  // Lines never run past the terminal.
  for (const l of fleetFrame('http://x', nodes, { filter: 0, selected: 0, open: null, error: null }, 40).split('\n')) assert.ok(l.length <= 40, l)
})

test('nodeFrame: every field of the opened node, and its last events', () => {
  const frame = nodeFrame(node('b', 'active', { driver: 'redfish', power_state: 'power on' }), HISTORY, 80)
  for (const re of [/^uuid\s+uuid-b$/m, /^driver\s+redfish$/m, /^provision_state\s+active$/m, /^power_state\s+power on$/m, /^last events:$/m, /deploying -> active \(done\)$/m]) assert.match(frame, re)
  for (const l of frame.split('\n')) assert.ok(l.length <= 80, l)
})

test('bashCompletion: completes commands and options from the command tree', () => {
  const p = new Command('ferrum')
  const n = p.command('node')
  n.command('deploy').option('--wait [s]')
  n.command('list')
  const script = bashCompletion(p)
  assert.match(script, /"node"\) words="deploy list --help"/)
  assert.match(script, /"node deploy"\) words="--wait --help"/)
  assert.match(script, /complete -F _ferrum ferrum/)
})

test('readCliConfig: url and token; a malformed file names the file and line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferrum-cli-config-'))
  try {
    const f = join(dir, 'config.yaml')
    assert.deepEqual(readCliConfig(join(dir, 'absent.yaml')), {})
    writeFileSync(f, 'url: http://10.0.0.1:6385\ntoken: abc\n')
    assert.deepEqual(readCliConfig(f), { url: 'http://10.0.0.1:6385', token: 'abc' })
    writeFileSync(f, 'url: http://x\ntoken: a: b\n')
    assert.throws(() => readCliConfig(f), new RegExp(`^Error: ${f.replace(/[.]/g, '\\.')}:2: `))
    writeFileSync(f, 'endpoint: http://x\n')
    assert.throws(() => readCliConfig(f), /unknown key "endpoint" \(known: url, token\)/)
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
})

test('every verb\'s --help carries an example', () => {
  const program = new Command('ferrum')
  for (const register of COMMANDS) register(program)
  const leaves: Command[] = []
  const walk = (c: Command) => (c.commands.length === 0 ? leaves.push(c) : c.commands.forEach(walk))
  walk(program)
  assert.ok(leaves.length > 30, `${leaves.length} verbs`)
  for (const leaf of leaves) {
    let text = ''
    leaf.configureOutput({ writeOut: (s) => (text += s) })
    leaf.outputHelp()
    assert.match(text, /\nExamples?:\n {2}\S/, `${leaf.parent?.name()} ${leaf.name()} --help has no example`)
  }
})
