import type { Command } from 'commander'
import { registerUp } from './up.js'
import { registerNode } from './node.js'
import { registerPort } from './port.js'
import { registerTop } from './top.js'
import { registerLab } from './lab.js'
import { registerAgent } from './agent.js'
import { registerRamdisk } from './ramdisk.js'
import { registerCompletion } from './completion.js'

/** Every `ferrum` verb; each adds its subcommand(s) to the program. Completion comes last: it reads them all. */
export const COMMANDS: ReadonlyArray<(program: Command) => void> = [registerUp, registerNode, registerPort, registerTop, registerLab, registerAgent, registerRamdisk, registerCompletion]
