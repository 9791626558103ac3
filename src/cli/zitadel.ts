import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig, type LoadedConfig } from '../config/load.js';
import { Secret } from '../config/secret.js';
import { patProblem } from '../zitadel/pat.js';
import {
  connectSetupApi,
  formatSetupReport,
  formatSetupSteps,
  formatSigningKey,
  resolveSetupPlan,
  runZitadelSetup,
  SetupFailedError,
  SetupPlanError,
  type RecordedCall,
  type SetupRequest,
} from '../zitadel/setup.js';
import { DEFAULT_IDP_NAME, DEFAULT_TARGET_NAME, DEFAULT_TARGET_TIMEOUT_SECONDS, MAX_TARGET_TIMEOUT_SECONDS } from '../zitadel/setup/plan.js';
import { EXIT, UsageError, booleanOption, stringOption, type Command, type ParsedArgs } from './command.js';

/** `legacy-bridge zitadel setup`: option parsing and printing; the ZITADEL calls live in src/zitadel/setup*. */

export interface CommandIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Where ZITADEL_PAT and the configuration's `${…}` / `{ env: … }` are read. */
  readonly env: NodeJS.ProcessEnv;
}

const processIo: CommandIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
};

const AUTO_LINKING = ['none', 'username', 'email'] as const;

/** Settings `zitadel setup` itself prints: a configuration lacking only these should say so. */
const PRODUCED_BY_SETUP = /^zitadel\.(idpId|hook\.signingKeys)(\.|$)/;

/** The token, or a usage error naming where it came from (never the token itself). */
function usable(pat: string, source: string): Secret {
  const problem = patProblem(pat);
  if (problem) throw new UsageError(`${source}: ${problem}`);
  return new Secret(pat);
}

function readPat(args: ParsedArgs, io: CommandIo, loaded: LoadedConfig): Secret {
  const file = stringOption(args, 'pat-file');
  if (file) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new UsageError(`--pat-file ${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
    }
    if (!text) throw new UsageError(`--pat-file ${file} is empty`);
    return usable(text, `--pat-file ${file}`);
  }
  const fromEnv = io.env.ZITADEL_PAT?.trim();
  if (fromEnv) return usable(fromEnv, 'ZITADEL_PAT');
  if (loaded.config.zitadel.pat) return usable(loaded.config.zitadel.pat.reveal(), 'zitadel.pat');
  throw new UsageError('give the personal access token of a ZITADEL service user with --pat-file FILE or the environment variable ZITADEL_PAT (never on the command line)');
}

function request(args: ParsedArgs): SetupRequest {
  const autoLinking = stringOption(args, 'auto-linking');
  if (autoLinking !== undefined && !(AUTO_LINKING as readonly string[]).includes(autoLinking)) {
    throw new UsageError(`--auto-linking must be one of ${AUTO_LINKING.join(', ')}`);
  }
  const timeout = stringOption(args, 'target-timeout');
  if (timeout !== undefined && !/^\d+$/.test(timeout)) throw new UsageError('--target-timeout must be a whole number of seconds');
  const pick = <K extends keyof SetupRequest>(key: K, value: SetupRequest[K] | undefined) => (value === undefined ? {} : { [key]: value });
  return {
    ...pick('url', stringOption(args, 'url')),
    ...pick('organizationId', stringOption(args, 'org')),
    ...pick('idpName', stringOption(args, 'name')),
    ...pick('clientId', stringOption(args, 'client-id')),
    ...pick('usePkce', booleanOption(args, 'pkce') || undefined),
    ...pick('autoLinking', autoLinking as SetupRequest['autoLinking']),
    ...pick('hook', booleanOption(args, 'hook') || undefined),
    ...pick('targetName', stringOption(args, 'target-name')),
    ...pick('targetTimeoutSeconds', timeout === undefined ? undefined : Number(timeout)),
    ...pick('signingKeyFile', stringOption(args, 'signing-key-file')),
    ...pick('rotateSigningKey', booleanOption(args, 'rotate-signing-key') || undefined),
    ...pick('resendClientSecret', booleanOption(args, 'update-client-secret') || undefined),
  };
}

function printCall(io: CommandIo, call: RecordedCall): void {
  const label = !call.changes ? 'read      ' : call.sent ? 'call      ' : 'would call';
  io.stdout(`  ${label}  ${call.method} ${JSON.stringify(call.body)}\n`);
}

export function createZitadelSetupCommand(io: CommandIo = processIo): Command {
  return {
    path: ['zitadel', 'setup'],
    summary: 'Create or update the bridge\'s IdP in ZITADEL, activate it, and set up the Actions v2 hook; safe to run again.',
    details: `
In the organization (management API, x-zitadel-orgid): the generic OIDC IdP zitadel.idpId once that is set (even
renamed in the console), else the one named --name, with the bridge's issuer,
the client's id and secret, scopes openid profile email, ID token mapping = the client's idTokenClaims, automatic
creation and update, creation and linking allowed; then the IdP is activated in the organization's login policy
(an organization without a policy of its own gets a copy of the instance default). With zitadel.hook.enabled or
--hook: the Actions v2 target (restCall, interrupt on error) at the issuer + zitadel.hook.path, and the execution on
the response of /zitadel.user.v2.UserService/RetrieveIdentityProviderIntent. Objects that exist are compared and
changed only where they differ; a second run reports "unchanged".

The token comes from --pat-file, else ZITADEL_PAT, else zitadel.pat; never from the command line. The service
user needs Org Owner in the organization, and IAM Owner for the hook (targets and executions are instance-wide).

The target's signing key is handed out by ZITADEL only when the target is created (or rotated): it is written to
--signing-key-file (mode 0600) or else printed once.

Exit codes: 0 done; 1 ZITADEL unreachable or refused a call; 2 bad options or an invalid configuration.`,
    options: {
      config: { type: 'string', short: 'c', description: 'Bridge configuration file (YAML); default BRIDGE_CONFIG, else config/bridge.yaml.', placeholder: 'FILE' },
      url: { type: 'string', description: "ZITADEL's base URL (default zitadel.url, else the client's zitadelUrl).", placeholder: 'URL' },
      'pat-file': { type: 'string', description: 'File holding the personal access token (default: env ZITADEL_PAT, else zitadel.pat).', placeholder: 'FILE' },
      org: { type: 'string', description: 'Organization id (default zitadel.organizationId).', placeholder: 'ID' },
      name: { type: 'string', description: `Name of the IdP, how it is found again when zitadel.idpId is not set (default "${DEFAULT_IDP_NAME}").`, placeholder: 'NAME' },
      'client-id': { type: 'string', description: 'Bridge client ZITADEL uses (default: the one whose zitadelUrl is --url, else the only one).', placeholder: 'ID' },
      pkce: { type: 'boolean', description: 'Turn on "Use PKCE" (default off).' },
      'auto-linking': { type: 'string', description: 'Link to existing ZITADEL users automatically: none (default), username or email.', placeholder: 'HOW' },
      hook: { type: 'boolean', description: 'Set up the Actions v2 hook even though zitadel.hook.enabled is off (the first run).' },
      'target-name': { type: 'string', description: `Name of the Actions v2 target (default "${DEFAULT_TARGET_NAME}").`, placeholder: 'NAME' },
      'target-timeout': {
        type: 'string',
        description: `Target timeout in seconds, 1 to ${MAX_TARGET_TIMEOUT_SECONDS} (default ${DEFAULT_TARGET_TIMEOUT_SECONDS}).`,
        placeholder: 'SECONDS',
      },
      'signing-key-file': { type: 'string', description: "Write the target's signing key here (mode 0600) instead of printing it.", placeholder: 'FILE' },
      'rotate-signing-key': { type: 'boolean', description: 'Have ZITADEL replace the existing target\'s signing key (the old one stops working at once).' },
      'update-client-secret': { type: 'boolean', description: 'Send the client secret again even if nothing else changed (ZITADEL never shows it).' },
      'dry-run': { type: 'boolean', description: 'Print every call with its body (secrets redacted); send only the reading ones.' },
    },

    async run(args) {
      const wanted = request(args);
      const dryRun = booleanOption(args, 'dry-run');

      let loaded: LoadedConfig;
      try {
        const file = stringOption(args, 'config');
        loaded = loadConfig({ ...(file ? { file } : {}), env: io.env });
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        io.stderr(`${error.message}\n`);
        if (error.issues.length > 0 && error.issues.every((issue) => PRODUCED_BY_SETUP.test(issue.path))) {
          io.stderr(
            '\nThese are settings zitadel setup produces. For the first run leave zitadel.hook.enabled off and pass --hook ' +
              '(with --signing-key-file FILE); then set zitadel.idpId and zitadel.hook.signingKeys as it prints, and enable the hook.\n',
          );
        }
        return EXIT.usage;
      }

      const pat = readPat(args, io, loaded);
      let plan;
      try {
        plan = resolveSetupPlan(loaded.config, wanted);
      } catch (error) {
        if (!(error instanceof SetupPlanError)) throw error;
        io.stderr(`${error.message}\n`);
        return EXIT.usage;
      }

      if (dryRun) io.stdout(`Calls to ZITADEL at ${plan.zitadelUrl} (dry run: the changing ones are not sent):\n`);
      const api = connectSetupApi({
        url: plan.zitadelUrl,
        pat,
        organizationId: plan.organizationId,
        timeoutMs: loaded.config.zitadel.timeoutMs,
        dryRun,
        ...(dryRun ? { onCall: (call: RecordedCall) => printCall(io, call) } : {}),
      });
      try {
        const report = await runZitadelSetup(api, plan, { dryRun });
        if (dryRun) io.stdout('\n');
        io.stdout(formatSetupReport(report, loaded.source));
        return EXIT.ok;
      } catch (error) {
        if (!(error instanceof SetupFailedError)) throw error;
        if (error.report.steps.length > 0) {
          const ids = [error.report.idpId && `IdP id: ${error.report.idpId}`, error.report.targetId && `Target id: ${error.report.targetId}`].filter(Boolean);
          io.stdout(`Done before the failure:\n${[...formatSetupSteps(error.report), ...ids, ...formatSigningKey(error.report)].join('\n')}\n`);
        }
        io.stderr(`${error.message}\n`);
        return EXIT.failure;
      }
    },
  };
}

export const zitadelSetupCommand = createZitadelSetupCommand();
