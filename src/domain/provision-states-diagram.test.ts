import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { mermaidId, renderStatesMarkdown } from './provision-states-diagram.js'
import { PROVISION_STATES, TRANSITIONS } from './provision-states.js'

/** The repository root, found from src/domain or dist/src/domain alike. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir)
    if (up === dir) throw new Error('package.json not found above the test file')
    dir = up
  }
  return dir
}

describe('docs/states.md', () => {
  it('is up to date with the table (run: node --import tsx scripts/render-states.ts)', () => {
    const committed = readFileSync(join(repoRoot(), 'docs', 'states.md'), 'utf8')
    assert.equal(committed, renderStatesMarkdown())
  })

  it('draws every transition and gives every state a distinct id', () => {
    const text = renderStatesMarkdown()
    const ids = PROVISION_STATES.map(mermaidId)
    assert.equal(new Set(ids).size, ids.length)
    for (const id of ids) assert.match(id, /^[a-z0-9_]+$/)
    for (const [from, event, to] of TRANSITIONS) {
      assert.ok(text.includes(`${mermaidId(from)} --> ${mermaidId(to)} : `), `${from} -${event}-> ${to}`)
    }
  })
})
