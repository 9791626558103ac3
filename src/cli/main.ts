import { readFileSync } from 'node:fs';
import { ConfigError } from '../config/load.js';
import { EXIT, UsageError, helpText, parseCommandArgs, type Command } from './command.js';
import { commands } from './commands.js';

const BINARY = 'legacy-bridge';

/** The commands listed with their summaries; under a group word (`migrate`), only that group's. */
function overview(group?: string): string {
  const listed = group ? commands.filter((c) => c.path[0] === group) : commands;
  const width = Math.max(...listed.map((c) => c.path.join(' ').length));
  const rows = listed.map((c) => `  ${c.path.join(' ').padEnd(width)}  ${c.summary}`);
  const usage = group ? `Usage: ${BINARY} ${group} <command> [options]` : `Usage: ${BINARY} <command> [options]`;
  return [usage, '', 'Commands:', ...rows, '', `Run '${BINARY} <command> --help' for a command's options.`, ''].join('\n');
}

const isHelp = (word: string | undefined) => word === '--help' || word === '-h' || word === 'help';

function version(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return `${BINARY} ${manifest.version}\n`;
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
  if (argv.length === 0 || isHelp(argv[0])) {
    process.stdout.write(overview());
    return argv.length === 0 ? EXIT.usage : EXIT.ok;
  }
  if (argv[0] === '--version' || argv[0] === '-v') {
    process.stdout.write(version());
    return EXIT.ok;
  }
  const found = match(argv);
  if (!found) {
    // A group word (`migrate`, `keys`) with help, nothing or something unknown after it: that group's commands.
    const group = commands.some((c) => c.path.length > 1 && c.path[0] === argv[0]) ? argv[0] : undefined;
    if (group && argv.length === 2 && isHelp(argv[1])) {
      process.stdout.write(overview(group));
      return EXIT.ok;
    }
    const problem = group && argv.length === 1 ? `'${group}' needs one of its commands.` : `Unknown command '${argv.join(' ')}'.`;
    process.stderr.write(`${problem}\n\n${overview(group)}`);
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
