import { test } from 'node:test'
import assert from 'node:assert/strict'
import SQLite from 'better-sqlite3'
import { withStatementCache } from './sqlite-statement-cache.js'

function counting() {
  const raw = new SQLite(':memory:')
  let prepared = 0
  const db = {
    prepare(sql: string) {
      prepared++
      return raw.prepare(sql)
    },
    close: () => raw.close(),
  }
  return { db, raw, prepared: () => prepared }
}

test('each distinct SQL text is prepared once and reused', () => {
  const c = counting()
  const db = withStatementCache(c.db)
  db.prepare('create table t (x integer)').run([])
  for (let i = 0; i < 5; i++) db.prepare('insert into t (x) values (?)').run([i])
  assert.deepEqual(db.prepare('select count(*) as n from t').all([]), [{ n: 5 }])
  assert.equal(c.prepared(), 3)
  db.close()
})

test('the least recently used statement is evicted past the limit', () => {
  const c = counting()
  const db = withStatementCache(c.db, 2)
  db.prepare('select 1').all([])
  db.prepare('select 2').all([])
  db.prepare('select 1').all([]) // hit; "select 2" is now the oldest
  db.prepare('select 3').all([]) // evicts "select 2"
  db.prepare('select 1').all([]) // still cached
  assert.equal(c.prepared(), 3)
  db.prepare('select 2').all([]) // prepared again
  assert.equal(c.prepared(), 4)
  db.close()
})

test('a statement that is still iterating is not handed out again', () => {
  const c = counting()
  const db = withStatementCache(c.db)
  db.prepare('create table t (x integer)').run([])
  for (let i = 0; i < 3; i++) db.prepare('insert into t (x) values (?)').run([i])
  const outer = db.prepare('select x from t order by x')
  const seen: unknown[] = []
  for (const row of outer.iterate([])) {
    // The same SQL while the first statement is mid-iteration: must be a different statement.
    const inner = db.prepare('select x from t order by x')
    assert.notEqual(inner, outer)
    seen.push((row as { x: number }).x, inner.all([]).length)
  }
  assert.deepEqual(seen, [0, 3, 1, 3, 2, 3])
  db.close()
})
