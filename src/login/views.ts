import { Html, html } from './html.js';
import { interactionPath } from '../oidc/paths.js';
import { STYLE } from './style.js';

export interface PageOptions {
  readonly title: string;
  readonly language: string;
}

export function layout(options: PageOptions, body: Html): string {
  return html`<!DOCTYPE html>
<html lang="${options.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${options.title}</title>
<style>${new Html(STYLE)}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`.value;
}

export interface LoginView {
  readonly uid: string;
  readonly csrf: string;
  readonly clientName: string;
  readonly login: string;
  readonly error?: string;
}

export function loginPage(options: PageOptions, view: LoginView): string {
  const errorId = view.error ? 'login-error' : undefined;
  // Focus goes where the user types next: the password when the login name is already known.
  const focusPassword = view.login !== '';
  return layout(
    options,
    html`<h1>${options.title}</h1>
<p class="muted">to continue to ${view.clientName}</p>
${view.error ? html`<p class="alert" role="alert" id="login-error">${view.error}</p>` : ''}
<form method="post" action="${interactionPath(view.uid, 'login')}" autocomplete="on">
<input type="hidden" name="csrf" value="${view.csrf}">
<label for="login">Username or email</label>
<input type="text" id="login" name="login" value="${view.login}" autocomplete="username" autocapitalize="none" spellcheck="false" required${focusPassword ? html`` : html` autofocus`}${errorId ? html` aria-describedby="${errorId}"` : html``}>
<label for="password">Password</label>
<input type="password" id="password" name="password" autocomplete="current-password" required${focusPassword ? html` autofocus` : html``}${errorId ? html` aria-describedby="${errorId}"` : html``}>
<button type="submit" class="primary">Sign in</button>
</form>
<form method="post" action="${interactionPath(view.uid, 'abort')}">
<input type="hidden" name="csrf" value="${view.csrf}">
<button type="submit" class="secondary">Cancel</button>
</form>`,
  );
}

export interface ConsentView {
  readonly uid: string;
  readonly csrf: string;
  readonly clientName: string;
  readonly scopes: readonly string[];
}

export function consentPage(options: PageOptions, view: ConsentView): string {
  return layout(
    options,
    html`<h1>Allow access?</h1>
<p>${view.clientName} asks for: ${view.scopes.join(', ') || 'your identity'}.</p>
<form method="post" action="${interactionPath(view.uid, 'confirm')}">
<input type="hidden" name="csrf" value="${view.csrf}">
<button type="submit" class="primary" autofocus>Allow</button>
</form>
<form method="post" action="${interactionPath(view.uid, 'abort')}">
<input type="hidden" name="csrf" value="${view.csrf}">
<button type="submit" class="secondary">Deny</button>
</form>`,
  );
}

/** A page with a heading and a message: errors, "temporarily unavailable", signed out. */
export function messagePage(options: PageOptions, heading: string, message: string | Html, extra?: Html): string {
  return layout({ ...options, title: heading }, html`<h1>${heading}</h1>
<p>${message}</p>
${extra ?? ''}`);
}
