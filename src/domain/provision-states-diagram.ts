/**
 * Renders the provision state table as Markdown with a Mermaid diagram (docs/states.md).
 * Pure string building: `scripts/render-states.ts` writes the file, and a test checks the
 * committed copy is current.
 */
import {
  allowedVerbs,
  PROVISION_STATES,
  PROVISION_VERBS,
  STATE_INFO,
  TRANSITIONS,
  VERBS,
  type ProvisionState,
} from './provision-states.js'

/** The Mermaid node id for a state: letters, digits and underscores only. */
export function mermaidId(state: ProvisionState): string {
  return `s_${state.replace(/[^a-z0-9]+/g, '_')}`
}

function diagram(): string[] {
  const lines = ['```mermaid', 'stateDiagram-v2']
  for (const s of PROVISION_STATES) lines.push(`  state "${s}" as ${mermaidId(s)}`)
  lines.push(`  [*] --> ${mermaidId('enroll')}`)
  for (const [from, event, to, by] of TRANSITIONS) {
    const label = by === 'api' ? event : `(${event})`
    lines.push(`  ${mermaidId(from)} --> ${mermaidId(to)} : ${label}`)
  }
  const classes: Record<string, string> = {
    stable: 'fill:#d9f2d9,stroke:#2e7d32',
    failed: 'fill:#f8d7da,stroke:#b71c1c',
    wait: 'fill:#fff3cd,stroke:#8a6d00',
    hold: 'fill:#e2e3f3,stroke:#3949ab',
  }
  for (const [kind, style] of Object.entries(classes)) {
    const members = PROVISION_STATES.filter((s) => STATE_INFO[s].kind === kind).map(mermaidId)
    lines.push(`  classDef ${kind} ${style}`)
    lines.push(`  class ${members.join(',')} ${kind}`)
  }
  lines.push('```')
  return lines
}

function stateTable(): string[] {
  const cell = (s: string | undefined): string => (s === undefined ? '' : `\`${s}\``)
  const lines = [
    '| State | Kind | Target shown | After conductor failure | After callback timeout | API verbs |',
    '| --- | --- | --- | --- | --- | --- |',
  ]
  for (const s of PROVISION_STATES) {
    const i = STATE_INFO[s]
    const failCell = i.kind === 'working' ? cell(i.failState) : ''
    const verbs = allowedVerbs(s).map((v) => `\`${v}\``).join(', ')
    lines.push(`| \`${s}\` | ${i.kind} | ${cell(i.target)} | ${failCell} | ${cell(i.timeoutState)} | ${verbs} |`)
  }
  return lines
}

function verbTable(): string[] {
  const lines = ['| Verb | Event | Since API |', '| --- | --- | --- |']
  for (const v of PROVISION_VERBS) lines.push(`| \`${v}\` | \`${VERBS[v].event}\` | 1.${VERBS[v].sinceMinor} |`)
  return lines
}

/** The full text of docs/states.md, generated from the table. */
export function renderStatesMarkdown(): string {
  return [
    '# Provision states',
    '',
    '<!-- Generated from src/domain/provision-states.ts by scripts/render-states.ts; do not edit by hand. -->',
    '',
    'The provision state machine Ferrum shares with Ironic. Edges are labelled with the event;',
    'labels in parentheses are fired by the conductor, the others by an API verb',
    '(`PUT /v1/nodes/{node}/states/provision`). Green states are stable, yellow wait on an agent',
    'callback, blue are held by a step, red are failures. Nodes created through API 1.11 or later',
    'start in `enroll`; older microversions create them `available`.',
    '',
    ...diagram(),
    '',
    '## States',
    '',
    ...stateTable(),
    '',
    '## Verbs',
    '',
    ...verbTable(),
    '',
  ].join('\n')
}
