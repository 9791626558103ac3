import { parseArgs } from 'node:util';

/** One option of a command; `description` feeds `--help`. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly description: string;
  readonly short?: string;
  readonly multiple?: boolean;
  readonly placeholder?: string;
}

export interface ParsedArgs {
  readonly values: Record<string, string | boolean | Array<string | boolean> | undefined>;
  readonly positionals: string[];
}

/** A CLI command. `run` resolves to the process exit code. */
export interface Command {
  /** Words that select the command, e.g. `['keys', 'generate']`. */
  readonly path: readonly string[];
  readonly summary: string;
  /** Positional arguments as shown in usage, e.g. `FILE`. */
  readonly positionals?: string;
  /** Longer text printed under the usage line by `--help`. */
  readonly details?: string;
  readonly options: Readonly<Record<string, OptionSpec>>;
  run(args: ParsedArgs): Promise<number>;
}

/** Exit codes shared by every command. */
export const EXIT = { ok: 0, failure: 1, usage: 2 } as const;

export class UsageError extends Error {
  readonly code = 'USAGE';
}

export function parseCommandArgs(command: Command, argv: string[]): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }> = {};
  for (const [name, spec] of Object.entries(command.options)) {
    options[name] = { type: spec.type, ...(spec.short ? { short: spec.short } : {}), ...(spec.multiple ? { multiple: true } : {}) };
  }
  options.help = { type: 'boolean', short: 'h' };
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    // Ignored, a stray argument would leave the command on its defaults (demo mode, keys/jwks.json). Not
    // echoed: it may be a token pasted in the wrong place.
    if (!command.positionals && positionals.length > 0 && values.help !== true) {
      const fileOptions = Object.entries(command.options).filter(([, spec]) => spec.placeholder === 'FILE').map(([name]) => `--${name} FILE`);
      const hint = fileOptions.length > 0 ? `; to name a file use ${fileOptions.join(' or ')}` : '';
      throw new UsageError(`${command.path.join(' ')} takes no arguments, only options (got ${positionals.length})${hint}`);
    }
    return { values, positionals };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    // Node's own text for this one explains positional arguments, which is not the mistake made.
    const unknown = (error as { code?: string }).code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? /'([^']+)'/.exec((error as Error).message)?.[1] : undefined;
    throw new UsageError(unknown ? `unknown option ${unknown}` : (error as Error).message);
  }
}

export function helpText(binary: string, command: Command): string {
  const lines = [`Usage: ${binary} ${command.path.join(' ')}${Object.keys(command.options).length ? ' [options]' : ''}${command.positionals ? ` ${command.positionals}` : ''}`, '', command.summary];
  if (command.details) lines.push('', command.details.trim());
  const rows = Object.entries(command.options).map(([name, spec]) => {
    const flag = `${spec.short ? `-${spec.short}, ` : '    '}--${name}${spec.type === 'string' ? ` ${spec.placeholder ?? 'VALUE'}` : ''}`;
    return [flag, spec.description] as const;
  });
  rows.push(['-h, --help', 'Show this help.']);
  const width = Math.max(...rows.map(([flag]) => flag.length));
  lines.push('', 'Options:', ...rows.map(([flag, text]) => `  ${flag.padEnd(width)}  ${text}`));
  return `${lines.join('\n')}\n`;
}

export function stringOption(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function booleanOption(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}
