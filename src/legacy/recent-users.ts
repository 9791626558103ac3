import type { LegacyDirectory, LegacyUser } from './directory.js';

interface Entry {
  readonly user: LegacyUser | undefined;
  readonly until: number;
}

/**
 * One login reads the same legacy row several times within a second: once to check the password, then
 * for the claims at the redirect, at the token endpoint, at userinfo, and in the post-login hook. This
 * keeps each row read by id or found at a login for `seconds`, so those reads cost no round trip to the
 * legacy database. Password checks never come from here: `findByLogin` always asks the database, so a
 * changed password or a disabled user takes effect at the next login; claims may be `seconds` old.
 */
export function rememberRecentUsers(directory: LegacyDirectory, seconds: number, capacity = 10_000): LegacyDirectory {
  if (seconds <= 0) return directory;
  const entries = new Map<string, Entry>();
  const remember = (id: string, user: LegacyUser | undefined) => {
    entries.delete(id);
    // Insertion order is age order: the oldest entry goes first when full.
    if (entries.size >= capacity) entries.delete(entries.keys().next().value!);
    entries.set(id, { user, until: Date.now() + seconds * 1000 });
  };

  const cached: LegacyDirectory = {
    async findByLogin(login) {
      const user = await directory.findByLogin(login);
      if (user) remember(user.id, user);
      return user;
    },
    async findById(id) {
      const entry = entries.get(id);
      if (entry && entry.until > Date.now()) return entry.user;
      const user = await directory.findById(id);
      remember(id, user);
      return user;
    },
    list: (options) => directory.list(options),
    ping: () => directory.ping(),
    close: () => directory.close(),
  };
  if (directory.markMigrated) cached.markMigrated = directory.markMigrated.bind(directory);
  return cached;
}
