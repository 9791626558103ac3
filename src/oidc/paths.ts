/** Where the provider sends the browser for an interaction, and where the login forms post. */
export const INTERACTION_PREFIX = '/interaction';

export function interactionPath(uid: string, action?: 'login' | 'confirm' | 'abort'): string {
  return `${INTERACTION_PREFIX}/${encodeURIComponent(uid)}${action ? `/${action}` : ''}`;
}
