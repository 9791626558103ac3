import type { Account, AccountClaims, KoaContextWithOIDC } from 'oidc-provider';
import type { BridgeConfig, ClientConfig } from '../config/schema.js';
import type { LegacyDirectory, LegacyUser } from '../legacy/directory.js';
import { userClaims } from './claims.js';
import { fromDirectory } from './directory-lookup.js';

/** The provider's account for a legacy user; the user rides along for the interaction checks. */
interface LegacyAccount extends Account {
  readonly legacyUser: LegacyUser;
}

/** The legacy user behind an account `findAccount` returned. */
export function legacyUserOf(account: Account | undefined): LegacyUser | undefined {
  return (account as LegacyAccount | undefined)?.legacyUser;
}

/** oidc-provider's `findAccount`: a legacy user that exists and is not disabled, with their claims. */
export function accountFinder(config: BridgeConfig, directory: LegacyDirectory, clients: ReadonlyMap<string, ClientConfig>) {
  return async (ctx: KoaContextWithOIDC, sub: string): Promise<LegacyAccount | undefined> => {
    const user = await fromDirectory(directory.findById(sub));
    if (!user || user.disabled) return undefined;
    const claims = userClaims(user, config.claims);
    const withIdTokenClaims = clients.get(ctx.oidc.client?.clientId ?? '')?.idTokenClaims ?? false;
    return {
      accountId: user.id,
      legacyUser: user,
      claims: (use: string): AccountClaims => (use === 'id_token' && !withIdTokenClaims ? { sub: user.id } : { ...claims, sub: user.id }),
    };
  };
}
