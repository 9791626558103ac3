import type { BridgeConfig } from '../config/schema.js';
import { createLogger } from '../server/logger.js';
import { openDataResources, type DataResources } from '../server/resources.js';
import { EXIT, UsageError, booleanOption, stringOption, type Command, type ParsedArgs } from './command.js';
import { configOption, loadConfigOption } from './config-option.js';

/** Load the configuration and open the data resources, reporting problems the way every command does. */
async function withData(args: ParsedArgs, work: (config: BridgeConfig, data: DataResources) => Promise<number>): Promise<number> {
  const { config } = loadConfigOption(args);
  let data: DataResources;
  try {
    data = await openDataResources(config, createLogger(process.env.LOG_LEVEL ?? 'warn', process.stderr));
  } catch (error) {
    process.stderr.write(`Cannot open the databases: ${(error as Error).message}\n`);
    return EXIT.failure;
  }
  try {
    return await work(config, data);
  } finally {
    await data.close();
  }
}

export const migrateStatusCommand: Command = {
  path: ['migrate', 'status'],
  summary: 'Show how many legacy users are seen, migrated and failed, from the migration ledger.',
  options: {
    config: configOption,
    json: { type: 'boolean', description: 'Print one JSON object instead of a table.' },
  },
  run: (args) =>
    withData(args, async (_config, { migration }) => {
      const counts = await migration.counts();
      if (booleanOption(args, 'json')) {
        process.stdout.write(`${JSON.stringify(counts)}\n`);
        return EXIT.ok;
      }
      const rows: Array<[string, number]> = [
        ['seen (logged in, not yet handed over)', counts.seen],
        ['migrated', counts.migrated],
        ['failed (see migrate retry)', counts.failed],
        ['total', counts.total],
        ['hand-off hashes waiting', counts.pendingHashes],
      ];
      const width = Math.max(...rows.map(([label]) => label.length));
      process.stdout.write(`${rows.map(([label, n]) => `${label.padEnd(width)}  ${n}`).join('\n')}\n`);
      return EXIT.ok;
    }),
};

export const migrateRetryCommand: Command = {
  path: ['migrate', 'retry'],
  summary: 'Complete hand-offs left pending or failed (ZITADEL was down, the bridge stopped mid-way, a reset is due).',
  details: 'Needs zitadel.url, pat, organizationId and idpId. Exit code 1 when some users could not be completed; run it again later.',
  options: {
    config: configOption,
    limit: { type: 'string', description: 'Handle at most this many users (default 1000).', placeholder: 'N' },
    json: { type: 'boolean', description: 'Print the report as JSON.' },
  },
  run: (args) =>
    withData(args, async (config, { migration }) => {
      const limitText = stringOption(args, 'limit') ?? '1000';
      if (!/^\d+$/.test(limitText) || Number(limitText) < 1) throw new UsageError('--limit must be a positive whole number');
      if (!config.zitadel.url || !config.zitadel.pat || !config.zitadel.organizationId || !config.zitadel.idpId) {
        process.stderr.write('migrate retry needs ZITADEL\'s API: set zitadel.url, zitadel.pat, zitadel.organizationId and zitadel.idpId.\n');
        return EXIT.usage;
      }
      const report = await migration.retry(Number(limitText));
      if (booleanOption(args, 'json')) process.stdout.write(`${JSON.stringify(report)}\n`);
      else {
        process.stdout.write(`${report.attempted} attempted, ${report.completed} completed, ${report.failed.length} still failing\n`);
        for (const failure of report.failed) process.stdout.write(`  ${failure.legacyId}: ${failure.reason}\n`);
      }
      return report.failed.length > 0 ? EXIT.failure : EXIT.ok;
    }),
};
