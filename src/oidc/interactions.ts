import { interactionPolicy } from 'oidc-provider';
import type { LegacyConfig } from '../config/schema.js';
import type { LegacyDirectory } from '../legacy/directory.js';
import { legacyUserOf } from './account.js';
import type { FreshLoginRule } from './fresh-login.js';
import { loginHintMatcher } from './login-hint.js';

const { Check } = interactionPolicy;

/**
 * The provider's interaction policy with the bridge's additions.
 *
 * ZITADEL sends `prompt=select_account` on every request without `login_hint`. The prompt is accepted and
 * never blocks: without a session the login prompt runs anyway; with one, single sign-on continues.
 *
 * A login is asked for (with `prompt=none`: `login_required`) when
 * - the session's account can no longer be found, or is disabled: its grant and claims are gone with it;
 * - a `login_hint` is not one of the signed-in user's own login names: ZITADEL sends it when it knows who
 *   is signing in, and on a shared computer single sign-on would otherwise hand it the previous person.
 *   Whether the hint names anybody else is never looked at, so the answer tells the signed-in user nothing
 *   about which names exist;
 * - `freshLogin` says ZITADEL needs the password handed over and the last password login is too old for that.
 */
export function interactions(legacy: LegacyConfig, directory: LegacyDirectory, freshLogin?: FreshLoginRule): ReturnType<typeof interactionPolicy.base> {
  const policy = interactionPolicy.base();
  const selectAccount = new interactionPolicy.Prompt({ name: 'select_account', requestable: true });
  selectAccount.checks.clear();
  policy.add(selectAccount, 0);
  const hintNamesUser = loginHintMatcher(legacy, directory);
  const login = policy.get('login')!;
  login.checks.add(
    new Check('account_gone', 'End-User authentication is required', 'login_required', (ctx) =>
      ctx.oidc.session?.accountId && !ctx.oidc.account ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT,
    ),
  );
  login.checks.add(
    new Check('login_hint_other_user', 'login_hint names another user than the one signed in', 'login_required', async (ctx) => {
      const { oidc } = ctx;
      const hint = oidc.params?.login_hint;
      const user = legacyUserOf(oidc.account);
      // No signed-in user (or one that is gone: asked for above). Just signed in during this very
      // interaction: whoever that is stands (asking again would loop).
      if (typeof hint !== 'string' || hint.trim() === '' || !user || oidc.result?.login) return Check.NO_NEED_TO_PROMPT;
      return (await hintNamesUser(hint.trim(), user)) ? Check.NO_NEED_TO_PROMPT : Check.REQUEST_PROMPT;
    }),
  );
  if (freshLogin) {
    login.checks.add(
      new Check('hand_off_needs_password', 'a password login is needed to move the account to ZITADEL', 'login_required', async (ctx) => {
        const user = legacyUserOf(ctx.oidc.account);
        if (!user || ctx.oidc.result?.login) return Check.NO_NEED_TO_PROMPT;
        return (await freshLogin(ctx, user.id)) ? Check.REQUEST_PROMPT : Check.NO_NEED_TO_PROMPT;
      }),
    );
  }
  return policy;
}
