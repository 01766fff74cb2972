// A private, throwaway PostgreSQL cluster for tests: initdb in a temp dir, listening only on
// 127.0.0.1 at a free port (unix socket in the same dir), trust auth, fsync off. Debian's
// `postgresql` package provides the binaries; initdb refuses to run as root, so when the tests
// run as root the cluster is run as the `postgres` OS user via runuser.
import { execFile } from 'node:child_process'
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import pg from 'pg'
import { freePort } from './ferrum-process.js'

const run = promisify(execFile)

const PG_ROOT = '/usr/lib/postgresql'

export interface TestPostgres {
  /** URL of the database created at start (`ferrum_test`). */
  url: string
  port: number
  /** Creates another empty database and returns its URL (a fresh one per test). */
  createDatabase(name: string): Promise<string>
  /** Stops the cluster (fast shutdown) and removes its directory. */
  stop(): Promise<void>
}

/** The bin directory of the newest installed PostgreSQL; throws telling how to install it. */
export function postgresBinDir(): string {
  const versions = existsSync(PG_ROOT)
    ? readdirSync(PG_ROOT).filter((v) => existsSync(join(PG_ROOT, v, 'bin', 'initdb')) && existsSync(join(PG_ROOT, v, 'bin', 'pg_ctl')))
    : []
  if (versions.length === 0) {
    throw new Error(
      `PostgreSQL server binaries not found under ${PG_ROOT}/<version>/bin (initdb, pg_ctl). ` +
        'The PostgreSQL tests need Debian\'s "postgresql" package: run .ci/run (or apt-get install postgresql).',
    )
  }
  versions.sort((a, b) => Number(b) - Number(a))
  return join(PG_ROOT, versions[0], 'bin')
}

function osUser(): { asRoot: boolean; uid: number; gid: number } {
  const asRoot = process.getuid?.() === 0
  if (!asRoot) return { asRoot, uid: -1, gid: -1 }
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('postgres:'))
  if (!line) throw new Error('Running as root but there is no "postgres" OS user to run PostgreSQL as; run .ci/run to install the postgresql package.')
  const [, , uid, gid] = line.split(':')
  return { asRoot, uid: Number(uid), gid: Number(gid) }
}

/** Runs a PostgreSQL binary, as the postgres user when we are root. */
async function pgRun(asRoot: boolean, bin: string, args: string[]): Promise<string> {
  const [cmd, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args]
  try {
    const { stdout } = await run(cmd, argv, { timeout: 60_000 })
    return stdout
  } catch (e) {
    const err = e as { stderr?: string; stdout?: string; message: string }
    throw new Error(`${bin} ${args.join(' ')} failed: ${err.message}\n${err.stdout ?? ''}${err.stderr ?? ''}`, { cause: e })
  }
}

/**
 * Starts a new cluster and creates the `ferrum_test` database. Call `stop()` in an after hook.
 * Fails (never skips) when PostgreSQL is not installed.
 */
export async function startPostgres(): Promise<TestPostgres> {
  const bin = postgresBinDir()
  const user = osUser()
  const dir = mkdtempSync(join(tmpdir(), 'ferrum-pg-'))
  if (user.asRoot) chownSync(dir, user.uid, user.gid)
  const data = join(dir, 'data')
  const port = await freePort()
  let started = false
  const stopCluster = async () => {
    if (started) {
      started = false
      await pgRun(user.asRoot, join(bin, 'pg_ctl'), ['-D', data, '-m', 'fast', '-w', '-t', '60', 'stop']).catch(() => undefined)
    }
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await pgRun(user.asRoot, join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'])
    const options = `-c listen_addresses=127.0.0.1 -p ${port} -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`
    started = true
    await pgRun(user.asRoot, join(bin, 'pg_ctl'), ['-D', data, '-l', join(dir, 'postgres.log'), '-o', options, '-w', '-t', '60', 'start'])
  } catch (e) {
    const log = existsSync(join(dir, 'postgres.log')) ? readFileSync(join(dir, 'postgres.log'), 'utf8') : ''
    await stopCluster()
    throw new Error(`${(e as Error).message}\n${log}`, { cause: e })
  }

  const admin = `postgres://postgres@127.0.0.1:${port}/postgres`
  const createDatabase = async (name: string): Promise<string> => {
    if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`bad test database name ${name}`)
    const client = new pg.Client({ connectionString: admin })
    await client.connect()
    try {
      await client.query(`CREATE DATABASE ${name}`)
    } finally {
      await client.end()
    }
    return `postgres://postgres@127.0.0.1:${port}/${name}`
  }
  try {
    const url = await createDatabase('ferrum_test')
    return { url, port, createDatabase, stop: stopCluster }
  } catch (e) {
    await stopCluster()
    throw e
  }
}
