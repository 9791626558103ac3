import type { Context } from 'koa';
import { BodyError, readBody } from '../server/body.js';

/** A request body that cannot be a login form: too large, wrong type, unreadable, or with repeated fields. */
export class FormError extends Error {
  readonly code = 'FORM_INVALID';
  constructor(
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message);
  }
}

/** Read an `application/x-www-form-urlencoded` body of at most `limit` bytes into single-valued fields. */
export async function readForm(ctx: Context, limit: number): Promise<Map<string, string>> {
  if (!ctx.is('application/x-www-form-urlencoded')) throw new FormError(400, 'expected a form post');
  let body: string;
  try {
    body = (await readBody(ctx, limit)).toString('utf8');
  } catch (error) {
    if (error instanceof BodyError) throw new FormError(error.status, error.status === 413 ? 'the form is too large' : 'the form could not be read');
    throw error;
  }
  const fields = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(body)) {
    if (fields.has(name)) throw new FormError(400, `the form field ${name} appears more than once`);
    fields.set(name, value);
  }
  return fields;
}
