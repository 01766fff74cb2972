import { test } from 'node:test'
import assert from 'node:assert/strict'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { API_ERROR_CODES, FAILURE_CODES, errorCodesMarkdown, isErrorCode } from './error-codes.js'

/** The repository root, found from src/domain or dist/src/domain alike. */
function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url))
  while (!existsSync(join(dir, 'package.json'))) dir = dirname(dir)
  return dir
}

test('docs/error-codes.md is the registry, regenerated', () => {
  const doc = readFileSync(join(repoRoot(), 'docs', 'error-codes.md'), 'utf8')
  assert.equal(doc, errorCodesMarkdown(), 'regenerate: node --import tsx -e "import(\'./src/domain/error-codes.ts\').then(m=>process.stdout.write(m.errorCodesMarkdown()))" > docs/error-codes.md')
})

test('codes are upper snake case, with the prefix rules the registry states', () => {
  for (const code of [...Object.keys(API_ERROR_CODES), ...Object.keys(FAILURE_CODES)]) {
    assert.match(code, /^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/, code)
    assert.ok(isErrorCode(code))
  }
  for (const [code, info] of Object.entries(API_ERROR_CODES)) assert.ok(info.status >= 400 && info.status < 600, code)
  // The drift the registry ended: one spelling per condition.
  for (const gone of ['FERRUM_UNSUPPORTED_DRIVER_EXTENSION', 'FERRUM_DRIVER_NOT_FOUND', 'FERRUM_NODE_LOCKED', 'FERRUM_INVALID_STATE_REQUESTED', 'FAKE_VENDOR_FAILURE']) {
    assert.equal(isErrorCode(gone), false, gone)
  }
  assert.equal(isErrorCode('FST_ERR_CTP_BODY_TOO_LARGE'), false)
})
