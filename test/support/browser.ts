/**
 * A browser without a screen: keeps cookies, follows redirects only within the bridge, and stops at the
 * first redirect that leaves it (the relying party's callback), as a user agent would hand it over.
 */
export class Browser {
  // By name and path, as a browser keeps them: the provider sets one resume cookie per interaction path.
  readonly #cookies = new Map<string, { name: string; value: string; path: string }>();

  /** `headers` go on every request (e.g. X-Forwarded-For behind a trusted proxy). */
  constructor(
    readonly origin: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(this.headers)) headers.set(name, value);
    const cookie = this.cookieHeader(url);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) this.#store(line);
    return response;
  }

  /** The Cookie header this browser sends to `url` (for requests made by other means than `request`). */
  cookieHeader(url: string | URL): string {
    const sent = [...this.#cookies.values()].filter((cookie) => pathMatches(new URL(url).pathname, cookie.path));
    // Longer paths first, as browsers order them.
    sent.sort((a, b) => b.path.length - a.path.length);
    return sent.map((cookie) => `${cookie.name}=${cookie.value}`).join('; ');
  }

  get(url: string | URL): Promise<Response> {
    return this.request(url);
  }

  post(url: string | URL, fields: Record<string, string>): Promise<Response> {
    return this.request(url, { method: 'POST', body: new URLSearchParams(fields), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }

  /** Follow redirects inside the bridge. Returns the last response and, if it redirects away, where to. */
  async follow(response: Response): Promise<{ response: Response; leftTo?: URL }> {
    let current = response;
    for (let hops = 0; hops < 10; hops += 1) {
      const location = current.headers.get('location');
      if (current.status < 300 || current.status >= 400 || !location) return { response: current };
      const target = new URL(location, current.url || this.origin);
      if (target.origin !== this.origin || !this.#isBridgePath(target)) return { response: current, leftTo: target };
      await current.body?.cancel();
      current = await this.get(target);
    }
    throw new Error('too many redirects');
  }

  /** Paths the bridge itself serves; anything else (a callback) belongs to the relying party. */
  #isBridgePath(url: URL): boolean {
    return !url.pathname.includes('callback');
  }

  #store(line: string): void {
    const [pair, ...attributes] = line.split(';');
    const index = pair!.indexOf('=');
    const name = pair!.slice(0, index).trim();
    const value = pair!.slice(index + 1).trim();
    const path = attributes.map((a) => /^\s*path=(.*)$/i.exec(a)?.[1]?.trim()).find(Boolean) ?? '/';
    const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.now()));
    const key = `${name}\u0000${path}`;
    if (expired || value === '') this.#cookies.delete(key);
    else this.#cookies.set(key, { name, value, path });
  }
}

/** RFC 6265 path-match: the cookie's path is the request path or a directory of it. */
function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  return requestPath.startsWith(cookiePath) && (cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/');
}

/** Fields of the first form on a page whose action ends with `actionSuffix`. */
export function formOf(page: string, actionSuffix: string): { action: string; fields: Record<string, string> } {
  const forms = [...page.matchAll(/<form[^>]*action="([^"]+)"[^>]*>([\s\S]*?)<\/form>/g)];
  const form = forms.find((f) => f[1]!.endsWith(actionSuffix));
  if (!form) throw new Error(`no form posting to …${actionSuffix}`);
  const fields: Record<string, string> = {};
  for (const [tag] of form[2]!.matchAll(/<input\b[^>]*>/g)) {
    const name = tag.match(/\bname="([^"]*)"/)?.[1];
    if (name) fields[name] = decodeEntities(tag.match(/\bvalue="([^"]*)"/)?.[1] ?? '');
  }
  return { action: decodeEntities(form[1]!), fields };
}

function decodeEntities(text: string): string {
  return text.replaceAll('&quot;', '"').replaceAll('&#39;', "'").replaceAll('&lt;', '<').replaceAll('&gt;', '>').replaceAll('&amp;', '&');
}

/** The text of the page's alert, if any. */
export function alertOf(page: string): string | undefined {
  return page.match(/role="alert"[^>]*>([^<]*)</)?.[1];
}
