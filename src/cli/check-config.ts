import { openLegacyDirectory } from '../legacy/registry.js';
import { describeUrl, openDatabase } from '../store/database.js';
import { signingKeysOf } from '../server/resources.js';
import { EXIT, type Command } from './command.js';
import { configOption, loadConfigOption } from './config-option.js';

interface Check {
  readonly name: string;
  run(): Promise<string>;
}

export const checkConfigCommand: Command = {
  path: ['check-config'],
  summary: 'Validate the configuration, reporting every problem at once, and check that both databases answer.',
  details:
    'Exit codes: 0 all good; 1 a check failed (keys, a database); 2 the configuration itself is invalid. ' +
    'With the embedded database, run it while the bridge is stopped: one process at a time may open the data folder.',
  options: {
    config: configOption,
  },
  async run(args) {
    const loaded = loadConfigOption(args);
    const { config, source } = loaded;
    process.stdout.write(`Configuration ${source === 'demo' ? '(demo mode, no file)' : source} is valid. Issuer: ${config.issuer}\n`);
    for (const notice of loaded.notices) process.stdout.write(`Note: ${notice}\n`);

    const checks: Check[] = [
      { name: 'signing keys', run: async () => `${signingKeysOf(config).keys.length} key(s) in ${config.oidc.jwksFile}` },
      {
        name: 'bridge database',
        run: async () => {
          const db = await openDatabase(config.database);
          try {
            await db.query('SELECT 1');
            if (!config.legacy.url) {
              await legacyCheck(db);
              return `${db.kind === 'embedded' ? `embedded in ${config.database.dataDir}` : describeUrl(config.database.url!)}, also holding the legacy table`;
            }
          } finally {
            await db.close();
          }
          return db.kind === 'embedded' ? `embedded in ${config.database.dataDir}` : describeUrl(config.database.url!);
        },
      },
    ];
    async function legacyCheck(bridge: Parameters<typeof openLegacyDirectory>[1]): Promise<void> {
      // No claims cache: every check below must reach the database.
      const directory = await openLegacyDirectory({ ...config.legacy, claimsCacheSeconds: 0 }, bridge);
      try {
        await directory.ping();
        // Runs the real lookup, so a wrong table or column name shows here and not at the first login.
        await directory.findByLogin(`config-check-${Date.now()}`);
        // …and maps a real row, so a wrong id column or alias shows here and not as a shared or failing `sub`.
        const [first] = !config.legacy.queries || config.legacy.queries.list ? await directory.list({ limit: 1 }) : [];
        // findById serves every token and userinfo request after the login: a broken one would fail them all.
        if (first) {
          if (!(await directory.findById(first.id))) {
            const settings = config.legacy.queries ? 'legacy.queries.findById and legacy.columns.id' : 'legacy.columns.id';
            throw new Error(`the lookup by id does not find the user with id ${first.id} that the users list returned; check ${settings}`);
          }
        } else {
          await directory.findById(`config-check-${Date.now()}`);
        }
      } finally {
        await directory.close();
      }
    }
    if (config.legacy.url) {
      const url = config.legacy.url;
      checks.push({
        name: 'legacy database',
        run: async () => {
          await legacyCheck({ query: () => Promise.reject(new Error('unused')) });
          return `${describeUrl(url)}, users query works`;
        },
      });
    }

    let failed = 0;
    for (const check of checks) {
      try {
        process.stdout.write(`  ok    ${check.name}: ${await check.run()}\n`);
      } catch (error) {
        failed += 1;
        process.stdout.write(`  FAIL  ${check.name}: ${(error as Error).message}\n`);
      }
    }
    return failed ? EXIT.failure : EXIT.ok;
  },
};
