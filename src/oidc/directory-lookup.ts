import { errors } from 'oidc-provider';
import { LegacyUnavailableError } from '../legacy/directory.js';

/**
 * A legacy directory lookup made inside the provider's flow. An outage answers `temporarily_unavailable`
 * (an OIDC error the provider sends back to the client or renders), wherever in the flow it happens.
 */
export async function fromDirectory<T>(lookup: Promise<T>): Promise<T> {
  try {
    return await lookup;
  } catch (error) {
    if (error instanceof LegacyUnavailableError) throw new errors.TemporarilyUnavailable('the user directory is temporarily unavailable');
    throw error;
  }
}
