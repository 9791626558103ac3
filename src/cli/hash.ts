import { readFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { configOption } from './config-option.js';
import { EXIT, UsageError, stringOption, type Command, type ParsedArgs } from './command.js';
import {
  createHandOff,
  createPasswordChecker,
  schemeIds,
  ZITADEL_VERIFIERS,
  type HandOffConfigInput,
  type PasswordChecker,
  type HandOffPolicy,
  type PasswordsConfigInput,
  type ZitadelVerifier,
} from '../passwords/index.js';
import { getScheme } from '../passwords/registry.js';
import { parseVectorLine, sourceFor, storedFor, type VectorLine } from '../passwords/vector-line.js';

/** `legacy-bridge hash …`: check known-answer files, identify a stored value, verify one password. Secrets only ever come from stdin. */

function parseVerifiers(value: string | undefined): ZitadelVerifier[] | undefined {
  if (value === undefined) return undefined;
  if (value.trim() === 'all') return [...ZITADEL_VERIFIERS];
  const names = value.split(',').map((name) => name.trim()).filter(Boolean);
  const unknown = names.filter((name) => !(ZITADEL_VERIFIERS as readonly string[]).includes(name));
  if (unknown.length > 0) throw new UsageError(`unknown verifier ${unknown.join(', ')}; known: ${ZITADEL_VERIFIERS.join(', ')}, or all`);
  return names as ZitadelVerifier[];
}

async function configured(file: string | undefined): Promise<{ passwords: PasswordsConfigInput; handoff: HandOffConfigInput }> {
  if (!file) return { passwords: {}, handoff: {} };
  const { loadConfig } = await import('../config/load.js');
  const { config } = loadConfig({ file });
  return { passwords: config.legacy.passwords, handoff: config.handoff };
}

async function readStdin(): Promise<string> {
  if (process.stdin.isTTY) process.stderr.write('(reading from standard input; end with Ctrl-D)\n');
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

/** Lines without their terminators; a password keeps every other character. A final newline ends the last line, not a new one. */
function stdinLines(input: string): string[] {
  return input.replace(/\n$/, '').split('\n').map((line) => line.replace(/\r$/, ''));
}

// --- hash check

interface Checked {
  readonly text: string;
  readonly passed: boolean;
}

class LineChecker {
  private readonly checkers = new Map<string, { checker: PasswordChecker; handOff: HandOffPolicy }>();

  constructor(
    private readonly base: PasswordsConfigInput,
    private readonly handoff: HandOffConfigInput,
  ) {}

  private forSource(source: PasswordsConfigInput): { checker: PasswordChecker; handOff: HandOffPolicy } {
    const key = JSON.stringify({ schemes: source.schemes, options: source.options });
    let entry = this.checkers.get(key);
    if (!entry) {
      // Lines are already limited by the caller; never refuse one as "busy".
      const settings = { ...source, queueLimit: 1_000_000, workers: 1 };
      entry = { checker: createPasswordChecker(settings), handOff: createHandOff(this.handoff, settings) };
      this.checkers.set(key, entry);
    }
    return entry;
  }

  async check(number: number, line: VectorLine): Promise<Checked> {
    const head = { line: number, format: line.format, expect: line.expect };
    const failed = (error: string, ok = false): Checked => ({
      text: JSON.stringify({ ...head, got: false, ok, handoff: 'none', zitadel_hash: null, error }),
      passed: ok,
    });
    if (!getScheme(line.format)) return failed('unsupported format');
    let entry: { checker: PasswordChecker; handOff: HandOffPolicy };
    try {
      entry = this.forSource(sourceFor(line, this.base));
    } catch {
      return failed('params do not form a valid configuration');
    }
    const stored = storedFor(line);
    let result: Awaited<ReturnType<PasswordChecker['verify']>>;
    try {
      result = await entry.checker.verify(line.password, stored);
    } catch (error) {
      // A stored value the scheme refuses does not verify: right for a line that expects a failure.
      return failed((error as { code?: string }).code ?? 'ERROR', line.expect === false);
    }
    const ok = result.ok === line.expect;
    if (!result.ok) return { text: JSON.stringify({ ...head, got: false, ok, handoff: 'none', zitadel_hash: null }), passed: ok };
    const handoff = await entry.handOff.decide(stored, result.scheme, line.password, result);
    const reason = handoff.kind === 'none' ? { reason: handoff.reason } : {};
    return { text: JSON.stringify({ ...head, got: true, ok, handoff: handoff.kind, zitadel_hash: handoff.hash, ...reason }), passed: ok };
  }

  async close(): Promise<void> {
    await Promise.all([...this.checkers.values()].map(({ checker }) => checker.close()));
  }
}

async function runCheck(args: ParsedArgs): Promise<number> {
  const [file, ...rest] = args.positionals;
  if (!file || rest.length > 0) throw new UsageError('hash check takes exactly one FILE');
  const verifiers = parseVerifiers(stringOption(args, 'verifiers'));
  const { passwords, handoff } = await configured(stringOption(args, 'config'));
  const effective: HandOffConfigInput = verifiers ? { ...handoff, zitadel: { ...(handoff.zitadel ?? {}), verifiers } } : handoff;
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    // "ENOENT: no such file or directory", without Node's repetition of the call and path.
    process.stderr.write(`cannot read ${file}: ${(error as Error).message.split(',')[0]}\n`);
    return EXIT.usage;
  }
  const lines = content.split('\n').map((text, i) => ({ number: i + 1, text: text.replace(/\r$/, '') })).filter((l) => l.text.trim() !== '');
  const checker = new LineChecker(passwords, effective);
  let passed = 0;
  let failed = 0;
  try {
    // A few lines at a time, printed in file order.
    const results: Array<Promise<Checked>> = [];
    let next = 0;
    const width = Math.max(2, availableParallelism());
    const start = (): void => {
      const item = lines[next++];
      if (!item) return;
      const parsed = parseVectorLine(item.text);
      results.push(
        'error' in parsed
          ? Promise.resolve({ text: JSON.stringify({ line: item.number, got: false, ok: false, handoff: 'none', zitadel_hash: null, error: parsed.error }), passed: false })
          : checker.check(item.number, parsed),
      );
    };
    for (let i = 0; i < width; i++) start();
    for (let i = 0; i < lines.length; i++) {
      const result = await results[i]!;
      start();
      process.stdout.write(`${result.text}\n`);
      if (result.passed) passed++;
      else failed++;
    }
  } finally {
    await checker.close();
  }
  process.stdout.write(`${passed} passed, ${failed} failed\n`);
  return failed > 0 ? EXIT.failure : EXIT.ok;
}

export const hashCheckCommand: Command = {
  path: ['hash', 'check'],
  summary: 'Verify every line of a known-answer file (JSON Lines) and show the hash ZITADEL would get.',
  positionals: 'FILE',
  details: `
Each line is {"format", "password", "hash", "expect"?, "params"?} as in the shared test vectors; the
line's format is the only scheme tried, and params supply per-source settings (salt and order, Spring
and Firebase settings). Prints one JSON object per line with the verification result and the hand-off
(native, reencoded, rehash or none) a login would produce, then a summary. Exits 1 if any line fails.`,
  options: {
    verifiers: {
      type: 'string',
      placeholder: 'LIST',
      description: 'ZITADEL verifiers to count as enabled: a comma list (bcrypt,argon2,pbkdf2,…) or all. Default: the configuration.',
    },
    config: { ...configOption, description: 'Configuration file for bounds, options and the hand-off (default: built-in defaults).' },
  },
  run: runCheck,
};

// --- hash identify

export const hashIdentifyCommand: Command = {
  path: ['hash', 'identify'],
  summary: 'Name the hash formats that recognise a stored value (read from standard input).',
  details: 'Prints every registered scheme id that recognises the first line of standard input, one per line. Exits 1 if none does.',
  options: {
    salt: { type: 'string', placeholder: 'SALT', description: 'The separate salt column, for salted-digest formats.' },
  },
  async run(args) {
    const [hash = ''] = stdinLines(await readStdin());
    const salt = stringOption(args, 'salt');
    const stored = { hash, salt: salt ?? null };
    const matches = schemeIds().filter((id) => getScheme(id)?.identify(stored));
    if (matches.length === 0) {
      process.stderr.write('No registered hash format recognises this value.\n');
      return EXIT.failure;
    }
    process.stdout.write(`${matches.join('\n')}\n`);
    return EXIT.ok;
  },
};

// --- hash verify

export const hashVerifyCommand: Command = {
  path: ['hash', 'verify'],
  summary: 'Check one password against one stored hash (both read from standard input).',
  details: 'Standard input: the stored hash on the first line, the password on the second (never on the command line). Prints ok or mismatch; exits 0 or 1.',
  options: {
    scheme: { type: 'string', placeholder: 'ID', description: 'Hash format id (see `hash identify`).' },
    salt: { type: 'string', placeholder: 'SALT', description: 'The separate salt column, for salted-digest formats.' },
    'salt-order': { type: 'string', placeholder: 'ORDER', description: 'salt+password or password+salt, for salted-digest formats.' },
  },
  async run(args) {
    const scheme = stringOption(args, 'scheme');
    if (!scheme) throw new UsageError('--scheme is required');
    if (!getScheme(scheme)) throw new UsageError(`unknown scheme ${scheme}; known: ${schemeIds().join(', ')}`);
    const saltOrder = stringOption(args, 'salt-order');
    if (saltOrder !== undefined && saltOrder !== 'salt+password' && saltOrder !== 'password+salt') throw new UsageError('--salt-order is salt+password or password+salt');
    const lines = stdinLines(await readStdin());
    if (lines.length < 2) throw new UsageError('standard input needs the hash on the first line and the password on the second');
    const [hash = '', password = ''] = lines;
    const salt = stringOption(args, 'salt');
    const checker = createPasswordChecker({
      schemes: [scheme],
      options: /-salted$/.test(scheme) ? { saltOrder: saltOrder ?? 'salt+password' } : saltOrder ? { saltOrder } : {},
    });
    try {
      const result = await checker.verify(password, { hash, salt: salt ?? null });
      process.stdout.write(result.ok ? 'ok\n' : 'mismatch\n');
      return result.ok ? EXIT.ok : EXIT.failure;
    } catch (error) {
      process.stderr.write(`${(error as Error).message}\n`);
      return EXIT.failure;
    } finally {
      await checker.close();
    }
  },
};

export const hashCommands: Command[] = [hashCheckCommand, hashIdentifyCommand, hashVerifyCommand];
