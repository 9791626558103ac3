import type { KoaContextWithOIDC } from 'oidc-provider';

/**
 * Whether single sign-on at the bridge must give way to a password login for this client and user: the
 * post-login hook and the Post Creation action hand a password to ZITADEL only after a login at most
 * `maxLoginAgeSeconds` old. Without this, a user whose ZITADEL account was never created (ZITADEL failed, or
 * the user turned away) would come back through the bridge's session, and ZITADEL would create them
 * without a password.
 */
export type FreshLoginRule = (ctx: KoaContextWithOIDC, accountId: string) => Promise<boolean>;

export interface FreshLoginOptions {
  /** Clients ZITADEL uses (configured with `zitadelUrl`); other relying parties keep plain single sign-on. */
  readonly zitadelClients: ReadonlySet<string>;
  readonly maxLoginAgeSeconds: number;
  /** What the migration ledger says of the user, or undefined when it has no row. */
  readonly ledgerEntry: (legacyId: string) => Promise<{ readonly confirmed: boolean; readonly zitadelUserId: string | null; readonly lastLoginAt: Date | null } | undefined>;
}

export function freshLoginRule({ zitadelClients, maxLoginAgeSeconds, ledgerEntry }: FreshLoginOptions): FreshLoginRule {
  return async (ctx, accountId) => {
    if (!zitadelClients.has(ctx.oidc.client?.clientId ?? '')) return false;
    const entry = await ledgerEntry(accountId);
    // ZITADEL holds the user already (migrated, or waiting for `migrate retry`): no password is needed from here.
    if (entry?.confirmed || entry?.zitadelUserId) return false;
    const last = entry?.lastLoginAt?.getTime() ?? 0;
    return last < Date.now() - maxLoginAgeSeconds * 1000;
  };
}
