/**
 * ZITADEL Action (Actions v1, login v1 only) for zitadel-legacy-bridge.
 *
 *   Action name:  legacyBridgePostCreation   (ZITADEL calls legacyBridgePostCreation(ctx, api) by this name)
 *   Flow:         External Authentication
 *   Trigger:      Post Creation
 *   Timeout:      10 s (ZITADEL allows at most 20 s)
 *   Allowed to fail: on (so that a bridge outage never blocks a login)
 *
 * ZITADEL has just created a user from the bridge's identity provider, without a password (no v1 trigger
 * can set one). This action sends the new user's id to the bridge; the bridge checks the user's link to its
 * IdP and sets the user's password hash through ZITADEL's API. The hash never comes back here: the bridge
 * answers with a status only (204 when done).
 */

// ---- Fill these in -------------------------------------------------------------------------------------
// The bridge endpoint: the bridge's issuer followed by `zitadel.actionsV1.path`
// (default /hooks/zitadel/v1/post-creation). ZITADEL must be allowed to call this address (see the
// README's note on ZITADEL's outbound deny list).
var BRIDGE_URL = 'https://login.example.com/hooks/zitadel/v1/post-creation';
// The bridge's `zitadel.actionsV1.secret`, exactly. It must contain no comma and no blank: ZITADEL splits
// header values at commas. A random hex or base64url string is safe (openssl rand -hex 32).
var BRIDGE_SECRET = 'REPLACE-WITH-THE-SHARED-SECRET';
// ---------------------------------------------------------------------------------------------------------

function legacyBridgePostCreation(ctx, api) {
  var logger = null;
  try {
    logger = require('zitadel/log');
  } catch (e) {
    logger = null;
  }
  function warn(message) {
    if (logger && typeof logger.warn === 'function') logger.warn(message);
  }

  var user = ctx.v1.getUser();
  if (!user || !user.id) {
    warn('legacy bridge: no user in the Post Creation context');
    return;
  }
  try {
    var response = require('zitadel/http').fetch(BRIDGE_URL, {
      method: 'POST',
      // This object replaces ZITADEL's default headers, so Content-Type is set here too.
      headers: {
        'Content-Type': 'application/json',
        Authorization: 'Bearer ' + BRIDGE_SECRET,
      },
      body: { userId: user.id },
    });
    if (response.status !== 204 && response.status !== 200) {
      // The login goes on; the bridge logged why, and `legacy-bridge migrate retry` can finish it.
      warn('legacy bridge: hand-off for user ' + user.id + ' answered HTTP ' + response.status);
    }
  } catch (e) {
    // Unreachable bridge, timeout, refused address: never fail the login over it.
    warn('legacy bridge: hand-off for user ' + user.id + ' failed: ' + ((e && e.message) || e));
  }
}
