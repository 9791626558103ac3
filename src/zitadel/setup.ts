import { chmodSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { Code } from '@connectrpc/connect';
import { ZitadelSetupError, type ExistingIdp, type ExistingTarget, type IdpSettings, type SetupApi, type TargetSettings } from './setup/api.js';
import type { SetupPlan } from './setup/plan.js';

/**
 * `legacy-bridge zitadel setup`: make ZITADEL federate to the bridge. Creates or updates the organization's
 * generic OIDC IdP, activates it in the organization's login policy and, with the hook on, creates or updates
 * the Actions v2 target and its execution on RetrieveIdentityProviderIntent. Every step first reads what
 * exists and changes only what differs, so a second run changes nothing.
 */

export { connectSetupApi, DRY_RUN_ID, ZitadelSetupError, type RecordedCall, type SetupApi, type SetupApiOptions } from './setup/api.js';
export { resolveSetupPlan, SetupPlanError, type SetupPlan, type SetupRequest } from './setup/plan.js';
export { formatSetupReport, formatSetupSteps, formatSigningKey, isDeniedByDefault } from './setup/report.js';

export type Outcome = 'created' | 'updated' | 'unchanged';

export interface SetupStep {
  readonly subject: 'identity provider' | 'login policy' | 'target' | 'execution';
  readonly outcome: Outcome;
  /** One line: what the object is now. */
  readonly detail: string;
  /** For an update: what changed, e.g. `isIdTokenMapping: false → true`. Never a secret's value. */
  readonly changes: readonly string[];
}

export interface SigningKeyResult {
  /** Why ZITADEL handed out a key: a new target, or a rotation. */
  readonly reason: 'created' | 'rotated';
  /** The key, when it was not written to a file (or writing failed); print it once. */
  readonly value?: string;
  readonly file?: string;
  readonly writeError?: string;
}

export interface SetupReport {
  readonly dryRun: boolean;
  readonly plan: SetupPlan;
  readonly steps: SetupStep[];
  idpId?: string;
  targetId?: string;
  signingKey?: SigningKeyResult;
  /** The organization's login policy lets users sign in with external IdPs (the IdP button shows). */
  allowExternalIdp?: boolean;
  /** Things the operator should know, found on the way. */
  readonly notes: string[];
}

/** A step failed; `report` holds the steps done before it. */
export class SetupFailedError extends Error {
  readonly code = 'SETUP_FAILED';
  constructor(
    message: string,
    readonly report: SetupReport,
    readonly grpcCode?: Code,
  ) {
    super(message);
  }
}

export interface SetupRunOptions {
  readonly dryRun: boolean;
}

export async function runZitadelSetup(api: SetupApi, plan: SetupPlan, options: SetupRunOptions): Promise<SetupReport> {
  const report: SetupReport = { dryRun: options.dryRun, plan, steps: [], notes: [] };
  try {
    const idpId = await ensureIdp(api, plan, report);
    report.idpId = idpId;
    await ensureLoginPolicy(api, idpId, report);
    if (plan.hook) await ensureHook(api, plan, report, options.dryRun);
    return report;
  } catch (error) {
    if (error instanceof ZitadelSetupError) throw new SetupFailedError(error.message, report, error.grpcCode);
    throw error;
  }
}

// --- identity provider

function idpDifferences(existing: ExistingIdp, wanted: IdpSettings): string[] {
  const changes: string[] = [];
  const compare = (field: string, from: unknown, to: unknown) => {
    if (JSON.stringify(from) !== JSON.stringify(to)) changes.push(`${field}: ${JSON.stringify(from)} → ${JSON.stringify(to)}`);
  };
  compare('name', existing.name, wanted.name);
  compare('issuer', existing.issuer, wanted.issuer);
  compare('clientId', existing.clientId, wanted.clientId);
  compare('scopes', existing.scopes, wanted.scopes);
  compare('isIdTokenMapping', existing.isIdTokenMapping, wanted.isIdTokenMapping);
  compare('usePkce', existing.usePkce, wanted.usePkce);
  for (const key of ['isLinkingAllowed', 'isCreationAllowed', 'isAutoCreation', 'isAutoUpdate', 'autoLinking'] as const) {
    compare(`providerOptions.${key}`, existing.options[key], wanted.options[key]);
  }
  return changes;
}

async function findOurIdp(api: SetupApi, plan: SetupPlan, report: SetupReport): Promise<ExistingIdp | undefined> {
  // The configured id first: the name may have been given to another provider meanwhile, which this command
  // must not overwrite; the configured one may have been renamed in the console.
  if (plan.configuredIdpId) {
    const byId = (await api.findIdps({ id: plan.configuredIdpId })).find((idp) => idp.id === plan.configuredIdpId && idp.owner === 'org');
    if (byId) return byId;
  }
  const named = (await api.findIdps({ name: plan.idp.name })).filter((idp) => idp.name === plan.idp.name);
  const own = named.filter((idp) => idp.owner === 'org');
  if (own.length > 1) {
    throw new ZitadelSetupError(
      `organization ${plan.organizationId} has ${own.length} identity providers named "${plan.idp.name}" (${own.map((idp) => idp.id).join(', ')}); ` +
        'delete or rename the extra ones, set zitadel.idpId to the one to keep, or choose another --name',
      Code.FailedPrecondition,
    );
  }
  if (own.length === 0 && named.some((idp) => idp.owner === 'instance')) {
    report.notes.push(`An instance-wide identity provider is also named "${plan.idp.name}"; this command manages the organization's own.`);
  }
  return own[0];
}

async function ensureIdp(api: SetupApi, plan: SetupPlan, report: SetupReport): Promise<string> {
  const wanted = plan.idp;
  const detail = `"${wanted.name}" (generic OIDC, issuer ${wanted.issuer}, client ${wanted.clientId})`;
  const existing = await findOurIdp(api, plan, report);
  if (existing && existing.kind !== 'oidc') {
    throw new ZitadelSetupError(
      `the identity provider "${existing.name}" (${existing.id}) is a ${existing.kind} IdP, not generic OIDC; choose another --name`,
      Code.FailedPrecondition,
    );
  }
  if (!existing) {
    const id = await api.addIdp(wanted);
    report.steps.push({ subject: 'identity provider', outcome: 'created', detail, changes: [] });
    return id;
  }
  const changes = idpDifferences(existing, wanted);
  if (changes.length === 0 && !plan.resendClientSecret) {
    report.steps.push({ subject: 'identity provider', outcome: 'unchanged', detail, changes: [] });
    report.notes.push(
      'ZITADEL never returns the client secret, so it cannot be compared: if the secret of client ' +
        `${wanted.clientId} changed, run again with --update-client-secret.`,
    );
    return existing.id;
  }
  await api.updateIdp(existing.id, wanted);
  report.steps.push({ subject: 'identity provider', outcome: 'updated', detail, changes: [...changes, 'clientSecret: sent again (ZITADEL does not show it)'] });
  return existing.id;
}

// --- login policy

async function ensureLoginPolicy(api: SetupApi, idpId: string, report: SetupReport): Promise<void> {
  const policy = await api.loginPolicy();
  report.allowExternalIdp = policy.allowExternalIdp;
  if (policy.isDefault) {
    // An organization activates its own IdPs only on a policy of its own: copy the instance default,
    // keeping the instance IdPs it shows, and add ours.
    await api.addCustomLoginPolicy(policy.policy, [...policy.idpIds.map((id) => ({ idpId: id, owner: 'instance' as const })), { idpId, owner: 'org' as const }]);
    report.steps.push({
      subject: 'login policy',
      outcome: 'created',
      detail: "the organization's own login policy, a copy of the instance default, with the IdP active",
      changes: [],
    });
    return;
  }
  if (policy.idpIds.includes(idpId)) {
    report.steps.push({ subject: 'login policy', outcome: 'unchanged', detail: 'the IdP is active in the organization\'s login policy', changes: [] });
    return;
  }
  const added = await api.addIdpToLoginPolicy(idpId);
  report.steps.push({
    subject: 'login policy',
    outcome: added === 'added' ? 'updated' : 'unchanged',
    detail: 'the IdP is active in the organization\'s login policy',
    changes: added === 'added' ? ['IdP activated'] : [],
  });
}

// --- Actions v2 hook

function targetDifferences(existing: ExistingTarget, wanted: TargetSettings): string[] {
  const changes: string[] = [];
  if (existing.endpoint !== wanted.endpoint) changes.push(`endpoint: ${existing.endpoint} → ${wanted.endpoint}`);
  if (existing.type !== 'restCall') changes.push(`type: ${existing.type} → restCall`);
  if (existing.interruptOnError !== wanted.interruptOnError) changes.push(`interruptOnError: ${existing.interruptOnError} → ${wanted.interruptOnError}`);
  if (existing.timeoutMs !== wanted.timeoutMs) changes.push(`timeout: ${existing.timeoutMs / 1000}s → ${wanted.timeoutMs / 1000}s`);
  return changes;
}

/** Written next to the file and renamed over it, readable by its owner only. */
export function writeSigningKeyFile(file: string, key: string): void {
  const temporary = `${file}.${process.pid}.tmp`;
  try {
    writeFileSync(temporary, `${key}\n`, { mode: 0o600, flag: 'w' });
    chmodSync(temporary, 0o600);
    renameSync(temporary, file);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

async function ensureHook(api: SetupApi, plan: SetupPlan, report: SetupReport, dryRun: boolean): Promise<void> {
  const hook = plan.hook!;
  const wanted = hook.target;
  const detail = `"${wanted.name}" → ${wanted.endpoint} (restCall, interruptOnError, timeout ${wanted.timeoutMs / 1000}s)`;
  const existing = await api.findTarget(wanted.name);
  let key: { value: string; reason: 'created' | 'rotated' } | undefined;
  let targetId: string;
  if (!existing) {
    const created = await api.createTarget(wanted);
    targetId = created.id;
    report.steps.push({ subject: 'target', outcome: 'created', detail, changes: [] });
    key = { value: created.signingKey, reason: 'created' };
  } else {
    targetId = existing.id;
    const changes = targetDifferences(existing, wanted);
    if (changes.length > 0 || hook.rotateSigningKey) {
      const updated = await api.updateTarget(existing.id, changes.length > 0 ? wanted : undefined, hook.rotateSigningKey);
      report.steps.push({ subject: 'target', outcome: 'updated', detail, changes: [...changes, ...(hook.rotateSigningKey ? ['signing key rotated'] : [])] });
      if (hook.rotateSigningKey) {
        if (updated.signingKey || dryRun) key = { value: updated.signingKey ?? '', reason: 'rotated' };
        else report.notes.push('ZITADEL answered the rotation without a new signing key; check the target in the console.');
      }
    } else {
      report.steps.push({ subject: 'target', outcome: 'unchanged', detail, changes: [] });
    }
    if (!hook.rotateSigningKey) {
      report.notes.push(
        'The target existed already: ZITADEL hands out a signing key only when it creates a target, so the key the bridge has stays valid. ' +
          'Lost it? Run again with --rotate-signing-key (the old key stops working at once).',
      );
      if (hook.configuredKeys === 0) report.notes.push('The bridge configuration has no zitadel.hook.signingKeys: the hook refuses every call until it has the target\'s key.');
    }
  }
  report.targetId = targetId;

  // Kept before any later step can fail: ZITADEL never hands this key out again.
  if (key) {
    if (dryRun) {
      report.signingKey = { reason: key.reason, ...(hook.signingKeyFile ? { file: hook.signingKeyFile } : {}) };
    } else if (hook.signingKeyFile) {
      try {
        writeSigningKeyFile(hook.signingKeyFile, key.value);
        report.signingKey = { reason: key.reason, file: hook.signingKeyFile };
      } catch (error) {
        // The key is not handed out again: show it rather than lose it.
        report.signingKey = { reason: key.reason, value: key.value, file: hook.signingKeyFile, writeError: (error as NodeJS.ErrnoException).code ?? (error as Error).message };
      }
    } else {
      report.signingKey = { reason: key.reason, value: key.value };
    }
  }

  const current = await api.responseExecution(hook.method);
  if (current?.includes(targetId)) {
    report.steps.push({ subject: 'execution', outcome: 'unchanged', detail: `response of ${hook.method} → the target`, changes: [] });
  } else {
    const targets = [...(current ?? []), targetId];
    await api.setResponseExecution(hook.method, targets);
    report.steps.push({
      subject: 'execution',
      outcome: current ? 'updated' : 'created',
      detail: `response of ${hook.method} → ${targets.length > 1 ? `${targets.length} targets, the bridge's last` : 'the target'}`,
      changes: current ? [`targets: ${JSON.stringify(current)} → ${JSON.stringify(targets)}`] : [],
    });
    if (current && current.length > 0) report.notes.push(`The execution also calls target(s) ${current.join(', ')}, before the bridge's: check they belong there.`);
  }
}
