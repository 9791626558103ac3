/**
 * The legacy database kinds a URL may name, by its scheme, and the family of directory that reads each.
 * Apart from the directories so the configuration can check a URL without loading any database driver.
 */
export const LEGACY_PROTOCOLS: Readonly<Record<string, 'postgres' | 'mysql'>> = {
  postgres: 'postgres',
  postgresql: 'postgres',
  mysql: 'mysql',
  mariadb: 'mysql',
};

export function supportedProtocols(): string[] {
  return Object.keys(LEGACY_PROTOCOLS);
}
