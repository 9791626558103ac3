import { existsSync } from 'node:fs';
import { loadJwksFile } from '../config/load.js';
import { KeysError, SIGNING_ALGORITHMS, generateSigningKey, isSigningAlgorithm, readJwks, rotateJwks, signingAlgorithmOf, writeJwks, type SigningAlgorithm } from '../oidc/keys.js';
import { EXIT, UsageError, booleanOption, stringOption, type Command, type ParsedArgs } from './command.js';
import { configOption } from './config-option.js';

const fileOption = {
  type: 'string',
  description: `JWKS file (default: oidc.jwksFile of the configuration; keys/jwks.json in demo mode).`,
  placeholder: 'FILE',
} as const;
const algOption = { type: 'string', description: `Algorithm of the new key: ${SIGNING_ALGORITHMS.join(', ')} (default RS256).`, placeholder: 'ALG' } as const;
/** For rotate: a new key keeps the ID tokens' algorithm unless told otherwise (a relying party may accept only it). */
const rotateAlgOption = {
  ...algOption,
  description: `Algorithm of the new key: ${SIGNING_ALGORITHMS.join(', ')} (default: that of the current first key, if one of these; else RS256).`,
} as const;

/**
 * The JWKS file named on the command line, else the configuration's `oidc.jwksFile` (demo mode:
 * keys/jwks.json). A broken configuration throws its `ConfigError` (exit 2): falling back to the
 * default would manage keys the bridge never reads.
 */
function jwksFile(args: ParsedArgs): string {
  const explicit = stringOption(args, 'file');
  if (explicit) return explicit;
  const config = stringOption(args, 'config');
  // Only this one setting is read, so secrets that only the server needs need not be set here.
  return loadJwksFile(config ? { file: config } : {}).jwksFile;
}

function algorithm(args: ParsedArgs, fallback: SigningAlgorithm = 'RS256'): SigningAlgorithm {
  const alg = stringOption(args, 'alg') ?? fallback;
  if (!isSigningAlgorithm(alg)) throw new UsageError(`--alg must be one of ${SIGNING_ALGORITHMS.join(', ')}`);
  return alg;
}

export const keysGenerateCommand: Command = {
  path: ['keys', 'generate'],
  summary: 'Create the signing key file (a private JWKS with one key).',
  details: 'Refuses to replace an existing file unless --force is given: replacing keys invalidates issued tokens. Use keys rotate to change keys.',
  options: {
    config: configOption,
    file: fileOption,
    alg: algOption,
    force: { type: 'boolean', description: 'Replace an existing file.' },
  },
  async run(args) {
    const file = jwksFile(args);
    const alg = algorithm(args);
    if (existsSync(file) && !booleanOption(args, 'force')) {
      process.stderr.write(`${file} exists already. Use 'legacy-bridge keys rotate' to add a new signing key, or --force to replace it.\n`);
      return EXIT.failure;
    }
    const key = await generateSigningKey(alg);
    writeJwks(file, { keys: [key] });
    process.stdout.write(`Wrote ${file} with one ${alg} key (kid ${key.kid}). Keep it secret; mount the same file on every replica.\n`);
    return EXIT.ok;
  },
};

export const keysRotateCommand: Command = {
  path: ['keys', 'rotate'],
  summary: 'Add a new signing key in front; keep previous keys published for tokens they signed.',
  details: 'The new key signs after the bridge restarts. Relying parties such as ZITADEL fetch the JWKS again when they meet an unknown kid.',
  options: {
    config: configOption,
    file: fileOption,
    alg: rotateAlgOption,
    keep: { type: 'string', description: 'How many previous keys stay published (default 2).', placeholder: 'N' },
  },
  async run(args) {
    const file = jwksFile(args);
    const keepText = stringOption(args, 'keep') ?? '2';
    const keep = Number(keepText);
    if (!/^\d+$/.test(keepText) || keep > 20) throw new UsageError('--keep must be a whole number from 0 to 20');
    let current;
    try {
      current = readJwks(file);
    } catch (error) {
      if (error instanceof KeysError) {
        process.stderr.write(`${error.message}\n`);
        return EXIT.failure;
      }
      throw error;
    }
    const signing = signingAlgorithmOf(current.keys[0]!);
    const { jwks, added, removed } = await rotateJwks(current, keep, algorithm(args, isSigningAlgorithm(signing) ? signing : undefined));
    writeJwks(file, jwks);
    process.stdout.write(
      `Added ${added.alg} key ${added.kid} to ${file}; it signs from the next start. ${jwks.keys.length - 1} previous key(s) stay published` +
        `${removed.length ? `, ${removed.length} removed` : ''}.\n`,
    );
    return EXIT.ok;
  },
};
