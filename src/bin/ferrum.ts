// The `ferrum` command: wiring only. Each verb lives in src/cli/commands/.
import { Command } from 'commander'
import { COMMANDS } from '../cli/commands/index.js'
import { ApiError } from '../cli/client.js'

const program = new Command()
program
  .name('ferrum')
  .description('Ferrum: bare-metal provisioning with an Ironic-compatible API')
  .showHelpAfterError('(run "ferrum --help" for the list of commands)')
for (const register of COMMANDS) register(program)

program.parseAsync(process.argv).catch((e: unknown) => {
  const err = e as Error & { status?: number }
  // One line a person can act on, never a stack trace.
  const hint = err instanceof ApiError && err.status === 404 ? ' (check the name or UUID: ferrum node list)' : ''
  console.error(`ferrum: ${err.message}${hint}`)
  process.exit(1)
})
