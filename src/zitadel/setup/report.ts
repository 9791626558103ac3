import { BlockList, isIP } from 'node:net';
import { redirectUrisOf, ZITADEL_CALLBACK_PATHS } from '../../oidc/clients.js';
import type { SetupReport } from '../setup.js';
import { DRY_RUN_ID } from './api.js';

/** The summary `zitadel setup` prints: what it did, the ids to configure, and what is left to do. */

/** ZITADEL's default outbound deny list (v4.15.2+), as far as an address literal or `localhost` shows it. */
const DENIED = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.168.0.0', 16],
] as const) {
  DENIED.addSubnet(network, prefix, 'ipv4');
}
DENIED.addAddress('::1', 'ipv6');
DENIED.addSubnet('fc00::', 7, 'ipv6');
DENIED.addSubnet('fe80::', 10, 'ipv6');

/** Whether ZITADEL's default deny list refuses calls to this URL's host (names other than localhost are not resolved). */
export function isDeniedByDefault(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return false;
  }
  if (host === 'localhost' || host.endsWith('.localhost')) return true;
  const family = isIP(host);
  if (family === 0) return false;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host)?.[1];
  if (mapped) return DENIED.check(mapped, 'ipv4');
  return DENIED.check(host, family === 4 ? 'ipv4' : 'ipv6');
}

const WOULD: Record<string, string> = { created: 'would create', updated: 'would update', unchanged: 'unchanged' };

/** One line per step (and one per change of an update). */
export function formatSetupSteps(report: SetupReport): string[] {
  const lines: string[] = [];
  const width = Math.max(...report.steps.map((step) => step.subject.length), 0);
  for (const step of report.steps) {
    const outcome = report.dryRun ? WOULD[step.outcome]! : step.outcome;
    lines.push(`  ${outcome.padEnd(report.dryRun ? 12 : 9)}  ${step.subject.padEnd(width)}  ${step.detail}`);
    for (const change of step.changes) lines.push(`      - ${change}`);
  }
  return lines;
}

/** Where the target's signing key went, or the key itself: ZITADEL hands it out only once. */
export function formatSigningKey(report: SetupReport): string[] {
  const key = report.signingKey;
  if (!key) return [];
  const lines = [''];
  const why = key.reason === 'rotated' ? 'new signing key of the target (the previous key no longer verifies)' : 'signing key of the new target';
  if (report.dryRun) {
    lines.push(`The ${why} would be ${key.file ? `written to ${key.file} (mode 0600)` : 'printed here once'}.`);
  } else if (key.value !== undefined) {
    if (key.writeError) lines.push(`Could not write ${key.file} (${key.writeError}); the key is shown here instead.`);
    lines.push(
      `The ${why}, shown this once: ZITADEL does not hand it out again.`,
      '',
      `  ${key.value}`,
      '',
      'Keep it secret: store it where the bridge reads it (a file readable by the bridge only, or a secret in the environment).',
    );
  } else {
    lines.push(`Wrote the ${why} to ${key.file} (mode 0600).`);
  }
  return lines;
}

export function formatSetupReport(report: SetupReport, configSource: string): string {
  const { plan } = report;
  const lines: string[] = [];
  lines.push(
    `${report.dryRun ? 'Dry run for' : 'ZITADEL setup of'} ${plan.zitadelUrl}, organization ${plan.organizationId}`,
    `Bridge configuration: ${configSource === 'demo' ? 'demo mode (no file)' : configSource}; issuer ${plan.issuer}`,
    '',
  );
  lines.push(...formatSetupSteps(report));
  if (!plan.hook) {
    lines.push(`  ${'skipped'.padEnd(report.dryRun ? 12 : 9)}  Actions v2 hook (zitadel.hook.enabled is off; --hook sets it up)`);
  }
  lines.push('');
  const known = (id: string | undefined) => id && id !== DRY_RUN_ID;
  if (report.idpId) lines.push(`IdP id:    ${known(report.idpId) ? report.idpId : '(assigned when created)'}`);
  if (report.targetId) lines.push(`Target id: ${known(report.targetId) ? report.targetId : '(assigned when created)'}`);

  lines.push(...formatSigningKey(report));

  if (report.notes.length > 0) lines.push('', 'Notes:', ...report.notes.map((note) => `  - ${note}`));

  const steps = nextSteps(report);
  if (steps.length > 0) lines.push('', report.dryRun ? 'After a real run:' : 'Next steps:', ...steps.map((step, i) => `  ${i + 1}. ${step}`));
  return `${lines.join('\n')}\n`;
}

function nextSteps(report: SetupReport): string[] {
  const { plan } = report;
  const steps: string[] = [];
  const settings: string[] = [];
  if (report.idpId && report.idpId !== plan.configuredIdpId) settings.push(`zitadel.idpId: "${report.idpId === DRY_RUN_ID ? '<IdP id>' : report.idpId}"`);
  if (plan.organizationId !== plan.configuredOrganizationId) settings.push(`zitadel.organizationId: "${plan.organizationId}"`);
  if (plan.hook) {
    if (!plan.hookEnabledInConfig) settings.push('zitadel.hook.enabled: true');
    const key = report.signingKey;
    if (key?.file && !key.writeError) {
      settings.push(`zitadel.hook.signingKeys: [{ file: ${key.file} }]`);
    } else if (key) {
      settings.push('zitadel.hook.signingKeys: [{ env: ZITADEL_HOOK_SIGNING_KEY }] (or { file: … }), holding the key above');
    }
  }
  if (settings.length > 0) {
    steps.push(`Put into the bridge configuration: ${settings.join('; ')}. Then restart the bridge (check it first with legacy-bridge check-config).`);
  }
  if (report.signingKey?.reason === 'rotated') {
    steps.push('Until the bridge runs with the new key, ZITADEL\'s calls of the hook fail signature checks and logins through login v2 fail: restart it now.');
  }

  const registered = redirectUrisOf(plan.client);
  const missing = ZITADEL_CALLBACK_PATHS.map((path) => `${plan.zitadelUrl}${path}`).filter((uri) => !registered.includes(uri));
  if (missing.length > 0) {
    steps.push(`Client ${plan.client.clientId} does not accept ZITADEL's callback URL(s) ${missing.join(', ')}: set zitadelUrl: ${plan.zitadelUrl} on it.`);
  }
  if (report.allowExternalIdp === false) {
    steps.push(
      `The organization's login policy does not allow external IdPs, so the "${plan.idp.name}" button does not show: turn on ` +
        '"External login allowed" (Console: the organization → Settings → Login behavior and security).',
    );
  }
  if (isDeniedByDefault(plan.issuer)) {
    steps.push(
      `The bridge's issuer ${plan.issuer} is a loopback or private address. Since v4.15.2 ZITADEL refuses outbound calls to such addresses by default ` +
        '(the IdP\'s discovery, token and userinfo calls, and the Actions v2 target). Serve the bridge on an address ZITADEL may call, or set ' +
        'ZITADEL_HTTPCLIENT_DENYLIST for ZITADEL: it replaces the whole list, so keep the entries you still want.',
    );
  }
  if (plan.hook) steps.push('The hook runs with login v2 only (RetrieveIdentityProviderIntent); with login v1 use provisioning or Actions v1.');
  steps.push(`Test it: sign in through ZITADEL and choose "${plan.idp.name}".`);
  return steps;
}
