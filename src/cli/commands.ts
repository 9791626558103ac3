import { checkConfigCommand } from './check-config.js';
import { hashCommands } from './hash.js';
import type { Command } from './command.js';
import { keysGenerateCommand, keysRotateCommand } from './keys.js';
import { migrateRetryCommand, migrateStatusCommand } from './migrate.js';
import { serveCommand } from './serve.js';
import { zitadelSetupCommand } from './zitadel.js';

/** Every command of `legacy-bridge`, in the order `--help` lists them. */
export const commands: Command[] = [serveCommand, checkConfigCommand, keysGenerateCommand, keysRotateCommand, ...hashCommands, zitadelSetupCommand, migrateStatusCommand, migrateRetryCommand];
