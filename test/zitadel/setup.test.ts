import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { create } from '@bufbuild/protobuf';
import { LoginPolicySchema } from '@zitadel/proto/zitadel/policy_pb.js';
import test, { type ExecutionContext } from 'ava';
import { parseCommandArgs, UsageError } from '../../src/cli/command.js';
import { createZitadelSetupCommand } from '../../src/cli/zitadel.js';
import { Code, ConnectError } from '@connectrpc/connect';
import { parseConfig } from '../../src/config/load.js';
import { describeFailure } from '../../src/zitadel/setup/api.js';
import { formatSigningKey, isDeniedByDefault, resolveSetupPlan, runZitadelSetup, SetupFailedError, type SetupApi } from '../../src/zitadel/setup.js';
import { runCli } from '../support/cli.js';
import { startZitadelDouble, type StoredOrg, type ZitadelDouble } from '../support/zitadel/index.js';
import { testHashPolicy } from '../zitadel-double/hash-policy.js';

const PAT = 'pat-of-the-setup-service-user';
const CLIENT_SECRET = 'client-secret-never-printed';
const METHOD = '/zitadel.user.v2.UserService/RetrieveIdentityProviderIntent';
// A trailing slash: the IdP's issuer keeps it byte for byte, the hook endpoint does not double it.
const ISSUER = 'https://bridge.example.com/';
const ENDPOINT = 'https://bridge.example.com/hooks/zitadel/idp-intent';

interface Env {
  readonly double: ZitadelDouble;
  readonly org: StoredOrg;
  readonly dir: string;
  readonly config: string;
  readonly keyFile: string;
}

interface ConfigInput {
  readonly clientSecret?: string;
  readonly idTokenClaims?: boolean;
  /** The hook as it is configured after the first run: enabled, with the written key and the IdP id. */
  readonly hook?: { idpId: string };
}

function writeConfig(env: Omit<Env, 'config'> & { config?: string }, input: ConfigInput = {}): string {
  const file = env.config ?? join(env.dir, 'bridge.yaml');
  const hook = input.hook
    ? `  idpId: "${input.hook.idpId}"\n  hook:\n    enabled: true\n    signingKeys: [{ file: ${env.keyFile} }]\n`
    : '';
  writeFileSync(
    file,
    `issuer: ${ISSUER}
oidc:
  clients:
    - clientId: zitadel
      clientSecret: ${input.clientSecret ?? CLIENT_SECRET}
      zitadelUrl: ${env.double.url}
      idTokenClaims: ${input.idTokenClaims ?? false}
  cookieKeys: [cookie-key-for-tests]
zitadel:
  url: ${env.double.url}
  organizationId: "${env.org.id}"
${hook}`,
  );
  return file;
}

async function start(t: ExecutionContext): Promise<Env> {
  const double = await startZitadelDouble({ pat: PAT, hashPolicy: testHashPolicy });
  t.teardown(() => double.close());
  const org = double.addOrg({ name: 'Acme' });
  const dir = mkdtempSync(join(tmpdir(), 'zitadel-setup-'));
  const partial = { double, org, dir, keyFile: join(dir, 'hook-signing.key') };
  return { ...partial, config: writeConfig(partial) };
}

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** The command in-process, as `legacy-bridge zitadel setup …` runs it (a usage error is exit 2 there). */
async function setup(args: string[], env: NodeJS.ProcessEnv = { ZITADEL_PAT: PAT }): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const command = createZitadelSetupCommand({ stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), env });
  try {
    const code = await command.run(parseCommandArgs(command, args));
    return { code, stdout, stderr };
  } catch (error) {
    if (error instanceof UsageError) return { code: 2, stdout, stderr: stderr + error.message };
    throw error;
  }
}

/** Everything the double holds, sequence counter included: equal snapshots mean nothing changed. */
const snapshot = (double: ZitadelDouble) => structuredClone({ ...double.state });

function noSecrets(t: ExecutionContext, run: Pick<Run, 'stdout' | 'stderr'>, ...secrets: string[]): void {
  for (const secret of [PAT, CLIENT_SECRET, ...secrets]) {
    t.false(run.stdout.includes(secret), `stdout leaks ${secret}`);
    t.false(run.stderr.includes(secret), `stderr leaks ${secret}`);
  }
}

function orgIdps(env: Env) {
  return [...env.double.state.idps.values()].filter((idp) => idp.orgId === env.org.id);
}

test('the first run creates the IdP, its login-policy entry, the target and the execution; the second changes nothing', async (t) => {
  const env = await start(t);
  const first = await setup(['--config', env.config, '--hook', '--signing-key-file', env.keyFile]);
  t.is(first.code, 0, first.stderr);

  const [idp, ...others] = orgIdps(env);
  t.is(others.length, 0);
  t.like(idp, {
    owner: 'org',
    orgId: env.org.id,
    name: 'Legacy login',
    issuer: ISSUER,
    clientId: 'zitadel',
    clientSecret: CLIENT_SECRET,
    scopes: ['openid', 'profile', 'email'],
    isIdTokenMapping: false,
    usePkce: false,
  });
  t.deepEqual(idp!.options, { isLinkingAllowed: true, isCreationAllowed: true, isAutoCreation: true, isAutoUpdate: true, autoLinking: 0 });

  // The organization had no policy of its own: it gets a copy of the instance default, with the IdP.
  const policy = env.double.state.loginPolicies.get(env.org.id);
  const instance = env.double.state.loginPolicies.get('instance')!;
  t.deepEqual(policy?.idps.map((link) => link.idpId), [idp!.id]);
  t.false(policy!.isDefault);
  for (const key of ['allowUsernamePassword', 'allowRegister', 'allowExternalIdp', 'passwordlessType', 'passwordCheckLifetime'] as const) {
    t.deepEqual(policy![key], instance[key], key);
  }

  const [target, ...moreTargets] = [...env.double.state.targets.values()];
  t.is(moreTargets.length, 0);
  t.like(target, { name: 'legacy-bridge-idp-intent', endpoint: ENDPOINT, type: 'restCall', interruptOnError: true, timeoutMs: 10_000 });
  t.deepEqual(env.double.state.executions.get(`response:method:${METHOD}`)?.targets, [target!.id]);
  t.is(env.double.state.executions.size, 1);

  t.is(statSync(env.keyFile).mode & 0o777, 0o600);
  const key = env.double.signingKeyFor(target!.id);
  t.is(readFileSync(env.keyFile, 'utf8').replace(/\n$/, ''), key);

  t.regex(first.stdout, new RegExp(`IdP id: +${idp!.id}`));
  t.regex(first.stdout, new RegExp(`Target id: +${target!.id}`));
  t.regex(first.stdout, /created +identity provider/);
  t.regex(first.stdout, /created +login policy/);
  t.regex(first.stdout, /created +target/);
  t.regex(first.stdout, /created +execution/);
  t.true(first.stdout.includes(`zitadel.idpId: "${idp!.id}"`));
  t.true(first.stdout.includes(`zitadel.hook.signingKeys: [{ file: ${env.keyFile} }]`));
  noSecrets(t, first, key);

  // The configuration as the first run's summary says it should be now: hook on, key file, IdP id.
  writeConfig(env, { hook: { idpId: idp!.id } });
  const before = snapshot(env.double);
  const second = await setup(['--config', env.config, '--signing-key-file', env.keyFile]);
  t.is(second.code, 0, second.stderr);
  t.deepEqual(snapshot(env.double), before);
  for (const subject of ['identity provider', 'login policy', 'target', 'execution']) t.regex(second.stdout, new RegExp(`unchanged +${subject}`));
  t.notRegex(second.stdout, /^ +(created|updated) /m);
  t.regex(second.stdout, /does not hand it out again|hands out a signing key only when it creates/);
  t.false(second.stdout.includes('zitadel.idpId:'), 'the configured IdP id is right already');
  t.is(readFileSync(env.keyFile, 'utf8').replace(/\n$/, ''), key, 'the key file is left alone');
  noSecrets(t, second, key);
});

test('with zitadel.idpId set, that IdP is the one kept up to date, even renamed, never another that took its name', async (t) => {
  const env = await start(t);
  t.is((await setup(['--config', env.config, '--hook', '--signing-key-file', env.keyFile])).code, 0);
  const [ours] = orgIdps(env);
  writeConfig(env, { hook: { idpId: ours!.id } });
  // Renamed in the console, and its old name given to some other provider of the organization.
  ours!.name = 'Legacy login (old)';
  const other = env.double.addGenericOidcIdp({ name: 'Legacy login', owner: 'org', orgId: env.org.id, issuer: 'https://someone-else.example.com', clientId: 'theirs' });
  const run = await setup(['--config', env.config, '--signing-key-file', env.keyFile]);
  t.is(run.code, 0, run.stderr);
  t.is(env.double.state.idps.get(other.id)!.issuer, 'https://someone-else.example.com');
  t.is(env.double.state.idps.get(other.id)!.clientId, 'theirs');
  t.is(env.double.state.idps.get(ours!.id)!.issuer, ISSUER);
  t.regex(run.stdout, new RegExp(`IdP id: +${ours!.id}`));
});

test('a changed client updates the IdP: idTokenClaims at once, the secret on request (ZITADEL never shows it)', async (t) => {
  const env = await start(t);
  t.is((await setup(['--config', env.config])).code, 0);
  const [idp] = orgIdps(env);
  const sequence = idp!.sequence;

  writeConfig(env, { clientSecret: 'a-new-client-secret' });
  const secretOnly = await setup(['--config', env.config]);
  t.is(secretOnly.code, 0, secretOnly.stderr);
  t.regex(secretOnly.stdout, /unchanged +identity provider/);
  t.regex(secretOnly.stdout, /--update-client-secret/);
  t.is(idp!.clientSecret, CLIENT_SECRET);
  t.is(idp!.sequence, sequence);

  const resent = await setup(['--config', env.config, '--update-client-secret']);
  t.is(resent.code, 0, resent.stderr);
  t.regex(resent.stdout, /updated +identity provider/);
  t.is(idp!.clientSecret, 'a-new-client-secret');
  noSecrets(t, resent, 'a-new-client-secret');

  writeConfig(env, { clientSecret: 'a-third-client-secret', idTokenClaims: true });
  const mapping = await setup(['--config', env.config, '--auto-linking', 'email']);
  t.is(mapping.code, 0, mapping.stderr);
  t.regex(mapping.stdout, /updated +identity provider/);
  t.regex(mapping.stdout, /isIdTokenMapping: false → true/);
  t.regex(mapping.stdout, /providerOptions\.autoLinking: "none" → "email"/);
  t.true(idp!.isIdTokenMapping);
  t.is(idp!.options.autoLinking, 2);
  t.is(idp!.clientSecret, 'a-third-client-secret', 'an update sends the secret along');
  t.is(orgIdps(env).length, 1, 'updated in place, not added again');
  t.regex(mapping.stdout, /unchanged +login policy/);
  noSecrets(t, mapping, 'a-third-client-secret');
});

test('--dry-run prints every call with redacted bodies and changes nothing', async (t) => {
  const env = await start(t);
  const before = snapshot(env.double);
  const dry = await setup(['--config', env.config, '--hook', '--signing-key-file', env.keyFile, '--dry-run']);
  t.is(dry.code, 0, dry.stderr);
  t.deepEqual(snapshot(env.double), before);
  t.throws(() => statSync(env.keyFile), { code: 'ENOENT' });
  for (const method of [
    'zitadel.management.v1.ManagementService/AddGenericOIDCProvider',
    'zitadel.management.v1.ManagementService/AddCustomLoginPolicy',
    'zitadel.action.v2beta.ActionService/CreateTarget',
    'zitadel.action.v2beta.ActionService/SetExecution',
  ]) {
    t.regex(dry.stdout, new RegExp(`would call +/${method.replace(/[./]/g, '\\$&')} \\{`), method);
  }
  t.regex(dry.stdout, /read +\/zitadel\.management\.v1\.ManagementService\/ListProviders/);
  t.regex(dry.stdout, /"clientSecret":"\[redacted\]"/);
  t.true(dry.stdout.includes(`"issuer":"${ISSUER}"`));
  t.true(dry.stdout.includes(`"endpoint":"${ENDPOINT}"`));
  t.regex(dry.stdout, /would create +identity provider/);
  t.regex(dry.stdout, /would be written to .*hook-signing\.key/);
  noSecrets(t, dry);

  // Against existing objects: the update is shown, not made.
  t.is((await setup(['--config', env.config, '--hook', '--signing-key-file', env.keyFile])).code, 0);
  writeConfig(env, { idTokenClaims: true });
  const after = snapshot(env.double);
  const update = await setup(['--config', env.config, '--hook', '--dry-run', '--rotate-signing-key']);
  t.is(update.code, 0, update.stderr);
  t.deepEqual(snapshot(env.double), after);
  t.regex(update.stdout, /would call +\/zitadel\.management\.v1\.ManagementService\/UpdateGenericOIDCProvider \{.*"isIdTokenMapping":true/);
  t.regex(update.stdout, /would call +\/zitadel\.action\.v2beta\.ActionService\/UpdateTarget \{.*"expirationSigningKey":"0s"/);
  t.notRegex(update.stdout, /would call +\S+\/(AddIDPToLoginPolicy|AddCustomLoginPolicy|SetExecution|CreateTarget)/);
  noSecrets(t, update);
});

test('--rotate-signing-key writes the new key of an existing target', async (t) => {
  const env = await start(t);
  t.is((await setup(['--config', env.config, '--hook', '--signing-key-file', env.keyFile])).code, 0);
  const [target] = [...env.double.state.targets.values()];
  const old = env.double.signingKeyFor(target!.id);
  const rotated = await setup(['--config', env.config, '--hook', '--signing-key-file', env.keyFile, '--rotate-signing-key']);
  t.is(rotated.code, 0, rotated.stderr);
  const key = env.double.signingKeyFor(target!.id);
  t.not(key, old);
  t.is(readFileSync(env.keyFile, 'utf8').replace(/\n$/, ''), key);
  t.is(statSync(env.keyFile).mode & 0o777, 0o600);
  t.regex(rotated.stdout, /updated +target/);
  t.regex(rotated.stdout, /signing key rotated/);
  t.regex(rotated.stdout, /unchanged +execution/);
  noSecrets(t, rotated, key, old);
});

test('without a key file the signing key is printed once', async (t) => {
  const env = await start(t);
  const run = await setup(['--config', env.config, '--hook']);
  t.is(run.code, 0, run.stderr);
  const [target] = [...env.double.state.targets.values()];
  const key = env.double.signingKeyFor(target!.id);
  t.is(run.stdout.split(key).length, 2, 'the key appears exactly once');
  t.regex(run.stdout, /shown this once/);
  noSecrets(t, run);
});

test('an organization with a login policy of its own gets the IdP added; the summary says what is left to do', async (t) => {
  const env = await start(t);
  env.double.state.loginPolicies.set(env.org.id, create(LoginPolicySchema, { allowUsernamePassword: true, allowExternalIdp: false, isDefault: false }));
  const run = await setup(['--config', env.config]);
  t.is(run.code, 0, run.stderr);
  const [idp] = orgIdps(env);
  t.deepEqual(env.double.state.loginPolicies.get(env.org.id)?.idps.map((link) => link.idpId), [idp!.id]);
  t.regex(run.stdout, /updated +login policy/);
  t.regex(run.stdout, /External login allowed/);
  t.regex(run.stdout, /skipped +Actions v2 hook/);
  t.is(env.double.state.targets.size, 0);

  // A loopback issuer gets the deny-list note.
  writeFileSync(env.config, readFileSync(env.config, 'utf8').replace(`issuer: ${ISSUER}`, 'issuer: http://127.0.0.1:3000'));
  const local = await setup(['--config', env.config]);
  t.is(local.code, 0, local.stderr);
  t.regex(local.stdout, /updated +identity provider/);
  t.regex(local.stdout, /ZITADEL_HTTPCLIENT_DENYLIST/);
});

test('a wrong PAT or an unreachable ZITADEL is exit 1 with a clear message', async (t) => {
  const env = await start(t);
  const wrong = await setup(['--config', env.config], { ZITADEL_PAT: 'not-the-pat' });
  t.is(wrong.code, 1);
  t.regex(wrong.stderr, /refused the personal access token/);
  t.false(wrong.stderr.includes('not-the-pat'));
  t.is(env.double.state.idps.size, 0);

  const patFile = join(env.dir, 'pat');
  writeFileSync(patFile, `${PAT}\n`);
  const down = await setup(['--config', env.config, '--pat-file', patFile, '--url', 'http://127.0.0.1:1'], {});
  t.is(down.code, 1);
  t.regex(down.stderr, /Cannot reach ZITADEL at http:\/\/127\.0\.0\.1:1/);
  noSecrets(t, down);

  // A token file with more than the token (a comment line): refused before any call, the token not repeated.
  writeFileSync(patFile, `${PAT}\n# service user of the bridge\n`);
  const commented = await setup(['--config', env.config, '--pat-file', patFile]);
  t.is(commented.code, 2);
  t.regex(commented.stderr, /--pat-file .*: the personal access token holds white space/);
  noSecrets(t, commented);
  t.is(env.double.state.idps.size, 0);
});

test('bad options and an invalid configuration are exit 2', async (t) => {
  const env = await start(t);
  t.is((await setup(['--config', env.config, '--auto-linking', 'sometimes'])).code, 2);
  t.is((await setup(['--config', env.config, '--target-timeout', '5', '--hook', '--url', 'ftp://zitadel'])).code, 2);
  t.is((await setup(['--config', env.config, '--signing-key-file', env.keyFile])).code, 2, 'a key file without the hook');
  t.regex((await setup(['--config', env.config], {})).stderr, /--pat-file FILE or the environment variable ZITADEL_PAT/);
  t.regex((await setup(['--config', env.config, '--client-id', 'nobody'])).stderr, /no such client/);
  t.regex((await setup(['--config', env.config, '--hook', '--signing-key-file', join(env.dir, 'missing', 'key')])).stderr, /does not exist/);

  const noOrg = join(env.dir, 'no-org.yaml');
  writeFileSync(noOrg, readFileSync(env.config, 'utf8').replace(/ {2}organizationId: .*\n/, ''));
  const missingOrg = await setup(['--config', noOrg]);
  t.is(missingOrg.code, 2);
  t.regex(missingOrg.stderr, /--org ID/);

  // The hook enabled before setup produced its key: the message says how to get there.
  const early = join(env.dir, 'early.yaml');
  writeFileSync(early, `${readFileSync(env.config, 'utf8')}  hook:\n    enabled: true\n`);
  const invalid = await setup(['--config', early]);
  t.is(invalid.code, 2);
  t.regex(invalid.stderr, /zitadel\.hook\.signingKeys/);
  t.regex(invalid.stderr, /pass --hook/);
  t.is(env.double.state.idps.size, 0);
});

/** A setup API over an instance with nothing set up yet, where the IdP gets created as idp-1; `steps` replace the target and execution calls. */
function freshInstanceApi(t: ExecutionContext, steps: Pick<SetupApi, 'createTarget' | 'setResponseExecution'>): SetupApi {
  return {
    findIdps: async () => [],
    addIdp: async () => 'idp-1',
    updateIdp: async () => t.fail('no update'),
    loginPolicy: async () => ({ isDefault: false, idpIds: ['idp-1'], allowExternalIdp: true, policy: create(LoginPolicySchema) }),
    addCustomLoginPolicy: async () => t.fail('no policy'),
    addIdpToLoginPolicy: async () => 'added',
    findTarget: async () => undefined,
    updateTarget: async () => ({}),
    responseExecution: async () => undefined,
    ...steps,
  };
}

test('a refused step stops the run; the report keeps what was done before it', async (t) => {
  const config = parseConfig({
    issuer: ISSUER,
    oidc: { clients: [{ clientId: 'zitadel', clientSecret: CLIENT_SECRET, zitadelUrl: 'https://auth.example.com' }], cookieKeys: ['k'] },
    zitadel: { organizationId: '42' },
  });
  const plan = resolveSetupPlan(config, { hook: true });
  const denied = describeFailure(new ConnectError('Errors.Token.Missing.Permission', Code.PermissionDenied), 'create the Actions v2 target', {
    url: plan.zitadelUrl,
    organizationId: plan.organizationId,
  });
  const api = freshInstanceApi(t, {
    createTarget: () => Promise.reject(denied),
    setResponseExecution: async () => t.fail('no execution without a target'),
  });
  const error = await t.throwsAsync(runZitadelSetup(api, plan, { dryRun: false }), { instanceOf: SetupFailedError });
  t.regex(error.message, /may not create the Actions v2 target .*IAM Owner/);
  t.is(error.report.idpId, 'idp-1');
  t.deepEqual(error.report.steps.map((step) => `${step.outcome} ${step.subject}`), ['created identity provider', 'unchanged login policy']);
  t.is(plan.zitadelUrl, 'https://auth.example.com', "the client's zitadelUrl stands in for zitadel.url");
});

test('a step failing after the target was created keeps its signing key: written to the file, or in the report', async (t) => {
  const config = parseConfig({
    issuer: ISSUER,
    oidc: { clients: [{ clientId: 'zitadel', clientSecret: CLIENT_SECRET, zitadelUrl: 'https://auth.example.com' }], cookieKeys: ['k'] },
    zitadel: { organizationId: '42' },
  });
  const refused = describeFailure(new ConnectError('Errors.Token.Missing.Permission', Code.PermissionDenied), 'set the execution', {
    url: 'https://auth.example.com',
    organizationId: '42',
  });
  const api = freshInstanceApi(t, {
    createTarget: async () => ({ id: 'target-1', signingKey: 'the-only-copy-of-the-key' }),
    setResponseExecution: () => Promise.reject(refused),
  });

  const printed = await t.throwsAsync(runZitadelSetup(api, resolveSetupPlan(config, { hook: true }), { dryRun: false }), { instanceOf: SetupFailedError });
  t.is(printed.report.targetId, 'target-1');
  t.like(printed.report.signingKey, { reason: 'created', value: 'the-only-copy-of-the-key' });
  t.true(formatSigningKey(printed.report).some((line) => line.includes('the-only-copy-of-the-key')));

  const keyFile = join(mkdtempSync(join(tmpdir(), 'zitadel-setup-')), 'hook-signing.key');
  const written = await t.throwsAsync(runZitadelSetup(api, resolveSetupPlan(config, { hook: true, signingKeyFile: keyFile }), { dryRun: false }), {
    instanceOf: SetupFailedError,
  });
  t.is(readFileSync(keyFile, 'utf8').trim(), 'the-only-copy-of-the-key');
  t.like(written.report.signingKey, { reason: 'created', file: keyFile });
});

test('the private-address check follows ZITADEL\'s default deny list', (t) => {
  for (const url of ['http://localhost:3000', 'http://127.0.0.1', 'http://10.1.2.3', 'http://172.20.0.5', 'http://192.168.1.1', 'http://[::1]:3000', 'http://[fd00::1]', 'http://bridge.localhost']) {
    t.true(isDeniedByDefault(url), url);
  }
  for (const url of ['https://bridge.example.com', 'http://172.32.0.1', 'http://8.8.8.8', 'http://[2001:db8::1]']) t.false(isDeniedByDefault(url), url);
});

test('legacy-bridge zitadel setup runs as a command of its own', async (t) => {
  const env = await start(t);
  const run = await runCli(['zitadel', 'setup', '--config', env.config, '--hook', '--signing-key-file', env.keyFile], { env: { ZITADEL_PAT: PAT } });
  t.is(run.code, 0, run.stderr);
  const [idp] = orgIdps(env);
  t.truthy(idp);
  t.regex(run.stdout, new RegExp(`IdP id: +${idp!.id}`));
  t.is(env.double.state.targets.size, 1);
  noSecrets(t, run, env.double.signingKeyFor([...env.double.state.targets.keys()][0]!));
  const wrong = await runCli(['zitadel', 'setup', '--config', env.config], { env: { ZITADEL_PAT: 'wrong' } });
  t.is(wrong.code, 1);
  t.regex(wrong.stderr, /refused the personal access token/);
});
