import bcrypt from 'bcrypt';
import type * as client from 'openid-client';
import { Ledger } from '../../src/migration/ledger.js';
import { SealedBox } from '../../src/migration/sealed-box.js';
import { RETRIEVE_INTENT_METHOD } from '../../src/zitadel/hook.js';
import { startDouble, type DoubleWithClients } from '../zitadel-double/fixtures.js';
import { startTestBridge, type TestBridge } from './bridge.js';
import { bridgeDatabaseForE2E, uniqueTableName } from './databases.js';
import { createLegacyTable, legacySection, type TestUser } from './legacy-users.js';
import { login, zitadelRelyingParty, type CompletedLogin } from './relying-party.js';
import { passwapPolicy } from './zitadel-hash-policy.js';
import { TcpProxy } from './tcp-proxy.js';
import type { Database } from '../../src/store/database.js';
import type { IntentOutcome } from './zitadel/index.js';

/**
 * A ZITADEL double and a bridge wired together as an operator would: the bridge is ZITADEL's generic OIDC
 * IdP, the hook is an Actions v2 target on RetrieveIdentityProviderIntent, and the API is reachable with a PAT.
 */
export interface MigrationWorld {
  readonly zitadel: DoubleWithClients;
  readonly bridge: TestBridge;
  readonly rp: client.Configuration;
  readonly db: Database;
  readonly table: string;
  readonly idpId: string;
  readonly ids: Map<string, string>;
  /** Present with `proxy: true`. */
  readonly zitadelProxy?: TcpProxy;
  /** A user logs in at ZITADEL through the bridge (login v2): the bridge login, then ZITADEL's intent with the hook. */
  brokeredLogin(username: string, password: string): Promise<{ login: CompletedLogin; intent: IntentOutcome }>;
  close(): Promise<void>;
}

export interface WorldOptions {
  readonly users: readonly TestUser[];
  readonly schemes: readonly string[];
  /** ZITADEL's enabled verifiers (bcrypt always). */
  readonly verifiers: readonly string[];
  readonly hook?: boolean;
  /** More settings of the `zitadel` section. */
  readonly zitadel?: Record<string, unknown>;
  readonly legacy?: Record<string, unknown>;
  /** Reach ZITADEL's API through a TCP proxy, so a test can take ZITADEL away and bring it back. */
  readonly proxy?: boolean;
}

export async function startMigrationWorld(options: WorldOptions): Promise<MigrationWorld> {
  const zitadel = await startDouble({ hashPolicy: passwapPolicy, enabledVerifiers: options.verifiers });
  let zitadelProxy: TcpProxy | undefined;
  let apiUrl = zitadel.double.url;
  if (options.proxy) {
    const target = new URL(zitadel.double.url);
    zitadelProxy = new TcpProxy(target.hostname, Number(target.port));
    await zitadelProxy.start();
    apiUrl = `${target.protocol}//127.0.0.1:${zitadelProxy.port}`;
  }
  const db = await bridgeDatabaseForE2E();
  const table = uniqueTableName('legacy_migration');
  const ids = await createLegacyTable(db, table, options.users);
  // Settings may name the table as LEGACY_TABLE (a flag statement, say).
  const legacyExtra = JSON.parse(JSON.stringify(options.legacy ?? {}).replaceAll('LEGACY_TABLE', table)) as Record<string, unknown>;
  let idpId = '';
  const bridge = await startTestBridge({
    db,
    legacy: legacySection(table, { passwords: { schemes: options.schemes, options: { saltOrder: 'salt+password' } }, ...legacyExtra }),
    adjust: async (raw) => {
      const idp = zitadel.double.addGenericOidcIdp({ issuer: raw.issuer, clientId: raw.oidc.clients[0].clientId, clientSecret: raw.oidc.clients[0].clientSecret });
      idpId = idp.id;
      const section: Record<string, unknown> = {
        url: apiUrl,
        pat: zitadel.double.pat,
        organizationId: zitadel.double.defaultOrgId,
        idpId,
        ...options.zitadel,
      };
      if (options.hook !== false) {
        const endpoint = `${raw.issuer}/hooks/zitadel/idp-intent`;
        const { id, signingKey } = await zitadel.actions.createTarget({
          name: `bridge-${table}`,
          endpoint,
          timeout: { seconds: 10n },
          targetType: { case: 'restCall', value: { interruptOnError: true } },
        });
        await zitadel.actions.setExecution({
          condition: { conditionType: { case: 'response', value: { condition: { case: 'method', value: RETRIEVE_INTENT_METHOD } } } },
          targets: [id],
        });
        section.hook = { enabled: true, signingKeys: [signingKey] };
      }
      raw.zitadel = section;
      raw.handoff = { zitadel: { verifiers: ['bcrypt', ...options.verifiers] } };
    },
  });
  const rp = await zitadelRelyingParty(bridge);
  return {
    zitadel,
    bridge,
    rp,
    db,
    table,
    idpId,
    ids,
    ...(zitadelProxy ? { zitadelProxy } : {}),
    async brokeredLogin(username, password) {
      const result = await login(rp, bridge, username, password);
      const intent = await zitadel.double.retrieveIdentityProviderIntent({
        idpId,
        idpUserId: result.idToken.sub,
        idpUserName: String(result.userinfo.preferred_username ?? ''),
        rawInformation: result.userinfo as never,
        accessToken: result.tokens.access_token,
        idToken: result.tokens.id_token!,
      });
      return { login: result, intent };
    },
    async close() {
      await bridge.close();
      await zitadelProxy?.stop();
      await zitadel.double.close();
      await db.query(`DROP TABLE IF EXISTS ${table}`);
    },
  };
}

/** The ZITADEL user of that username in the world's double, if ZITADEL created one. */
export function zitadelUserOf(world: MigrationWorld, username: string) {
  return [...world.zitadel.double.state.users.values()].find((user) => user.username === username);
}

/** The bridge's ledger, read with the bridge's own keys. */
export function ledgerOf(world: MigrationWorld): Ledger {
  return new Ledger(world.db, new SealedBox(world.bridge.config.oidc.cookieKeys.map((key) => key.reveal()), 'hand-off hash'));
}

/** ZITADEL's intent after a bridge login (login v2), the hook called; `autoCreation: false` creates nobody. */
export function intentAfter(world: MigrationWorld, done: CompletedLogin, username: string, autoCreation = true): Promise<IntentOutcome> {
  return world.zitadel.double.retrieveIdentityProviderIntent({
    idpId: world.idpId,
    idpUserId: done.idToken.sub,
    idpUserName: username,
    rawInformation: done.userinfo as never,
    accessToken: done.tokens.access_token,
    autoCreation,
  });
}

/** Time passes: the login is older than the hook accepts, and the cleanup has erased the released hash. */
export async function loginWindowPasses(world: MigrationWorld, legacyId: string): Promise<void> {
  await world.db.query("UPDATE migration_ledger SET last_login_at = now() - interval '1 hour', pending_hash = NULL, pending_expires_at = NULL WHERE legacy_id = $1", [legacyId]);
}

/** A bcrypt cost 10 hash as PHP writes it ($2y$). */
export async function storePhpBcrypt10(password: string): Promise<{ hash: string }> {
  return { hash: (await bcrypt.hash(password, 10)).replace(/^\$2b\$/, '$2y$') };
}
