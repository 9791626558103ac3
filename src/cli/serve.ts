import { createServer, type ServerResponse } from 'node:http';
import { joinUrl } from '../config/demo.js';
import { DEMO_USERS } from '../legacy/demo-seed.js';
import { createApp } from '../server/app.js';
import { createLogger } from '../server/logger.js';
import { openResources } from '../server/resources.js';
import { EXIT, type Command } from './command.js';
import { configOption, loadConfigOption } from './config-option.js';

/** Requests in flight get this long after a stop signal; then their connections are cut. */
const DRAIN_MS = 5000;
/** The longest a stop may take in all, database connections closed included. */
const SHUTDOWN_LIMIT_MS = 15_000;

export const serveCommand: Command = {
  path: ['serve'],
  summary: 'Run the OpenID Connect provider over the legacy user database.',
  details: `
Without a configuration file (config/bridge.yaml, BRIDGE_CONFIG or --config) the bridge starts in demo mode:
localhost, the embedded database in .data/demo, a development signing key in keys/demo-jwks.json, a demo
client and seeded demo users (kept apart from what a real configuration uses).
Environment: PORT, HOST, ISSUER, DATABASE_URL, LEGACY_DATABASE_URL (ignored in demo mode), LOG_LEVEL; in demo
mode also DEMO_CLIENT_ID, DEMO_CLIENT_SECRET and DEMO_REDIRECT_URIS (comma-separated).`,
  options: {
    config: configOption,
  },
  async run(args) {
    const loaded = loadConfigOption(args);
    const { config } = loaded;
    const logger = createLogger(config.log.level);
    let resources;
    try {
      resources = await openResources(config, logger);
    } catch (error) {
      process.stderr.write(`Cannot start: ${(error as Error).message}\n`);
      return EXIT.failure;
    }
    const { provider } = createApp(config, resources);
    const handle = provider.callback();
    let stopping = false;
    // Once stopping, every answer closes its connection: a keep-alive client (ZITADEL at /token) would
    // otherwise send its next request into the cut that ends the drain.
    const unanswered = new Set<ServerResponse>();
    const closeAfterAnswer = (response: ServerResponse) => {
      if (!response.headersSent) response.setHeader('Connection', 'close');
    };
    const server = createServer((request, response) => {
      if (stopping) closeAfterAnswer(response);
      else {
        unanswered.add(response);
        response.once('close', () => unanswered.delete(response));
      }
      void handle(request, response);
    });
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(config.server.port, config.server.host, resolve);
      });
    } catch (error) {
      await resources.close();
      process.stderr.write(`Cannot listen on ${config.server.host}:${config.server.port}: ${(error as Error).message}\n`);
      return EXIT.failure;
    }
    logger.info({ issuer: config.issuer, host: config.server.host, port: config.server.port, source: loaded.source }, 'legacy bridge listening');
    process.stdout.write(banner(config.issuer, config.demo, config.oidc.clients[0]?.clientId ?? ''));
    for (const notice of loaded.notices) process.stderr.write(`Note: ${notice}\n`);

    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        if (stopping) {
          // A second signal: the operator wants out now.
          logger.warn({ signal }, 'stopping at once');
          process.exit(EXIT.failure);
        }
        stopping = true;
        for (const response of unanswered) closeAfterAnswer(response);
        logger.info({ signal }, 'shutting down');
        server.close(() => resolve());
        // Keep-alive connections would hold the close open.
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), DRAIN_MS).unref();
        // Whatever still holds on (a database that stopped answering), the process ends.
        setTimeout(() => {
          logger.error({ afterMs: SHUTDOWN_LIMIT_MS }, 'shutdown did not finish in time; exiting');
          process.exit(EXIT.failure);
        }, SHUTDOWN_LIMIT_MS).unref();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
    await resources.close();
    return EXIT.ok;
  },
};

function banner(issuer: string, demo: boolean, clientId: string): string {
  const lines = ['', `Legacy bridge is running. Issuer: ${issuer}`, `Discovery: ${joinUrl(issuer, '/.well-known/openid-configuration')}`];
  if (demo) {
    lines.push(
      '',
      `Demo mode. Try a login: open ${joinUrl(issuer, '/demo')} in a browser and sign in as one of:`,
      ...DEMO_USERS.map((u) => `  ${u.username.padEnd(8)} ${u.password.padEnd(16)} ${u.note}`),
      '',
      `Your own OIDC client: client id '${clientId}', secret from DEMO_CLIENT_SECRET (default 'demo-secret'),`,
      'redirect URIs from DEMO_REDIRECT_URIS (comma-separated).',
    );
  }
  lines.push('Stop with Ctrl+C.', '');
  return lines.join('\n');
}
