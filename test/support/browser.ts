/**
 * A browser without a screen: keeps cookies, follows redirects only within the bridge, and stops at the
 * first redirect that leaves it (the relying party's callback), as a user agent would hand it over.
 */
export class Browser {
  readonly cookies = new Map<string, string>();

  /** `headers` go on every request (e.g. X-Forwarded-For behind a trusted proxy). */
  constructor(
    readonly origin: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  async request(url: string | URL, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    for (const [name, value] of Object.entries(this.headers)) headers.set(name, value);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) this.#store(line);
    return response;
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
    const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.now()));
    if (expired || value === '') this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
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
