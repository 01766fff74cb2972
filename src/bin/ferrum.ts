// The `ferrum` command: wiring only. Each verb lives in src/cli/commands/.
import { Command } from 'commander'
import { COMMANDS } from '../cli/commands/index.js'

const program = new Command()
program
  .name('ferrum')
  .description('Ferrum: bare-metal provisioning with an Ironic-compatible API')
  .showHelpAfterError('(run "ferrum --help" for the list of commands)')
for (const register of COMMANDS) register(program)

program.parseAsync(process.argv).catch((e: unknown) => {
  console.error(`ferrum: ${(e as Error).message}`)
  process.exit(1)
})
