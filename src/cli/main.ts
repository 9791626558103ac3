import { ConfigError } from '../config/load.js';
import { EXIT, UsageError, helpText, parseCommandArgs, type Command } from './command.js';
import { commands } from './commands.js';

const BINARY = 'legacy-bridge';

function overview(): string {
  const width = Math.max(...commands.map((c) => c.path.join(' ').length));
  const rows = commands.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  return [`Usage: ${BINARY} <command> [options]`, '', 'Commands:', ...rows, '', `Run '${BINARY} <command> --help' for a command's options.`, ''].join('\n');
}

/** The command whose path is the longest prefix of argv. */
function match(argv: string[]): { command: Command; rest: string[] } | undefined {
  let best: Command | undefined;
  for (const command of commands) {
    const fits = command.path.every((word, i) => argv[i] === word);
    if (fits && (!best || command.path.length > best.path.length)) best = command;
  }
  return best ? { command: best, rest: argv.slice(best.path.length) } : undefined;
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(overview());
    return argv.length === 0 ? EXIT.usage : EXIT.ok;
  }
  const found = match(argv);
  if (!found) {
    process.stderr.write(`Unknown command '${argv.join(' ')}'.\n\n${overview()}`);
    return EXIT.usage;
  }
  try {
    const args = parseCommandArgs(found.command, found.rest);
    if (args.values.help === true) {
      process.stdout.write(helpText(BINARY, found.command));
      return EXIT.ok;
    }
    return await found.command.run(args);
  } catch (error) {
    if (error instanceof UsageError) {
      process.stderr.write(`${error.message}\n\n${helpText(BINARY, found.command)}`);
      return EXIT.usage;
    }
    // Every problem of the configuration, each with its path; nothing else to show.
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return EXIT.usage;
    }
    throw error;
  }
}
