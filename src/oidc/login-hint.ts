import type { LegacyConfig } from '../config/schema.js';
import type { LegacyDirectory, LegacyProfile, LegacyUser } from '../legacy/directory.js';
import { fromDirectory } from './directory-lookup.js';

/** Profile fields that hold a column's text unchanged, so a login column mapped to one shows the user's login name. */
const VERBATIM_FIELDS = ['email', 'preferredUsername', 'nickname', 'name', 'givenName', 'familyName'] as const satisfies ReadonlyArray<keyof LegacyProfile>;

/**
 * Whether a `login_hint` is one of the signed-in user's own login names, compared as the directory compares
 * logins (ignoring case unless `caseInsensitiveLogin` is off). The answer never depends on whether the hint
 * names anybody else: a name that is nobody's and a name that is someone else's are both "not this user".
 *
 * The names are read from the user's row where the login columns are also profile columns (username,
 * email). Only when some login column is not (or with explicit queries, which may match anything) is the
 * directory asked whom the hint names, and that answer is compared with the signed-in user alone.
 */
export function loginHintMatcher(legacy: LegacyConfig, directory: LegacyDirectory): (hint: string, user: LegacyUser) => Promise<boolean> {
  const { columns } = legacy;
  const fields = VERBATIM_FIELDS.filter((field) => columns[field] !== undefined && columns.login.includes(columns[field]));
  const visible = new Set(fields.map((field) => columns[field]));
  const onlyDirectoryKnows = legacy.queries !== undefined || columns.login.some((column) => !visible.has(column));
  const normalize = legacy.caseInsensitiveLogin ? (name: string) => name.toLowerCase() : (name: string) => name;

  return async (hint, user) => {
    const wanted = normalize(hint);
    const ownNames = fields.map((field) => user.profile[field]).filter((name): name is string => typeof name === 'string');
    if (ownNames.some((name) => normalize(name) === wanted)) return true;
    if (!onlyDirectoryKnows) return false;
    return (await fromDirectory(directory.findByLogin(hint)))?.id === user.id;
  };
}
