import type { Context } from 'koa';
import getRawBody from 'raw-body';

/** A request body that could not be read: larger than allowed (413) or broken (400). */
export class BodyError extends Error {
  readonly code = 'BODY_INVALID';
  constructor(
    readonly status: 400 | 413,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The raw request body, at most `limit` bytes: a declared length over the limit is refused before reading,
 * and a body that grows past it is cut off. Every attacker-sent byte is bounded here, once.
 */
export async function readBody(ctx: Context, limit: number): Promise<Buffer> {
  const declared = ctx.get('content-length');
  if (declared && Number(declared) > limit) throw new BodyError(413, 'the request is too large');
  try {
    return await getRawBody(ctx.req, { limit, length: declared || undefined });
  } catch (error) {
    if ((error as { type?: string }).type === 'entity.too.large') throw new BodyError(413, 'the request is too large');
    throw new BodyError(400, 'the request could not be read');
  }
}

export type JsonObject = Record<string, unknown>;

export const isJsonObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The body as a JSON object, or undefined when it is not JSON or not an object. */
export function parseJsonObject(raw: Buffer): JsonObject | undefined {
  try {
    const value: unknown = JSON.parse(raw.toString('utf8'));
    return isJsonObject(value) ? value : undefined;
  } catch {
    return undefined;
  }
}
