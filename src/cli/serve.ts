import { createServer } from 'node:http';
import { joinUrl } from '../config/demo.js';
import { DEMO_USERS } from '../legacy/demo-seed.js';
import { createApp } from '../server/app.js';
import { createLogger } from '../server/logger.js';
import { openResources } from '../server/resources.js';
import { EXIT, type Command } from './command.js';
import { configOption, loadConfigOption } from './config-option.js';

export const serveCommand: Command = {
  path: ['serve'],
  summary: 'Run the OpenID Connect provider over the legacy user database.',
  details: `
Without a configuration file (config/bridge.yaml, BRIDGE_CONFIG or --config) the bridge starts in demo mode:
localhost, the embedded database, a development signing key, a demo client and seeded demo users.
Environment: PORT, HOST, ISSUER, DATABASE_URL, LEGACY_DATABASE_URL, LOG_LEVEL; in demo mode also
DEMO_CLIENT_ID, DEMO_CLIENT_SECRET and DEMO_REDIRECT_URIS (comma-separated).`,
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
    const server = createServer(provider.callback());
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

    await new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        logger.info({ signal }, 'shutting down');
        server.close(() => resolve());
        // Keep-alive connections would hold the close open.
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 5000).unref();
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
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
